//! What the sign-in pages share: their card, the dev mailbox, and where they lead once the person is
//! signed in (`?next=`, carried through sign-up, confirmation and password reset).

use leptos::prelude::*;
use maud::{Markup, html};
use mfe_contract::RuntimeConfig;
use ui_kit::{
    Href,
    dom::{find, follow, set_href},
    form::{Check, Field, Kind, code_problem, email_problem},
};
use web_sys::Element;

use crate::router::Router;

/// The email address an existing account signs in with (a password manager's user name).
pub const SIGN_IN_EMAIL: Field = Field {
    name: "email",
    label: "Email",
    kind: Kind::Email,
    autocomplete: "username",
    check: Check::Rule(email_problem),
};

/// A new password, checked against the pool's policy, its rules listed below.
pub const NEW_PASSWORD: Field = Field {
    name: "new-password",
    label: "New password",
    kind: Kind::Password,
    autocomplete: "new-password",
    check: Check::NewPassword,
};

/// The emailed 6-digit code.
pub const CODE: Field = Field {
    name: "code",
    label: "Code",
    kind: Kind::Text,
    autocomplete: "one-time-code",
    check: Check::Rule(code_problem),
};

/// In dev mode, where the codes the api "sent" can be read: the markup, empty otherwise.
pub fn dev_mailbox_markup() -> Markup {
    let dev = expect_context::<RuntimeConfig>().dev_mailbox.is_some();
    html! {
        @if dev {
            p class="dev-hint" data-testid="dev-mailbox" {
                "Development: codes are not mailed. " a target="_blank" rel="noopener" { "Open the dev mailbox" } " to read yours."
            }
        }
    }
}

/// Points the dev-mailbox link in `page`, if any, at `email`'s messages.
pub fn follow_dev_mailbox(page: &Element, email: impl Fn() -> String + 'static) {
    let (Some(mailbox), Some(link)) =
        (expect_context::<RuntimeConfig>().dev_mailbox, find(page, "[data-testid=dev-mailbox] a"))
    else {
        return;
    };
    follow(move |_: Option<()>| {
        if let Some(href) = Href::with_query(&mailbox, &[("to", email().trim())]) {
            set_href(&link, &href);
        }
    });
}

/// The narrow card of the sign-in-related pages, with its title.
pub fn auth_card(title: &str, body: Markup) -> Markup {
    html! {
        section class="card auth" aria-labelledby="page-title" { h1 id="page-title" { (title) } (body) }
    }
}

/// A query parameter of the current URL.
pub fn query(name: &'static str) -> Option<String> {
    expect_context::<Router>().query(name)
}

/// Where to go once signed in: `?next=` if the browser reads it as a page of this site, else the
/// start page. A link cannot send the person away, nor hand the router an address it cannot go to.
pub fn next_page() -> String {
    let origin = web_sys::window().and_then(|window| window.location().origin().ok()).unwrap_or_default();
    query("next").and_then(|next| on_this_site(&next, &origin)).unwrap_or_else(|| "/".to_owned())
}

/// `next` resolved against `origin` as the browser resolves a link: its path, query and fragment if
/// it stays on `origin`. `/\evil.com` is `http://evil.com/` to a browser, so it does not.
fn on_this_site(next: &str, origin: &str) -> Option<String> {
    let url = web_sys::Url::new_with_base(next, origin).ok()?;
    (url.origin() == origin).then(|| [url.pathname(), url.search(), url.hash()].concat())
}

/// A page of this site with its query, e.g. `page_url("/confirm", &[("email", email), ("next", next)])`.
pub fn page_url(path: &str, params: &[(&str, &str)]) -> Href {
    Href::page(path, params).expect("a path of this site")
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::on_this_site;

    wasm_bindgen_test_configure!(run_in_browser);

    const ORIGIN: &str = "http://127.0.0.1:8080";

    #[wasm_bindgen_test]
    fn a_next_page_on_this_site_is_kept() {
        assert_eq!(
            on_this_site("/accounts/42?tab=history#top", ORIGIN).as_deref(),
            Some("/accounts/42?tab=history#top")
        );
        assert_eq!(on_this_site("/", ORIGIN).as_deref(), Some("/"));
        assert_eq!(on_this_site("profile", ORIGIN).as_deref(), Some("/profile"), "relative to the origin");
        assert_eq!(on_this_site("http://127.0.0.1:8080/profile", ORIGIN).as_deref(), Some("/profile"));
    }

    #[wasm_bindgen_test]
    fn a_next_page_off_this_site_is_refused() {
        for next in [
            "/\\evil.com",
            "//evil.com",
            "\\\\evil.com",
            "/\t/evil.com",
            "https://evil.com/",
            "http://127.0.0.1:8081/",
            "https://127.0.0.1:8080/",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
        ] {
            assert_eq!(on_this_site(next, ORIGIN), None, "{next:?}");
        }
    }
}
