//! The tree on the page, as the WAI-ARIA tree pattern: `role=tree` with nested `treeitem`s and
//! `group`s, one tab stop that moves with the focus, arrow keys, Home/End, Enter and type-ahead.
//! Keys, clicks and focus are handled once, on the tree's area, for every row.

use any_spawner::Executor;
use maud::{Markup, html};
use reactive_graph::{owner::StoredValue, prelude::*};
use ui_kit::dom::{self, Place, fill, find, follow, insert, set, target};
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, HtmlInputElement, KeyboardEvent};

use crate::{
    edits,
    keys::{self, Action},
    rows::{Branch, row_id},
    tree::Tree,
};

/// Handles the keys, clicks and focus of every row in the tree's `area`, and of the rename input.
pub fn listen(tree: Tree, area: &Element) {
    let typed = StoredValue::new((String::new(), 0.0));
    dom::listen(area, "keydown", move |event| on_key(tree, event.unchecked_ref(), typed));
    dom::listen(area, "click", move |event| on_click(tree, &event));
    dom::listen(area, "dblclick", move |event| {
        if let Some(id) = row_of(&event).filter(|_| tree.writes) {
            tree.renaming.set(Some(id));
        }
    });
    dom::listen(area, "focusin", move |event| {
        let id = target(&event).and_then(|target| target.get_attribute("data-id"));
        if id.is_some() && tree.focused.get_untracked() != id {
            tree.focused.set(id);
        }
    });
}

/// Puts the tree in `area`, with the roots' branch, for as long as the current owner lives.
pub fn start(tree: Tree, area: &Element) {
    fill(area, html! { ul role="tree" aria-label="Accounts" class="tree" data-testid="accounts-tree" {} });
    let Some(list) = area.first_element_child() else { return };
    StoredValue::new_local(Branch::start(tree, list, None, 1));
    // The first row holds the tab stop until the person moves it.
    follow(move |_| {
        if tree.focused.with_untracked(Option::is_none) {
            tree.focused.set(tree.list(None).with(|roots| roots.ids.first().cloned()));
        }
    });
    follow_focus_and_selection(tree);
    follow_renaming(tree);
}

/// Gives the focused row the tree's one tab stop and marks the selected row, as they change.
fn follow_focus_and_selection(tree: Tree) {
    for (signal, attribute, on, off) in
        [(tree.focused, "tabindex", "0", "-1"), (tree.selected, "aria-selected", "true", "false")]
    {
        follow(move |previous: Option<Option<String>>| {
            let current = signal.get();
            if let Some(row) = previous.flatten().and_then(|id| row_element(&id)) {
                set(&row, attribute, off);
            }
            if let Some(row) = current.as_deref().and_then(row_element) {
                set(&row, attribute, on);
            }
            current
        });
    }
}

/// Puts the rename input in place of the name of the row being renamed, and takes it away after.
fn follow_renaming(tree: Tree) {
    let editing = StoredValue::new_local(None::<(Element, Element)>);
    follow(move |_| {
        let renaming = tree.renaming.get();
        if let Some((slot, name)) = editing.write_value().take() {
            slot.remove();
            let _ = name.remove_attribute("hidden");
        }
        let Some(id) = renaming else { return };
        let Some(name) = row_element(&id).and_then(|row| find(&row, ":scope > .tree__row > .tree__name")) else {
            return;
        };
        let text = tree.account(&id).map(|account| account.name).unwrap_or_default();
        let Some(slot) = insert(&name, Place::Before, rename_markup(&text)) else { return };
        set(&name, "hidden", "");
        if let Some(input) = slot.first_element_child() {
            let input: HtmlInputElement = input.unchecked_into();
            let _ = input.focus();
            input.select();
        }
        editing.set_value(Some((slot, name)));
    });
}

fn row_element(id: &str) -> Option<Element> {
    web_sys::window()?.document()?.get_element_by_id(&row_id(id))
}

/// The name as an input (see [`on_rename_key`]), with room for the api's objection under it.
fn rename_markup(name: &str) -> Markup {
    html! {
        span class="tree__rename" {
            input value=(name) aria-label="Name" aria-describedby="rename-error" aria-invalid="false";
            span class="field__error" id="rename-error" role="alert" {}
        }
    }
}

