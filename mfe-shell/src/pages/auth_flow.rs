//! The pieces every form is made of: labelled fields with inline errors, the password rules, a
//! submit button that shows progress, and the form's own error. One look and one behaviour for all.
//! Forms are built by hand (markup, then effects that patch it; see `mfe_dom`): Leptos's views
//! compiled their rendering code again for every form, which made most of the shell's wasm.

use std::{future::Future, pin::Pin};

use leptos::{prelude::*, task::spawn_local};
use mfe_contract::{PasswordPolicy, PasswordRule, RuntimeConfig};
use mfe_dom::{follow, input, listen, markup, set, set_or_remove};
use web_sys::{Element, HtmlInputElement};

use crate::router::Router;

/// A form's network action: busy while it runs (the button is disabled, a spinner shows), and the
/// reason it failed, if it did.
#[derive(Clone, Copy)]
pub struct Submission {
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    /// Set once the person tried to submit: field errors show from then on, not while they first type.
    pub attempted: RwSignal<bool>,
}

impl Submission {
    pub fn new() -> Self {
        Self { busy: RwSignal::new(false), error: RwSignal::new(None), attempted: RwSignal::new(false) }
    }

    /// Runs `work` unless it is already running; its `Err` is shown as the form's error.
    pub fn run(&self, work: impl Future<Output = Result<(), String>> + 'static) {
        self.run_boxed(Box::pin(work));
    }

    /// One copy of the spawning code for every form (wasm size), not one per form's future type.
    fn run_boxed(&self, work: Pin<Box<dyn Future<Output = Result<(), String>>>>) {
        if self.busy.get_untracked() {
            return;
        }
        let Self { busy, error, .. } = *self;
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let outcome = work.await;
            busy.set(false);
            error.set(outcome.err());
        });
    }
}

/// What a field's value must be.
#[derive(Clone, Copy)]
pub enum Check {
    Email,
    /// The emailed 6-digit code.
    Code,
    /// A new password, against the pool's policy; its rules are listed below the field.
    NewPassword,
    /// Anything but blank: "Enter <what>."
    Required(&'static str),
}

impl Check {
    fn problem(self, value: &str, policy: &PasswordPolicy) -> Option<String> {
        match self {
            Self::Email => email_problem(value),
            Self::Code => code_problem(value),
            Self::NewPassword => password_problem(policy, value),
            Self::Required(what) => value.trim().is_empty().then(|| format!("Enter {what}.")),
        }
    }
}

/// A labelled input of a form.
pub struct Field {
    pub id: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub check: Check,
}

/// The email address an existing account signs in with (a password manager's user name).
pub const SIGN_IN_EMAIL: Field =
    Field { id: "email", label: "Email", kind: "email", autocomplete: "username", check: Check::Email };

/// A new password (`id` names the input), checked against the pool's policy, its rules listed below.
pub const fn new_password(id: &'static str) -> Field {
    Field { id, label: "New password", kind: "password", autocomplete: "new-password", check: Check::NewPassword }
}

/// A form: its test id, fields and submit button's labels (idle, busy).
pub struct FormSpec {
    pub test_id: &'static str,
    pub fields: &'static [Field],
    pub submit: (&'static str, &'static str),
}

impl FormSpec {
    /// The form's markup, `before_fields` (escaped already) between its error and its fields.
    pub fn markup(&self, class: &str, before_fields: &str) -> String {
        let mut html = markup(&["<form novalidate class=\"", class, "\" data-testid=\"", self.test_id, "\">"]);
        html.push_str(before_fields);
        for field in self.fields {
            html.push_str(&field_markup(field));
        }
        html.push_str(&markup(&[
            r#"<button type="submit" class="button button--primary button--block" aria-busy="false">"#,
            self.submit.0,
            "</button></form>",
        ]));
        html
    }
}

fn field_markup(field: &Field) -> String {
    let Field { id, label, kind, autocomplete, check } = *field;
    let rules = matches!(check, Check::NewPassword).then(|| [" ", id, "-rules"].concat()).unwrap_or_default();
    let mut html = markup(&[
        "<div class=\"field\"><label for=\"",
        id,
        "\">",
        label,
        "</label><input id=\"",
        id,
        "\" name=\"",
        id,
        "\" type=\"",
        kind,
        "\" autocomplete=\"",
        autocomplete,
        "\" aria-invalid=\"false\" aria-describedby=\"",
        &[id, "-error", &rules].concat(),
        "\"><p class=\"field__error\" id=\"",
        &[id, "-error"].concat(),
        "\" aria-live=\"polite\"></p></div>",
    ]);
    if !rules.is_empty() {
        html.push_str(&markup(&[
            r#"<ul class="rules" id=""#,
            rules.trim(),
            r#"" aria-label="Password requirements"></ul>"#,
        ]));
    }
    html
}

/// A form on the page, wired: each field's value and inline error, the rules, the busy button and
/// the form's error.
#[derive(Clone)]
pub struct Form {
    pub element: Element,
    pub submission: Submission,
    fields: Vec<Wired>,
    policy: PasswordPolicy,
}

/// A field's input, its value as a signal (updated as the person types), and its check.
#[derive(Clone)]
struct Wired {
    input: HtmlInputElement,
    value: RwSignal<String>,
    check: Check,
}

impl Form {
    /// Wires the form built from `spec` inside `page`.
    pub fn wire(page: &Element, spec: &FormSpec) -> Self {
        let element =
            mfe_dom::find(page, &["[data-testid=", spec.test_id, "]"].concat()).expect("the form is on the page");
        let submission = Submission::new();
        let policy = password_policy();
        let fields =
            spec.fields.iter().map(|field| wire_field(&element, field, submission.attempted, &policy)).collect();
        show_error(&element, Place::Start, submission.error);
        let button = mfe_dom::find(&element, "button[type=submit]").expect("the form has a submit button");
        show_busy(&button, submission.busy, spec.submit);
        Self { element, submission, fields, policy }
    }

