//! Sign in: SRP by default (or passwords if the config says so), then back to where the person was
//! going. An unconfirmed account goes to confirmation; a temporary password to choosing a new one.

use cognito_client::ErrorKind;
use leptos::prelude::*;
use maud::html;
use ui_kit::{
    dom::fill,
    form::{Check, Field, Fill, Form, FormSpec, Kind},
    link,
};
use web_sys::Element;

use super::auth_flow::{NEW_PASSWORD, SIGN_IN_EMAIL, auth_card, next_page, page_url, query};
use crate::{
    auth::{
        cognito::{SignedIn, explain},
        session::SessionStore,
    },
    router::Router,
};

/// The `performance.mark` set once the sign-in form is on the page.
const INTERACTIVE_MARK: &str = "ledgerline:sign-in-interactive";

const PASSWORD: Field = Field {
    name: "password",
    label: "Password",
    kind: Kind::Password,
    autocomplete: "current-password",
    check: Check::Required("your password"),
};

const PASSWORD_FORM: FormSpec = FormSpec {
    id: "sign-in",
    test_id: "sign-in-form",
    class: "",
    fields: &[SIGN_IN_EMAIL, PASSWORD],
    submit: ("Sign in", "Signing in…"),
};

const NEW_PASSWORD_FORM: FormSpec = FormSpec {
    id: "choose-password",
    test_id: "new-password-form",
    class: "",
    fields: &[NEW_PASSWORD],
    submit: ("Save and sign in", "Saving…"),
};

/// Where the page leads once signed in, and how it gets there.
#[derive(Clone)]
struct Onward {
    session: SessionStore,
    next: String,
    router: Router,
    /// The page's owner, for the form that replaces the first one once a request has answered.
    owner: Owner,
}

impl Onward {
    fn signed_in(&self, tokens: cognito_client::AuthenticationResult) {
        self.session.signed_in(tokens);
        self.router.navigate(&self.next);
    }
}

pub fn show(page: &Element) {
    let onward = Onward {
        session: expect_context::<SessionStore>(),
        next: next_page(),
        router: expect_context::<Router>(),
        owner: Owner::current().expect("a page has an owner"),
    };
    let email = query("email").unwrap_or_default();
    password_form(page, onward, &email);
    // The moment the form can be used, for the committed performance measurement (tests/tests/performance.rs).
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(INTERACTIVE_MARK);
    }
}

fn password_form(page: &Element, onward: Onward, email: &str) {
    let next = [("next", onward.next.as_str())];
    let links = html! {
        p class="auth__links" {
            (link(&page_url("/forgot-password", &next), "Forgot your password?"))
            span { "New here? " (link(&page_url("/sign-up", &next), "Create an account")) }
        }
    };
    fill(page, auth_card("Sign in", html! { (PASSWORD_FORM.markup(&Fill::default())) (links) }));
    let form = Form::wire(page, &PASSWORD_FORM);
    form.set(&SIGN_IN_EMAIL, email);
    let page = page.clone();
    form.on_submit(move |form| {
        let (email, password) = (form.text(&SIGN_IN_EMAIL).trim().to_owned(), form.text(&PASSWORD));
        let (onward, page) = (onward.clone(), page.clone());
        form.run(async move {
            let cognito = onward.session.cognito();
            match cognito.sign_in(&email, &password).await {
                Ok(SignedIn::Tokens(tokens)) => onward.signed_in(tokens),
                Ok(SignedIn::NewPasswordRequired { username, session }) => {
                    onward.owner.clone().with(|| new_password_form(&page, onward, username, session));
                }
                Err(error) if error.kind == ErrorKind::UserNotConfirmedException => {
                    let params = [("email", email.as_str()), ("unconfirmed", "1"), ("next", &onward.next)];
                    onward.router.navigate(page_url("/confirm", &params).as_str());
                }
                Err(error) if error.kind == ErrorKind::PasswordResetRequiredException => {
                    let params = [("email", email.as_str()), ("next", &onward.next)];
                    onward.router.navigate(page_url("/forgot-password", &params).as_str());
                }
                Err(error) => return Err(explain(&error).into()),
            }
            Ok(())
        });
    });
}

/// An admin-created user's first sign-in: the challenge is answered with a new password.
fn new_password_form(page: &Element, onward: Onward, username: String, session: String) {
    let body = html! {
        p { "You signed in with a temporary password. Choose your own to continue." }
        (NEW_PASSWORD_FORM.markup(&Fill::default()))
    };
    fill(page, auth_card("Choose your password", body));
    let form = Form::wire(page, &NEW_PASSWORD_FORM);
    form.on_submit(move |form| {
        let (onward, username, session) = (onward.clone(), username.clone(), session.clone());
        let password = form.text(&NEW_PASSWORD);
        form.run(async move {
            let cognito = onward.session.cognito();
            match cognito.choose_new_password(&username, &password, &session).await {
                Ok(SignedIn::Tokens(tokens)) => onward.signed_in(tokens),
                Ok(SignedIn::NewPasswordRequired { .. }) => {
                    return Err(String::from("Please choose a different password.").into());
                }
                Err(error) => return Err(explain(&error).into()),
            }
            Ok(())
        });
    });
}
