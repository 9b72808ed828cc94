//! The signed-in person's page: their attributes, changing the password, deleting the account.

use leptos::prelude::*;
use maud::html;
use ui_kit::{
    dom::{Place, fill, find, follow, listen, replace, target},
    form::{Check, Field, Fill, Form, FormSpec, Kind, Submission, show_error},
};
use web_sys::Element;

use super::auth_flow::NEW_PASSWORD;
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
    fill(
        page,
        html! {
            section class="card" aria-labelledby="profile-title" { h1 id="profile-title" { "Your profile" } span {} }
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
    let mut sections = (0..3).filter_map(|at| page.children().item(at));
    let (Some(attributes), Some(change_password), Some(delete)) = (sections.next(), sections.next(), sections.next())
    else {
        return;
    };
    show_attributes(&attributes, session);
    wire_change_password(&change_password, session);
    wire_delete(&delete, session);
}

fn show_attributes(section: &Element, session: SessionStore) {
    let user = when_done(async move {
        let cognito = session.cognito();
        let token = session.access_token().await?;
        cognito.call(cognito_client::ops::get_user(&token)).await.map_err(|e| explain(&e))
    });
    let placeholder = section.last_element_child().expect("the section has its content's place");
    follow(move |old: Option<Element>| {
        let markup = match user.get() {
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
        };
        replace(old.as_ref().unwrap_or(&placeholder), markup)
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
