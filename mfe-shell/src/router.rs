//! The shell owns the URL. [`Router`] follows link clicks and back/forward and writes the history;
//! [`Route::at`] chooses the page for a path, and [`show_pages`] builds it by hand in `<main>`.
//! Leptos's `<Routes>` would compile view code for every route, most of the shell's wasm, and
//! leptos_router's own history (`BrowserUrl`) cost 2 KB (gzip) more than this one.

use leptos::{ev, prelude::*};
use maud::html;
use ui_kit::dom::{append, fill, follow, target};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, MouseEvent, Url, UrlSearchParams};

use crate::{
    auth::session::SessionStore,
    layout::{Notice, loading_markup},
    micro_frontend,
    pages::{self, auth_flow::page_url},
};

/// A part of the site that a micro-frontend shows: the paths below `/<path>` are its own, and its
/// element is `<mfe-<path>>`.
#[derive(PartialEq)]
pub struct Section {
    pub path: &'static str,
    /// The micro-frontend (in `/config.json`) whose module defines the element; one module may
    /// define the elements of several sections.
    pub mfe: &'static str,
    title: &'static str,
    /// Its sub-paths name things of one organisation (`/accounts/<id>`): switching to another
    /// organisation goes to its start.
    per_organisation: bool,
    /// What a signed-out visitor is told on the way to sign in, if anything.
    sign_in_notice: &'static str,
}

const SECTIONS: [Section; 4] = [
    Section {
        path: "accounts",
        mfe: "accounts",
        title: "Accounts · Ledgerline",
        per_organisation: true,
        sign_in_notice: "",
    },
    Section {
        path: "payments",
        mfe: "payments",
        title: "Payments · Ledgerline",
        per_organisation: true,
        sign_in_notice: "",
    },
    Section {
        path: "organisation",
        mfe: "organisations",
        title: "Organisation · Ledgerline",
        per_organisation: false,
        sign_in_notice: "",
    },
    // The link an invitation mails (`/invitations/<token>`); a new person signs up on the way.
    Section {
        path: "invitations",
        mfe: "organisations",
        title: "Invitation · Ledgerline",
        per_organisation: false,
        sign_in_notice: "Sign in to accept your invitation, or create an account with the address it was sent to.",
    },
];

/// The shell's pages, by path.
#[derive(Clone, Copy, PartialEq)]
pub enum Route {
    Home,
    SignIn,
    SignUp,
    Confirm,
    ForgotPassword,
    Profile,
    Section(&'static Section),
    NotFound,
}

impl Route {
    pub fn at(path: &str) -> Self {
        // "/sign-in/" is "/sign-in".
        let path = path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path);
        match path {
            "/" => Self::Home,
            "/sign-in" => Self::SignIn,
            "/sign-up" => Self::SignUp,
            "/confirm" => Self::Confirm,
            "/forgot-password" => Self::ForgotPassword,
            "/profile" => Self::Profile,
            _ => SECTIONS
                .iter()
                .find(|section| sub_path(path, section.path).is_some())
                .map_or(Self::NotFound, Self::Section),
        }
    }

    /// Pages only a signed-in person sees; a signed-out visit goes to sign-in and comes back after.
    fn is_private(self) -> bool {
        matches!(self, Self::Profile | Self::Section(_))
    }

    /// The document's title, which screen readers announce when the page changes.
    fn title(self) -> &'static str {
        match self {
            Self::Home => "Ledgerline",
            Self::SignIn => "Sign in · Ledgerline",
            Self::SignUp => "Create your account · Ledgerline",
            Self::Confirm => "Confirm your email · Ledgerline",
            Self::ForgotPassword => "Reset your password · Ledgerline",
            Self::Profile => "Your profile · Ledgerline",
            Self::Section(section) => section.title,
            Self::NotFound => "Page not found · Ledgerline",
        }
    }

    fn build(self, page: &Element) {
        match self {
            Self::Home => pages::home::show(page),
            Self::SignIn => pages::sign_in::show(page),
            Self::SignUp => pages::sign_up::show(page),
            Self::Confirm => pages::confirm::show(page),
            Self::ForgotPassword => pages::forgot_password::show(page),
            Self::Profile => pages::profile::show(page),
            Self::Section(section) => micro_frontend::show(page, section),
            Self::NotFound => fill(
                page,
                html! {
                    section class="card" {
                        h1 { "Page not found" }
                        p { "There is nothing at this address. " a href="/" { "Go to the start page" } }
                    }
                },
            ),
        }
    }
}

