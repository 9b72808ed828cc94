//! The pieces every form is made of: labelled fields with inline errors, the password rules, a
//! submit button that shows progress, and the form's own error. One look and one behaviour for all.

use std::{future::Future, pin::Pin};

use leptos::{prelude::*, task::spawn_local};
use mfe_contract::{PasswordPolicy, PasswordRule, RuntimeConfig};

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

    /// Marks the attempt and says whether the fields' own checks all pass.
    pub fn valid(&self, checks: &[Option<String>]) -> bool {
        self.attempted.set(true);
        checks.iter().all(Option::is_none)
    }
}

/// A labelled input; its error (once the person tried to submit) shows below it and is announced.
#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] attempted: Option<RwSignal<bool>>,
    #[prop(optional)] described_by: Option<&'static str>,
) -> impl IntoView {
    let shown_error = move || {
        let attempted = attempted.is_none_or(|a| a.get());
        error.and_then(|e| e.get()).filter(|_| attempted)
    };
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = [hint.map(|_| hint_id.clone()), Some(error_id.clone()), described_by.map(str::to_owned)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                bind:value=value
                aria-invalid=move || shown_error().is_some().to_string()
                aria-describedby=described
            />
            <p class="field__error" id=error_id aria-live="polite">{shown_error}</p>
        </div>
    }
}

/// The pool's password rules, each ticked off as the person types.
#[component]
pub fn PasswordRules(id: &'static str, password: RwSignal<String>) -> impl IntoView {
    let rules = password_policy().rules();
    view! {
        <ul class="rules" id=id aria-label="Password requirements">
            {move || {
                rules
                    .iter()
                    .map(|rule| {
                        let kept = password.with(|p| rule.is_kept_by(p));
                        let (class, state) = if kept { ("rule rule--kept", " (met)") } else { ("rule", " (not met)") };
                        view! { <li class=class>{in_words(*rule)}<span class="visually-hidden">{state}</span></li> }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// The first password rule broken, for the field's own error.
pub fn password_problem(password: &str) -> Option<String> {
    password_policy().first_broken(password).map(|rule| format!("Needed: {}", in_words(rule).to_lowercase()))
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

pub fn email_problem(email: &str) -> Option<String> {
    let email = email.trim();
    match email.split_once('@') {
        _ if email.is_empty() => Some("Enter your email address.".into()),
        Some((user, domain)) if !user.is_empty() && domain.contains('.') => None,
        _ => Some("Enter an email address such as name@example.com.".into()),
    }
}

pub fn required(value: &str, what: &str) -> Option<String> {
    value.trim().is_empty().then(|| format!("Enter {what}."))
}

pub fn code_problem(code: &str) -> Option<String> {
    let code = code.trim();
    (code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()))
        .then(|| "Enter the 6-digit code from the email.".into())
}

/// The submit button: disabled while the form's request runs, with a spinner and a busy label.
#[component]
pub fn SubmitButton(label: &'static str, busy_label: &'static str, submission: Submission) -> impl IntoView {
    let busy = submission.busy;
    view! {
        <button type="submit" class="button button--primary button--block" disabled=busy aria-busy=move || busy.get().to_string()>
            {move || busy.get().then(|| view! { <span class="spinner spinner--light" aria-hidden="true"></span> })}
            {move || if busy.get() { busy_label } else { label }}
        </button>
    }
}

/// The form's error, announced as soon as it appears.
#[component]
pub fn FormError(submission: Submission) -> impl IntoView {
    move || {
        submission.error.get().map(|error| {
            view! { <div class="alert alert--error" role="alert" data-testid="form-error">{error}</div> }
        })
    }
}

/// In dev mode, where the codes the api "sent" can be read.
#[component]
pub fn DevMailboxLink(email: RwSignal<String>) -> impl IntoView {
    let mailbox = expect_context::<RuntimeConfig>().dev_mailbox;
    mailbox.map(|mailbox| {
        let href = move || format!("{mailbox}?to={}", js_sys::encode_uri_component(email.get().trim()));
        view! {
            <p class="dev-hint" data-testid="dev-mailbox">
                "Development: codes are not mailed. "
                <a href=href target="_blank" rel="noopener">"Open the dev mailbox"</a>
                " to read yours."
            </p>
        }
    })
}

/// A query parameter of the current URL.
pub fn query(name: &'static str) -> Option<String> {
    let query = leptos_router::hooks::use_query_map();
    query.with_untracked(|q| q.get(name))
}

/// Where to go once signed in (`?next=`), carried through sign-up, confirmation and password reset.
pub fn next_page() -> String {
    crate::auth::guard::safe_next(query("next"))
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
