//! Forgot password: a code by email, then the code and a new password, then sign in.

use leptos::prelude::*;
use maud::html;
use ui_kit::{
    dom::fill,
    form::{Fill, Form, FormSpec},
};
use web_sys::Element;

use super::auth_flow::{
    CODE, NEW_PASSWORD, SIGN_IN_EMAIL, auth_card, dev_mailbox_markup, follow_dev_mailbox, next_page, page_url, query,
};
use crate::{
    auth::{cognito::explain, session::SessionStore},
    layout::Notice,
    router::Router,
};

const REQUEST_CODE_FORM: FormSpec = FormSpec {
    id: "forgot",
    test_id: "forgot-form",
    class: "",
    fields: &[SIGN_IN_EMAIL],
    submit: ("Send me a code", "Sending…"),
};

const RESET_FORM: FormSpec = FormSpec {
    id: "reset",
    test_id: "reset-form",
    class: "",
    fields: &[CODE, NEW_PASSWORD],
    submit: ("Change password", "Changing…"),
};

pub fn show(page: &Element) {
    let session = expect_context::<SessionStore>();
    let email = query("email").unwrap_or_default();
    // The reset form replaces this one once the code is sent, under the page's owner.
    let owner = Owner::current().expect("a page has an owner");
    let body = html! {
        p { "Enter your email address and we will send you a code to choose a new password." }
        (REQUEST_CODE_FORM.markup(&Fill::default()))
    };
    fill(page, auth_card("Reset your password", body));
    let form = Form::wire(page, &REQUEST_CODE_FORM);
    form.set(&SIGN_IN_EMAIL, &email);
    let page = page.clone();
    form.on_submit(move |form| {
        let (address, page, owner) = (form.text(&SIGN_IN_EMAIL).trim().to_owned(), page.clone(), owner.clone());
        form.run(async move {
            let cognito = session.cognito();
            cognito.call(cognito.client.forgot_password(&address)).await.map_err(|e| explain(&e))?;
            owner.with(|| reset_form(&page, session, address));
            Ok(())
        });
    });
}

fn reset_form(page: &Element, session: SessionStore, address: String) {
    let notice = expect_context::<Notice>();
    let router = expect_context::<Router>();
    let next = next_page();
    let body = html! {
        p { "If an account uses " (address) ", we emailed it a 6-digit code." }
        (dev_mailbox_markup())
        (RESET_FORM.markup(&Fill::default()))
    };
    fill(page, auth_card("Choose a new password", body));
    let shown = address.clone();
    follow_dev_mailbox(page, move || shown.clone());
    let form = Form::wire(page, &RESET_FORM);
    form.on_submit(move |form| {
        let (address, code, password) = (address.clone(), form.text(&CODE), form.text(&NEW_PASSWORD));
        let next = next.clone();
        form.run(async move {
            let cognito = session.cognito();
            let request = cognito.client.confirm_forgot_password(&address, code.trim(), &password);
            cognito.call(request).await.map_err(|e| explain(&e))?;
            notice.show("Your password was changed. Sign in with the new one.");
            router.navigate(page_url("/sign-in", &[("email", &address), ("next", &next)]).as_str());
            Ok(())
        });
    });
}
