//! Setting up an authenticator app, from the profile or during sign-in when the pool requires one: the
//! QR code of the app's secret (drawn here, as SVG), the secret itself for typing in, and the app's first
//! code, which proves it was set up right. Also what every form that asks for the app's code shares.

use cognito_client::{CognitoError, ErrorKind, totp::otpauth_uri};
use maud::{Markup, html};
use qrcodegen::{QrCode, QrCodeEcc};
use ui_kit::form::{Check, Field, FormSpec, Kind, Refusal};

use crate::auth::cognito::explain;

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

/// The steps of setting up the app for `account` with `secret`, above the form that verifies it.
pub fn setup_markup(account: &str, secret: &str) -> Markup {
    html! {
        div class="app-setup" data-testid="app-setup" {
            h3 tabindex="-1" data-focus { "Scan this QR code with your authenticator app" }
            (qr_code(&otpauth_uri(ISSUER, account, secret)))
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

/// `text` as a QR code: one SVG path of its dark modules, on white with the standard 4-module margin.
fn qr_code(text: &str) -> Markup {
    let Ok(qr) = QrCode::encode_text(text, QrCodeEcc::Medium) else { return html! {} };
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.extend(["M", &x.to_string(), " ", &y.to_string(), "h1v1h-1z"]);
            }
        }
    }
    let whole = (size + 8).to_string();
    html! {
        svg class="qr" role="img" aria-label="QR code of the key for your authenticator app"
            viewBox={ "-4 -4 " (whole) " " (whole) } data-testid="app-qr" {
            rect x="-4" y="-4" width=(whole) height=(whole) fill="#fff" {}
            path d=(path) fill="#000" {}
        }
    }
}
