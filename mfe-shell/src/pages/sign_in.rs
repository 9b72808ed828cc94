//! Sign in: SRP by default (or passwords if the config says so), then back to where the person was
//! going. An unconfirmed account goes to confirmation; a temporary password to choosing a new one.

use cognito_client::ErrorKind;
use leptos::prelude::*;
use mfe_dom::markup;
use web_sys::Element;

use crate::{
    auth::{
        cognito::{SignedIn, explain},
        session::SessionStore,
    },
    forms::{Check, Field, Form, FormSpec, SIGN_IN_EMAIL, auth_card, new_password, next_page, page_url, query},
    router::Router,
};

/// The `performance.mark` set once the sign-in form is on the page.
const INTERACTIVE_MARK: &str = "ledgerline:sign-in-interactive";

const PASSWORD_FORM: FormSpec = FormSpec {
    test_id: "sign-in-form",
    fields: &[
        SIGN_IN_EMAIL,
        Field {
            id: "password",
            label: "Password",
            kind: "password",
            autocomplete: "current-password",
            check: Check::Required("your password"),
        },
    ],
    submit: ("Sign in", "Signing in…"),
};

const NEW_PASSWORD_FORM: FormSpec = FormSpec {
    test_id: "new-password-form",
    fields: &[new_password("new-password")],
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
    let sign_up_link = page_url("/sign-up", &[("next", &onward.next)]);
    let forgot_link = page_url("/forgot-password", &[("next", &onward.next)]);
    let links = markup(&[
        r#"<p class="auth__links"><a href=""#,
        &forgot_link,
        r#"">Forgot your password?</a><span>New here? <a href=""#,
        &sign_up_link,
        r#"">Create an account</a></span></p>"#,
    ]);
    page.set_inner_html(&auth_card("Sign in", &[PASSWORD_FORM.markup("", ""), links].concat()));
    let form = Form::wire(page, &PASSWORD_FORM);
    form.set(0, email);
    let page = page.clone();
    form.on_submit(move |form| {
        let (email, password) = (form.value(0).trim().to_owned(), form.value(1));
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
                    onward.router.navigate(&page_url("/confirm", &params));
                }
                Err(error) if error.kind == ErrorKind::PasswordResetRequiredException => {
                    onward.router.navigate(&page_url("/forgot-password", &[("email", &email), ("next", &onward.next)]));
                }
                Err(error) => return Err(explain(&error)),
            }
            Ok(())
        });
    });
}

/// An admin-created user's first sign-in: the challenge is answered with a new password.
fn new_password_form(page: &Element, onward: Onward, username: String, session: String) {
    let intro = "<p>You signed in with a temporary password. Choose your own to continue.</p>";
    page.set_inner_html(&auth_card("Choose your password", &[intro, &NEW_PASSWORD_FORM.markup("", "")].concat()));
    let form = Form::wire(page, &NEW_PASSWORD_FORM);
    form.on_submit(move |form| {
        let (onward, username, session, password) = (onward.clone(), username.clone(), session.clone(), form.value(0));
        form.run(async move {
            let cognito = onward.session.cognito();
            match cognito.choose_new_password(&username, &password, &session).await {
                Ok(SignedIn::Tokens(tokens)) => onward.signed_in(tokens),
                Ok(SignedIn::NewPasswordRequired { .. }) => return Err("Please choose a different password.".into()),
                Err(error) => return Err(explain(&error)),
            }
            Ok(())
        });
    });
}
