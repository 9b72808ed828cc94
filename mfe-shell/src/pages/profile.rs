//! The signed-in person's page: their attributes, changing the password, deleting the account.

use leptos::prelude::*;

use crate::{
    async_value::when_done,
    auth::{cognito::explain, session::SessionStore},
    forms::{Field, FormError, PasswordRules, Submission, SubmitButton, password_problem, required},
    layout::Loading,
};

#[component]
pub fn Profile() -> impl IntoView {
    view! {
        <div class="stack">
            <Attributes/>
            <ChangePassword/>
            <DeleteAccount/>
        </div>
    }
}

#[component]
fn Attributes() -> impl IntoView {
    let session = expect_context::<SessionStore>();
    let user = when_done(async move {
        let cognito = session.cognito();
        let token = session.access_token().await?;
        cognito.call(cognito_client::ops::get_user(&token)).await.map_err(|e| explain(&e))
    });
    view! {
        <section class="card" aria-labelledby="profile-title">
            <h1 id="profile-title">"Your profile"</h1>
            {move || match user.get() {
                None => view! { <Loading message="Loading your profile…"/> }.into_any(),
                Some(Err(error)) => view! { <div class="alert alert--error" role="alert">{error}</div> }.into_any(),
                Some(Ok(user)) => view! {
                    <dl class="attributes" data-testid="profile-attributes">
                        {user.user_attributes.into_iter().filter(|a| a.name != "sub").map(|a| view! { <dt>{label(a.name)}</dt><dd>{a.value}</dd> }).collect_view()}
                    </dl>
                }.into_any(),
            }}
        </section>
    }
}

/// Cognito's attribute names, as a person reads them.
fn label(attribute: String) -> String {
    let label = match attribute.as_str() {
        "email" => "Email",
        "email_verified" => "Email verified",
        "name" => "Name",
        _ => return attribute,
    };
    label.to_owned()
}

#[component]
fn ChangePassword() -> impl IntoView {
    let session = expect_context::<SessionStore>();
    let current = RwSignal::new(String::new());
    let proposed = RwSignal::new(String::new());
    let submission = Submission::new();
    let changed = RwSignal::new(false);
    let current_error = Signal::derive(move || current.with(|p| required(p, "your current password")));
    let proposed_error = Signal::derive(move || proposed.with(|p| password_problem(p)));
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        changed.set(false);
        if !submission.valid(&[current_error.get_untracked(), proposed_error.get_untracked()]) {
            return;
        }
        let (previous, next) = (current.get_untracked(), proposed.get_untracked());
        submission.run(async move {
            let cognito = session.cognito();
            let token = session.access_token().await?;
            cognito
                .call(cognito_client::ops::change_password(&token, &previous, &next))
                .await
                .map_err(|e| explain(&e))?;
            current.set(String::new());
            proposed.set(String::new());
            submission.attempted.set(false);
            changed.set(true);
            Ok(())
        });
    };
    view! {
        <section class="card" aria-labelledby="change-password-title">
            <h2 id="change-password-title">"Change password"</h2>
            <form on:submit=on_submit novalidate class="narrow" data-testid="change-password-form">
                <FormError submission/>
                <p role="status" class="success">{move || changed.get().then_some("Your password was changed.")}</p>
                <Field id="current-password" label="Current password" kind="password" autocomplete="current-password" value=current error=current_error attempted=submission.attempted/>
                <Field id="proposed-password" label="New password" kind="password" autocomplete="new-password" value=proposed error=proposed_error attempted=submission.attempted described_by="proposed-rules"/>
                <PasswordRules id="proposed-rules" password=proposed/>
                <SubmitButton label="Change password" busy_label="Changing…" submission/>
            </form>
        </section>
    }
}

#[component]
fn DeleteAccount() -> impl IntoView {
    let session = expect_context::<SessionStore>();
    let asked = RwSignal::new(false);
    let submission = Submission::new();
    let delete = move |_| {
        submission.run(async move {
            let cognito = session.cognito();
            let token = session.access_token().await?;
            cognito.call(cognito_client::ops::delete_user(&token)).await.map_err(|e| explain(&e))?;
            session.forget("Your account was deleted.");
            Ok(())
        });
    };
    view! {
        <section class="card card--danger" aria-labelledby="delete-title">
            <h2 id="delete-title">"Delete account"</h2>
            <p>"This removes your sign-in for good. It cannot be undone."</p>
            <FormError submission/>
            {move || if asked.get() {
                view! {
                    <div class="actions">
                        <button type="button" class="button button--danger" on:click=delete disabled=submission.busy data-testid="confirm-delete">
                            {move || if submission.busy.get() { "Deleting…" } else { "Yes, delete my account" }}
                        </button>
                        <button type="button" class="button" on:click=move |_| asked.set(false)>"Keep my account"</button>
                    </div>
                }.into_any()
            } else {
                view! { <button type="button" class="button button--danger" on:click=move |_| asked.set(true) data-testid="delete-account">"Delete my account…"</button> }.into_any()
            }}
        </section>
    }
}
