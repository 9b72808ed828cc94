//! The signed-in person's page: their attributes, an authenticator app as a second step at sign-in,
//! changing the password, deleting the account.

use cognito_client::ops::{
    GetUserResponse, SettingUp, associate_software_token, set_software_token_mfa, verify_software_token,
};
use leptos::prelude::*;
use maud::html;
use mfe_contract::{MfaConfiguration, RuntimeConfig};
use ui_kit::{
    dom::{Place, fill, find, follow, listen, replace, target},
    focus,
    form::{Check, Field, Fill, Form, FormSpec, Kind, Submission, show_error},
};
use web_sys::Element;

use super::{
    auth_flow::NEW_PASSWORD,
    authenticator::{APP_CODE, VERIFY_APP_FORM, app_code_refusal, draw_qr_code, setup_markup},
};
use crate::{
    async_value::when_done,
    auth::{cognito::explain, session::SessionStore},
    layout::loading_markup,
};

const CURRENT_PASSWORD: Field = Field {
    name: "current-password",
    label: "Current password",
    kind: Kind::Password,
    autocomplete: "current-password",
    check: Check::Required("your current password"),
};

const CHANGE_PASSWORD_FORM: FormSpec = FormSpec {
    id: "change-password",
    test_id: "change-password-form",
    class: "narrow",
    fields: &[CURRENT_PASSWORD, NEW_PASSWORD],
    submit: ("Change password", "Changing…"),
};

pub fn show(page: &Element) {
    page.set_class_name("stack");
    let session = expect_context::<SessionStore>();
    let status = html! { p role="status" class="success" {} };
    // Only a pool with MFA OPTIONAL lets each person choose; with ON, sign-in sets the app up.
    let app = expect_context::<RuntimeConfig>()
        .cognito
        .is_some_and(|cognito| cognito.mfa_configuration == MfaConfiguration::Optional);
    fill(
        page,
        html! {
            section class="card" aria-labelledby="profile-title" { h1 id="profile-title" { "Your profile" } span {} }
            @if app {
                section class="card" aria-labelledby="app-title" data-testid="authenticator" {
                    h2 id="app-title" { "Authenticator app" }
                    span {}
                }
            }
            section class="card" aria-labelledby="change-password-title" {
                h2 id="change-password-title" { "Change password" }
                (CHANGE_PASSWORD_FORM.markup(&Fill { intro: status, ..Fill::default() }))
            }
            section class="card card--danger" aria-labelledby="delete-title" {
                h2 id="delete-title" { "Delete account" }
                p { "This removes your sign-in for good. It cannot be undone." }
                span {}
            }
        },
    );
    let sections: Vec<Element> = (0..page.children().length()).filter_map(|at| page.children().item(at)).collect();
    let [attributes, middle @ .., change_password, delete] = sections.as_slice() else { return };
    let user = when_done(async move {
        let cognito = session.cognito();
        let token = session.access_token().await?;
        cognito.call(cognito_client::ops::get_user(&token)).await.map_err(|e| explain(&e))
    });
    show_attributes(attributes, user);
    if let Some(app) = middle.first() {
        wire_authenticator(app, session, user);
    }
    wire_change_password(change_password, session);
    wire_delete(delete, session);
}

fn show_attributes(section: &Element, user: ReadSignal<Option<Result<GetUserResponse, String>>>) {
    let placeholder = section.last_element_child().expect("the section has its content's place");
    follow(move |old: Option<Element>| {
        let markup = user.with(|user| match user {
            None => loading_markup("Loading your profile…"),
            Some(Err(error)) => html! { div class="alert alert--error" role="alert" { (error) } },
            Some(Ok(user)) => html! {
                dl class="attributes" data-testid="profile-attributes" {
                    @for attribute in user.user_attributes.iter().flatten().filter(|a| a.name != "sub") {
                        dt { (label(&attribute.name)) }
                        dd { (shown_value(&attribute.value)) }
                    }
                }
            },
        });
        replace(old.as_ref().unwrap_or(&placeholder), markup)
    });
}

