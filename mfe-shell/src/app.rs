//! The application: runtime config first, then the session, the router and the pages.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    hooks::use_params_map,
    path,
};
use mfe_contract::RuntimeConfig;
use mfe_dom::{follow, markup};

use crate::{
    async_value::when_done,
    auth::{cognito::Cognito, guard::SignedInOnly, session::SessionStore},
    layout::{Notice, NoticeBar, TopBar, hand_built, static_page},
    micro_frontend::MicroFrontend,
    pages::{confirm::Confirm, forgot_password::ForgotPassword, profile::Profile, sign_in::SignIn, sign_up::SignUp},
    runtime_config,
};

#[component]
pub fn App() -> impl IntoView {
    let notice = Notice::new();
    provide_context(notice);
    let config = when_done(runtime_config::fetch());
    move || match config.get() {
        None => static_page(r#"<p class="splash" role="status">Loading Ledgerline…</p>"#.into()),
        Some(Err(error)) => start_failed(&error),
        Some(Ok(config)) => match config.cognito.as_ref().map(Cognito::new) {
            None => start_failed(&format!("{} names no user pool to sign in to.", RuntimeConfig::PATH)),
            Some(cognito) => {
                provide_context(SessionStore::start(cognito, notice));
                provide_context(config);
                view! { <Shell/> }.into_any()
            }
        },
    }
}

fn start_failed(error: &str) -> AnyView {
    static_page(markup(&[
        r#"<div class="splash alert alert--error" role="alert"><p><strong>Ledgerline could not start.</strong></p><p>"#,
        error,
        "</p></div>",
    ]))
}

#[component]
fn Shell() -> impl IntoView {
    view! {
        <Router>
            <TopBar/>
            <NoticeBar/>
            <main class="page" id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/sign-in") view=SignIn/>
                    <Route path=path!("/sign-up") view=SignUp/>
                    <Route path=path!("/confirm") view=Confirm/>
                    <Route path=path!("/forgot-password") view=ForgotPassword/>
                    <Route path=path!("/profile") view=|| view! { <SignedInOnly><Profile/></SignedInOnly> }/>
                    <Route path=path!("/accounts/*rest") view=|| view! { <Section name="accounts"/> }/>
                    <Route path=path!("/payments/*rest") view=|| view! { <Section name="payments"/> }/>
                </Routes>
            </main>
        </Router>
    }
}

/// A private route owned by a micro-frontend; it receives the rest of the path.
#[component]
fn Section(name: &'static str) -> impl IntoView {
    let params = use_params_map();
    let path =
        Signal::derive(move || params.with(|p| p.get("rest").map(|rest| format!("/{rest}")).unwrap_or_default()));
    view! { <SignedInOnly><MicroFrontend name path/></SignedInOnly> }
}

#[component]
fn Home() -> impl IntoView {
    let session = expect_context::<SessionStore>();
    hand_built("", move |div| {
        follow(move |_: Option<()>| {
            let actions = if session.is_signed_in() {
                r#"<a class="button button--primary" href="/accounts">Open accounts</a><a class="button" href="/payments">Open payments</a>"#
            } else {
                r#"<a class="button button--primary" href="/sign-in">Sign in</a><a class="button" href="/sign-up">Create an account</a>"#
            };
            div.set_inner_html(&[
                r#"<section class="card hero"><h1>Welcome to Ledgerline</h1><p>Your organisation's accounts and payments, in one place.</p><div class="hero__actions">"#,
                actions,
                "</div></section>",
            ].concat());
        });
    })
}

#[component]
fn NotFound() -> impl IntoView {
    static_page(
        r#"<section class="card"><h1>Page not found</h1><p>There is nothing at this address. <a href="/">Go to the start page</a></p></section>"#
            .into(),
    )
}
