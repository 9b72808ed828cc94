//! Addresses for links: what may follow `href=`.

use maud::Render;

/// An address safe to link to: a path on this site (`/accounts?x=1`) or an `http(s)://` URL. Not a
/// `javascript:` or `data:` URL, nor a path that browsers read as another host (`//evil.com`,
/// `/\evil.com`), nor anything with whitespace or control characters, which browsers strip from
/// URLs before reading them (so `java\tscript:` is `javascript:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Href(String);

impl Href {
    /// `url` if it is safe to link to.
    pub fn parse(url: &str) -> Option<Self> {
        let plain = !url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\');
        let web = ["http://", "https://"]
            .iter()
            .any(|scheme| url.get(..scheme.len()).is_some_and(|start| start.eq_ignore_ascii_case(scheme)));
        (plain && (web || is_local_path(url))).then(|| Self(url.to_owned()))
    }

    /// A path on this site with a query, each value percent-encoded, e.g.
    /// `Href::page("/confirm", &[("email", email)])`; `None` unless `path` is one.
    pub fn page(path: &str, params: &[(&str, &str)]) -> Option<Self> {
        Self::with_query(path, params).filter(|_| is_local_path(path))
    }

    /// `url` (which has no query yet) with a query, each value percent-encoded, if it is safe.
    pub fn with_query(url: &str, params: &[(&str, &str)]) -> Option<Self> {
        let mut url = url.to_owned();
        for (i, (name, value)) in params.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            encode_into(&mut url, name);
            url.push('=');
            encode_into(&mut url, value);
        }
        Self::parse(&url)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A link to `href` that reads `label`. Frontends write links with an address made at run time
/// only through this (`tests/frontends.rs` checks), so every such address is an [`Href`].
pub fn link(href: &Href, label: &str) -> maud::Markup {
    maud::html! { a href=(href) { (label) } }
}

/// A link that the page's own click handler opens (`data-open` names what it opens); the address
/// stays for a new tab, a copied link and a screen reader.
pub fn opening_link(href: &Href, opens: &str, label: &str) -> maud::Markup {
    maud::html! { a href=(href) data-open=(opens) { (label) } }
}

impl Render for Href {
    fn render_to(&self, buffer: &mut String) {
        self.0.as_str().render_to(buffer);
    }
}

fn is_local_path(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//")
}

/// `text` percent-encoded as `encodeURIComponent` does.
fn encode_into(url: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            url.push(byte as char);
        } else {
            url.extend(['%', HEX[usize::from(byte >> 4)] as char, HEX[usize::from(byte & 15)] as char]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Href;

    #[test]
    fn paths_of_this_site_and_web_addresses_are_links() {
        for url in ["/", "/accounts/42?tab=history#top", "http://example.com", "HTTPS://example.com/a?b=c"] {
            assert_eq!(Href::parse(url).map(|href| href.0), Some(url.to_owned()), "{url}");
        }
    }

    #[test]
    fn scripts_data_other_hosts_and_disguises_are_refused() {
        let hostile = [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{0}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "//evil.com",
            "/\\evil.com",
            "\\\\evil.com",
            "/%5Cevil.com\\",
            "https:\\\\evil.com",
            "relative/path",
            "?next=/",
            "",
        ];
        for url in hostile {
            assert_eq!(Href::parse(url), None, "{url:?}");
        }
    }

    #[test]
    fn a_page_address_encodes_its_values_and_stays_on_this_site() {
        let href = Href::page("/confirm", &[("email", "a&b=c@example.com"), ("next", "/x?y=1 2")]).unwrap();
        assert_eq!(href.as_str(), "/confirm?email=a%26b%3Dc%40example.com&next=%2Fx%3Fy%3D1%202");
        assert_eq!(Href::page("//evil.com", &[]), None);
        assert_eq!(Href::page("https://example.com", &[]), None, "a page is a path on this site");
        // The values cannot add parameters or break out of the query.
        let href = Href::page("/sign-in", &[("next", "/\\evil.com#<'\">")]).unwrap();
        assert_eq!(href.as_str(), "/sign-in?next=%2F%5Cevil.com%23%3C'%22%3E");
    }
}
