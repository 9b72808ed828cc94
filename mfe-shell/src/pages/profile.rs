//! The signed-in person's page: their attributes, changing the password, deleting the account.

use leptos::prelude::*;
use mfe_dom::{find, follow, listen, markup, push_escaped, replace, target};
use web_sys::Element;

use crate::{
    async_value::when_done,
    auth::{cognito::explain, session::SessionStore},
    forms::{Check, Field, Form, FormSpec, Place, Submission, new_password, show_error},
    layout::loading_markup,
};

const CHANGE_PASSWORD_FORM: FormSpec = FormSpec {
    test_id: "change-password-form",
    fields: &[
        Field {
            id: "current-password",
            label: "Current password",
            kind: "password",
            autocomplete: "current-password",
            check: Check::Required("your current password"),
        },
        new_password("proposed-password"),
    ],
    submit: ("Change password", "Changing…"),
};

pub fn show(page: &Element) {
    page.set_class_name("stack");
    let session = expect_context::<SessionStore>();
    let attributes = r#"<section class="card" aria-labelledby="profile-title"><h1 id="profile-title">Your profile</h1><span></span></section>"#;
    let change_password = [
        r#"<section class="card" aria-labelledby="change-password-title"><h2 id="change-password-title">Change password</h2>"#,
        &CHANGE_PASSWORD_FORM.markup("narrow", r#"<p role="status" class="success"></p>"#),
        "</section>",
    ]
    .concat();
    let delete = r#"<section class="card card--danger" aria-labelledby="delete-title"><h2 id="delete-title">Delete account</h2><p>This removes your sign-in for good. It cannot be undone.</p><span></span></section>"#;
    page.set_inner_html(&[attributes, &change_password, delete].concat());
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
        let html = match user.get() {
            None => loading_markup("Loading your profile…"),
            Some(Err(error)) => markup(&[r#"<div class="alert alert--error" role="alert">"#, &error, "</div>"]),
            Some(Ok(user)) => {
                let mut html = r#"<dl class="attributes" data-testid="profile-attributes">"#.to_owned();
                for attribute in user.user_attributes.iter().flatten().filter(|a| a.name != "sub") {
                    html.push_str("<dt>");
                    push_escaped(&mut html, label(&attribute.name));
                    html.push_str("</dt><dd>");
                    push_escaped(&mut html, shown_value(&attribute.value));
                    html.push_str("</dd>");
                }
                html + "</dl>"
            }
        };
        replace(old.as_ref().unwrap_or(&placeholder), &html)
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
        let (previous, next, form) = (form.value(0), form.value(1), form.clone());
        form.clone().run(async move {
            let cognito = session.cognito();
            let token = session.access_token().await?;
            cognito
                .call(cognito_client::ops::change_password(&token, &previous, &next))
                .await
                .map_err(|e| explain(&e))?;
            form.set(0, "");
            form.set(1, "");
            form.submission.attempted.set(false);
            changed.set(true);
            Ok(())
        });
    });
}

/// Deleting asks first; the confirmation shows its progress.
fn wire_delete(section: &Element, session: SessionStore) {
    let asked = RwSignal::new(false);
    let submission = Submission::new();
    let placeholder = section.last_element_child().expect("the section has its buttons' place");
    let description = placeholder.previous_element_sibling().expect("the section has its description");
    show_error(&description, Place::After, submission.error);
    follow(move |old: Option<Element>| {
        let html = match (asked.get(), submission.busy.get()) {
            (false, _) => {
                r#"<button type="button" class="button button--danger" data-testid="delete-account">Delete my account…</button>"#
            }
            (true, false) => {
                r#"<div class="actions"><button type="button" class="button button--danger" data-testid="confirm-delete">Yes, delete my account</button><button type="button" class="button" data-testid="keep-account">Keep my account</button></div>"#
            }
            (true, true) => {
                r#"<div class="actions"><button type="button" class="button button--danger" data-testid="confirm-delete" disabled="">Deleting…</button><button type="button" class="button" data-testid="keep-account">Keep my account</button></div>"#
            }
        };
        replace(old.as_ref().unwrap_or(&placeholder), html)
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
