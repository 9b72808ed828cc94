//! One page per flow; each owns its form and where it leads.

pub mod confirm;
pub mod forgot_password;
pub mod profile;
pub mod sign_in;
pub mod sign_up;

use leptos::prelude::*;

/// The narrow card that every sign-in-related page sits in.
#[component]
fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="card auth" aria-labelledby="page-title">
            <h1 id="page-title">{title}</h1>
            {children()}
        </section>
    }
}
