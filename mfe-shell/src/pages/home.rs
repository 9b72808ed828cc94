//! The start page: what Ledgerline is, and the way in (or on, once signed in).

use leptos::prelude::*;
use maud::html;
use ui_kit::dom::{fill, follow};
use web_sys::Element;

use crate::auth::session::SessionStore;

pub fn show(page: &Element) {
    let session = expect_context::<SessionStore>();
    let page = page.clone();
    follow(move |_: Option<()>| {
        let signed_in = session.is_signed_in();
        fill(
            &page,
            html! {
                section class="card hero" {
                    h1 { "Welcome to Ledgerline" }
                    p { "Your organisation's accounts and payments, in one place." }
                    div class="hero__actions" {
                        @if signed_in {
                            a class="button button--primary" href="/accounts" { "Open accounts" }
                            a class="button" href="/payments" { "Open payments" }
                        } @else {
                            a class="button button--primary" href="/sign-in" { "Sign in" }
                            a class="button" href="/sign-up" { "Create an account" }
                        }
                    }
                }
            },
        );
    });
}
