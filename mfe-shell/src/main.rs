//! The shell: the product's front door. It owns the URL and the session, and loads each
//! micro-frontend at run time from the locations in `/config.json`.

mod app;
mod async_value;
mod auth;
mod http;
mod layout;
mod micro_frontend;
mod organisations;
mod pages;
mod router;
mod runtime_config;

use any_spawner::Executor;
use leptos::prelude::Owner;

fn main() {
    ui_kit::log_panics();
    // Effects and tasks run on wasm-bindgen's executor.
    let _ = Executor::init_wasm_bindgen();
    let body = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()).expect("the page has a body");
    // The root owner lives as long as the page: it is never dropped.
    let owner = Owner::new();
    owner.with(|| app::start(body));
    std::mem::forget(owner);
}
