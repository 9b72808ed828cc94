//! The shell owns the URL. leptos_router's browser history (`BrowserUrl`) follows link clicks and
//! back/forward; [`Route::at`] chooses the page for a path, and [`show_pages`] builds it by hand in
//! `<main>`. Leptos's `<Routes>` would compile view code for every route, most of the shell's wasm.

use leptos::prelude::*;
use leptos_router::location::{BrowserUrl, LocationChange, LocationProvider, State};
use maud::html;
use ui_kit::dom::{append, fill, follow};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::{
    auth::session::SessionStore,
    layout::loading_markup,
    micro_frontend,
    pages::{self, auth_flow::page_url},
};

/// The micro-frontends, each owning the paths below its name (`/accounts/...`), with their pages' title.
const SECTIONS: [(&str, &str); 2] = [("accounts", "Accounts · Ledgerline"), ("payments", "Payments · Ledgerline")];

/// The shell's pages, by path.
#[derive(Clone, Copy, PartialEq)]
pub enum Route {
    Home,
    SignIn,
    SignUp,
    Confirm,
    ForgotPassword,
    Profile,
    Section(&'static str),
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
                .into_iter()
                .find(|(name, _)| sub_path(path, name).is_some())
                .map_or(Self::NotFound, |(name, _)| Self::Section(name)),
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
            Self::Section(name) => {
                SECTIONS.into_iter().find(|(section, _)| *section == name).map_or("Ledgerline", |(_, title)| title)
            }
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
            Self::Section(name) => micro_frontend::show(page, name),
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

/// The browser's URL, as a signal, and navigation.
#[derive(Clone)]
pub struct Router(BrowserUrl);

impl Router {
    /// Follows the browser's URL from now on: link clicks within the site and back/forward.
    pub fn start() -> Self {
        let url = BrowserUrl::new().expect("the page has a URL");
        url.init(None);
        Self(url)
    }

    /// The current path; tracked.
    pub fn path(&self) -> String {
        self.0.as_url().with(|url| url.path().to_owned())
    }

    /// A query parameter of the current URL, as the page was opened.
    pub fn query(&self, name: &str) -> Option<String> {
        self.0.as_url().with_untracked(|url| url.search_params().get(name))
    }

    /// The current path and query, e.g. `/accounts/42?tab=history`.
    fn here(&self) -> String {
        self.0.as_url().with_untracked(|url| match url.search() {
            "" => url.path().to_owned(),
            search => [url.path(), "?", search].concat(),
        })
    }

    /// Goes to `to` (a path on this site, with its query), as a new history entry.
    pub fn navigate(&self, to: &str) {
        self.go(to, false);
    }

    /// Goes to `to` in place of the current history entry.
    pub fn redirect(&self, to: &str) {
        self.go(to, true);
    }

    fn go(&self, to: &str, replace: bool) {
        let Ok(url) = BrowserUrl::parse(to) else { return };
        self.0.as_url().set(url);
        self.0.complete_navigation(&LocationChange {
            value: to.to_owned(),
            replace,
            scroll: true,
            state: State::new(None),
        });
    }
}

/// Shows the page for the current URL in `main`, and a new one whenever the route changes (not when
/// only the query or a section's sub-path does). A private page waits for a signed-in session.
pub fn show_pages(main: Element, router: Router) {
    let session = expect_context::<SessionStore>();
    let url = router.0.as_url().clone();
    let route = Memo::new(move |_| {
        let route = url.with(|url| Route::at(url.path()));
        (route, !route.is_private() || session.is_signed_in())
    });
    let here_router = router.clone();
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
            send_to_sign_in(&page, &here_router)
        }
        // After a change of page (not on the first), keyboard and screen-reader users start at its top.
        if shown.is_some() {
            let _ = main.unchecked_ref::<HtmlElement>().focus();
        }
    });
    // A link click puts its URL in the address bar once the page for it is shown.
    let history = router.0;
    follow(move |_: Option<()>| {
        history.as_url().track();
        history.ready_to_complete();
    });
}

/// A private page visited signed out: sign in first, then come back here. Never a blank page while
/// the redirect happens.
fn send_to_sign_in(page: &Element, router: &Router) {
    fill(page, loading_markup("Taking you to sign in…"));
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
            ("/accounts", Route::Section("accounts")),
            ("/accounts/", Route::Section("accounts")),
            ("/accounts/42/history", Route::Section("accounts")),
            ("/payments", Route::Section("payments")),
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
        let private: Vec<bool> = ["/", "/sign-in", "/profile", "/accounts/1", "/payments", "/nowhere"]
            .into_iter()
            .map(|path| Route::at(path).is_private())
            .collect();
        assert_eq!(private, [false, false, true, true, true, false]);
    }

    #[wasm_bindgen_test]
    fn a_section_owns_the_path_below_its_name() {
        assert_eq!(sub_path("/accounts", "accounts"), Some("/"));
        assert_eq!(sub_path("/accounts/a/b", "accounts"), Some("/a/b"));
        assert_eq!(sub_path("/accountsx", "accounts"), None);
        assert_eq!(sub_path("/payments/1", "accounts"), None);
    }
}
