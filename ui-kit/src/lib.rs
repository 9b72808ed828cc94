//! The UI kit of the shell and every micro-frontend. Pages are built by hand for wasm size (Leptos's
//! views monomorphise their rendering code for every distinct view): markup from maud's `html!`,
//! which escapes every value spliced into it, then effects that patch it.
//!
//! - [`html!`](maud::html) makes a [`Markup`]; every value spliced in is escaped, in text and in
//!   attributes alike (maud always double-quotes attributes). The kit puts only `Markup` on the
//!   page ([`dom::fill`], [`dom::replace`], [`dom::insert`]), so raw HTML needs maud's
//!   `PreEscaped`, the one escape hatch, which no frontend uses (`tests/frontends.rs` checks).
//! - Addresses go into links only as an [`Href`]: a path on this site or an http(s) URL.
//! - [`form`]: forms from a spec, their values looked up by field, the api's refusal shown by field.
//! - [`focus`]: the focus stays where a person expects when a block of the page is replaced.
//! - [`money`]: amounts and counts as the browser formats them for the reader.
//! - [`time`]: the api's timestamps to the minute in UTC, or as a day in the reader's language.
//! - [`actions!`]: a page's buttons name their action by a typed enum, read back by one listener.

mod action;
pub mod dom;
pub mod focus;
pub mod form;
mod href;
pub mod money;
pub mod time;

pub use href::{Href, link, opening_link};
pub use maud::Markup;
// For the expansions of `actions!` in the frontends.
#[doc(hidden)]
pub use {maud, web_sys};

/// Names the place of a panic on the browser console (wasm otherwise dies with a bare
/// `unreachable`): the file and line are enough to find it. Formatting the message too, as
/// console_error_panic_hook does, costs each frontend's wasm 0.6 to 1.2 KB of its budget.
pub fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let (file, line) = info.location().map_or(("", 0), |at| (at.file(), at.line()));
        web_sys::console::error_3(&"panicked at".into(), &file.into(), &line.into());
    }));
}

#[cfg(test)]
mod tests {
    use maud::html;

    use crate::{Href, link};

    /// Markup, a script, both quotes, an ampersand and an entity: what must stay text.
    const HOSTILE: &str = r#"<script>alert(1)</script><img src=x onerror=alert(1)>'"&amp;"#;

    #[test]
    fn text_is_escaped() {
        let markup = html! { p { (HOSTILE) } };
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'&quot;&amp;amp;";
        assert_eq!(markup.0, ["<p>", escaped, "</p>"].concat());
    }

    #[test]
    fn attribute_values_are_escaped_inside_double_quotes() {
        let markup = html! { input value=(HOSTILE) title=[Some(HOSTILE)] data-x=(HOSTILE); };
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'&quot;&amp;amp;";
        let expected = ["<input value=\"", escaped, "\" title=\"", escaped, "\" data-x=\"", escaped, "\">"].concat();
        assert_eq!(markup.0, expected);
        // maud writes every attribute value in double quotes and escapes `"` in it, so a value's own
        // quotes of either kind cannot end it: there is no single-quoted attribute to break out of.
        assert_eq!(markup.0.matches('"').count(), 6, "only the quotes around the three values");
    }

    #[test]
    fn links_take_only_safe_addresses_escaped() {
        let href = Href::page("/sign-in", &[("next", "/x\"><script>")]).expect("a page of this site");
        assert_eq!(
            link(&href, HOSTILE).0,
            [
                "<a href=\"/sign-in?next=%2Fx%22%3E%3Cscript%3E\">",
                "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'&quot;&amp;amp;</a>"
            ]
            .concat()
        );
        // An http(s) address keeps its characters, escaped for the attribute.
        let href = Href::parse("https://example.com/?a=1&b=\"2\"").unwrap();
        assert_eq!(link(&href, "x").0, "<a href=\"https://example.com/?a=1&amp;b=&quot;2&quot;\">x</a>");
    }

    /// The browser's own parser reads the kit's markup back: hostile values are text and attribute
    /// values, and no element or attribute comes of them.
    #[cfg(target_arch = "wasm32")]
    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_browser_reads_hostile_values_as_text_and_attribute_values() {
        use web_sys::{DomParser, SupportedType};

        let markup = html! { div title=(HOSTILE) { (HOSTILE) } span data-x=(HOSTILE) { (HOSTILE) } };
        let document = DomParser::new().unwrap().parse_from_string(&markup.0, SupportedType::TextHtml).unwrap();
        let body = document.body().expect("a body");
        assert_eq!(body.query_selector_all("*").unwrap().length(), 2, "only the div and the span");
        let (div, span) = (body.first_element_child().unwrap(), body.last_element_child().unwrap());
        assert_eq!(div.get_attribute("title").as_deref(), Some(HOSTILE));
        assert_eq!(span.get_attribute("data-x").as_deref(), Some(HOSTILE));
        for element in [&div, &span] {
            assert_eq!(element.text_content().as_deref(), Some(HOSTILE));
            assert_eq!(element.get_attribute_names().length(), 1, "no attribute but the one written");
        }
    }

    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
}
