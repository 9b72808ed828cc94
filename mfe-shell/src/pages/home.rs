//! The start page: what Ledgerline is, and the way in (or on, once signed in).

use leptos::prelude::*;
use mfe_dom::follow;
use web_sys::Element;

use crate::auth::session::SessionStore;

pub fn show(page: &Element) {
    let session = expect_context::<SessionStore>();
    let page = page.clone();
    follow(move |_: Option<()>| {
        let actions = if session.is_signed_in() {
            r#"<a class="button button--primary" href="/accounts">Open accounts</a><a class="button" href="/payments">Open payments</a>"#
        } else {
            r#"<a class="button button--primary" href="/sign-in">Sign in</a><a class="button" href="/sign-up">Create an account</a>"#
        };
        page.set_inner_html(&[
            r#"<section class="card hero"><h1>Welcome to Ledgerline</h1><p>Your organisation's accounts and payments, in one place.</p><div class="hero__actions">"#,
            actions,
            "</div></section>",
        ].concat());
    });
}