/// "Set up an authenticator app": a new secret (AssociateSoftwareToken) shown as a QR code and as text,
/// the app's first code (VerifySoftwareToken), then a code at every sign-in (SetUserMFAPreference); and
/// turning it off. Signals of types the shell has anyway (wasm size): whether the app is on, and the
/// secret being set up.
fn wire_authenticator(
    section: &Element,
    session: SessionStore,
    user: ReadSignal<Option<Result<GetUserResponse, String>>>,
) {
    let on = RwSignal::new(false);
    let setting_up = RwSignal::new(None::<String>);
    follow(move |_: Option<()>| {
        if let Some(on_now) = user
            .with(|user| user.as_ref().and_then(|user| user.as_ref().ok()).map(GetUserResponse::has_software_token_mfa))
        {
            on.set(on_now);
        }
    });
    let action = Submission::new();
    let placeholder = section.last_element_child().expect("the section has its content's place");
    let heading = placeholder.previous_element_sibling().expect("the section has its heading");
    show_error(&heading, Place::After, action.error);
    let account = session.session().and_then(|who| who.email).unwrap_or_default();
    follow(move |old: Option<Element>| {
        let busy = action.busy.get();
        let secret = setting_up.get();
        let loaded = user.with(|user| matches!(user, Some(Ok(_))));
        let markup = match (loaded.then(|| on.get()), &secret) {
            (None, _) => html! { div data-state="loading" {} },
            (Some(_), Some(secret)) => html! {
                div data-state="setting-up" {
                    (setup_markup(secret, true))
                    (VERIFY_APP_FORM.markup(&Fill {
                        beside: html! { button type="button" class="button" data-testid="cancel-app" { "Cancel" } },
                        ..Fill::default()
                    }))
                }
            },
            (Some(false), None) => html! {
                div data-state="off" {
                    p { "Add a second step to signing in: a code from an authenticator app on your phone, as well as your password." }
                    button type="button" class="button button--primary" data-testid="set-up-app" disabled[busy] {
                        (if busy { "Preparing…" } else { "Set up an authenticator app" })
                    }
                }
            },
            (Some(true), None) => html! {
                div data-state="on" {
                    p role="status" class="success" data-testid="app-on" tabindex="-1" data-focus {
                        "Your authenticator app is on: sign-in asks for its code."
                    }
                    button type="button" class="button button--danger" data-testid="turn-off-app" disabled[busy] {
                        (if busy { "Turning off…" } else { "Turn off the authenticator app" })
                    }
                }
            },
        };
        let was = old.as_ref().and_then(|old| old.get_attribute("data-state"));
        let shown = replace(old.as_ref().unwrap_or(&placeholder), markup);
        // What the person did changed the block (the busy button they pressed had lost the focus): the
        // focus goes to the new block's start.
        if was.is_some_and(|was| was != "loading" && Some(was) != shown.get_attribute("data-state")) {
            focus::enter(&shown);
        }
        if let Some(secret) = secret {
            draw_qr_code(&shown, &account, &secret);
            wire_verify(&shown, session, on, setting_up);
        }
        shown
    });
    listen(section, "click", move |event| {
        let clicked = target(&event).and_then(|t| t.closest("[data-testid]").ok().flatten());
        match clicked.and_then(|button| button.get_attribute("data-testid")).as_deref() {
            Some("set-up-app") => action.run(async move {
                let cognito = session.cognito();
                let token = session.access_token().await?;
                let associated = cognito
                    .call(associate_software_token(SettingUp::AccessToken(&token)))
                    .await
                    .map_err(|e| explain(&e))?;
                setting_up.set(Some(associated.secret_code));
                Ok(())
            }),
            Some("cancel-app") => setting_up.set(None),
            Some("turn-off-app") => action.run(async move {
                let cognito = session.cognito();
                let token = session.access_token().await?;
                cognito.call(set_software_token_mfa(&token, false)).await.map_err(|e| explain(&e))?;
                on.set(false);
                Ok(())
            }),
            _ => {}
        }
    });
}

