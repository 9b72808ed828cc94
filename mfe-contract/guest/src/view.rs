//! The Leptos side, with the `leptos` feature: a micro-frontend that is a Leptos view, and the
//! session's status line.

use leptos::prelude::*;
use mfe_contract::events;

use crate::{Props, register};

/// Registers the custom element `mfe-<name>` that mounts the Leptos view `app` returns.
pub fn define<V: IntoView + 'static>(name: &str, app: fn(Props) -> V) {
    register(name, move |host, props| Box::new(leptos::mount::mount_to(host, move || app(props))));
}

/// Who is signed in, with a button that asks the shell to sign out.
#[component]
pub fn SessionStatus(props: Props) -> impl IntoView {
    move || match props.session.get() {
        Some(session) => view! {
            <p class="session-status">
                "Signed in as " <strong data-testid="session-user">{session.username}</strong>
                <button type="button" class="button button--quiet" on:click=move |_| props.emit(events::SIGN_OUT)>
                    "Sign out"
                </button>
            </p>
        }
        .into_any(),
        None => view! { <p class="session-status muted">"Not signed in"</p> }.into_any(),
    }
}
