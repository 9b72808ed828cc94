//! Pages built by hand: markup strings with escaped text, a few attributes set and elements
//! swapped, and effects that redo a part when the signals it reads change. Leptos's views would
//! monomorphise their rendering code for every distinct view, which made most of the wasm.

use reactive_graph::{effect::RenderEffect, owner::StoredValue};
use wasm_bindgen::{JsCast, prelude::Closure};
use web_sys::{Element, Event, HtmlInputElement};

/// Runs `render` now, and again whenever the signals it reads change, for as long as the current
/// owner lives; what `render` starts (effects, stored values) lasts until its next run.
pub fn follow<T: 'static>(render: impl FnMut(Option<T>) -> T + 'static) {
    StoredValue::new_local(RenderEffect::new(render));
}

/// Calls `handler` for each `event` on `target` (and below it) for as long as the current owner lives.
pub fn listen(target: &Element, event: &str, handler: impl Fn(Event) + 'static) {
    let handler = Closure::<dyn Fn(Event)>::new(handler);
    let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
    StoredValue::new_local(Listener { target: target.clone(), event: event.to_owned(), handler });
}

/// An event listener, removed when its owner is disposed: an event still on its way (bubbling from
/// an element that outlives the owner) must not reach a dropped closure.
struct Listener {
    target: Element,
    event: String,
    handler: Closure<dyn Fn(Event)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(&self.event, self.handler.as_ref().unchecked_ref());
    }
}

/// Puts `markup` (one element) in place of `old` and returns the new element.
pub fn replace(old: &Element, markup: &str) -> Element {
    let _ = old.insert_adjacent_html("afterend", markup);
    let new = old.next_element_sibling().unwrap_or_else(|| old.clone());
    old.remove();
    new
}

/// A new `tag` with `class`, appended to `parent`.
pub fn append(parent: &Element, tag: &str, class: &str) -> Element {
    let document = parent.owner_document().expect("an element has a document");
    let child = document.create_element(tag).expect("a valid tag");
    child.set_class_name(class);
    let _ = parent.append_child(&child);
    child
}

pub fn set(element: &Element, name: &str, value: &str) {
    // Setting an attribute with a valid name cannot fail.
    let _ = element.set_attribute(name, value);
}

pub fn set_or_remove(element: &Element, name: &str, value: Option<&str>) {
    match value {
        Some(value) => set(element, name, value),
        None => {
            let _ = element.remove_attribute(name);
        }
    }
}

/// Calls `then` before the browser paints next.
pub fn next_frame(then: impl FnOnce() + 'static) {
    if let Some(window) = web_sys::window() {
        let _ = window.request_animation_frame(Closure::once_into_js(then).unchecked_ref());
    }
}

/// The element an event happened on.
pub fn target(event: &Event) -> Option<Element> {
    event.target()?.dyn_into().ok()
}

/// The first element below `within` that `selector` matches.
pub fn find(within: &Element, selector: &str) -> Option<Element> {
    within.query_selector(selector).ok().flatten()
}

/// The input named `name` in `form`, which has one.
pub fn input(form: &Element, name: &str) -> HtmlInputElement {
    find(form, &["[name=", name, "]"].concat()).expect("the form has the input").unchecked_into()
}

/// `text` as HTML text or attribute value.
pub fn push_escaped(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            c => html.push(c),
        }
    }
}

/// Markup from literal pieces (`parts` at even places) and text to escape (odd places).
pub fn markup(parts: &[&str]) -> String {
    let mut html = String::new();
    for (at, part) in parts.iter().enumerate() {
        if at % 2 == 0 { html.push_str(part) } else { push_escaped(&mut html, part) }
    }
    html
}
