//! Sign up: name, email and a password checked against the pool's policy as the person types; then
//! the confirmation code.

use cognito_client::Attribute;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::AuthCard;
use crate::{
    auth::{cognito::explain, session::SessionStore},
    forms::{
        Field, FormError, PasswordRules, Submission, SubmitButton, email_problem, next_page, page_url,
        password_problem, required,
    },
};

#[component]
pub fn SignUp() -> impl IntoView {
    let session = expect_context::<SessionStore>();
    let navigate = use_navigate();
    let next = next_page();
    let sign_in_link = page_url("/sign-in", &[("next", &next)]);
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submission = Submission::new();
    let name_error = Signal::derive(move || name.with(|n| required(n, "your name")));
    let email_error = Signal::derive(move || email.with(|e| email_problem(e)));
    let password_error = Signal::derive(move || password.with(|p| password_problem(p)));
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let checks = [name_error.get_untracked(), email_error.get_untracked(), password_error.get_untracked()];
        if !submission.valid(&checks) {
            return;
        }
        let email = email.get_untracked().trim().to_owned();
        let attributes = [Attribute::new("email", &email), Attribute::new("name", name.get_untracked().trim())];
        let (password, navigate, next) = (password.get_untracked(), navigate.clone(), next.clone());
        submission.run(async move {
            let cognito = session.cognito();
            cognito.call(cognito.client.sign_up(&email, &password, &attributes)).await.map_err(|e| explain(&e))?;
            navigate(&page_url("/confirm", &[("email", &email), ("next", &next)]), Default::default());
            Ok(())
        });
    };
    view! {
        <AuthCard title="Create your account">
            <form on:submit=on_submit novalidate data-testid="sign-up-form">
                <FormError submission/>
                <Field id="name" label="Name" autocomplete="name" value=name error=name_error attempted=submission.attempted/>
                <Field id="email" label="Email" kind="email" autocomplete="email" value=email error=email_error attempted=submission.attempted/>
                <Field id="password" label="Password" kind="password" autocomplete="new-password" value=password error=password_error attempted=submission.attempted described_by="password-rules"/>
                <PasswordRules id="password-rules" password/>
                <SubmitButton label="Create account" busy_label="Creating your account…" submission/>
            </form>
            <p class="auth__links"><span>"Already have an account? " <a href=sign_in_link>"Sign in"</a></span></p>
        </AuthCard>
    }
}
