//! The shell: the product's front door. It owns the URL and the session, and loads each
//! micro-frontend at run time from the locations in `/config.json`.

mod app;
mod async_value;
mod auth;
mod forms;
mod http;
mod layout;
mod micro_frontend;
mod pages;
mod runtime_config;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
