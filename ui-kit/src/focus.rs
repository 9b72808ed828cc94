//! The focus where a person expects it. Replacing a block of markup that held the focus would drop
//! it to `<body>`, and a keyboard or screen-reader user would start again from the top of the page.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Marks the control a block's focus goes to first (e.g. the safe answer of a confirmation).
pub const FIRST: &str = "data-focus";

/// What a block that just appeared focuses: its [`FIRST`] control, else its first field, else its
/// first heading, else its first button that can be used.
const ENTRIES: [&str; 4] = [
    "[data-focus]",
    "input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled])",
    "h1, h2, h3, h4, h5, h6",
    "button:not([disabled]), a[href]",
];

/// The focused element, if it is `block` or below it.
pub fn within(block: &Element) -> Option<Element> {
    let focused = block.owner_document()?.active_element()?;
    block.contains(Some(&focused)).then_some(focused)
}

/// Gives the focus to what a person expects first in `block`, which just appeared (see [`ENTRIES`]);
/// a heading becomes focusable by script for it. Whether anything took the focus.
pub fn enter(block: &Element) -> bool {
    ENTRIES.iter().any(|selector| {
        let Some(element) = first(block, selector) else { return false };
        if element.matches("h1, h2, h3, h4, h5, h6").unwrap_or_default() && element.get_attribute("tabindex").is_none()
        {
            let _ = element.set_attribute("tabindex", "-1");
        }
        give(&element)
    })
}

/// `was` had the focus and `block` now stands where it was: the focus goes to the same control in
/// it (the same id, name, action or test id), or else as [`enter`] says.
pub fn keep(was: &Element, block: &Element) {
    let same = ["id", "name", "data-action", "data-testid"].iter().find_map(|attribute| {
        let value = was.get_attribute(attribute).filter(|value| !value.is_empty())?;
        first(block, &["[", attribute, "=\"", &value, "\"]"].concat())
    });
    if !same.is_some_and(|element| give(&element)) {
        enter(block);
    }
}

/// `block` if `selector` matches it, else the first element below it that it matches.
fn first(block: &Element, selector: &str) -> Option<Element> {
    if block.matches(selector).unwrap_or_default() {
        Some(block.clone())
    } else {
        block.query_selector(selector).ok()?
    }
}

/// Focuses `element`; whether it took the focus (a disabled or hidden one does not).
pub fn give(element: &Element) -> bool {
    let Some(element) = element.dyn_ref::<HtmlElement>() else { return false };
    let _ = element.focus();
    element.owner_document().and_then(|document| document.active_element()).as_ref() == Some(element.as_ref())
}
