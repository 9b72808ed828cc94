//! Sign up: name, email and a password checked against the pool's policy as the person types; then
//! the confirmation code.

use cognito_client::Attribute;
use leptos::prelude::*;
use maud::html;
use ui_kit::{
    dom::fill,
    form::{Check, Field, Fill, Form, FormSpec, Kind, email_problem},
    link,
};
use web_sys::Element;

use super::auth_flow::{auth_card, next_page, page_url};
use crate::{
    auth::{cognito::explain, session::SessionStore},
    router::Router,
};

const NAME: Field =
    Field { name: "name", label: "Name", kind: Kind::Text, autocomplete: "name", check: Check::Required("your name") };
const EMAIL: Field = Field {
    name: "email",
    label: "Email",
    kind: Kind::Email,
    autocomplete: "email",
    check: Check::Rule(email_problem),
};
const PASSWORD: Field = Field {
    name: "password",
    label: "Password",
    kind: Kind::Password,
    autocomplete: "new-password",
    check: Check::NewPassword,
};

const SIGN_UP_FORM: FormSpec = FormSpec {
    id: "sign-up",
    test_id: "sign-up-form",
    class: "",
    fields: &[NAME, EMAIL, PASSWORD],
    submit: ("Create account", "Creating your account…"),
};

pub fn show(page: &Element) {
    let session = expect_context::<SessionStore>();
    let router = expect_context::<Router>();
    let next = next_page();
    let links = html! {
        p class="auth__links" {
            span { "Already have an account? " (link(&page_url("/sign-in", &[("next", &next)]), "Sign in")) }
        }
    };
    fill(page, auth_card("Create your account", html! { (SIGN_UP_FORM.markup(&Fill::default())) (links) }));
    let form = Form::wire(page, &SIGN_UP_FORM);
    form.on_submit(move |form| {
        let email = form.text(&EMAIL).trim().to_owned();
        let attributes = [Attribute::new("email", &email), Attribute::new("name", form.text(&NAME).trim())];
        let (password, next) = (form.text(&PASSWORD), next.clone());
        form.run(async move {
            let cognito = session.cognito();
            cognito.call(cognito.client.sign_up(&email, &password, &attributes)).await.map_err(|e| explain(&e))?;
            router.navigate(page_url("/confirm", &[("email", &email), ("next", &next)]).as_str());
            Ok(())
        });
    });
}
