//! Forms, the same in every micro-frontend: labelled fields (ids unique on the page) with their
//! errors inline, the password rules, a submit button that shows progress, and the server's refusal
//! in plain words, next to the fields it names. Values are looked up by their [`Field`], never by
//! position. A form is markup from its [`FormSpec`], then [`Form::wire`] patches it with effects.

use std::{
    cell::{Cell, RefCell},
    future::Future,
    pin::Pin,
    rc::Rc,
};

use any_spawner::Executor;
use maud::{Markup, html};
use mfe_contract::{PasswordPolicy, PasswordRule};
use reactive_graph::{prelude::*, signal::RwSignal};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

use crate::dom::{Place, fill, find, follow, insert, listen, set, set_or_remove, target};

/// What a field holds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Email,
    Password,
    Checkbox,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A choice among options the page gives with the markup ([`Fill::options`]).
    Select,
}

/// What a field's value must be before the form is sent (the server checks again).
#[derive(Clone, Copy)]
pub enum Check {
    Nothing,
    /// Anything but blank: "Enter <what>."
    Required(&'static str),
    /// What is wrong with a value, if anything, e.g. [`email_problem`]. A function rather than a
    /// variant per rule, so a frontend links only the rules it uses.
    Rule(fn(&str) -> Option<String>),
    /// A new password, against the [`PasswordRules`] the page set; its rules are listed below the
    /// field and ticked off as the person types.
    NewPassword,
}

/// A labelled field of a form.
pub struct Field {
    /// What the value is sent and looked up as (`name=`); with the form's id, the element's id.
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    /// The `autocomplete` token, or "" for none.
    pub autocomplete: &'static str,
    pub check: Check,
}

/// A form: its id (which prefixes its fields' ids, so two forms on a page never share one), test
/// id, class, fields and submit button's labels (idle, busy).
pub struct FormSpec {
    pub id: &'static str,
    pub test_id: &'static str,
    pub class: &'static str,
    pub fields: &'static [Field],
    pub submit: (&'static str, &'static str),
}

/// What a form shows beside its fields.
#[derive(Default)]
pub struct Fill<'a> {
    /// Before the fields: a heading, a status line.
    pub intro: Markup,
    /// The first values, by field name; a checkbox is ticked by "true".
    pub values: &'a [(&'static str, &'a str)],
    /// The `<option>`s of its select field.
    pub options: Markup,
    /// Buttons beside the submit button, e.g. Cancel.
    pub beside: Markup,
}

impl FormSpec {
    pub fn markup(&self, fill: &Fill) -> Markup {
        let value = |field: &Field| fill.values.iter().find(|(name, _)| *name == field.name).map(|(_, value)| *value);
        html! {
            form novalidate class=(self.class) data-testid=(self.test_id) {
                (fill.intro)
                @for field in self.fields { (self.field_markup(field, value(field), &fill.options)) }
                @if fill.beside.0.is_empty() {
                    (submit_button(self.submit.0))
                } @else {
                    div class="actions" { (submit_button(self.submit.0)) (fill.beside) }
                }
            }
        }
    }

    fn field_markup(&self, field: &Field, value: Option<&str>, options: &Markup) -> Markup {
        let id = self.field_id(field);
        let error = [id.as_str(), "-error"].concat();
        let rules = matches!(field.check, Check::NewPassword).then(|| [id.as_str(), "-rules"].concat());
        let described = match &rules {
            Some(rules) => [error.as_str(), " ", rules].concat(),
            None => error.clone(),
        };
        let autocomplete = (!field.autocomplete.is_empty()).then_some(field.autocomplete);
        html! {
            @if field.kind == Kind::Checkbox {
                div class="field field--check" {
                    label { input type="checkbox" id=(id) name=(field.name) checked[value == Some("true")]; " " (field.label) }
                }
            } @else {
                div class="field" {
                    label for=(id) { (field.label) }
                    @if field.kind == Kind::Select {
                        select id=(id) name=(field.name) aria-describedby=(error) { (options) }
                    } @else {
                        input id=(id) name=(field.name) type=(field.kind.input_type()) autocomplete=[autocomplete]
                            value=[value] aria-invalid="false" aria-describedby=(described);
                    }
                    p class="field__error" id=(error) aria-live="polite" {}
                }
                @if let Some(rules) = rules { ul class="rules" id=(rules) aria-label="Password requirements" {} }
            }
        }
    }

