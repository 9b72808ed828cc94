//! Setting up an authenticator app, from the profile or during sign-in when the pool requires one: the
//! QR code of the app's secret (drawn here, as SVG), the secret itself for typing in, and the app's first
//! code, which proves it was set up right. Also what every form that asks for the app's code shares.

use cognito_client::{CognitoError, ErrorKind};
use js_sys::{Array, Function, Reflect};
use maud::{Markup, html};
use ui_kit::{
    dom::find,
    form::{Check, Field, FormSpec, Kind, Refusal},
};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

use crate::auth::cognito::explain;

/// Where the QR code is drawn from (`mfe-qr`, with its encoder), loaded only when an app is set up.
const QR_MODULE: &str = "/mfe/qr/";

/// How the app lists the account, before the person's email address.
const ISSUER: &str = "Ledgerline";

/// The 6-digit code the app shows.
pub const APP_CODE: Field = Field {
    name: "app-code",
    label: "Code from your authenticator app",
    kind: Kind::Text,
    autocomplete: "one-time-code",
    check: Check::Rule(app_code_problem),
};

pub const VERIFY_APP_FORM: FormSpec = FormSpec {
    id: "verify-app",
    test_id: "verify-app-form",
    class: "narrow",
    fields: &[APP_CODE],
    submit: ("Verify and turn on", "Verifying…"),
};

fn app_code_problem(code: &str) -> Option<String> {
    let code = code.trim();
    (code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()))
        .then(|| "Enter the 6-digit code your authenticator app shows.".into())
}

/// A refused code from the app, in plain words: under the code field when the code was wrong, above the
/// form when the sign-in itself was refused.
pub fn app_code_refusal(error: &CognitoError) -> Refusal {
    let wrong = match &error.kind {
        ErrorKind::CodeMismatchException | ErrorKind::EnableSoftwareTokenMFAException => {
            "That code is not right. Enter the code your app shows now (check that your phone's clock is right)."
        }
        // Each code works once: a reused one, or one older than the last used.
        ErrorKind::ExpiredCodeException => "That code was already used. Wait for the next one, then enter it.",
        ErrorKind::NotAuthorizedException if error.message.contains("attempts exceeded") => {
            return "Too many wrong codes: this account is locked for a while. Try again later.".to_owned().into();
        }
        _ => return expired_sign_in(error).unwrap_or_else(|| explain(error)).into(),
    };
    Refusal { message: wrong.into(), fields: vec![(APP_CODE.name.into(), wrong.into())] }
}

/// A sign-in whose session ran out (3 minutes) or was spent, in plain words.
pub fn expired_sign_in(error: &CognitoError) -> Option<String> {
    (error.kind == ErrorKind::NotAuthorizedException && error.message.contains("session"))
        .then(|| "This sign-in has expired: it must be finished within 3 minutes. Start again.".into())
}

/// The steps of setting up the app with `secret`, above the form that verifies it; [`draw_qr_code`]
/// then draws the QR code in its place.
/// `in_section`: below a section's `h2` (the profile), else below the page's `h1` (sign-in).
pub fn setup_markup(secret: &str, in_section: bool) -> Markup {
    html! {
        div class="app-setup" data-testid="app-setup" {
            @let title = "Scan this QR code with your authenticator app";
            @if in_section { h3 tabindex="-1" data-focus { (title) } } @else { h2 tabindex="-1" data-focus { (title) } }
            div class="qr qr--loading" data-testid="app-qr-place" { "Drawing the QR code…" }
            p { "Or type this key into the app:" }
            p { code class="secret" data-testid="app-secret" { (grouped(secret)) } }
            p { "Then enter the 6-digit code the app shows for Ledgerline." }
        }
    }
}

/// The secret in groups of four, easier to read and type (apps ignore the spaces).
fn grouped(secret: &str) -> String {
    let mut grouped = String::with_capacity(secret.len() * 5 / 4);
    for (at, c) in secret.chars().enumerate() {
        if at > 0 && at % 4 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    grouped
}

/// Draws the QR code of the app's key for `account` in `block`'s [`setup_markup`], once `mfe-qr` has
/// loaded; if it cannot load, the key shown as text is the way.
pub fn draw_qr_code(block: &Element, account: &str, secret: &str) {
    let Some(place) = find(block, "[data-testid=app-qr-place]") else { return };
    let (account, secret) = (JsValue::from(account), JsValue::from(secret));
    leptos::task::spawn_local(async move {
        let drawn = async {
            let module = mfe_host::import(QR_MODULE).await.map_err(|error| JsValue::from(error.0))?;
            let draw: Function = Reflect::get(&module, &"draw_totp_qr_code".into())?.dyn_into()?;
            let arguments = Array::of4(&place, &ISSUER.into(), &account, &secret);
            draw.apply(&JsValue::NULL, &arguments)
        };
        if drawn.await.is_err() {
            place.set_text_content(Some("The QR code could not be drawn: type the key below into your app."));
        }
    });
}