/// The part of `path` a section's micro-frontend owns: `/accounts/a/b` -> `/a/b`, `/accounts` -> `/`.
pub fn sub_path<'a>(path: &'a str, section: &str) -> Option<&'a str> {
    let rest = path.strip_prefix('/')?.strip_prefix(section)?;
    match rest {
        "" => Some("/"),
        rest if rest.starts_with('/') => Some(rest),
        _ => None,
    }
}

/// The browser's URL (path and query, as `location` has them), as a signal.
#[derive(Clone, PartialEq)]
struct Location {
    path: String,
    /// `?…`, or empty.
    search: String,
}

impl Location {
    fn current() -> Self {
        let location = web_sys::window().map(|window| window.location());
        let part = |read: fn(&web_sys::Location) -> Result<String, JsValue>| {
            location.as_ref().and_then(|location| read(location).ok()).unwrap_or_default()
        };
        Self { path: part(web_sys::Location::pathname), search: part(web_sys::Location::search) }
    }
}

/// The browser's URL, as a signal, and navigation: a click on a link within the site and
/// back/forward change it without loading the page again, and the router writes the history.
#[derive(Clone, Copy)]
pub struct Router(RwSignal<Location>);

impl Router {
    /// Follows the browser's URL from now on: link clicks within the site and back/forward.
    pub fn start() -> Self {
        let router = Self(RwSignal::new(Location::current()));
        // For the page's lifetime, like the shell itself.
        let _ = window_event_listener(ev::popstate, move |_| router.0.set(Location::current()));
        let _ = window_event_listener(ev::click, move |event| router.follow_link(&event));
        router
    }

    /// A plain click (no modifier key: those open another tab or window) on a link to a page of this
    /// site, in this window, shows that page here.
    fn follow_link(self, event: &MouseEvent) {
        let modified = event.meta_key() || event.alt_key() || event.ctrl_key() || event.shift_key();
        if event.default_prevented() || event.button() != 0 || modified {
            return;
        }
        let link = target(event).and_then(|target| target.closest("a[href]").ok().flatten());
        let Some(link) = link.filter(|link| !link.has_attribute("target") && !link.has_attribute("download")) else {
            return;
        };
        let Some(window) = web_sys::window() else { return };
        let (Ok(page), Some(href)) = (window.location().href(), link.get_attribute("href")) else { return };
        let Ok(url) = Url::new_with_base(&href, &page) else { return };
        if window.location().origin().is_ok_and(|origin| origin == url.origin()) {
            event.prevent_default();
            self.navigate(&[url.pathname(), url.search(), url.hash()].concat());
        }
    }

    /// The current path; tracked.
    pub fn path(&self) -> String {
        self.0.with(|location| location.path.clone())
    }

    /// The current query (`?…`, or empty); tracked.
    pub fn search(&self) -> String {
        self.0.with(|location| location.search.clone())
    }

    /// A query parameter of the current URL, as the page was opened.
    pub fn query(&self, name: &str) -> Option<String> {
        self.0.with_untracked(|location| UrlSearchParams::new_with_str(&location.search).ok()?.get(name))
    }

    /// The current path and query, e.g. `/accounts/42?tab=history`.
    fn here(&self) -> String {
        self.0.with_untracked(|location| [location.path.as_str(), &location.search].concat())
    }

    /// Another organisation: a section's page of one thing in the last one (`/accounts/<id>`) gives
    /// way to the section's start.
    pub fn left_organisation(&self) {
        let path = self.0.with_untracked(|location| location.path.clone());
        if let Route::Section(section) = Route::at(&path)
            && section.per_organisation
            && sub_path(&path, section.path) != Some("/")
        {
            self.navigate(&["/", section.path].concat());
        }
    }