    fn field_id(&self, field: &Field) -> String {
        [self.id, "-", field.name].concat()
    }
}

impl Kind {
    fn input_type(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Password => "password",
            Self::Checkbox => "checkbox",
            Self::Date => "date",
            Self::Text | Self::Select => "text",
        }
    }
}

fn submit_button(label: &str) -> Markup {
    html! { button type="submit" class="button button--primary" aria-busy="false" { (label) } }
}

/// Why the server refused what a form sent: in plain words, and by field where it named them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Refusal {
    pub message: String,
    /// Field name and message.
    pub fields: Vec<(String, String)>,
}

impl From<String> for Refusal {
    fn from(message: String) -> Self {
        Self { message, fields: Vec::new() }
    }
}

/// The pool's password rules, which a frontend whose forms choose passwords sets once. Behind a
/// trait object, so a frontend that never sets them links none of their code.
#[derive(Clone)]
pub struct PasswordRules(Rc<dyn Rules>);

thread_local! {
    static PASSWORD_RULES: RefCell<Option<PasswordRules>> = const { RefCell::new(None) };
}

impl PasswordRules {
    /// From now on, every new password field is checked against `policy`.
    pub fn set(policy: PasswordPolicy) {
        PASSWORD_RULES.set(Some(Self(Rc::new(policy))));
    }

    fn current() -> Option<Self> {
        PASSWORD_RULES.with_borrow(Clone::clone)
    }
}

trait Rules {
    /// The first rule `password` breaks, in words.
    fn problem(&self, password: &str) -> Option<String>;
    /// Every rule, ticked off where `password` keeps it.
    fn markup(&self, password: &str) -> Markup;
}

impl Rules for PasswordPolicy {
    fn problem(&self, password: &str) -> Option<String> {
        self.first_broken(password).map(|rule| ["Needed: ", &in_words(rule).to_ascii_lowercase()].concat())
    }

    fn markup(&self, password: &str) -> Markup {
        html! {
            @for rule in self.rules() {
                @let kept = rule.is_kept_by(password);
                li class=(if kept { "rule rule--kept" } else { "rule" }) {
                    (in_words(rule))
                    span class="visually-hidden" { (if kept { " (met)" } else { " (not met)" }) }
                }
            }
        }
    }
}

fn in_words(rule: PasswordRule) -> String {
    match rule {
        PasswordRule::MinimumLength(length) => ["At least ", &length.to_string(), " characters"].concat(),
        PasswordRule::Lowercase => "A lowercase letter".into(),
        PasswordRule::Uppercase => "An uppercase letter".into(),
        PasswordRule::Number => "A number".into(),
        PasswordRule::Symbol => "A symbol such as ! or $".into(),
    }
}

/// A network action of a form (or of a button of its own): busy while it runs, and its refusal,
/// if it was refused.
#[derive(Clone, Copy)]
pub struct Submission {
    pub busy: RwSignal<bool>,
    /// The refusal that names no field of the form, shown above it.
    pub error: RwSignal<Option<String>>,
}

type Work = Pin<Box<dyn Future<Output = Result<(), Refusal>>>>;

impl Submission {
    pub fn new() -> Self {
        Self { busy: RwSignal::new(false), error: RwSignal::new(None) }
    }

    /// Runs `work` unless it is already running; its refusal shows as the error.
    pub fn run(&self, work: impl Future<Output = Result<(), Refusal>> + 'static) {
        self.run_boxed(Box::pin(work), Box::new(|_| false));
    }

    /// One copy of the spawning code for every form (wasm size), not one per form's future type.
    /// `by_field` shows a refusal by the fields it names, if it names any: else it is the error.
    fn run_boxed(&self, work: Work, by_field: Box<dyn FnOnce(&Refusal) -> bool>) {
        if self.busy.get_untracked() {
            return;
        }
        let Self { busy, error } = *self;
        busy.set(true);
        error.set(None);
        Executor::spawn_local(async move {
            let outcome = work.await;
            busy.set(false);
            if let Err(refusal) = outcome
                && !by_field(&refusal)
            {
                error.set(Some(refusal.message));
            }
        });
    }
}

impl Default for Submission {
    fn default() -> Self {
        Self::new()
    }
}

