//! Sign up: name, email and a password checked against the pool's policy as the person types; then
//! the confirmation code.

use cognito_client::Attribute;
use leptos::prelude::*;
use mfe_dom::markup;

use web_sys::Element;

use crate::{
    auth::{cognito::explain, session::SessionStore},
    forms::{Check, Field, Form, FormSpec, auth_card, next_page, page_url},
    router::Router,
};

const SIGN_UP_FORM: FormSpec = FormSpec {
    test_id: "sign-up-form",
    fields: &[
        Field { id: "name", label: "Name", kind: "text", autocomplete: "name", check: Check::Required("your name") },
        Field { id: "email", label: "Email", kind: "email", autocomplete: "email", check: Check::Email },
        Field {
            id: "password",
            label: "Password",
            kind: "password",
            autocomplete: "new-password",
            check: Check::NewPassword,
        },
    ],
    submit: ("Create account", "Creating your account…"),
};

pub fn show(page: &Element) {
    let session = expect_context::<SessionStore>();
    let router = expect_context::<Router>();
    let next = next_page();
    let sign_in_link = page_url("/sign-in", &[("next", &next)]);
    let links = markup(&[
        r#"<p class="auth__links"><span>Already have an account? <a href=""#,
        &sign_in_link,
        r#"">Sign in</a></span></p>"#,
    ]);
    page.set_inner_html(&auth_card("Create your account", &[SIGN_UP_FORM.markup("", ""), links].concat()));
    let form = Form::wire(page, &SIGN_UP_FORM);
    form.on_submit(move |form| {
        let email = form.value(1).trim().to_owned();
        let attributes = [Attribute::new("email", &email), Attribute::new("name", form.value(0).trim())];
        let (password, router, next) = (form.value(2), router.clone(), next.clone());
        form.run(async move {
            let cognito = session.cognito();
            cognito.call(cognito.client.sign_up(&email, &password, &attributes)).await.map_err(|e| explain(&e))?;
            router.navigate(&page_url("/confirm", &[("email", &email), ("next", &next)]));
            Ok(())
        });
    });
}
