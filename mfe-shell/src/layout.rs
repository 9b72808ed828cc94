//! The frame around every page: the top bar with navigation, the organisation switcher and the
//! session, and a polite live region for notices such as "You have been signed out."

use leptos::prelude::*;
use maud::{Markup, html};
use mfe_contract::{Session, Tenant};
use ui_kit::dom::{fill, find, follow, listen, set_or_remove, target};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlSelectElement};

use crate::{
    auth::session::SessionStore,
    organisations::{Listed, Organisations},
    router::Router,
};

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

    pub fn clear(&self) {
        self.0.set(None);
    }
}

/// The frame around every page: the top bar (its session part filled by [`wire_top_bar`]), the
/// notice region and `<main>`, where the router puts the page.
pub fn frame() -> Markup {
    html! {
        header class="topbar" {
            a class="skip-link" href="#main" { "Skip to content" }
            a class="brand" href="/" { "Ledgerline" }
            nav class="topbar__nav" aria-label="Main" {
                a href="/accounts" { "Accounts" } a href="/payments" { "Payments" } a href="/organisation" { "Organisation" }
            }
            div class="topbar__organisation" data-testid="shell-organisation" {}
            div class="topbar__session" data-testid="shell-session" {}
        }
        div class="notice-region" role="status" aria-live="polite" data-testid="shell-notice" {}
        // Focusable by script only: the router moves focus here when the page changes.
        main class="page" id="main" tabindex="-1" {}
    }
}

/// The top bar's changing parts: who is signed in, in which organisation, and which section link is
/// current.
pub fn wire_top_bar(header: &Element) {
    let session = expect_context::<SessionStore>();
    let router = expect_context::<Router>();
    wire_switcher(header, session, router);
    let who = find(header, "[data-testid=shell-session]").expect("the top bar shows the session");
    let links = header.clone();
    // Redrawn only when the person changes, so a link keeps focus while the path changes.
    follow(move |shown: Option<Option<Session>>| {
        let now = session.session();
        if shown.as_ref() != Some(&now) {
            fill(&who, session_markup(now.as_ref()));
        }
        mark_current(&links, &router.path());
        now
    });
    listen(header, "click", move |event| {
        if target(&event).and_then(|t| t.closest("[data-testid=sign-out]").ok().flatten()).is_some() {
            session.sign_out();
        }
    });
}

/// The organisation switcher: the person's organisations, the current one chosen, and their role
/// in it. Choosing another hands it to the micro-frontends (see [`Organisations`]).
fn wire_switcher(header: &Element, session: SessionStore, router: Router) {
    let organisations = expect_context::<Organisations>();
    let place = find(header, "[data-testid=shell-organisation]").expect("the top bar has the switcher's place");
    let shown = place.clone();
    follow(move |_: Option<()>| {
        let signed_in = session.is_signed_in();
        let current = organisations.current();
        organisations.list.with(|list| fill(&shown, switcher_markup(signed_in, list, current.as_ref())));
    });
    listen(&place, "change", move |event| {
        if let Some(select) = target(&event).and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) {
            router.left_organisation();
            organisations.choose(&select.value());
        }
    });
    listen(&place, "click", move |event| {
        if target(&event).is_some_and(|t| t.tag_name() == "BUTTON") {
            organisations.reload(None);
        }
    });
}

fn switcher_markup(signed_in: bool, list: &Listed, current: Option<&Tenant>) -> Markup {
    html! {
        @match (signed_in, list) {
            (false, _) => {}
            (true, None) => span class="muted" role="status" { "Loading organisations…" },
            (true, Some(Err(error))) => {
                span class="muted" title=(error) { "Organisations unavailable." }
                button type="button" class="button button--quiet" { "Try again" }
            },
            (true, Some(Ok(list))) => {
                label for="organisation-switcher" class="visually-hidden" { "Organisation" }
                select id="organisation-switcher" data-testid="organisation-switcher" {
                    @for tenant in list {
                        option value=(tenant.id) selected[Some(&tenant.id) == current.map(|c| &c.id)] { (tenant.name) }
                    }
                }
                @if let Some(current) = current {
                    span class="badge badge--muted" data-testid="organisation-role" {
                        span class="visually-hidden" { "Your role: " } (current.role.name())
                    }
                }
            },
        }
    }
}

fn session_markup(who: Option<&Session>) -> Markup {
    html! {
        @if let Some(who) = who {
            span class="topbar__who" title=(who.username) { "Signed in as " strong data-testid="shell-user" { (who.username) } }
            @if who.is_admin() { span class="badge" data-testid="admin-badge" { "Admin" } }
            a href="/profile" { "Profile" }
            button type="button" class="button button--quiet" data-testid="sign-out" { "Sign out" }
        } @else {
            span class="muted" { "Not signed in" }
            a href="/sign-in" { "Sign in" }
        }
    }
}

fn mark_current(header: &Element, path: &str) {
    let links = header.get_elements_by_tag_name("a");
    // The brand and the skip link have a class; the section links have none.
    for link in (0..links.length()).filter_map(|at| links.item(at)).filter(|link| link.class_name().is_empty()) {
        let href = link.get_attribute("href").unwrap_or_default();
        let current = path == href || path.strip_prefix(href.as_str()).is_some_and(|rest| rest.starts_with('/'));
        set_or_remove(&link, "aria-current", current.then_some("page"));
    }
}

/// The notice, if any, with its dismiss button, in the frame's notice region.
pub fn wire_notice_bar(region: &Element) {
    let Notice(message) = expect_context::<Notice>();
    let shown = region.clone();
    follow(move |_: Option<()>| {
        let markup = message.with(|text| {
            html! {
                @if let Some(text) = text {
                    div class="notice" {
                        span { (text) }
                        button type="button" class="button button--quiet" aria-label="Dismiss" { "×" }
                    }
                }
            }
        });
        fill(&shown, markup);
    });
    listen(region, "click", move |event| {
        if target(&event).is_some_and(|t| t.tag_name() == "BUTTON") {
            message.set(None);
        }
    });
}

/// A network action under way, announced to screen readers.
pub fn loading_markup(message: &str) -> Markup {
    html! { p class="loading" role="status" { span class="spinner" aria-hidden="true" {} (message) } }
}
