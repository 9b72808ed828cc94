//! The accounts tree as the browser holds it: every account loaded so far, each with its own
//! signals (so a change re-renders one row, not the tree), and the loaded children of each node.
//! Roots load first; a node's children load, a page at a time, when it is first expanded, and stay
//! when it is collapsed.

use std::collections::HashMap;

use any_spawner::Executor;
use reactive_graph::{
    owner::StoredValue,
    prelude::*,
    signal::{ArcRwSignal, RwSignal},
};

use crate::{
    api::{Account, Api, Problem},
    keys::Row,
};

/// A list of children (or the roots) as far as it has loaded.
#[derive(Clone, Default)]
pub struct Children {
    pub ids: Vec<String>,
    /// Where the next page starts; `None` once everything is here.
    pub next_cursor: Option<String>,
    /// Whether the first page has arrived.
    pub loaded: bool,
    pub loading: bool,
    pub error: Option<String>,
}

impl Children {
    pub fn has_more(&self) -> bool {
        self.next_cursor.is_some()
    }
}

#[derive(Clone)]
pub struct Node {
    pub account: ArcRwSignal<Account>,
    pub children: ArcRwSignal<Children>,
    pub expanded: ArcRwSignal<bool>,
}

/// What to tell the person after a refused change; `reload` names the account someone else changed.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub text: String,
    pub reload: Option<String>,
}

#[derive(Clone, Copy)]
pub struct Tree {
    pub api: Api,
    /// Whether the person may change the accounts (a viewer only reads them).
    pub writes: bool,
    nodes: StoredValue<HashMap<String, Node>>,
    roots: StoredValue<ArcRwSignal<Children>>,
    /// The row with the tree's one tab stop.
    pub focused: RwSignal<Option<String>>,
    /// The account whose details are open (and whose id is in the URL).
    pub selected: RwSignal<Option<String>>,
    /// The row being renamed in place.
    pub renaming: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<Notice>>,
}

impl Tree {
    pub fn new(api: Api, writes: bool) -> Self {
        Self {
            api,
            writes,
            nodes: StoredValue::new(HashMap::new()),
            roots: StoredValue::new(ArcRwSignal::new(Children::default())),
            focused: RwSignal::new(None),
            selected: RwSignal::new(None),
            renaming: RwSignal::new(None),
            notice: RwSignal::new(None),
        }
    }

    /// `None` also once the micro-frontend unmounted: an api call that answers after that (the shell
    /// remounts it when the session's organisation arrives) finds nothing to update.
    pub fn node(&self, id: &str) -> Option<Node> {
        self.nodes.try_with_value(|nodes| nodes.get(id).cloned()).flatten()
    }

    pub fn account(&self, id: &str) -> Option<Account> {
        self.node(id).and_then(|node| node.account.try_get_untracked())
    }

    /// The children of `parent`, or the roots. Once the tree is gone (an answer that arrives after
    /// the micro-frontend left the page), a list of its own that nothing shows.
    pub fn list(&self, parent: Option<&str>) -> ArcRwSignal<Children> {
        match parent.and_then(|id| self.node(id)) {
            Some(node) => node.children,
            None => self.roots.try_get_value().unwrap_or_default(),
        }
    }

    /// Takes in an account as the api sent it, keeping what was loaded below it.
    pub fn remember(&self, account: Account) -> String {
        let id = account.id.clone();
        match self.node(&id) {
            Some(node) => node.account.set(account),
            None => {
                let node = Node {
                    account: ArcRwSignal::new(account),
                    children: ArcRwSignal::new(Children::default()),
                    expanded: ArcRwSignal::new(false),
                };
                self.nodes.update_value(|nodes| {
                    nodes.insert(id.clone(), node);
                });
            }
        }
        id
    }

    /// Loads the next page of `parent`'s children (or of the roots), unless a load is under way.
    pub async fn load_more(self, parent: Option<String>) {
        let list = self.list(parent.as_deref());
        let Some(cursor) = list
            .try_update(|c| {
                (!c.loading).then(|| {
                    c.loading = true;
                    c.error = None;
                    c.next_cursor.clone()
                })
            })
            .flatten()
        else {
            return;
        };
        let page = match &parent {
            Some(id) => self.api.children(id, cursor.as_deref()).await,
            None => self.api.roots(cursor.as_deref()).await,
        };
        mark("ledgerline:accounts-page-arrived");
        match page {
            Ok(page) => {
                let ids: Vec<String> = page.items.into_iter().map(|account| self.remember(account)).collect();
                list.update(|c| {
                    let known: std::collections::HashSet<String> = c.ids.iter().cloned().collect();
                    c.ids.extend(ids.into_iter().filter(|id| !known.contains(id)));
                    c.next_cursor = page.next_cursor;
                    c.loaded = true;
                    c.loading = false;
                });
            }
            Err(problem) => list.update(|c| {
                c.loading = false;
                c.error = Some(problem.detail);
            }),
        }
    }

