//! Private pages: a signed-out visit goes to sign-in, which comes back here afterwards.

use leptos::prelude::*;
use leptos_router::{
    NavigateOptions,
    hooks::{use_location, use_navigate},
};

use super::session::SessionStore;
use crate::{
    forms::page_url,
    layout::{loading_markup, static_page},
};

#[component]
pub fn SignedInOnly(children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<SessionStore>();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move || {
        if !session.is_signed_in() {
            let here = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
            navigate(
                &page_url("/sign-in", &[("next", &here)]),
                NavigateOptions { replace: true, ..Default::default() },
            );
        }
    });
    // Never a blank page: while the redirect happens, say so.
    move || match session.is_signed_in() {
        true => children().into_any(),
        false => static_page(loading_markup("Taking you to sign in…")),
    }
}

/// Where to go after signing in: a path on this site only, so a link cannot send the person away.
pub fn safe_next(next: Option<String>) -> String {
    next.filter(|next| next.starts_with('/') && !next.starts_with("//")).unwrap_or_else(|| "/".to_owned())
}
