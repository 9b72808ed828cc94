//! Renders a micro-frontend: loads its module at run time and puts its custom element on the page,
//! with the session and sub-path as JS properties and the shell listening for its events (sign-out,
//! and navigation within its route).

use leptos::{ev, html, prelude::*};
use leptos_router::{NavigateOptions, hooks::use_navigate};
use mfe_contract::{RuntimeConfig, element_name, events, props};

use crate::auth::session::SessionStore;

#[component]
pub fn MicroFrontend(name: &'static str, #[prop(into)] path: Signal<String>) -> impl IntoView {
    let config = expect_context::<RuntimeConfig>();
    let base = config.micro_frontends.get(name).cloned();
    let session = expect_context::<SessionStore>();
    // `None` while loading; a failed load can be tried again.
    let load = RwSignal::new(None::<Result<(), String>>);
    let start_load = move || {
        load.set(None);
        let base = base.clone();
        leptos::task::spawn_local(async move {
            let outcome = match base {
                Some(base) => mfe_host::load(&base).await.map_err(|e| e.to_string()),
                None => Err(format!("config.json names no micro-frontend called {name:?}.")),
            };
            load.set(Some(outcome));
        });
    };
    start_load();
    // A micro-frontend that asks to sign out signs the whole app out.
    let on_sign_out = move |_: web_sys::CustomEvent| session.sign_out();
    // The shell owns the URL: a micro-frontend asks for its sub-path and gets it back as `path`.
    let navigate = use_navigate();
    let on_navigate = move |event: web_sys::CustomEvent| {
        if let Some(sub_path) = event.detail().as_string().filter(|p| p.is_empty() || p.starts_with('/')) {
            navigate(&format!("/{name}{sub_path}"), NavigateOptions::default());
        }
    };
    // The element is on the page from the start: it upgrades itself once its module has loaded.
    let element = html::custom(element_name(name))
        .prop(props::SESSION, move || session.to_js())
        .prop(props::PATH, path)
        .prop(props::API_BASE_URL, config.api_base_url)
        .prop(props::AUTH_HEADERS, session.auth_headers())
        .on(ev::Custom::new(events::SIGN_OUT), on_sign_out)
        .on(ev::Custom::new(events::NAVIGATE), on_navigate);
    view! {
        <div class="mfe-frame" aria-busy=move || load.get().is_none().to_string()>
            {move || match load.get() {
                None => view! { <Loading name/> }.into_any(),
                Some(Err(error)) => view! { <LoadFailed name error retry=start_load.clone()/> }.into_any(),
                Some(Ok(())) => ().into_any(),
            }}
            {element}
        </div>
    }
}

#[component]
fn Loading(name: &'static str) -> impl IntoView {
    view! {
        <p class="loading" role="status">
            <span class="spinner" aria-hidden="true"></span>
            {format!("Loading {name}…")}
        </p>
    }
}

#[component]
fn LoadFailed(name: &'static str, error: String, retry: impl Fn() + 'static) -> impl IntoView {
    view! {
        <div class="alert alert--error" role="alert">
            <p><strong>{format!("The {name} section could not be loaded.")}</strong></p>
            <p class="muted">{error}</p>
            <button type="button" class="button" on:click=move |_| retry()>"Try again"</button>
        </div>
    }
}