    pub fn expand(self, id: &str) {
        if let Some(node) = self.node(id) {
            node.expanded.set(true);
            if !node.children.with_untracked(|c| c.loaded) {
                Executor::spawn_local(self.load_more(Some(id.to_owned())));
            }
        }
    }

    pub fn collapse(self, id: &str) {
        if let Some(node) = self.node(id) {
            node.expanded.set(false);
        }
    }

    pub fn toggle(self, id: &str) {
        match self.node(id).map(|node| node.expanded.get_untracked()) {
            Some(true) => self.collapse(id),
            Some(false) => self.expand(id),
            None => {}
        }
    }

    /// The rows a person sees, top to bottom: the roots and, below each expanded node, its children.
    pub fn rows(self) -> Vec<Row> {
        let mut rows = Vec::new();
        self.push_rows(None, 1, false, &mut rows);
        rows
    }

    /// Every account loaded so far, in tree order, expanded or not.
    pub fn all_rows(self) -> Vec<Row> {
        let mut rows = Vec::new();
        self.push_rows(None, 1, true, &mut rows);
        rows
    }

    fn push_rows(self, parent: Option<&str>, level: u32, all: bool, rows: &mut Vec<Row>) {
        for id in self.list(parent).get_untracked().ids {
            let Some(node) = self.node(&id) else { continue };
            let account = node.account.get_untracked();
            let expanded = node.expanded.get_untracked();
            rows.push(Row { id: id.clone(), level, expanded, expandable: account.child_count > 0, name: account.name });
            if expanded || all {
                self.push_rows(Some(&id), level + 1, all, rows);
            }
        }
    }

    /// Opens the tree down to `id` (a deep link), loading each level on the way.
    pub async fn reveal(self, id: &str) -> Result<(), Problem> {
        let mut path = Vec::new();
        let mut next = Some(id.to_owned());
        while let Some(id) = next {
            let account = self.api.get(&id).await?;
            next = account.parent_id.clone();
            path.push(account);
        }
        if !self.list(None).with_untracked(|c| c.loaded) {
            self.load_more(None).await;
        }
        // From the root down: each account joins its parent's list even if its page has not loaded.
        while let Some(account) = path.pop() {
            let parent = account.parent_id.clone();
            let id = self.remember(account);
            self.list(parent.as_deref()).update(|c| {
                if !c.ids.contains(&id) {
                    c.ids.push(id.clone());
                }
            });
            if let (false, Some(node)) = (path.is_empty(), self.node(&id)) {
                node.expanded.set(true);
                if !node.children.with_untracked(|c| c.loaded) {
                    self.load_more(Some(id)).await;
                }
            }
        }
        Ok(())
    }

    /// Refreshes `id` and the accounts above it, whose rolled-up balances a change below altered.
    pub async fn refresh_upwards(self, id: Option<String>) {
        let mut next = id;
        while let Some(id) = next {
            match self.api.get(&id).await {
                Ok(account) => {
                    next = account.parent_id.clone();
                    self.remember(account);
                }
                Err(_) => return,
            }
        }
    }

    /// Adds `id` to `parent`'s list (or removes it) and keeps the parent's child count in step. A
    /// list that has not loaded yet gets it from the api when it does.
    pub fn attach(self, id: &str, parent: Option<&str>, attached: bool) {
        self.list(parent).update(|c| {
            c.ids.retain(|other| other != id);
            if attached && (c.loaded || parent.is_none()) {
                c.ids.push(id.to_owned());
            }
        });
        if let Some(node) = parent.and_then(|parent| self.node(parent)) {
            node.account.update(|account| {
                account.child_count =
                    if attached { account.child_count + 1 } else { account.child_count.saturating_sub(1) };
            });
        }
    }

    /// Whether `id` is `ancestor` or lies below it, as far as the tree has loaded.
    pub fn is_within(self, id: &str, ancestor: &str) -> bool {
        let mut next = Some(id.to_owned());
        while let Some(id) = next {
            if id == ancestor {
                return true;
            }
            next = self.account(&id).and_then(|account| account.parent_id);
        }
        false
    }

    pub fn tell(self, text: impl Into<String>, reload: Option<String>) {
        self.notice.set(Some(Notice { text: text.into(), reload }));
    }
}

/// A performance mark the committed measurement reads (`tests/tests/performance.rs`).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
