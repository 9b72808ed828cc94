//! The application: runtime config first, then the session, the frame and the pages.

use leptos::{prelude::*, task::spawn_local};
use mfe_contract::RuntimeConfig;
use mfe_dom::markup;
use web_sys::HtmlElement;

use crate::{
    auth::{cognito::Cognito, session::SessionStore},
    layout::{self, Notice},
    router::{self, Router},
    runtime_config,
};

/// Starts the shell in `body`, under the current (root) owner.
pub fn start(body: HtmlElement) {
    body.set_inner_html(r#"<p class="splash" role="status">Loading Ledgerline…</p>"#);
    let owner = Owner::current().expect("the shell starts under its root owner");
    spawn_local(async move {
        let started =
            runtime_config::fetch().await.and_then(|config| match config.cognito.as_ref().map(Cognito::new) {
                Some(cognito) => Ok((config, cognito)),
                None => Err(format!("{} names no user pool to sign in to.", RuntimeConfig::PATH)),
            });
        match started {
            Ok((config, cognito)) => owner.with(|| show_shell(&body, config, cognito)),
            Err(error) => body.set_inner_html(&markup(&[
                r#"<div class="splash alert alert--error" role="alert"><p><strong>Ledgerline could not start.</strong></p><p>"#,
                &error,
                "</p></div>",
            ])),
        }
    });
}

/// The frame (top bar, notices, `<main>`) and the page for the URL, with what they share as context.
fn show_shell(body: &HtmlElement, config: RuntimeConfig, cognito: Cognito) {
    let notice = Notice::new();
    let router = Router::start();
    provide_context(notice);
    provide_context(SessionStore::start(cognito, notice));
    provide_context(config);
    provide_context(router.clone());
    body.set_inner_html(layout::FRAME);
    let part = |selector| mfe_dom::find(body, selector).expect("the frame has its parts");
    layout::wire_top_bar(&part("header"));
    layout::wire_notice_bar(&part("[data-testid=shell-notice]"));
    router::show_pages(part("main"), router);
}
