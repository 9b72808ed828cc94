//! Forgot password: a code by email, then the code and a new password, then sign in.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::AuthCard;
use crate::{
    auth::{cognito::explain, session::SessionStore},
    forms::{
        DevMailboxLink, Field, FormError, PasswordRules, Submission, SubmitButton, code_problem, email_problem,
        next_page, page_url, password_problem, query,
    },
    layout::Notice,
};

#[component]
pub fn ForgotPassword() -> impl IntoView {
    let email = RwSignal::new(query("email").unwrap_or_default());
    let code_sent = RwSignal::new(false);
    move || {
        if code_sent.get() {
            view! { <ResetForm email/> }.into_any()
        } else {
            view! { <RequestCodeForm email code_sent/> }.into_any()
        }
    }
}

#[component]
fn RequestCodeForm(email: RwSignal<String>, code_sent: RwSignal<bool>) -> impl IntoView {
    let session = expect_context::<SessionStore>();
    let submission = Submission::new();
    let email_error = Signal::derive(move || email.with(|e| email_problem(e)));
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if !submission.valid(&[email_error.get_untracked()]) {
            return;
        }
        let address = email.get_untracked().trim().to_owned();
        submission.run(async move {
            let cognito = session.cognito();
            cognito.call(cognito.client.forgot_password(&address)).await.map_err(|e| explain(&e))?;
            code_sent.set(true);
            Ok(())
        });
    };
    view! {
        <AuthCard title="Reset your password">
            <p>"Enter your email address and we will send you a code to choose a new password."</p>
            <form on:submit=on_submit novalidate data-testid="forgot-form">
                <FormError submission/>
                <Field id="email" label="Email" kind="email" autocomplete="username" value=email error=email_error attempted=submission.attempted/>
                <SubmitButton label="Send me a code" busy_label="Sending…" submission/>
            </form>
        </AuthCard>
    }
}

#[component]
fn ResetForm(email: RwSignal<String>) -> impl IntoView {
    let session = expect_context::<SessionStore>();
    let notice = expect_context::<Notice>();
    let navigate = use_navigate();
    let next = next_page();
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submission = Submission::new();
    let code_error = Signal::derive(move || code.with(|c| code_problem(c)));
    let password_error = Signal::derive(move || password.with(|p| password_problem(p)));
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if !submission.valid(&[code_error.get_untracked(), password_error.get_untracked()]) {
            return;
        }
        let address = email.get_untracked().trim().to_owned();
        let (code, password) = (code.get_untracked(), password.get_untracked());
        let (navigate, next) = (navigate.clone(), next.clone());
        submission.run(async move {
            let cognito = session.cognito();
            let request = cognito.client.confirm_forgot_password(&address, code.trim(), &password);
            cognito.call(request).await.map_err(|e| explain(&e))?;
            notice.show("Your password was changed. Sign in with the new one.");
            navigate(&page_url("/sign-in", &[("email", &address), ("next", &next)]), Default::default());
            Ok(())
        });
    };
    view! {
        <AuthCard title="Choose a new password">
            <p>{move || format!("If an account uses {}, we emailed it a 6-digit code.", email.get().trim())}</p>
            <DevMailboxLink email/>
            <form on:submit=on_submit novalidate data-testid="reset-form">
                <FormError submission/>
                <Field id="code" label="Code" autocomplete="one-time-code" value=code error=code_error attempted=submission.attempted/>
                <Field id="password" label="New password" kind="password" autocomplete="new-password" value=password error=password_error attempted=submission.attempted described_by="password-rules"/>
                <PasswordRules id="password-rules" password/>
                <SubmitButton label="Change password" busy_label="Changing…" submission/>
            </form>
        </AuthCard>
    }
}
