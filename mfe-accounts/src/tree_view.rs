//! The tree on the page, as the WAI-ARIA tree pattern: `role=tree` with nested `treeitem`s and
//! `group`s, one tab stop that moves with the focus, arrow keys, Home/End, Enter and type-ahead.
//! Keys, clicks and focus are handled once, on the tree, for every row.

use std::any::Any;

use leptos::{ev, html, prelude::*, reactive::effect::RenderEffect};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

use crate::{
    edits,
    keys::{self, Action},
    money,
    tree::{Node, Tree},
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
        <ul role="tree" aria-label="Accounts" class="tree" data-testid="accounts-tree"
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
            {branch(tree, None, 1)}
        </ul>
    }
}

/// The children of `parent` (or the roots), then their loading state or a "load more" button.
fn branch(tree: Tree, parent: Option<String>, level: u32) -> AnyView {
    let list = tree.list(parent.as_deref());
    let parent_node = parent.as_deref().and_then(|id| tree.node(id));
    let listed = list.clone();
    // The whole set, loaded or not: the parent's child count.
    let set_size = Signal::derive(move || match &parent_node {
        Some(node) => node.account.with(|account| account.child_count) as usize,
        None => listed.with(|c| c.ids.len()),
    });
    let each = list.clone();
    view! {
        <For
            each=move || each.with(|c| c.ids.iter().cloned().enumerate().collect::<Vec<_>>())
            key=|entry| entry.clone()
            children=move |(index, id)| tree_item(tree, id, level, index + 1, set_size)
        />
        {move || {
            let (loading, error, more) = list.with(|c| (c.loading, c.error.clone(), c.has_more()));
            let parent = parent.clone();
            let load_more = move |_| leptos::task::spawn_local(tree.load_more(parent.clone()));
            if loading {
                view! { <li role="none" class="tree__status"><span class="spinner" aria-hidden="true"></span>"Loading…"</li> }.into_any()
            } else if let Some(error) = error {
                view! {
                    <li role="none" class="tree__status tree__status--error">
                        {error} <button type="button" class="button button--quiet" on:click=load_more>"Try again"</button>
                    </li>
                }.into_any()
            } else if more {
                let shown = list.with_untracked(|c| c.ids.len());
                view! {
                    <li role="none" class="tree__status">
                        <button type="button" class="button button--quiet" data-testid="load-more" on:click=load_more>
                            {format!("Load more ({shown} of {} shown)", set_size.get_untracked())}
                        </button>
                    </li>
                }.into_any()
            } else {
                ().into_any()
            }
        }}
    }
    .into_any()
}

fn tree_item(tree: Tree, id: String, level: u32, position: usize, set_size: Signal<usize>) -> AnyView {
    let Some(node) = tree.node(&id) else { return ().into_any() };
    let expanded = node.expanded.clone();
    let item = Item { tree, id: id.clone(), level, position, set_size, node };
    let group = move || {
        expanded
            .get()
            .then(|| view! { <ul role="group" class="tree__group">{branch(tree, Some(id.clone()), level + 1)}</ul> })
    };
    view! { <li use:build_row=item>{group}</li> }.into_any()
}

/// What a row shows: its account, where it sits, and the size of its set.
#[derive(Clone)]
struct Item {
    tree: Tree,
    id: String,
    level: u32,
    position: usize,
    set_size: Signal<usize>,
    node: Node,
}

