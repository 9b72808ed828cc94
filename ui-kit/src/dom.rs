//! The page, patched by hand: markup put in place (the focus kept, see [`crate::focus`]), a few
//! attributes set, effects that redo a part when the signals it reads change, and listeners that
//! go with their owner.

use std::{cell::RefCell, rc::Rc};

use maud::Markup;
use reactive_graph::{
    effect::RenderEffect,
    owner::StoredValue,
    signal::Trigger,
    traits::{Notify, Track},
};
use wasm_bindgen::{JsCast, prelude::Closure};
use web_sys::{Element, Event};

use crate::{Href, focus};

/// Runs `render` now, and again whenever the signals it reads change, for as long as the current
/// owner lives; what `render` starts (effects, stored values) lasts until its next run.
pub fn follow<T: 'static>(render: impl FnMut(Option<T>) -> T + 'static) {
    StoredValue::new_local(RenderEffect::new(render));
}

/// Runs `render` with what `key` gives, now and again whenever that changes (not whenever the
/// signals `key` reads change, to the same key): a part rebuilt only when what it shows is another.
/// What a `Memo` read by [`follow`] does, without a memo's code for each type of key (wasm size).
pub fn follow_key<K: Clone + PartialEq + 'static>(key: impl Fn() -> K + 'static, render: impl Fn(K) + 'static) {
    let shown: Rc<RefCell<Option<K>>> = Rc::default();
    let changed = Trigger::new();
    let last = Rc::clone(&shown);
    follow(move |_| {
        let now = key();
        if last.borrow().as_ref() != Some(&now) {
            *last.borrow_mut() = Some(now);
            changed.notify();
        }
    });
    follow(move |_| {
        changed.track();
        let key = shown.borrow().clone();
        if let Some(key) = key {
            render(key);
        }
    });
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

/// Puts `markup` in `element` in place of what it held; the focus, if it was in there, stays on
/// the same control or moves to the new content.
pub fn fill(element: &Element, markup: Markup) {
    // An element that has the focus itself keeps it whatever it holds.
    let focused = focus::within(element).filter(|focused| focused != element);
    element.set_inner_html(&markup.0);
    if let Some(focused) = focused {
        focus::keep(&focused, element);
    }
}

/// Puts `markup` (one element) in place of `old` and returns the new element; the focus, if it
/// was in `old`, stays on the same control or moves into the new element.
pub fn replace(old: &Element, markup: Markup) -> Element {
    let focused = focus::within(old);
    let _ = old.insert_adjacent_html("afterend", &markup.0);
    let new = old.next_element_sibling().unwrap_or_else(|| old.clone());
    old.remove();
    if let Some(focused) = focused {
        focus::keep(&focused, &new);
    }
    new
}

/// Where [`insert`] puts markup, relative to an element.
#[derive(Clone, Copy)]
pub enum Place {
    /// Its first child.
    Start,
    /// Its last child.
    End,
    /// Its previous sibling.
    Before,
    /// Its next sibling.
    After,
}

/// Adds `markup` (one element) at `place` relative to `anchor`, and returns the new element.
pub fn insert(anchor: &Element, place: Place, markup: Markup) -> Option<Element> {
    let position = match place {
        Place::Start => "afterbegin",
        Place::End => "beforeend",
        Place::Before => "beforebegin",
        Place::After => "afterend",
    };
    anchor.insert_adjacent_html(position, &markup.0).ok()?;
    match place {
        Place::Start => anchor.first_element_child(),
        Place::End => anchor.last_element_child(),
        Place::Before => anchor.previous_element_sibling(),
        Place::After => anchor.next_element_sibling(),
    }
}

/// A new `tag` with `class`, appended to `parent`.
pub fn append(parent: &Element, tag: &str, class: &str) -> Element {
    let document = parent.owner_document().expect("an element has a document");
    // Not `expect`: it would print the JsValue, whose Debug brings its formatter into the wasm.
    let Ok(child) = document.create_element(tag) else { unreachable!("a valid tag") };
    child.set_class_name(class);
    let _ = parent.append_child(&child);
    child
}

/// Attributes that load or run an address: only an [`Href`] goes there, through [`set_href`].
const URL_ATTRIBUTES: [&str; 5] = ["href", "src", "action", "formaction", "srcdoc"];

/// Sets the attribute `name`, which must not take an address (see [`set_href`]).
pub fn set(element: &Element, name: &str, value: &str) {
    assert!(!URL_ATTRIBUTES.contains(&name), "an address goes through set_href");
    // Setting an attribute with a valid name cannot fail.
    let _ = element.set_attribute(name, value);
}

/// Points a link at `href`.
pub fn set_href(link: &Element, href: &Href) {
    let _ = link.set_attribute("href", href.as_str());
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
