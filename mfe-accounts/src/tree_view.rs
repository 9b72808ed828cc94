//! The tree on the page, as the WAI-ARIA tree pattern: `role=tree` with nested `treeitem`s and
//! `group`s, one tab stop that moves with the focus, arrow keys, Home/End, Enter and type-ahead.
//! Keys, clicks and focus are handled once, on the tree, for every row.

use leptos::{ev, html, prelude::*, reactive::computed::Selector, tachys::html::attribute::custom::custom_attribute};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

use crate::{
    edits,
    keys::{self, Action},
    money,
    tree::Tree,
};

/// What every row reads: the tree and which rows are focused, selected or being renamed, each a
/// selector so that a change re-renders the two rows concerned, not all of them.
#[derive(Clone)]
struct Rows {
    tree: Tree,
    focused: Selector<Option<String>>,
    selected: Selector<Option<String>>,
    renaming: Selector<Option<String>>,
}

#[component]
pub fn AccountsTree(tree: Tree) -> impl IntoView {
    let rows = Rows {
        tree,
        focused: Selector::new(move || tree.focused.get()),
        selected: Selector::new(move || tree.selected.get()),
        renaming: Selector::new(move || tree.renaming.get()),
    };
    // The first row holds the tab stop until the person moves it.
    Effect::new(move |_| {
        if tree.focused.with_untracked(Option::is_none) {
            tree.focused.set(tree.list(None).with(|roots| roots.ids.first().cloned()));
        }
    });
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
            {branch(rows, None, 1)}
        </ul>
    }
}

/// The children of `parent` (or the roots), then their loading state or a "load more" button.
fn branch(rows: Rows, parent: Option<String>, level: u32) -> AnyView {
    let list = rows.tree.list(parent.as_deref());
    let tree = rows.tree;
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
            children=move |(index, id)| tree_item(rows.clone(), id, level, index + 1, set_size)
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

fn tree_item(rows: Rows, id: String, level: u32, position: usize, set_size: Signal<usize>) -> AnyView {
    let Some(node) = rows.tree.node(&id) else { return ().into_any() };
    let key = Some(id.clone());
    let (account, children, expanded) = (node.account, node.children, node.expanded);
    let expandable = {
        let account = account.clone();
        move || account.with(|a| a.child_count > 0)
    };
    let aria_expanded = {
        let (expandable, expanded) = (expandable.clone(), expanded.clone());
        move || expandable().then(|| expanded.get().to_string())
    };
    let toggle = {
        let (children, expanded) = (children.clone(), expanded.clone());
        move || match (expandable(), expanded.get(), children.with(|c| c.loading)) {
            (false, ..) => "",
            (true, _, true) => "◌",
            (true, true, false) => "▾",
            (true, false, false) => "▸",
        }
    };
    let name = {
        let (rows, account, key, id) = (rows.clone(), account.clone(), key.clone(), id.clone());
        move || match rows.renaming.selected(&key) {
            true => rename_input(rows.tree, id.clone(), account.with_untracked(|a| a.name.clone())).into_any(),
            false => view! { <span class="tree__name">{account.with(|a| a.name.clone())}</span> }.into_any(),
        }
    };
    let (number, balance, closed) = {
        let (a, b, c) = (account.clone(), account.clone(), account);
        (
            move || a.with(|a| a.number.clone()),
            move || b.with(|a| money::format_all(&a.rolled_up)),
            move || c.with(|a| a.closed).then(|| view! { <span class="badge badge--muted">"Closed"</span> }),
        )
    };
    let group = {
        let (rows, id) = (rows.clone(), id.clone());
        move || {
            expanded.get().then(|| view! { <ul role="group" class="tree__group">{branch(rows.clone(), Some(id.clone()), level + 1)}</ul> })
        }
    };
    let (focused, selected) = (rows.focused, rows.selected);
    let (focus_key, selected_key) = (key.clone(), key);
    view! {
        <li role="treeitem" {..custom_attribute("aria-level", level.to_string())} class="tree__item" style=format!("--level: {level}") id=row_id(&id) data-id=id aria-posinset=position
            aria-setsize=move || set_size.get() aria-expanded=aria_expanded
            aria-selected=move || selected.selected(&selected_key).to_string()
            aria-busy=move || children.with(|c| c.loading).then_some("true")
            tabindex=move || if focused.selected(&focus_key) { "0" } else { "-1" }>
            <div class="tree__row">
                <span class="tree__toggle" aria-hidden="true">{toggle}</span>
                {name}
                <span class="tree__number">{number}</span>
                <span class="tree__balance">{balance}</span>
                {closed}
            </div>
            {group}
        </li>
    }
    .into_any()
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
