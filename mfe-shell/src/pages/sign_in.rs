//! Sign in: SRP by default (or passwords if the config says so), or a code mailed to the person when
//! the pool allows it; then, if asked, the code of the person's authenticator app (or, in a pool that
//! requires one, setting it up); then back to where the person was going. An unconfirmed account goes
//! to confirmation; a temporary password to choosing a new one.

use cognito_client::{
    AppClient, AuthResponse, CognitoError, ErrorKind, Request,
    ops::{SettingUp, associate_software_token, verify_software_token},
};
use leptos::prelude::*;
use maud::{Markup, html};
use mfe_contract::RuntimeConfig;
use ui_kit::{
    dom::{fill, find, listen},
    focus,
    form::{Check, Field, Fill, Form, FormSpec, Kind, Refusal, Submission, show_button_busy},
    link,
};
use web_sys::Element;

use super::{
    auth_flow::{
        CODE, NEW_PASSWORD, SIGN_IN_EMAIL, auth_card, dev_mailbox_markup, follow_dev_mailbox, next_page, page_url,
        query,
    },
    authenticator::{APP_CODE, VERIFY_APP_FORM, app_code_refusal, draw_qr_code, expired_sign_in, setup_markup},
};
use crate::{
    auth::{
        cognito::{Pending, SignedIn, explain},
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

const APP_CODE_FORM: FormSpec =
    FormSpec {
        id: "mfa", test_id: "app-code-form", class: "", fields: &[APP_CODE], submit: ("Verify", "Verifying…")
    };

const EMAIL_CODE_FORM: FormSpec = FormSpec {
    id: "email-code",
    test_id: "email-code-form",
    class: "",
    fields: &[CODE],
    submit: ("Sign in", "Signing in…"),
};

const SEND_EMAIL_CODE: (&str, &str) = ("Email me a sign-in code instead", "Sending a code…");

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
    /// Where a step of signing in leads: to the page the person was going to, or to the form of the next
    /// challenge, in place of the current one on `page`. The step's refusal, as `refuse` words it.
    fn go_on(
        &self,
        page: &Element,
        step: Result<SignedIn, CognitoError>,
        refuse: fn(&CognitoError) -> Refusal,
    ) -> Result<(), Refusal> {
        let next = match step.map_err(|error| refuse(&error))? {
            SignedIn::Tokens(tokens) => {
                self.session.signed_in(tokens);
                self.router.navigate(&self.next);
                return Ok(());
            }
            next => next,
        };
        let onward = self.clone();
        self.owner.with(|| match next {
            SignedIn::Tokens(_) => {}
            SignedIn::NewPasswordRequired(pending) => new_password_form(page, onward, pending),
            SignedIn::AppCode(pending) => app_code_form(page, onward, pending),
            SignedIn::AppSetup(pending) => app_setup_form(page, onward, pending),
            SignedIn::EmailCode(pending, destination) => email_code_form(page, onward, pending, &destination),
        });
        // The busy button that was pressed lost the focus: it goes to the new step's first field.
        focus::enter(page);
        Ok(())
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
    let email_code = expect_context::<RuntimeConfig>().cognito.is_some_and(|cognito| cognito.email_otp);
    let links = html! {
        @if email_code {
            p class="auth__alternative" {
                button type="button" class="button button--quiet" data-testid="send-email-code" { (SEND_EMAIL_CODE.0) }
            }
        }
        p class="auth__links" {
            (link(&page_url("/forgot-password", &next), "Forgot your password?"))
            span { "New here? " (link(&page_url("/sign-up", &next), "Create an account")) }
        }
    };
    fill(page, auth_card("Sign in", html! { (PASSWORD_FORM.markup(&Fill::default())) (links) }));
    let form = Form::wire(page, &PASSWORD_FORM);
    form.set(&SIGN_IN_EMAIL, email);
    if email_code {
        wire_send_email_code(page, &form, onward.clone());
    }
    let page = page.clone();
    form.on_submit(move |form| {
        let (email, password) = (form.text(&SIGN_IN_EMAIL).trim().to_owned(), form.text(&PASSWORD));
        let (onward, page) = (onward.clone(), page.clone());
        form.run(async move {
            let step = onward.session.cognito().sign_in(&email, &password).await;
            match step {
                Err(error) if error.kind == ErrorKind::UserNotConfirmedException => {
                    let params = [("email", email.as_str()), ("unconfirmed", "1"), ("next", &onward.next)];
                    onward.router.navigate(page_url("/confirm", &params).as_str());
                    Ok(())
                }
                Err(error) if error.kind == ErrorKind::PasswordResetRequiredException => {
                    let params = [("email", email.as_str()), ("next", &onward.next)];
                    onward.router.navigate(page_url("/forgot-password", &params).as_str());
                    Ok(())
                }
                step => onward.go_on(&page, step, plainly),
            }
        });
    });
}

/// "Email me a sign-in code instead": USER_AUTH's EMAIL_OTP for the address in the form, with the button's
/// own progress and error.
fn wire_send_email_code(page: &Element, form: &Form, onward: Onward) {
    let button = find(page, "[data-testid=send-email-code]").expect("the button is on the page");
    let sending = Submission::new();
    show_button_busy(&button, sending, SEND_EMAIL_CODE);
    let (form, page) = (form.clone(), page.clone());
    listen(&button, "click", move |_| {
        if let Some(problem) = form.problem(&SIGN_IN_EMAIL) {
            sending.error.set(Some(problem));
            return;
        }
        let (email, onward, page) = (form.text(&SIGN_IN_EMAIL).trim().to_owned(), onward.clone(), page.clone());
        sending.run(async move {
            let cognito = onward.session.cognito();
            let step = cognito.step(cognito.client.initiate_email_otp_auth(&email), &email).await;
            onward.go_on(&page, step, plainly)
        });
    });
}

/// A code that finishes signing in: the one mailed (EMAIL_OTP, which signs in alone) or the authenticator
/// app's (SOFTWARE_TOKEN_MFA). A wrong code may be corrected within the sign-in's 3 minutes.
struct CodeStep {
    title: &'static str,
    form: &'static FormSpec,
    field: &'static Field,
    answer: fn(&AppClient, &Pending, &str) -> Request<AuthResponse>,
    refuse: fn(&CognitoError) -> Refusal,
}

const EMAIL_CODE_STEP: CodeStep = CodeStep {
    title: "Enter the code from your email",
    form: &EMAIL_CODE_FORM,
    field: &CODE,
    answer: |client, pending, code| client.respond_email_otp(&pending.username, code, &pending.session),
    refuse: email_code_refusal,
};

const APP_CODE_STEP: CodeStep = CodeStep {
    title: "Enter your authenticator code",
    form: &APP_CODE_FORM,
    field: &APP_CODE,
    answer: |client, pending, code| client.respond_software_token_mfa(&pending.username, code, &pending.session),
    refuse: app_code_refusal,
};

fn email_code_form(page: &Element, onward: Onward, pending: Pending, destination: &str) {
    let intro = html! {
        p role="status" { "We emailed a 6-digit sign-in code to " strong { (destination) } ". It works for 3 minutes." }
        (dev_mailbox_markup())
    };
    code_form(page, onward, pending, &EMAIL_CODE_STEP, intro);
}

fn app_code_form(page: &Element, onward: Onward, pending: Pending) {
    let intro = html! {
        p { "Your account asks for a second step. Open your authenticator app and enter the 6-digit code it shows for Ledgerline." }
    };
    code_form(page, onward, pending, &APP_CODE_STEP, intro);
}

fn code_form(page: &Element, onward: Onward, pending: Pending, step: &'static CodeStep, intro: Markup) {
    let body = html! { (intro) (step.form.markup(&Fill::default())) (start_again_markup()) };
    fill(page, auth_card(step.title, body));
    let email = pending.account.clone();
    follow_dev_mailbox(page, move || email.clone());
    let form = Form::wire(page, step.form);
    wire_start_again(page, onward.clone(), &pending.account);
    let page = page.clone();
    form.on_submit(move |form| {
        let (onward, pending, page, code) = (onward.clone(), pending.clone(), page.clone(), form.text(step.field));
        form.run(async move {
            let cognito = onward.session.cognito();
            let request = (step.answer)(&cognito.client, &pending, code.trim());
            let outcome = cognito.step(request, &pending.account).await;
            onward.go_on(&page, outcome, step.refuse)
        });
    });
}

/// A pool that requires an authenticator app, and a person without one (MFA_SETUP): the app is set up with
/// the sign-in's session, verified with its first code, and the sign-in finishes.
fn app_setup_form(page: &Element, onward: Onward, pending: Pending) {
    fill(page, auth_card("Set up your authenticator app", html! { p role="status" { "Preparing your key…" } }));
    let page = page.clone();
    let (owner, cognito) = (onward.owner.clone(), onward.session.cognito());
    leptos::task::spawn_local(async move {
        let associated = cognito.call(associate_software_token(SettingUp::Session(&pending.session))).await;
        let account = pending.account.clone();
        owner.with(|| match associated {
            Ok(associated) => {
                let verifying = Pending { session: associated.session.unwrap_or_default(), ..pending };
                app_setup_steps(&page, onward, verifying, &associated.secret_code);
                focus::enter(&page);
            }
            Err(error) => {
                let body = html! {
                    div class="alert alert--error" role="alert" data-testid="form-error" { (app_code_refusal(&error).message) }
                    (start_again_markup())
                };
                fill(&page, auth_card("Set up your authenticator app", body));
                wire_start_again(&page, onward, &account);
            }
        });
    });
}

fn app_setup_steps(page: &Element, onward: Onward, verifying: Pending, secret: &str) {
    let body = html! {
        p { "Your organisation requires a second step at sign-in: a code from an authenticator app on your phone." }
        (setup_markup(secret, false))
        (VERIFY_APP_FORM.markup(&Fill::default()))
        (start_again_markup())
    };
    fill(page, auth_card("Set up your authenticator app", body));
    draw_qr_code(page, &verifying.account, secret);
    let form = Form::wire(page, &VERIFY_APP_FORM);
    wire_start_again(page, onward.clone(), &verifying.account);
    let page = page.clone();
    form.on_submit(move |form| {
        let (onward, verifying, page, code) = (onward.clone(), verifying.clone(), page.clone(), form.text(&APP_CODE));
        form.run(async move {
            let cognito = onward.session.cognito();
            let verify = verify_software_token(SettingUp::Session(&verifying.session), code.trim());
            let verified = cognito.call(verify).await.map_err(|error| app_code_refusal(&error))?;
            let session = verified.session.unwrap_or_default();
            let step =
                cognito.step(cognito.client.respond_mfa_setup(&verifying.username, &session), &verifying.account);
            onward.go_on(&page, step.await, app_code_refusal)
        });
    });
}

fn plainly(error: &CognitoError) -> Refusal {
    explain(error).into()
}

/// An emailed code's refusal: the sign-in's expiry in plain words, else as any code's.
fn email_code_refusal(error: &CognitoError) -> Refusal {
    match expired_sign_in(error) {
        Some(expired) => expired.into(),
        None => explain(error).into(),
    }
}

fn start_again_markup() -> Markup {
    html! {
        p class="auth__links" {
            button type="button" class="button button--quiet" data-testid="start-again" { "Start again" }
        }
    }
}

/// "Start again": the first form, with the email address the person used.
fn wire_start_again(page: &Element, onward: Onward, email: &str) {
    let Some(button) = find(page, "[data-testid=start-again]") else { return };
    let (page, email) = (page.clone(), email.to_owned());
    listen(&button, "click", move |_| {
        let (onward, page) = (onward.clone(), page.clone());
        onward.owner.clone().with(|| password_form(&page, onward, &email));
    });
}

/// An admin-created user's first sign-in: the challenge is answered with a new password.
fn new_password_form(page: &Element, onward: Onward, pending: Pending) {
    let body = html! {
        p { "You signed in with a temporary password. Choose your own to continue." }
        (NEW_PASSWORD_FORM.markup(&Fill::default()))
    };
    fill(page, auth_card("Choose your password", body));
    let form = Form::wire(page, &NEW_PASSWORD_FORM);
    let page = page.clone();
    form.on_submit(move |form| {
        let (onward, pending, page) = (onward.clone(), pending.clone(), page.clone());
        let password = form.text(&NEW_PASSWORD);
        form.run(async move {
            let cognito = onward.session.cognito();
            let request = cognito.client.respond_new_password(&pending.username, &password, &pending.session);
            match cognito.step(request, &pending.account).await {
                Ok(SignedIn::NewPasswordRequired(_)) => Err(String::from("Please choose a different password.").into()),
                step => onward.go_on(&page, step, plainly),
            }
        });
    });
}