/// The app's first code proves it holds the secret; then sign-in asks for its codes.
fn wire_verify(block: &Element, session: SessionStore, on: RwSignal<bool>, setting_up: RwSignal<Option<String>>) {
    let form = Form::wire(block, &VERIFY_APP_FORM);
    form.on_submit(move |form| {
        let code = form.text(&APP_CODE);
        form.run(async move {
            let cognito = session.cognito();
            let token = session.access_token().await?;
            let verify = verify_software_token(SettingUp::AccessToken(&token), code.trim());
            cognito.call(verify).await.map_err(|error| app_code_refusal(&error))?;
            cognito.call(set_software_token_mfa(&token, true)).await.map_err(|e| explain(&e))?;
            setting_up.set(None);
            on.set(true);
            Ok(())
        });
    });
}

/// Cognito's attribute names, as a person reads them.
fn label(attribute: &str) -> &str {
    match attribute {
        "email" => "Email",
        "email_verified" => "Email verified",
        "name" => "Name",
        _ => attribute,
    }
}

/// Cognito's booleans (`email_verified`) as words.
fn shown_value(value: &str) -> &str {
    match value {
        "true" => "Yes",
        "false" => "No",
        _ => value,
    }
}

fn wire_change_password(section: &Element, session: SessionStore) {
    let form = Form::wire(section, &CHANGE_PASSWORD_FORM);
    let changed = RwSignal::new(false);
    let status = find(section, "[role=status].success").expect("the form has its status");
    follow(move |_: Option<()>| status.set_text_content(changed.get().then_some("Your password was changed.")));
    form.on_submit(move |form| {
        changed.set(false);
        let (previous, next, form) = (form.text(&CURRENT_PASSWORD), form.text(&NEW_PASSWORD), form.clone());
        form.clone().run(async move {
            let cognito = session.cognito();
            let token = session.access_token().await?;
            cognito
                .call(cognito_client::ops::change_password(&token, &previous, &next))
                .await
                .map_err(|e| explain(&e))?;
            form.clear();
            changed.set(true);
            Ok(())
        });
    });
}

/// Deleting asks first, the focus on the safe answer; the confirmation shows its progress.
fn wire_delete(section: &Element, session: SessionStore) {
    let asked = RwSignal::new(false);
    let submission = Submission::new();
    let placeholder = section.last_element_child().expect("the section has its buttons' place");
    let description = placeholder.previous_element_sibling().expect("the section has its description");
    show_error(&description, Place::After, submission.error);
    follow(move |old: Option<Element>| {
        let (asked, busy) = (asked.get(), submission.busy.get());
        let markup = html! {
            @if asked {
                div class="actions" {
                    button type="button" class="button button--danger" data-testid="confirm-delete" disabled[busy] {
                        (if busy { "Deleting…" } else { "Yes, delete my account" })
                    }
                    button type="button" class="button" data-testid="keep-account" data-focus { "Keep my account" }
                }
            } @else {
                button type="button" class="button button--danger" data-testid="delete-account" { "Delete my account…" }
            }
        };
        replace(old.as_ref().unwrap_or(&placeholder), markup)
    });
    listen(section, "click", move |event| {
        let clicked = target(&event).and_then(|t| t.closest("[data-testid]").ok().flatten());
        match clicked.and_then(|button| button.get_attribute("data-testid")).as_deref() {
            Some("delete-account") => asked.set(true),
            Some("keep-account") => asked.set(false),
            Some("confirm-delete") => submission.run(async move {
                let cognito = session.cognito();
                let token = session.access_token().await?;
                cognito.call(cognito_client::ops::delete_user(&token)).await.map_err(|e| explain(&e))?;
                session.forget("Your account was deleted.");
                Ok(())
            }),
            _ => {}
        }
    });
}
