//! The frame around every page: the top bar with navigation and the session, and a polite live
//! region for notices such as "You have been signed out."

use leptos::prelude::*;
use leptos_router::components::A;

use crate::auth::session::SessionStore;

/// A one-line message for the person, shown until dismissed or replaced.
#[derive(Clone, Copy)]
pub struct Notice(RwSignal<Option<String>>);

impl Notice {
    pub fn new() -> Self {
        Self(RwSignal::new(None))
    }

    pub fn show(&self, message: &str) {
        self.0.set(Some(message.to_owned()));
    }
}

#[component]
pub fn TopBar() -> impl IntoView {
    let session = expect_context::<SessionStore>();
    view! {
        <header class="topbar">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <a class="brand" href="/">"Ledgerline"</a>
            <nav class="topbar__nav" aria-label="Main">
                <A href="/accounts">"Accounts"</A>
                <A href="/payments">"Payments"</A>
            </nav>
            <div class="topbar__session" data-testid="shell-session">
                {move || match session.session() {
                    Some(who) => view! {
                        <span class="topbar__who">"Signed in as " <strong data-testid="shell-user">{who.username.clone()}</strong></span>
                        {who.is_admin().then(|| view! { <span class="badge" data-testid="admin-badge">"Admin"</span> })}
                        <A href="/profile">"Profile"</A>
                        <button type="button" class="button button--quiet" data-testid="sign-out" on:click=move |_| session.sign_out()>
                            "Sign out"
                        </button>
                    }.into_any(),
                    None => view! {
                        <span class="muted">"Not signed in"</span>
                        <A href="/sign-in">"Sign in"</A>
                    }.into_any(),
                }}
            </div>
        </header>
    }
}

#[component]
pub fn NoticeBar() -> impl IntoView {
    let Notice(message) = expect_context::<Notice>();
    view! {
        <div class="notice-region" role="status" aria-live="polite" data-testid="shell-notice">
            {move || message.get().map(|text| view! {
                <div class="notice">
                    <span>{text}</span>
                    <button type="button" class="button button--quiet" aria-label="Dismiss" on:click=move |_| message.set(None)>"×"</button>
                </div>
            })}
        </div>
    }
}

/// A network action under way, announced to screen readers.
#[component]
pub fn Loading(message: &'static str) -> impl IntoView {
    view! { <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>{message}</p> }
}

/// [`Loading`]'s markup, for the pages built by hand.
pub fn loading_markup(message: &str) -> String {
    mfe_dom::markup(&[
        r#"<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"#,
        message,
        "</p>",
    ])
}