/// Builds a row's attributes and line by hand, with one effect that keeps them up to date: a node's
/// thousand children render at once, and one effect per row costs far less than a reactive
/// binding per attribute and text. Focus, selection and renaming are the tree's to follow.
fn build_row(item: Element, Item { tree, id, level, position, set_size, node }: Item) {
    let level = level.to_string();
    let is = |signal: RwSignal<Option<String>>| {
        if signal.with_untracked(|s| s.as_deref() == Some(&id)) { "true" } else { "false" }
    };
    let tabindex = if is(tree.focused) == "true" { "0" } else { "-1" };
    let style = ["--level: ", &level].concat();
    for (name, value) in [
        ("role", "treeitem"),
        ("class", "tree__item"),
        ("id", &row_id(&id)),
        ("data-id", &id),
        ("aria-level", &level),
        ("aria-posinset", &position.to_string()),
        ("style", &style),
        ("tabindex", tabindex),
        ("aria-selected", is(tree.selected)),
    ] {
        set(&item, name, value);
    }
    let line = append(&item, "div", "tree__row");
    let effect = RenderEffect::new(move |built: Option<()>| {
        let (shown, expandable) = node.account.with(|account| {
            let shown = Line {
                toggle: "",
                name: account.name.clone(),
                number: account.number.clone(),
                balance: money::format_all(&account.rolled_up),
                closed: account.closed,
            };
            (shown, account.child_count > 0)
        });
        let (expanded, loading) = (node.expanded.get(), node.children.with(|c| c.loading));
        let toggle = match (expandable, expanded, loading) {
            (false, ..) => "",
            (true, _, true) => "◌",
            (true, true, false) => "▾",
            (true, false, false) => "▸",
        };
        let shown = Line { toggle, ..shown };
        match built {
            None => line.set_inner_html(&shown.html()),
            Some(()) => shown.patch(&line),
        }
        set_or_remove(&item, "aria-expanded", expandable.then_some(if expanded { "true" } else { "false" }));
        set_or_remove(&item, "aria-busy", loading.then_some("true"));
        set(&item, "aria-setsize", &set_size.get().to_string());
    });
    on_cleanup(move || {
        drop(effect);
        // A row that goes while it is being renamed takes its input with it.
        if tree.renaming.try_with_untracked(|renaming| renaming.as_deref() == Some(&id)) == Some(true) {
            tree.renaming.try_set(None);
        }
    });
}

/// A row's line: toggle, name, number, balance and whether it is closed.
struct Line {
    toggle: &'static str,
    name: String,
    number: String,
    balance: String,
    closed: bool,
}

impl Line {
    /// The whole line as markup, for its first showing: one call into the page for the row.
    fn html(&self) -> String {
        let mut html = String::with_capacity(200);
        html.push_str(r#"<span class="tree__toggle" aria-hidden="true">"#);
        html.push_str(self.toggle);
        for (class, text) in
            [("tree__name", &self.name), ("tree__number", &self.number), ("tree__balance", &self.balance)]
        {
            html.push_str(r#"</span><span class=""#);
            html.push_str(class);
            html.push_str(r#"">"#);
            push_escaped(&mut html, text);
        }
        html.push_str("</span>");
        if self.closed {
            html.push_str(CLOSED);
        }
        html
    }

    /// Changes the line in place: a rename input beside the name stays where it is.
    fn patch(&self, line: &Element) {
        let texts = [
            (".tree__toggle", self.toggle),
            (".tree__name", self.name.as_str()),
            (".tree__number", self.number.as_str()),
            (".tree__balance", self.balance.as_str()),
        ];
        for (selector, text) in texts {
            if let Ok(Some(part)) = line.query_selector(selector) {
                part.set_text_content(Some(text));
            }
        }
        match (self.closed, line.query_selector(".badge").ok().flatten()) {
            (true, None) => {
                let _ = line.insert_adjacent_html("beforeend", CLOSED);
            }
            (false, Some(badge)) => badge.remove(),
            _ => {}
        }
    }
}

const CLOSED: &str = r#"<span class="badge badge--muted">Closed</span>"#;

/// `text` as HTML text.
fn push_escaped(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            c => html.push(c),
        }
    }
}

fn set(element: &Element, name: &str, value: &str) {
    // Setting an attribute with a valid name cannot fail.
    let _ = element.set_attribute(name, value);
}

fn set_or_remove(element: &Element, name: &str, value: Option<&str>) {
    match value {
        Some(value) => set(element, name, value),
        None => {
            let _ = element.remove_attribute(name);
        }
    }
}

/// A new `tag` with `class`, appended to `parent`.
fn append(parent: &Element, tag: &str, class: &str) -> Element {
    let document = parent.owner_document().expect("an element has a document");
    let child = document.create_element(tag).expect("a valid tag");
    child.set_class_name(class);
    let _ = parent.append_child(&child);
    child
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
    let Some(id) = row_of(event) else { return };
    let on_toggle = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|target| target.class_list().contains("tree__toggle"));
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

fn row_id(id: &str) -> String {
    format!("account-{id}")
}
