//! Confirm a new account with the emailed code (or ask for a new code), then sign in.

use leptos::prelude::*;
use mfe_dom::{find, follow, listen, markup, set_or_remove};
use web_sys::Element;

use crate::{
    auth::{cognito::explain, session::SessionStore},
    forms::{
        Check, Field, Form, FormSpec, Place, SIGN_IN_EMAIL, Submission, auth_card, dev_mailbox_markup,
        follow_dev_mailbox, next_page, page_url, query, show_error,
    },
    layout::Notice,
    router::Router,
};

const CONFIRM_FORM: FormSpec = FormSpec {
    test_id: "confirm-form",
    fields: &[
        SIGN_IN_EMAIL,
        Field {
            id: "code",
            label: "Confirmation code",
            kind: "text",
            autocomplete: "one-time-code",
            check: Check::Code,
        },
    ],
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
    let intro = markup(&[
        "<p>",
        if unconfirmed { "Your account is not confirmed yet. " } else { "" },
        "We emailed you a 6-digit code. Enter it below to finish creating your account.</p>",
    ]);
    let resend_markup = [
        r#"<div class="auth__links"><button type="button" class="button button--quiet" data-testid="resend-code">"#,
        RESEND.0,
        r#"</button><p role="status"></p></div>"#,
    ]
    .concat();
    let body = [intro, dev_mailbox_markup(), CONFIRM_FORM.markup("", ""), resend_markup].concat();
    page.set_inner_html(&auth_card("Confirm your email", &body));
    let form = Form::wire(page, &CONFIRM_FORM);
    form.set(0, &email);
    let address = form.signal(0);
    follow_dev_mailbox(page, move || address.get());
    form.on_submit(move |form| {
        let (email, code) = (form.value(0).trim().to_owned(), form.value(1));
        let (router, next) = (router.clone(), next.clone());
        form.run(async move {
            let cognito = session.cognito();
            cognito.call(cognito.client.confirm_sign_up(&email, code.trim())).await.map_err(|e| explain(&e))?;
            notice.show("Your account is confirmed. Sign in to continue.");
            router.navigate(&page_url("/sign-in", &[("email", &email), ("next", &next)]));
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
    show_error(&button, Place::After, resend.error);
    let busy_button = button.clone();
    follow(move |_: Option<()>| {
        let busy = resend.busy.get();
        set_or_remove(&busy_button, "disabled", busy.then_some(""));
        busy_button.set_text_content(Some(if busy { RESEND.1 } else { RESEND.0 }));
    });
    follow(move |_: Option<()>| status.set_text_content(resent.get().as_deref()));
    let form = form.clone();
    listen(&button, "click", move |_| {
        if let Some(problem) = form.problem(0) {
            resend.error.set(Some(problem));
            return;
        }
        let email = form.value(0).trim().to_owned();
        resend.run(async move {
            let cognito = session.cognito();
            cognito.call(cognito.client.resend_confirmation_code(&email)).await.map_err(|e| explain(&e))?;
            resent.set(Some(format!("We sent a new code to {email}.")));
            Ok(())
        });
    });
}
