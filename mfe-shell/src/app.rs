//! The application: runtime config first, then the router and the pages.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    hooks::use_params_map,
    path,
};

use crate::{
    layout::{Notice, NoticeBar, TopBar},
    micro_frontend::MicroFrontend,
    runtime_config,
    session::SessionStore,
};

#[component]
pub fn App() -> impl IntoView {
    provide_context(SessionStore::restore());
    provide_context(Notice::new());
    let config = LocalResource::new(runtime_config::fetch);
    move || match config.get() {
        None => view! { <p class="splash" role="status">"Loading Ledgerline…"</p> }.into_any(),
        Some(Err(error)) => view! {
            <div class="splash alert alert--error" role="alert">
                <p><strong>"Ledgerline could not start."</strong></p>
                <p>{error}</p>
            </div>
        }
        .into_any(),
        Some(Ok(config)) => {
            provide_context(config);
            view! { <Shell/> }.into_any()
        }
    }
}

#[component]
fn Shell() -> impl IntoView {
    view! {
        <Router>
            <TopBar/>
            <NoticeBar/>
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/accounts/*rest") view=|| view! { <Section name="accounts"/> }/>
                    <Route path=path!("/payments/*rest") view=|| view! { <Section name="payments"/> }/>
                </Routes>
            </main>
        </Router>
    }
}

/// A route owned by a micro-frontend; it receives the rest of the path.
#[component]
fn Section(name: &'static str) -> impl IntoView {
    let params = use_params_map();
    let path =
        Signal::derive(move || params.with(|p| p.get("rest").map(|rest| format!("/{rest}")).unwrap_or_default()));
    view! { <MicroFrontend name path/> }
}

#[component]
fn Home() -> impl IntoView {
    view! {
        <section class="card hero">
            <h1>"Welcome to Ledgerline"</h1>
            <p>"Your organisation's accounts and payments, in one place."</p>
            <div class="hero__actions">
                <a class="button button--primary" href="/accounts">"Open accounts"</a>
                <a class="button" href="/payments">"Open payments"</a>
            </div>
        </section>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <a href="/">"Go to the start page"</a></p>
        </section>
    }
}
