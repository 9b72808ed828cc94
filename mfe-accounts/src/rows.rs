//! The tree's rows, built by hand rather than as Leptos views: a page of rows goes into the page as
//! one piece of markup, and each row has a single effect that patches it when its account, its
//! expansion or its loading changes. A node's thousand loaded children render at once when it is
//! expanded, and a reactive binding per attribute and text made that several times slower.

use maud::{Markup, html};
use reactive_graph::{effect::RenderEffect, prelude::*, signal::RwSignal};
use ui_kit::{
    dom::{Place, append, fill, insert, set, set_or_remove},
    money,
};
use web_sys::Element;

use crate::tree::{Children, Node, Tree};

/// The rows of `parent`'s children (or of the roots) in `list_element`, then a status item: loading,
/// an error, or a "load more" button, for as long as it is kept.
pub struct Branch {
    _effect: RenderEffect<()>,
}

impl Branch {
    pub fn start(tree: Tree, list_element: Element, parent: Option<String>, level: u32) -> Self {
        let list = tree.list(parent.as_deref());
        let parent_node = parent.as_deref().and_then(|id| tree.node(id));
        let status = append(&list_element, "li", "tree__status");
        set(&status, "role", "none");
        set(&status, "hidden", "");
        if let Some(parent) = &parent {
            // The tree's click handler loads more of this parent.
            set(&status, "data-parent", parent);
        }
        let mut rows: Vec<Row> = Vec::new();
        let mut shown_size = None;
        let mut shown_status = String::new();
        let effect = RenderEffect::new(move |_| {
            let ids = list.with(|c| c.ids.clone());
            // The whole set, loaded or not: the parent's child count.
            let size = match &parent_node {
                Some(node) => node.account.with(|account| account.child_count) as usize,
                None => ids.len(),
            };
            // Pages add rows at the end; anything else (a move, a deletion) builds the list afresh.
            let kept = rows.len() <= ids.len() && rows.iter().zip(&ids).all(|(row, id)| row.id == *id);
            if !kept {
                for row in rows.drain(..) {
                    row.element.remove();
                }
            }
            if shown_size.is_some_and(|shown| shown != size) {
                for row in &rows {
                    set(&row.element, "aria-setsize", &size.to_string());
                }
            }
            shown_size = Some(size);
            add_rows(tree, &status, &mut rows, &ids, level, size);
            let markup = list.with(|c| status_markup(c, size));
            if markup.0 != shown_status {
                status.set_class_name(if list.with(|c| c.error.is_some() && !c.loading) {
                    "tree__status tree__status--error"
                } else {
                    "tree__status"
                });
                set_or_remove(&status, "hidden", markup.0.is_empty().then_some(""));
                shown_status = markup.0.clone();
                fill(&status, markup);
            }
        });
        Self { _effect: effect }
    }
}

/// Puts the rows for `ids` beyond those already shown before `status`, as one piece of markup.
fn add_rows(tree: Tree, status: &Element, rows: &mut Vec<Row>, ids: &[String], level: u32, size: usize) {
    let new: Vec<(usize, &String, Node)> =
        ids.iter().enumerate().skip(rows.len()).filter_map(|(at, id)| Some((at, id, tree.node(id)?))).collect();
    if new.is_empty() {
        return;
    }
    let markup = html! { @for (at, id, node) in &new { (row_markup(tree, id, node, level, at + 1, size)) } };
    insert(status, Place::Before, markup);
    // The new rows are the elements just before the status item.
    let mut elements = Vec::with_capacity(new.len());
    let mut next = status.previous_element_sibling();
    while let (Some(element), true) = (next, elements.len() < new.len()) {
        next = element.previous_element_sibling();
        elements.push(element);
    }
    for ((_, id, node), element) in new.into_iter().zip(elements.into_iter().rev()) {
        rows.push(Row::start(tree, id.clone(), node, level, element));
    }
}

/// One row on the page, kept up to date by its effect; it opens its children's branch when expanded.
struct Row {
    id: String,
    element: Element,
    tree: Tree,
    _effect: RenderEffect<()>,
}

impl Row {
    fn start(tree: Tree, id: String, node: Node, level: u32, element: Element) -> Self {
        let mut group: Option<(Branch, Element)> = None;
        let (row, parent) = (element.clone(), id.clone());
        let effect = RenderEffect::new(move |built: Option<()>| {
            let expanded = node.expanded.get();
            match built {
                // The markup is already what the signals say: follow them from now on.
                None => {
                    node.account.track();
                    node.children.track();
                }
                Some(()) => patch(&row, &node),
            }
            match (expanded, &group) {
                (true, None) => {
                    let list_element = append(&row, "ul", "tree__group");
                    set(&list_element, "role", "group");
                    let branch = Branch::start(tree, list_element.clone(), Some(parent.clone()), level + 1);
                    group = Some((branch, list_element));
                }
                (false, Some(_)) => {
                    if let Some((_, list_element)) = group.take() {
                        list_element.remove();
                    }
                }
                _ => {}
            }
        });
        Self { id, element, tree, _effect: effect }
    }
}