    /// Calls `send` on submit once every field's check passes (their errors show otherwise).
    pub fn on_submit(&self, send: impl Fn(&Form) + 'static) {
        let form = self.clone();
        listen(&self.element, "submit", move |event| {
            event.prevent_default();
            form.submission.attempted.set(true);
            if (0..form.fields.len()).all(|at| form.problem(at).is_none()) {
                send(&form);
            }
        });
    }

    /// What is wrong with the value of the field at `at`, if anything.
    pub fn problem(&self, at: usize) -> Option<String> {
        let field = &self.fields[at];
        field.value.with_untracked(|value| field.check.problem(value, &self.policy))
    }

    /// The value of the field at `at` (in the spec's order).
    pub fn value(&self, at: usize) -> String {
        self.fields[at].value.get_untracked()
    }

    /// The value of the field at `at`, followed as the person types.
    pub fn signal(&self, at: usize) -> RwSignal<String> {
        self.fields[at].value
    }

    /// Puts `value` in the field at `at`.
    pub fn set(&self, at: usize, value: &str) {
        let field = &self.fields[at];
        field.input.set_value(value);
        field.value.set(value.to_owned());
    }

    /// Runs `work` as the form's network action; see [`Submission::run`].
    pub fn run(&self, work: impl Future<Output = Result<(), String>> + 'static) {
        self.submission.run(work);
    }
}

fn wire_field(form: &Element, field: &Field, attempted: RwSignal<bool>, policy: &PasswordPolicy) -> Wired {
    let input = input(form, field.id);
    let value = RwSignal::new(String::new());
    let typed = input.clone();
    listen(&input, "input", move |_| value.set(typed.value()));
    let error = mfe_dom::find(form, &["#", field.id, "-error"].concat()).expect("the field has its error");
    let (check, shown_policy, marked) = (field.check, policy.clone(), input.clone());
    follow(move |_: Option<()>| {
        let problem = value.with(|v| check.problem(v, &shown_policy)).filter(|_| attempted.get());
        set(&marked, "aria-invalid", if problem.is_some() { "true" } else { "false" });
        error.set_text_content(problem.as_deref());
    });
    if let Some(rules) = mfe_dom::find(form, &["#", field.id, "-rules"].concat()) {
        show_rules(&rules, value, policy.rules());
    }
    Wired { input, value, check: field.check }
}

/// The pool's password rules, each ticked off as the person types.
fn show_rules(list: &Element, password: RwSignal<String>, rules: Vec<PasswordRule>) {
    let list = list.clone();
    follow(move |_: Option<()>| {
        let mut html = String::new();
        for rule in &rules {
            let kept = password.with(|p| rule.is_kept_by(p));
            let (class, state) = if kept { ("rule rule--kept", " (met)") } else { ("rule", " (not met)") };
            let words = in_words(*rule);
            html.push_str(&markup(&[
                "<li class=\"",
                class,
                "\">",
                &words,
                "<span class=\"visually-hidden\">",
                state,
                "</span></li>",
            ]));
        }
        list.set_inner_html(&html);
    });
}

/// The submit button: disabled while the form's request runs, with a spinner and a busy label.
fn show_busy(button: &Element, busy: RwSignal<bool>, (label, busy_label): (&'static str, &'static str)) {
    let button = button.clone();
    follow(move |_: Option<()>| {
        let busy = busy.get();
        set_or_remove(&button, "disabled", busy.then_some(""));
        set(&button, "aria-busy", if busy { "true" } else { "false" });
        let spinner = if busy { r#"<span class="spinner spinner--light" aria-hidden="true"></span>"# } else { "" };
        button.set_inner_html(&markup(&[spinner, if busy { busy_label } else { label }]));
    });
}

/// Where a form's error goes.
#[derive(Clone, Copy)]
pub enum Place {
    /// First in the element (a form).
    Start,
    /// Right after the element (a button of its own).
    After,
}

/// A form's error, announced as soon as it appears.
pub fn show_error(anchor: &Element, place: Place, error: RwSignal<Option<String>>) {
    let anchor = anchor.clone();
    follow(move |shown: Option<Option<Element>>| {
        if let Some(old) = shown.flatten() {
            old.remove();
        }
        let error = error.get()?;
        let html =
            markup(&[r#"<div class="alert alert--error" role="alert" data-testid="form-error">"#, &error, "</div>"]);
        match place {
            Place::Start => {
                let _ = anchor.insert_adjacent_html("afterbegin", &html);
                anchor.first_element_child()
            }
            Place::After => {
                let _ = anchor.insert_adjacent_html("afterend", &html);
                anchor.next_element_sibling()
            }
        }
    });
}

/// The first password rule broken, for the field's own error.
fn password_problem(policy: &PasswordPolicy, password: &str) -> Option<String> {
    policy.first_broken(password).map(|rule| format!("Needed: {}", in_words(rule).to_ascii_lowercase()))
}

fn password_policy() -> PasswordPolicy {
    expect_context::<RuntimeConfig>().cognito.map(|c| c.password_policy).unwrap_or_default()
}

fn in_words(rule: PasswordRule) -> String {
    match rule {
        PasswordRule::MinimumLength(length) => format!("At least {length} characters"),
        PasswordRule::Lowercase => "A lowercase letter".into(),
        PasswordRule::Uppercase => "An uppercase letter".into(),
        PasswordRule::Number => "A number".into(),
        PasswordRule::Symbol => "A symbol such as ! or $".into(),
    }
}

fn email_problem(email: &str) -> Option<String> {
    let email = email.trim();
    match email.split_once('@') {
        _ if email.is_empty() => Some("Enter your email address.".into()),
        Some((user, domain)) if !user.is_empty() && domain.contains('.') => None,
        _ => Some("Enter an email address such as name@example.com.".into()),
    }
}

fn code_problem(code: &str) -> Option<String> {
    let code = code.trim();
    (code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()))
        .then(|| "Enter the 6-digit code from the email.".into())
}

/// In dev mode, where the codes the api "sent" can be read: the markup, empty otherwise.
pub fn dev_mailbox_markup() -> String {
    let dev = expect_context::<RuntimeConfig>().dev_mailbox.is_some();
    let html = r#"<p class="dev-hint" data-testid="dev-mailbox">Development: codes are not mailed. <a target="_blank" rel="noopener">Open the dev mailbox</a> to read yours.</p>"#;
    if dev { html.to_owned() } else { String::new() }
}

/// Points the dev-mailbox link in `page`, if any, at `email`'s messages.
pub fn follow_dev_mailbox(page: &Element, email: impl Fn() -> String + 'static) {
    let (Some(mailbox), Some(link)) =
        (expect_context::<RuntimeConfig>().dev_mailbox, mfe_dom::find(page, "[data-testid=dev-mailbox] a"))
    else {
        return;
    };
    follow(move |_: Option<()>| {
        let to = String::from(js_sys::encode_uri_component(email().trim()));
        set(&link, "href", &[mailbox.as_str(), "?to=", &to].concat());
    });
}

/// The narrow card of the sign-in-related pages, with its title; `body` is markup.
pub fn auth_card(title: &str, body: &str) -> String {
    let mut html =
        markup(&[r#"<section class="card auth" aria-labelledby="page-title"><h1 id="page-title">"#, title, "</h1>"]);
    html.push_str(body);
    html.push_str("</section>");
    html
}

/// A query parameter of the current URL.
pub fn query(name: &'static str) -> Option<String> {
    expect_context::<Router>().query(name)
}

/// Where to go once signed in (`?next=`), carried through sign-up, confirmation and password reset:
/// a path on this site only, so a link cannot send the person away.
pub fn next_page() -> String {
    query("next").filter(|next| next.starts_with('/') && !next.starts_with("//")).unwrap_or_else(|| "/".to_owned())
}

/// A page of this site with its query, e.g. `page_url("/confirm", &[("email", email), ("next", next)])`.
pub fn page_url(path: &str, params: &[(&str, &str)]) -> String {
    let mut url = path.to_owned();
    for (i, (name, value)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(name);
        url.push('=');
        url.push_str(&String::from(js_sys::encode_uri_component(value)));
    }
    url
}
