//! Sign in: SRP by default (or passwords if the config says so), then back to where the person was
//! going. An unconfirmed account goes to confirmation; a temporary password to choosing a new one.

use cognito_client::ErrorKind;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::AuthCard;
use crate::{
    auth::{
        cognito::{SignedIn, explain},
        session::SessionStore,
    },
    forms::{
        Field, FormError, PasswordRules, Submission, SubmitButton, email_problem, next_page, page_url,
        password_problem, query, required,
    },
};

/// The `performance.mark` set once the sign-in form is on the page.
const INTERACTIVE_MARK: &str = "ledgerline:sign-in-interactive";

/// An admin-created user's first sign-in: the challenge to answer with a new password.
#[derive(Clone)]
struct NewPasswordChallenge {
    username: String,
    session: String,
}

#[component]
pub fn SignIn() -> impl IntoView {
    let challenge = RwSignal::new(None::<NewPasswordChallenge>);
    let next = next_page();
    // The moment the form can be used, for the committed performance measurement (tests/tests/performance.rs).
    Effect::new(|| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(INTERACTIVE_MARK);
        }
    });
    move || match challenge.get() {
        None => view! { <PasswordForm challenge next=next.clone()/> }.into_any(),
        Some(challenge) => view! { <NewPasswordForm challenge next=next.clone()/> }.into_any(),
    }
}

#[component]
fn PasswordForm(challenge: RwSignal<Option<NewPasswordChallenge>>, next: String) -> impl IntoView {
    let session = expect_context::<SessionStore>();
    let navigate = use_navigate();
    let email = RwSignal::new(query("email").unwrap_or_default());
    let password = RwSignal::new(String::new());
    let submission = Submission::new();
    let email_error = Signal::derive(move || email.with(|e| email_problem(e)));
    let password_error = Signal::derive(move || password.with(|p| required(p, "your password")));
    let sign_up_link = page_url("/sign-up", &[("next", &next)]);
    let forgot_link = page_url("/forgot-password", &[("next", &next)]);
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if !submission.valid(&[email_error.get_untracked(), password_error.get_untracked()]) {
            return;
        }
        let (email, password) = (email.get_untracked().trim().to_owned(), password.get_untracked());
        let (navigate, next) = (navigate.clone(), next.clone());
        submission.run(async move {
            let cognito = session.cognito();
            match cognito.sign_in(&email, &password).await {
                Ok(SignedIn::Tokens(tokens)) => {
                    session.signed_in(tokens);
                    navigate(&next, Default::default());
                    Ok(())
                }
                Ok(SignedIn::NewPasswordRequired { username, session }) => {
                    challenge.set(Some(NewPasswordChallenge { username, session }));
                    Ok(())
                }
                Err(error) if error.kind == ErrorKind::UserNotConfirmedException => {
                    let params = [("email", email.as_str()), ("unconfirmed", "1"), ("next", &next)];
                    navigate(&page_url("/confirm", &params), Default::default());
                    Ok(())
                }
                Err(error) if error.kind == ErrorKind::PasswordResetRequiredException => {
                    navigate(&page_url("/forgot-password", &[("email", &email), ("next", &next)]), Default::default());
                    Ok(())
                }
                Err(error) => Err(explain(&error)),
            }
        });
    };
    view! {
        <AuthCard title="Sign in">
            <form on:submit=on_submit novalidate data-testid="sign-in-form">
                <FormError submission/>
                <Field id="email" label="Email" kind="email" autocomplete="username" value=email error=email_error attempted=submission.attempted/>
                <Field id="password" label="Password" kind="password" autocomplete="current-password" value=password error=password_error attempted=submission.attempted/>
                <SubmitButton label="Sign in" busy_label="Signing in…" submission/>
            </form>
            <p class="auth__links">
                <a href=forgot_link>"Forgot your password?"</a>
                <span>"New here? " <a href=sign_up_link>"Create an account"</a></span>
            </p>
        </AuthCard>
    }
}

#[component]
fn NewPasswordForm(challenge: NewPasswordChallenge, next: String) -> impl IntoView {
    let session = expect_context::<SessionStore>();
    let navigate = use_navigate();
    let password = RwSignal::new(String::new());
    let submission = Submission::new();
    let password_error = Signal::derive(move || password.with(|p| password_problem(p)));
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if !submission.valid(&[password_error.get_untracked()]) {
            return;
        }
        let (challenge, password, navigate, next) =
            (challenge.clone(), password.get_untracked(), navigate.clone(), next.clone());
        submission.run(async move {
            let cognito = session.cognito();
            match cognito.choose_new_password(&challenge.username, &password, &challenge.session).await {
                Ok(SignedIn::Tokens(tokens)) => {
                    session.signed_in(tokens);
                    navigate(&next, Default::default());
                    Ok(())
                }
                Ok(SignedIn::NewPasswordRequired { .. }) => Err("Please choose a different password.".into()),
                Err(error) => Err(explain(&error)),
            }
        });
    };
    view! {
        <AuthCard title="Choose your password">
            <p>"You signed in with a temporary password. Choose your own to continue."</p>
            <form on:submit=on_submit novalidate data-testid="new-password-form">
                <FormError submission/>
                <Field id="new-password" label="New password" kind="password" autocomplete="new-password" value=password error=password_error attempted=submission.attempted described_by="new-password-rules"/>
                <PasswordRules id="new-password-rules" password/>
                <SubmitButton label="Save and sign in" busy_label="Saving…" submission/>
            </form>
        </AuthCard>
    }
}
