//! The application: runtime config first, then the session, the frame and the pages.

use leptos::{prelude::*, task::spawn_local};
use maud::html;
use mfe_contract::RuntimeConfig;
use ui_kit::{
    dom::{fill, find},
    form::PasswordRules,
};
use web_sys::HtmlElement;

use crate::{
    auth::{cognito::Cognito, session::SessionStore},
    layout::{self, Notice},
    organisations::Organisations,
    router::{self, Router},
    runtime_config,
};

/// Starts the shell in `body`, under the current (root) owner.
pub fn start(body: HtmlElement) {
    fill(&body, html! { p class="splash" role="status" { "Loading Ledgerline…" } });
    let owner = Owner::current().expect("the shell starts under its root owner");
    spawn_local(async move {
        let started =
            runtime_config::fetch().await.and_then(|config| match config.cognito.as_ref().map(Cognito::new) {
                Some(cognito) => Ok((config, cognito)),
                None => Err(format!("{} names no user pool to sign in to.", RuntimeConfig::PATH)),
            });
        match started {
            Ok((config, cognito)) => owner.with(|| show_shell(&body, config, cognito)),
            Err(error) => fill(
                &body,
                html! {
                    div class="splash alert alert--error" role="alert" {
                        p { strong { "Ledgerline could not start." } }
                        p { (error) }
                    }
                },
            ),
        }
    });
}

/// The frame (top bar, notices, `<main>`) and the page for the URL, with what they share as context.
fn show_shell(body: &HtmlElement, config: RuntimeConfig, cognito: Cognito) {
    let notice = Notice::new();
    let router = Router::start();
    provide_context(notice);
    let session = SessionStore::start(cognito, config.clone(), notice);
    provide_context(session);
    provide_context(Organisations::start(session, &config.api_base_url));
    // The pool's password rules, for every form that chooses a password.
    let policy = config.cognito.as_ref().map(|cognito| cognito.password_policy.clone()).unwrap_or_default();
    PasswordRules::set(policy);
    provide_context(config);
    provide_context(router);
    fill(body, layout::frame());
    let part = |selector| find(body, selector).expect("the frame has its parts");
    layout::wire_top_bar(&part("header"));
    layout::wire_notice_bar(&part("[data-testid=shell-notice]"));
    router::show_pages(part("main"), router);
}
