//! Moving an account by dragging its row onto another: the drop target is marked while the row is
//! over it, and the account's own subtree (and its current parent) never accept it. The "Move to…"
//! picker does the same from the keyboard.

use any_spawner::Executor;
use reactive_graph::{owner::StoredValue, prelude::*};
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, Element, Event};

use ui_kit::dom::{self, target};

use crate::{edits, tree::Tree};

/// The attribute that marks the row line the dragged account would go under.
const DROP_TARGET: &str = "data-drop-target";

/// Lets every row in the tree's `area` be dragged onto another, for a person who may move them.
pub fn listen(tree: Tree, area: &Element) {
    if !tree.writes {
        return;
    }
    let dragged = StoredValue::new(None::<String>);
    dom::listen(area, "dragstart", move |event| {
        let id = row_of(&event).map(|(_, id)| id);
        if let (Some(id), Some(transfer)) = (&id, event.unchecked_ref::<DragEvent>().data_transfer()) {
            // Some browsers start a drag only with data in it.
            let _ = transfer.set_data("text/plain", id);
            transfer.set_effect_allowed("move");
        }
        dragged.set_value(id);
    });
    dom::listen(area, "dragover", move |event| {
        let over = row_of(&event).filter(|(_, id)| dragged.with_value(|dragged| accepts(tree, dragged.as_deref(), id)));
        mark(over.as_ref().map(|(line, _)| line));
        if over.is_some() {
            // Allowing the drop is cancelling the event.
            event.prevent_default();
        }
    });
    dom::listen(area, "dragleave", move |event| {
        if let Some(line) = target(&event).filter(|element| element.get_attribute(DROP_TARGET).is_some()) {
            let _ = line.remove_attribute(DROP_TARGET);
        }
    });
    dom::listen(area, "drop", move |event| {
        event.prevent_default();
        mark(None);
        let (Some(id), Some((_, to))) = (dragged.get_value(), row_of(&event)) else { return };
        if accepts(tree, Some(&id), &to) {
            Executor::spawn_local(async move { edits::move_to(tree, &id, Some(to)).await });
        }
    });
    dom::listen(area, "dragend", move |_| {
        mark(None);
        dragged.set_value(None);
    });
}

/// Whether the account `dragged` may move under `to`: not into itself or below, and not where it is.
fn accepts(tree: Tree, dragged: Option<&str>, to: &str) -> bool {
    let Some(dragged) = dragged else { return false };
    let parent = tree.account(dragged).and_then(|account| account.parent_id);
    !tree.is_within(to, dragged) && parent.as_deref() != Some(to)
}

/// The row line an event happened on, and its account's id.
fn row_of(event: &Event) -> Option<(Element, String)> {
    let line = target(event)?.closest(".tree__row").ok().flatten()?;
    let id = line.parent_element()?.get_attribute("data-id")?;
    Some((line, id))
}

/// Marks `line` as where the dragged account would go, and no other.
fn mark(line: Option<&Element>) {
    let document = web_sys::window().and_then(|window| window.document());
    if let Some(marked) =
        document.and_then(|document| document.query_selector(&["[", DROP_TARGET, "]"].concat()).ok().flatten())
        && Some(&marked) != line
    {
        let _ = marked.remove_attribute(DROP_TARGET);
    }
    if let Some(line) = line {
        dom::set(line, DROP_TARGET, "");
    }
}