    /// Goes to `to` (a path on this site, with its query), as a new history entry.
    pub fn navigate(&self, to: &str) {
        self.go(to, false);
    }

    /// Goes to `to` in place of the current history entry.
    pub fn redirect(&self, to: &str) {
        self.go(to, true);
    }

    /// Writes the history, then shows the page at its top.
    fn go(&self, to: &str, replace: bool) {
        let Some(window) = web_sys::window() else { return };
        let Ok(history) = window.history() else { return };
        let written = match replace {
            true => history.replace_state_with_url(&JsValue::NULL, "", Some(to)),
            false => history.push_state_with_url(&JsValue::NULL, "", Some(to)),
        };
        if written.is_ok() {
            window.scroll_to_with_x_and_y(0.0, 0.0);
            self.0.set(Location::current());
        }
    }
}

/// Shows the page for the current URL in `main`, and a new one whenever the route changes (not when
/// only the query or a section's sub-path does). A private page waits for a signed-in session.
pub fn show_pages(main: Element, router: Router) {
    let session = expect_context::<SessionStore>();
    let route = Memo::new(move |_| {
        let route = router.0.with(|location| Route::at(&location.path));
        (route, !route.is_private() || session.is_signed_in())
    });
    // What a page starts (effects, listeners) ends when the next page replaces it.
    follow(move |shown: Option<()>| {
        let (route, open) = route.get();
        main.set_text_content(None);
        let page = append(&main, "div", "");
        if let Some(document) = main.owner_document() {
            document.set_title(route.title());
        }
        if open {
            route.build(&page)
        } else {
            send_to_sign_in(&page, &router, route)
        }
        // After a change of page (not on the first), keyboard and screen-reader users start at its top.
        if shown.is_some() {
            let _ = main.unchecked_ref::<HtmlElement>().focus();
        }
    });
}

/// A private page visited signed out: sign in first, then come back here. Never a blank page while
/// the redirect happens.
fn send_to_sign_in(page: &Element, router: &Router, route: Route) {
    fill(page, loading_markup("Taking you to sign in…"));
    if let Route::Section(section) = route
        && !section.sign_in_notice.is_empty()
    {
        expect_context::<Notice>().show(section.sign_in_notice);
    }
    router.redirect(page_url("/sign-in", &[("next", &router.here())]).as_str());
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    #[wasm_bindgen_test]
    fn each_path_has_its_page() {
        let pages = [
            ("/", Route::Home),
            ("/sign-in", Route::SignIn),
            ("/sign-in/", Route::SignIn),
            ("/sign-up", Route::SignUp),
            ("/confirm", Route::Confirm),
            ("/forgot-password", Route::ForgotPassword),
            ("/profile", Route::Profile),
            ("/accounts", Route::Section(&SECTIONS[0])),
            ("/accounts/", Route::Section(&SECTIONS[0])),
            ("/accounts/42/history", Route::Section(&SECTIONS[0])),
            ("/payments", Route::Section(&SECTIONS[1])),
            ("/organisation", Route::Section(&SECTIONS[2])),
            ("/invitations/abc", Route::Section(&SECTIONS[3])),
            ("/accountsx", Route::NotFound),
            ("/sign-in/more", Route::NotFound),
            ("/nowhere", Route::NotFound),
        ];
        for (path, page) in pages {
            assert!(Route::at(path) == page, "{path}");
        }
    }

    #[wasm_bindgen_test]
    fn private_pages_are_the_profile_and_the_sections() {
        let private: Vec<bool> =
            ["/", "/sign-in", "/profile", "/accounts/1", "/payments", "/organisation", "/invitations/abc", "/nowhere"]
                .into_iter()
                .map(|path| Route::at(path).is_private())
                .collect();
        assert_eq!(private, [false, false, true, true, true, true, true, false]);
    }

    #[wasm_bindgen_test]
    fn a_section_owns_the_path_below_its_name() {
        assert_eq!(sub_path("/accounts", "accounts"), Some("/"));
        assert_eq!(sub_path("/accounts/a/b", "accounts"), Some("/a/b"));
        assert_eq!(sub_path("/accountsx", "accounts"), None);
        assert_eq!(sub_path("/payments/1", "accounts"), None);
    }
}