impl Drop for Row {
    fn drop(&mut self) {
        // A row that goes while it is being renamed takes its input with it.
        if self.tree.renaming.try_with_untracked(|renaming| renaming.as_deref() == Some(&self.id)) == Some(true) {
            self.tree.renaming.try_set(None);
        }
    }
}

/// A row's line: toggle, name, number, balance and whether it is closed.
struct Line {
    toggle: &'static str,
    name: String,
    number: String,
    balance: String,
    closed: bool,
    expanded: Option<bool>,
    loading: bool,
}

impl Line {
    fn of(node: &Node) -> Self {
        let expanded = node.expanded.get();
        let loading = node.children.with(|c| c.loading);
        node.account.with(|account| {
            let expandable = account.child_count > 0;
            Self {
                toggle: match (expandable, expanded, loading) {
                    (false, ..) => "",
                    (true, _, true) => "◌",
                    (true, true, false) => "▾",
                    (true, false, false) => "▸",
                },
                name: account.name.clone(),
                number: account.number.clone(),
                balance: money::format_all(&account.rolled_up),
                closed: account.closed,
                expanded: expandable.then_some(expanded),
                loading,
            }
        })
    }

    fn markup(&self) -> Markup {
        html! {
            div class="tree__row" draggable="true" {
                span class="tree__toggle" aria-hidden="true" { (self.toggle) }
                span class="tree__name" { (self.name) }
                span class="tree__number" { (self.number) }
                span class="tree__balance" { (self.balance) }
                @if self.closed { (closed_badge()) }
            }
        }
    }
}

fn closed_badge() -> Markup {
    html! { span class="badge badge--muted" { "Closed" } }
}

fn row_markup(tree: Tree, id: &str, node: &Node, level: u32, position: usize, size: usize) -> Markup {
    let line = Line::of(node);
    let is = |signal: RwSignal<Option<String>>| signal.with_untracked(|s| s.as_deref() == Some(id));
    let yes_no = |yes: bool| if yes { "true" } else { "false" };
    html! {
        li role="treeitem" class="tree__item" style=(["--level: ", &level.to_string()].concat()) id=(row_id(id))
            data-id=(id) aria-level=(level.to_string()) aria-posinset=(position.to_string())
            aria-setsize=(size.to_string())
            aria-selected=(yes_no(is(tree.selected))) tabindex=(if is(tree.focused) { "0" } else { "-1" })
            aria-expanded=[line.expanded.map(yes_no)] aria-busy=[line.loading.then_some("true")] {
            (line.markup())
        }
    }
}

/// Brings a shown row in line with its account, expansion and loading; a rename input beside the
/// name stays where it is.
fn patch(row: &Element, node: &Node) {
    let line = Line::of(node);
    set_or_remove(row, "aria-expanded", line.expanded.map(|expanded| if expanded { "true" } else { "false" }));
    set_or_remove(row, "aria-busy", line.loading.then_some("true"));
    let Some(shown) = row.first_element_child() else { return };
    let texts = [
        (".tree__toggle", line.toggle),
        (".tree__name", line.name.as_str()),
        (".tree__number", line.number.as_str()),
        (".tree__balance", line.balance.as_str()),
    ];
    for (selector, text) in texts {
        if let Ok(Some(part)) = shown.query_selector(selector) {
            part.set_text_content(Some(text));
        }
    }
    match (line.closed, shown.query_selector(".badge").ok().flatten()) {
        (true, None) => {
            insert(&shown, Place::End, closed_badge());
        }
        (false, Some(badge)) => badge.remove(),
        _ => {}
    }
}

/// The status item's content: empty when there is nothing to say.
fn status_markup(children: &Children, size: usize) -> Markup {
    html! {
        @if children.loading {
            span class="spinner" aria-hidden="true" {} "Loading…"
        } @else if let Some(error) = &children.error {
            (error) " " button type="button" class="button button--quiet" { "Try again" }
        } @else if children.has_more() {
            button type="button" class="button button--quiet" data-testid="load-more" {
                "Load more (" (money::count(children.ids.len())) " of " (money::count(size)) " shown)"
            }
        }
    }
}

pub fn row_id(id: &str) -> String {
    ["account-", id].concat()
}
