//! The QR code of an authenticator app's key, a wasm module of its own that the shell imports (as it
//! imports a micro-frontend, from `/mfe/qr/manifest.json`) only when someone sets up an app: the encoder
//! (`qrcodegen`) and the drawing are about 6 KB of gzip, which the sign-in page's budget has no room for.
//! The code is drawn as SVG through the UI kit, like every other markup.

use maud::{Markup, html};
use qrcodegen::{QrCode, QrCodeEcc};
use wasm_bindgen::prelude::*;
use web_sys::Element;

/// Puts the QR code of the `otpauth://` URI of `account`'s `secret` (issued by `issuer`) in place of
/// `place`. Nothing changes if the URI is too long for a QR code: the key is on the page as text too.
#[wasm_bindgen]
pub fn draw_totp_qr_code(place: &Element, issuer: &str, account: &str, secret: &str) {
    if let Ok(qr) = QrCode::encode_text(&cognito_client::totp::otpauth_uri(issuer, account, secret), QrCodeEcc::Medium)
    {
        ui_kit::dom::replace(place, svg(&qr));
    }
}

/// One SVG path of the dark modules, on white with the standard 4-module margin.
fn svg(qr: &QrCode) -> Markup {
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