/// A form on the page, wired: its fields' errors (once the person tried to send it) and password
/// rules follow what is typed, the submit button shows progress, the form's error shows above it.
#[derive(Clone)]
pub struct Form {
    pub element: Element,
    pub submission: Submission,
    spec: &'static FormSpec,
    /// Each field's element, in the spec's order.
    inputs: Rc<[HtmlInputElement]>,
    /// Whether the person tried to send it: field errors show from then on, not while they first type.
    attempted: Rc<Cell<bool>>,
    rules: Option<PasswordRules>,
}

impl Form {
    /// Wires the form built from `spec`, which is `within` or inside it.
    pub fn wire(within: &Element, spec: &'static FormSpec) -> Self {
        let selector = ["[data-testid=", spec.test_id, "]"].concat();
        let element = if within.matches(&selector).unwrap_or_default() {
            within.clone()
        } else {
            find(within, &selector).expect("the form is on the page")
        };
        let inputs = spec
            .fields
            .iter()
            .map(|field| find(&element, &["#", &spec.field_id(field)].concat()).expect("the form has the field"))
            .map(JsCast::unchecked_into)
            .collect();
        let form = Self {
            element,
            submission: Submission::new(),
            spec,
            inputs,
            attempted: Rc::new(Cell::new(false)),
            rules: PasswordRules::current(),
        };
        show_error(&form.element, Place::Start, form.submission.error);
        let button = find(&form.element, "button[type=submit]").expect("the form has a submit button");
        show_busy(&button, form.submission.busy, spec.submit);
        (0..spec.fields.len()).for_each(|at| form.show_rules(at));
        let typed = form.clone();
        listen(&form.element, "input", move |event| {
            let field = target(&event)
                .and_then(|input| typed.inputs.iter().position(|known| AsRef::<Element>::as_ref(known) == &input));
            if let Some(at) = field {
                typed.show_rules(at);
                if typed.attempted.get() {
                    typed.show_problem(at, typed.problem_at(at));
                }
            }
        });
        form
    }

    /// Calls `send` on submit once every field's check passes (their errors show otherwise).
    pub fn on_submit(&self, send: impl Fn(&Form) + 'static) {
        self.on_submit_boxed(Box::new(send));
    }

    /// One copy of the checking code for every form (wasm size), not one per `send`.
    fn on_submit_boxed(&self, send: Box<dyn Fn(&Form)>) {
        let form = self.clone();
        listen(&self.element, "submit", move |event| {
            event.prevent_default();
            form.attempted.set(true);
            let problems = (0..form.inputs.len()).map(|at| form.problem_at(at)).collect::<Vec<_>>();
            let fine = problems.iter().all(Option::is_none);
            for (at, problem) in problems.into_iter().enumerate() {
                form.show_problem(at, problem);
            }
            if fine {
                send(&form);
            }
        });
    }

    /// What is wrong with the value of `field`, if anything.
    pub fn problem(&self, field: &Field) -> Option<String> {
        self.problem_at(self.at(field))
    }

    /// The text in `field`, as typed.
    pub fn text(&self, field: &Field) -> String {
        self.inputs[self.at(field)].value()
    }

    /// Whether the checkbox `field` is ticked.
    pub fn checked(&self, field: &Field) -> bool {
        self.inputs[self.at(field)].checked()
    }

    /// The text in `field`, followed as the person types.
    pub fn watch(&self, field: &Field) -> RwSignal<String> {
        let input = self.inputs[self.at(field)].clone();
        let value = RwSignal::new(input.value());
        listen(&input.clone().into(), "input", move |_| value.set(input.value()));
        value
    }

    /// Puts `value` in `field`.
    pub fn set(&self, field: &Field, value: &str) {
        let at = self.at(field);
        self.inputs[at].set_value(value);
        self.show_rules(at);
    }

    /// Empties every field, as new (a choice stays as it was chosen): their errors go until the
    /// person tries to send it again.
    pub fn clear(&self) {
        self.attempted.set(false);
        for (at, input) in self.inputs.iter().enumerate() {
            if self.spec.fields[at].kind != Kind::Select {
                input.set_value("");
            }
            self.show_rules(at);
            self.show_problem(at, None);
        }
    }

    /// Runs `work` as the form's network action: busy meanwhile; a refusal shows under the fields
    /// it names, or above the form.
    pub fn run(&self, work: impl Future<Output = Result<(), Refusal>> + 'static) {
        let form = self.clone();
        self.submission.run_boxed(Box::pin(work), Box::new(move |refusal| form.show_refusal(refusal)));
    }