/// In the rename input, Enter saves and Escape gives up; the api's objection shows under it.
fn on_rename_key(tree: Tree, event: &KeyboardEvent, input: HtmlInputElement) {
    let Some(id) = tree.renaming.get_untracked() else { return };
    match event.key().as_str() {
        "Escape" => finish_renaming(tree, &id),
        "Enter" => Executor::spawn_local(async move {
            match edits::rename(tree, &id, input.value()).await {
                Ok(()) => finish_renaming(tree, &id),
                Err(message) => {
                    set(&input, "aria-invalid", "true");
                    if let Some(error) = input.next_element_sibling() {
                        error.set_text_content(Some(&message));
                    }
                }
            }
        }),
        _ => {}
    }
}

fn finish_renaming(tree: Tree, id: &str) {
    tree.renaming.set(None);
    focus_row(tree, id);
}

fn on_key(tree: Tree, event: &KeyboardEvent, typed: StoredValue<(String, f64)>) {
    if let Some(input) = target(event).filter(|target| target.matches(".tree__rename input").unwrap_or_default()) {
        return on_rename_key(tree, event, input.unchecked_into());
    }
    let Some(id) = row_of(event) else { return };
    let key = event.key();
    if key == "F2" && tree.writes {
        event.prevent_default();
        tree.renaming.set(Some(id));
        return;
    }
    let rows = tree.rows();
    let Some(at) = rows.iter().position(|row| row.id == id) else { return };
    let action = keys::action(&rows, at, &key).or_else(|| {
        let letter =
            key.chars().count() == 1 && key != " " && !event.ctrl_key() && !event.meta_key() && !event.alt_key();
        letter.then(|| type_ahead(&rows, at, &key, typed)).flatten()
    });
    let Some(action) = action else { return };
    event.prevent_default();
    match action {
        Action::Focus(index) => focus_row(tree, &rows[index].id),
        Action::Expand(index) => tree.expand(&rows[index].id),
        Action::Collapse(index) => tree.collapse(&rows[index].id),
        Action::Open(index) => open(tree, &rows[index].id),
    }
}

/// Letters typed in quick succession make one prefix.
fn type_ahead(rows: &[keys::Row], at: usize, key: &str, typed: StoredValue<(String, f64)>) -> Option<Action> {
    let now = js_sys::Date::now();
    let prefix =
        typed.with_value(|(prefix, last)| if now - last < 700.0 { format!("{prefix}{key}") } else { key.to_owned() });
    typed.set_value((prefix.clone(), now));
    keys::find_by_name(rows, at, &prefix).map(Action::Focus)
}

fn on_click(tree: Tree, event: &Event) {
    let target = target(event);
    // "Load more" and "Try again" under a list of children (or the roots).
    if let Some(status) = target.as_ref().and_then(|t| t.closest(".tree__status button").ok().flatten()) {
        let parent = status.parent_element().and_then(|status| status.get_attribute("data-parent"));
        Executor::spawn_local(tree.load_more(parent));
        return;
    }
    let Some(id) = row_of(event) else { return };
    let on_toggle = target.is_some_and(|target| target.matches(".tree__toggle").unwrap_or_default());
    if on_toggle {
        tree.toggle(&id);
        focus_row(tree, &id);
    } else {
        open(tree, &id);
    }
}

/// The row an event happened on (not in a rename input or a button within it).
fn row_of(event: &Event) -> Option<String> {
    let target = target(event)?;
    if target.closest("input, button").ok().flatten().is_some() {
        return None;
    }
    target.closest("[role=treeitem]").ok().flatten()?.get_attribute("data-id")
}

/// Opens the account's details, puts its id in the URL and gives its row the focus.
pub fn open(tree: Tree, id: &str) {
    tree.selected.set(Some(id.to_owned()));
    tree.api.0.navigate(&format!("/{id}"));
    focus_row(tree, id);
}

/// Moves the tab stop, and the browser's focus, to the row of `id`.
pub fn focus_row(tree: Tree, id: &str) {
    tree.focused.set(Some(id.to_owned()));
    let row_id = row_id(id);
    let focus = move || {
        let row = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&row_id));
        // A row is an `li`, an HTML element.
        row.map(|row| row.unchecked_into::<HtmlElement>().focus()).is_some()
    };
    // A row that was only just revealed appears with the next frame.
    if !focus() {
        dom::next_frame(move || {
            focus();
        });
    }
}
