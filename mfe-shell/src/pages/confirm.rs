//! Confirm a new account with the emailed code (or ask for a new code), then sign in.

use leptos::prelude::*;
use maud::html;
use ui_kit::{
    dom::{fill, find, follow, listen},
    form::{Check, Field, Fill, Form, FormSpec, Kind, Submission, code_problem, show_button_busy},
};
use web_sys::Element;

use super::auth_flow::{SIGN_IN_EMAIL, auth_card, dev_mailbox_markup, follow_dev_mailbox, next_page, page_url, query};
use crate::{
    auth::{cognito::explain, session::SessionStore},
    layout::Notice,
    router::Router,
};

const CONFIRMATION_CODE: Field = Field {
    name: "code",
    label: "Confirmation code",
    kind: Kind::Text,
    autocomplete: "one-time-code",
    check: Check::Rule(code_problem),
};

const CONFIRM_FORM: FormSpec = FormSpec {
    id: "confirm",
    test_id: "confirm-form",
    class: "",
    fields: &[SIGN_IN_EMAIL, CONFIRMATION_CODE],
    submit: ("Confirm", "Confirming…"),
};

const RESEND: (&str, &str) = ("Send me a new code", "Sending a new code…");

pub fn show(page: &Element) {
    let session = expect_context::<SessionStore>();
    let notice = expect_context::<Notice>();
    let router = expect_context::<Router>();
    let email = query("email").unwrap_or_default();
    let unconfirmed = query("unconfirmed").is_some();
    let next = next_page();
    let body = html! {
        p {
            @if unconfirmed { "Your account is not confirmed yet. " }
            "We emailed you a 6-digit code. Enter it below to finish creating your account."
        }
        (dev_mailbox_markup())
        (CONFIRM_FORM.markup(&Fill::default()))
        div class="auth__links" {
            button type="button" class="button button--quiet" data-testid="resend-code" { (RESEND.0) }
            p role="status" {}
        }
    };
    fill(page, auth_card("Confirm your email", body));
    let form = Form::wire(page, &CONFIRM_FORM);
    form.set(&SIGN_IN_EMAIL, &email);
    let address = form.watch(&SIGN_IN_EMAIL);
    follow_dev_mailbox(page, move || address.get());
    form.on_submit(move |form| {
        let (email, code) = (form.text(&SIGN_IN_EMAIL).trim().to_owned(), form.text(&CONFIRMATION_CODE));
        let next = next.clone();
        form.run(async move {
            let cognito = session.cognito();
            cognito.call(cognito.client.confirm_sign_up(&email, code.trim())).await.map_err(|e| explain(&e))?;
            notice.show("Your account is confirmed. Sign in to continue.");
            router.navigate(page_url("/sign-in", &[("email", &email), ("next", &next)]).as_str());
            Ok(())
        });
    });
    wire_resend(page, &form, session);
}

/// "Send me a new code", with its own progress, error and confirmation.
fn wire_resend(page: &Element, form: &Form, session: SessionStore) {
    let button = find(page, "[data-testid=resend-code]").expect("the resend button is on the page");
    let status = button.next_element_sibling().expect("the resend status follows the button");
    let resend = Submission::new();
    let resent = RwSignal::new(None::<String>);
    show_button_busy(&button, resend, RESEND);
    follow(move |_: Option<()>| status.set_text_content(resent.get().as_deref()));
    let form = form.clone();
    listen(&button, "click", move |_| {
        if let Some(problem) = form.problem(&SIGN_IN_EMAIL) {
            resend.error.set(Some(problem));
            return;
        }
        let email = form.text(&SIGN_IN_EMAIL).trim().to_owned();
        resend.run(async move {
            let cognito = session.cognito();
            cognito.call(cognito.client.resend_confirmation_code(&email)).await.map_err(|e| explain(&e))?;
            resent.set(Some(format!("We sent a new code to {email}.")));
            Ok(())
        });
    });
}