    /// Shows the refusal's messages under the fields it names; whether it named any of them.
    fn show_refusal(&self, refusal: &Refusal) -> bool {
        let mut named = false;
        for (at, field) in self.spec.fields.iter().enumerate() {
            let message = refusal.fields.iter().find(|(name, _)| name == field.name).map(|(_, message)| message);
            named |= message.is_some();
            self.show_problem(at, message.cloned());
        }
        named
    }

    fn at(&self, field: &Field) -> usize {
        self.spec.fields.iter().position(|known| known.name == field.name).expect("the form has the field")
    }

    fn problem_at(&self, at: usize) -> Option<String> {
        let value = self.inputs[at].value();
        match self.spec.fields[at].check {
            Check::Nothing => None,
            Check::Required(what) => value.trim().is_empty().then(|| ["Enter ", what, "."].concat()),
            Check::Rule(problem) => problem(&value),
            Check::NewPassword => self.rules.as_ref().and_then(|rules| rules.0.problem(&value)),
        }
    }

    /// The field's error under it, and its `aria-invalid`.
    fn show_problem(&self, at: usize, problem: Option<String>) {
        let input = &self.inputs[at];
        set(input, "aria-invalid", if problem.is_some() { "true" } else { "false" });
        let id = self.spec.field_id(&self.spec.fields[at]);
        if let Some(error) = find(&self.element, &["#", &id, "-error"].concat()) {
            error.set_text_content(problem.as_deref());
        }
    }

    /// The password rules under a new password field, ticked off for what it holds.
    fn show_rules(&self, at: usize) {
        let (Some(rules), Check::NewPassword) = (&self.rules, self.spec.fields[at].check) else { return };
        let id = self.spec.field_id(&self.spec.fields[at]);
        if let Some(list) = find(&self.element, &["#", &id, "-rules"].concat()) {
            fill(&list, rules.0.markup(&self.inputs[at].value()));
        }
    }
}

/// The submit button: disabled while the form's request runs, with a spinner and a busy label.
fn show_busy(button: &Element, busy: RwSignal<bool>, (label, busy_label): (&'static str, &'static str)) {
    let button = button.clone();
    follow(move |_: Option<()>| {
        let busy = busy.get();
        set_or_remove(&button, "disabled", busy.then_some(""));
        set(&button, "aria-busy", if busy { "true" } else { "false" });
        fill(
            &button,
            html! {
                @if busy { span class="spinner spinner--light" aria-hidden="true" {} (busy_label) } @else { (label) }
            },
        );
    });
}

/// A button of its own action (not a form's submit): disabled, with its busy label, while `submission`
/// runs, and its error announced after it.
pub fn show_button_busy(button: &Element, submission: Submission, (label, busy_label): (&'static str, &'static str)) {
    show_error(button, Place::After, submission.error);
    let button = button.clone();
    follow(move |_: Option<()>| {
        let busy = submission.busy.get();
        set_or_remove(&button, "disabled", busy.then_some(""));
        button.set_text_content(Some(if busy { busy_label } else { label }));
    });
}

/// A form's (or a button's) error, announced as soon as it appears, at `place` by `anchor`.
pub fn show_error(anchor: &Element, place: Place, error: RwSignal<Option<String>>) {
    let anchor = anchor.clone();
    follow(move |shown: Option<Option<Element>>| {
        if let Some(old) = shown.flatten() {
            old.remove();
        }
        let error = error.get()?;
        insert(
            &anchor,
            place,
            html! { div class="alert alert--error" role="alert" data-testid="form-error" { (error) } },
        )
    });
}

/// An email address such as name@example.com, as far as a form can tell.
pub fn email_problem(email: &str) -> Option<String> {
    let email = email.trim();
    match email.split_once('@') {
        _ if email.is_empty() => Some("Enter your email address.".into()),
        Some((user, domain)) if !user.is_empty() && domain.contains('.') => None,
        _ => Some("Enter an email address such as name@example.com.".into()),
    }
}

/// An emailed 6-digit code.
pub fn code_problem(code: &str) -> Option<String> {
    let code = code.trim();
    (code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()))
        .then(|| "Enter the 6-digit code from the email.".into())
}
