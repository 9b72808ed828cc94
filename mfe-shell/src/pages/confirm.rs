//! Confirm a new account with the emailed code (or ask for a new code), then sign in.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::AuthCard;
use crate::{
    auth::{cognito::explain, session::SessionStore},
    forms::{
        DevMailboxLink, Field, FormError, Submission, SubmitButton, code_problem, email_problem, next_page, page_url,
        query,
    },
    layout::Notice,
};

#[component]
pub fn Confirm() -> impl IntoView {
    let session = expect_context::<SessionStore>();
    let notice = expect_context::<Notice>();
    let navigate = use_navigate();
    let email = RwSignal::new(query("email").unwrap_or_default());
    let unconfirmed = query("unconfirmed").is_some();
    let next = next_page();
    let code = RwSignal::new(String::new());
    let submission = Submission::new();
    let resend = Submission::new();
    let resent = RwSignal::new(None::<String>);
    let email_error = Signal::derive(move || email.with(|e| email_problem(e)));
    let code_error = Signal::derive(move || code.with(|c| code_problem(c)));
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if !submission.valid(&[email_error.get_untracked(), code_error.get_untracked()]) {
            return;
        }
        let (email, code) = (email.get_untracked().trim().to_owned(), code.get_untracked());
        let (navigate, next) = (navigate.clone(), next.clone());
        submission.run(async move {
            let cognito = session.cognito();
            cognito.call(cognito.client.confirm_sign_up(&email, code.trim())).await.map_err(|e| explain(&e))?;
            notice.show("Your account is confirmed. Sign in to continue.");
            navigate(&page_url("/sign-in", &[("email", &email), ("next", &next)]), Default::default());
            Ok(())
        });
    };
    let on_resend = move |_| {
        if email_error.get_untracked().is_some() {
            resend.error.set(email_error.get_untracked());
            return;
        }
        let email = email.get_untracked().trim().to_owned();
        resend.run(async move {
            let cognito = session.cognito();
            cognito.call(cognito.client.resend_confirmation_code(&email)).await.map_err(|e| explain(&e))?;
            resent.set(Some(format!("We sent a new code to {email}.")));
            Ok(())
        });
    };
    view! {
        <AuthCard title="Confirm your email">
            <p>
                {if unconfirmed { "Your account is not confirmed yet. " } else { "" }}
                "We emailed you a 6-digit code. Enter it below to finish creating your account."
            </p>
            <DevMailboxLink email/>
            <form on:submit=on_submit novalidate data-testid="confirm-form">
                <FormError submission/>
                <Field id="email" label="Email" kind="email" autocomplete="username" value=email error=email_error attempted=submission.attempted/>
                <Field id="code" label="Confirmation code" autocomplete="one-time-code" value=code error=code_error attempted=submission.attempted/>
                <SubmitButton label="Confirm" busy_label="Confirming…" submission/>
            </form>
            <div class="auth__links">
                <button type="button" class="button button--quiet" on:click=on_resend disabled=resend.busy data-testid="resend-code">
                    {move || if resend.busy.get() { "Sending a new code…" } else { "Send me a new code" }}
                </button>
                <FormError submission=resend/>
                <p role="status">{resent}</p>
            </div>
        </AuthCard>
    }
}
