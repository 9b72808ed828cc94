//! Changes to the tree. Each shows at once and is undone, with a message, when the api refuses it;
//! a change to an account someone else changed meanwhile (412) offers to reload that account.

use reactive_graph::prelude::*;

use crate::{
    api::{Changes, Descendants, Problem},
    tree::Tree,
    tree_view::focus_row,
};

/// Saves name, number and status; the api's problem comes back for the form to show by its fields.
pub async fn save(tree: Tree, id: &str, changes: Changes) -> Result<(), Problem> {
    let (Some(node), Some(before)) = (tree.node(id), tree.account(id)) else { return Ok(()) };
    if before.changes() == changes {
        return Ok(());
    }
    node.account.set(before.with(&changes));
    match tree.api.update(&before, &changes).await {
        Ok(account) => {
            tree.remember(account);
            Ok(())
        }
        Err(problem) => {
            node.account.set(before.clone());
            if problem.is_stale() {
                let text = format!("Someone else changed “{}” meanwhile, so your change was undone.", before.name);
                tree.tell(text, Some(id.to_owned()));
            }
            Err(problem)
        }
    }
}

/// Renames in place; the api's objection to the name, in words.
pub async fn rename(tree: Tree, id: &str, name: String) -> Result<(), String> {
    let Some(account) = tree.account(id) else { return Ok(()) };
    let changes = Changes { name, ..account.changes() };
    save(tree, id, changes).await.map_err(|problem| problem.field("name").unwrap_or(problem.detail))
}

/// Reads the account again, e.g. after someone else changed it.
pub async fn reload(tree: Tree, id: &str) {
    match tree.api.get(id).await {
        Ok(account) => {
            tree.remember(account);
            tree.notice.set(None);
        }
        Err(problem) => tree.tell(problem.detail, None),
    }
}

/// Creates an account under `parent` (or a root) and opens it.
pub async fn create(
    tree: Tree,
    parent: Option<String>,
    name: &str,
    number: &str,
    currency: &str,
) -> Result<String, Problem> {
    let account = tree.api.create(parent.as_deref(), name, number, currency).await?;
    let id = tree.remember(account);
    tree.attach(&id, parent.as_deref(), true);
    if let Some(parent) = &parent {
        tree.expand(parent);
    }
    crate::tree_view::open(tree, &id);
    Ok(id)
}

/// Moves `id` with its subtree under `to` (or to the roots).
pub async fn move_to(tree: Tree, id: &str, to: Option<String>) {
    let Some(account) = tree.account(id) else { return };
    let from = account.parent_id.clone();
    if from == to {
        return;
    }
    tree.attach(id, from.as_deref(), false);
    tree.attach(id, to.as_deref(), true);
    match tree.api.move_to(id, to.as_deref()).await {
        Ok(moved) => {
            tree.remember(moved);
            if let Some(to) = &to {
                tree.expand(to);
            }
            focus_row(tree, id);
            // The subtree's balances left one branch and joined another.
            tree.refresh_upwards(from).await;
            tree.refresh_upwards(to).await;
        }
        Err(problem) => {
            tree.attach(id, to.as_deref(), false);
            tree.attach(id, from.as_deref(), true);
            tree.tell(format!("“{}” was not moved: {}", account.name, problem.detail), None);
        }
    }
}

/// How many accounts lie below `id`, for the confirmation; a leaf needs no request.
pub async fn descendants(tree: Tree, id: &str) -> Result<Descendants, Problem> {
    if tree.account(id).is_none_or(|account| account.child_count == 0) {
        return Ok(Descendants::default());
    }
    tree.api.descendants(id).await
}

/// Deletes `id`, once the person confirmed it, with the `subtree` below it if they were asked about
/// one: deleted alone, children added meanwhile make the api refuse rather than go unconfirmed.
pub async fn delete(tree: Tree, id: &str, subtree: bool) {
    let Some(account) = tree.account(id) else { return };
    let parent = account.parent_id.clone();
    tree.attach(id, parent.as_deref(), false);
    match tree.api.delete(id, subtree).await {
        Ok(()) => forget(tree, parent).await,
        Err(problem) => {
            tree.attach(id, parent.as_deref(), true);
            tree.tell(format!("“{}” was not deleted: {}", account.name, problem.detail), None);
        }
    }
}

/// An account under `parent` is gone: close it and give the focus to its parent (or the first root).
async fn forget(tree: Tree, parent: Option<String>) {
    tree.selected.set(None);
    tree.api.0.navigate("");
    let next = parent.clone().or_else(|| tree.list(None).with_untracked(|roots| roots.ids.first().cloned()));
    if let Some(next) = next {
        focus_row(tree, &next);
    }
    tree.refresh_upwards(parent).await;
}
