//! The tree on the page, as the WAI-ARIA tree pattern: `role=tree` with nested `treeitem`s and
//! `group`s, one tab stop that moves with the focus, arrow keys, Home/End, Enter and type-ahead.
//! Keys, clicks and focus are handled once, on the tree, for every row.

use std::any::Any;

use leptos::{ev, html, prelude::*};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

use crate::{
    edits,
    keys::{self, Action},
    rows::{Branch, row_id, set},
    tree::Tree,
};

#[component]
pub fn AccountsTree(tree: Tree) -> impl IntoView {
    // The first row holds the tab stop until the person moves it.
    Effect::new(move |_| {
        if tree.focused.with_untracked(Option::is_none) {
            tree.focused.set(tree.list(None).with(|roots| roots.ids.first().cloned()));
        }
    });
    follow_focus_and_selection(tree);
    follow_renaming(tree);
    let typed = StoredValue::new((String::new(), 0.0));
    view! {
        <ul role="tree" aria-label="Accounts" class="tree" data-testid="accounts-tree" use:roots=tree
            on:keydown=move |event| on_key(tree, &event, typed)
            on:click=move |event| on_click(tree, &event)
            on:dblclick=move |event| {
                if let Some(id) = row_of(&event) {
                    tree.renaming.set(Some(id));
                }
            }
            on:focusin=move |event| {
                let id = event.target().and_then(|t| t.dyn_into::<Element>().ok()).and_then(|e| e.get_attribute("data-id"));
                if id.is_some() && tree.focused.get_untracked() != id {
                    tree.focused.set(id);
                }
            }>
        </ul>
    }
}

/// Starts the roots' branch in the tree's list, for as long as the tree is shown. The tree's view
/// is rebuilt in place when the roots change, and this runs again on the same list.
fn roots(list: Element, tree: Tree) {
    list.set_inner_html("");
    StoredValue::new_local(Branch::start(tree, list, None, 1));
}

/// Gives the focused row the tree's one tab stop and marks the selected row, as they change.
fn follow_focus_and_selection(tree: Tree) {
    for (signal, attribute, on, off) in
        [(tree.focused, "tabindex", "0", "-1"), (tree.selected, "aria-selected", "true", "false")]
    {
        Effect::new(move |previous: Option<Option<String>>| {
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
    let editing = StoredValue::new_local(None::<(Box<dyn Any>, Element, Element)>);
    Effect::new(move |_| {
        let renaming = tree.renaming.get();
        if let Some((input, slot, name)) = editing.write_value().take() {
            drop(input);
            slot.remove();
            let _ = name.remove_attribute("hidden");
        }
        let Some(id) = renaming else { return };
        let Some(name) =
            row_element(&id).and_then(|row| row.query_selector(":scope > .tree__row > .tree__name").ok().flatten())
        else {
            return;
        };
        let Ok(slot) = name.owner_document().expect("an element has a document").create_element("span") else { return };
        let _ = name.before_with_node_1(&slot);
        set(&name, "hidden", "");
        let text = tree.account(&id).map(|account| account.name).unwrap_or_default();
        let input = leptos::mount::mount_to(slot.clone().unchecked_into(), move || rename_input(tree, id, text));
        editing.set_value(Some((Box::new(input), slot, name)));
    });
}

fn row_element(id: &str) -> Option<Element> {
    web_sys::window()?.document()?.get_element_by_id(&row_id(id))
}

/// The name as an input: Enter saves, Escape gives up; the api's objection shows under it.
fn rename_input(tree: Tree, id: String, name: String) -> impl IntoView {
    let input = NodeRef::<html::Input>::new();
    let error = RwSignal::new(None::<String>);
    input.on_load(|input| {
        let _ = input.focus();
        input.select();
    });
    let on_key = move |event: KeyboardEvent| {
        // The tree's own keys must not act while the person types a name.
        event.stop_propagation();
        match event.key().as_str() {
            "Escape" => finish_renaming(tree, &id),
            "Enter" => {
                let (id, name) = (id.clone(), input.get().map(|i| i.value()).unwrap_or_default());
                leptos::task::spawn_local(async move {
                    match edits::rename(tree, &id, name).await {
                        Ok(()) => finish_renaming(tree, &id),
                        Err(message) => error.set(Some(message)),
                    }
                });
            }
            _ => {}
        }
    };
    view! {
        <span class="tree__rename">
            <input node_ref=input value=name aria-label="Name" aria-describedby="rename-error"
                aria-invalid=move || error.with(Option::is_some).to_string()
                on:keydown=on_key on:click=|event| event.stop_propagation()/>
            <span class="field__error" id="rename-error" role="alert">{move || error.get()}</span>
        </span>
    }
}

fn finish_renaming(tree: Tree, id: &str) {
    tree.renaming.set(None);
    focus_row(tree, id);
}

fn on_key(tree: Tree, event: &KeyboardEvent, typed: StoredValue<(String, f64)>) {
    let Some(id) = row_of(event) else { return };
    let key = event.key();
    if key == "F2" {
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

fn on_click(tree: Tree, event: &ev::MouseEvent) {
    let target = event.target().and_then(|t| t.dyn_into::<Element>().ok());
    // "Load more" and "Try again" under a list of children (or the roots).
    if let Some(status) = target.as_ref().and_then(|t| t.closest(".tree__status button").ok().flatten()) {
        let parent = status.parent_element().and_then(|status| status.get_attribute("data-parent"));
        leptos::task::spawn_local(tree.load_more(parent));
        return;
    }
    let Some(id) = row_of(event) else { return };
    let on_toggle = target.is_some_and(|target| target.class_list().contains("tree__toggle"));
    if on_toggle {
        tree.toggle(&id);
        focus_row(tree, &id);
    } else {
        open(tree, &id);
    }
}

/// The row an event happened on (not in a rename input or a button within it).
fn row_of(event: &web_sys::Event) -> Option<String> {
    let target: Element = event.target()?.dyn_into().ok()?;
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
        row.and_then(|row| row.dyn_into::<HtmlElement>().ok()).map(|row| row.focus()).is_some()
    };
    // A row that was only just revealed appears with the next frame.
    if !focus() {
        request_animation_frame(move || {
            focus();
        });
    }
}
