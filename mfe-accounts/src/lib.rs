//! The accounts micro-frontend: `<mfe-accounts>`, the accounts tree of the organisation the person
//! works in (the session's tenant; another one mounts it afresh). Roots load first,
//! children when a node is expanded; accounts are edited in place or in the side panel, except by
//! viewers, who only read. It talks to the api only through the session the shell handed over, and
//! asks the shell to put the open account in the URL (`/accounts/<id>`), which brings deep links
//! back to it.

mod api;
mod drag;
mod edits;
mod keys;
mod panel;
mod rows;
mod tree;
mod tree_view;

use any_spawner::Executor;
use maud::{Markup, html};
use mfe_guest::Props;
use reactive_graph::{computed::Memo, prelude::*};
use ui_kit::dom::{self, Place, fill, find, follow, insert, listen, target};
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::{
    api::Api,
    panel::Panel,
    tree::{Tree, mark},
    tree_view::focus_row,
};

#[wasm_bindgen(start)]
pub fn start() {
    mfe_guest::define_page("accounts", app);
}

fn frame(writes: bool) -> Markup {
    html! {
        section class="mfe accounts" aria-labelledby="accounts-title" data-testid="mfe-accounts" {
            header class="mfe__header" {
                h1 id="accounts-title" { "Accounts" }
                @if writes {
                    button type="button" class="button" data-testid="new-root" data-action=(Action::NewRoot) { "New account" }
                }
            }
            div class="accounts__layout" {
                div class="accounts__tree" {}
                aside class="accounts__panel" aria-label="Account details" {}
            }
        }
    }
}

ui_kit::actions! {
    /// What a button does, named in its `data-action`: one listener on the section handles them all.
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub enum Action {
        NewRoot = "new-root",
        CreateFirst = "create-first",
        RetryRoots = "retry-roots",
        Reload = "reload",
        Dismiss = "dismiss",
        AddChild = "add-child",
        Move = "move",
        Delete = "delete",
        Cancel = "cancel",
        ConfirmDelete = "confirm-delete",
    }
}

/// The tree and its panel, mounted afresh in another organisation (see `mfe_guest`).
fn app(props: Props) {
    // No organisation yet (or a standalone harness): the api's default, in which the person writes.
    let writes = props.session.with_untracked(|session| {
        session.as_ref().and_then(|session| session.tenant.as_ref()).is_none_or(|tenant| tenant.role.writes())
    });
    let tree = Tree::new(Api(props), writes);
    let panel = Panel::new();
    let host = props.host();
    fill(&host, frame(writes));
    let part = |selector| find(&host, selector).expect("the frame has it");
    let (section, tree_area, aside) = (part("section"), part(".accounts__tree"), part("aside"));
    listen(&section, "click", move |event| {
        let button = target(&event).and_then(|target| target.closest("[data-action]").ok().flatten());
        if let Some((button, action)) = button.and_then(|button| Some((button.clone(), Action::of(&button)?))) {
            on_action(tree, panel, action, &button);
        }
    });
    tree_view::listen(tree, &tree_area);
    drag::listen(tree, &tree_area);
    follow_roots(tree, tree_area);
    follow_notice(tree, section);
    panel.start(tree, aside);
    // Signed in (again): start from the roots.
    follow(move |_| {
        if props.session.with(Option::is_some) && !tree.list(None).with_untracked(|roots| roots.loaded) {
            Executor::spawn_local(tree.load_more(None));
        }
    });
    follow(move |_| follow_path(tree, &props.path.get()));
}

fn on_action(tree: Tree, panel: Panel, action: Action, button: &Element) {
    match action {
        Action::NewRoot => {
            tree.selected.set(None);
            panel.new_root.set(true);
        }
        Action::CreateFirst => panel.new_root.set(true),
        Action::RetryRoots => Executor::spawn_local(tree.load_more(None)),
        Action::Reload => {
            if let Some(id) = tree.notice.with_untracked(|notice| notice.as_ref().and_then(|n| n.reload.clone())) {
                Executor::spawn_local(async move { edits::reload(tree, &id).await });
            }
        }
        Action::Dismiss => tree.notice.set(None),
        action => panel.act(tree, action, button),
    }
}

/// What the tree's area shows: the tree, or why it is not there yet.
#[derive(Clone, PartialEq)]
enum Roots {
    Refused(String),
    Loading,
    Empty,
    Shown,
}

/// Shows the tree, or loading, a refusal or no accounts at all, as the roots' state changes.
fn follow_roots(tree: Tree, area: Element) {
    let roots = tree.list(None);
    let state = Memo::new(move |_| {
        roots.with(|r| match (r.loaded, r.ids.is_empty(), &r.error) {
            (_, true, Some(error)) => Roots::Refused(error.clone()),
            (false, true, None) => Roots::Loading,
            (true, true, None) => Roots::Empty,
            _ => Roots::Shown,
        })
    });
    follow(move |_| match state.get() {
        Roots::Refused(error) => fill(
            &area,
            html! {
                div class="alert alert--error" role="alert" {
                    p { (error) }
                    button type="button" class="button" data-action=(Action::RetryRoots) { "Try again" }
                }
            },
        ),
        Roots::Loading => fill(
            &area,
            html! {
                p class="loading" role="status" { span class="spinner" aria-hidden="true" {} "Loading accounts…" }
            },
        ),
        Roots::Empty => fill(
            &area,
            html! {
                div class="accounts__empty" data-testid="accounts-empty" {
                    p { strong { "No accounts yet." } }
                    @if tree.writes {
                        p class="muted" { "Create the first one; accounts can hold others below them, as deep as you need." }
                        button type="button" class="button button--primary" data-action=(Action::CreateFirst) {
                            "Create the first account"
                        }
                    }
                }
            },
        ),
        Roots::Shown => {
            dom::next_frame(|| mark("ledgerline:accounts-rows-visible"));
            tree_view::start(tree, &area);
        }
    });
}

/// What went wrong with a change, and for a change someone else made meanwhile, a way to reload.
fn follow_notice(tree: Tree, section: Element) {
    follow(move |_| {
        if let Some(shown) = find(&section, "[data-testid=accounts-notice]") {
            shown.remove();
        }
        let Some(notice) = tree.notice.get() else { return };
        let markup = html! {
            div class="notice accounts__notice" role="alert" data-testid="accounts-notice" {
                span { (notice.text) }
                span class="actions" {
                    @if notice.reload.is_some() {
                        button type="button" class="button" data-testid="reload-account" data-action=(Action::Reload) {
                            "Reload it"
                        }
                    }
                    button type="button" class="button button--quiet" data-action=(Action::Dismiss) { "Dismiss" }
                }
            }
        };
        if let Some(layout) = find(&section, ".accounts__layout") {
            insert(&layout, Place::Before, markup);
        }
    });
}

/// The shell's sub-path `/<id>` opens the tree down to that account and selects it.
fn follow_path(tree: Tree, path: &str) {
    let id = path.trim_start_matches('/').split(['/', '?']).next().unwrap_or_default().to_owned();
    if id.is_empty() {
        tree.selected.set(None);
        return;
    }
    if tree.selected.get_untracked().as_deref() == Some(id.as_str()) {
        return;
    }
    if !is_account_id(&id) {
        tree.tell("The account in the address cannot be shown: there is no such account.", None);
        return;
    }
    Executor::spawn_local(async move {
        match tree.reveal(&id).await {
            Ok(()) => {
                tree.selected.set(Some(id.clone()));
                focus_row(tree, &id);
            }
            Err(problem) => tree.tell(format!("The account in the address cannot be shown: {}", problem.detail), None),
        }
    });
}

/// Account ids are UUIDs; anything else in the address is not worth asking the api about.
fn is_account_id(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(at, c)| if [8, 13, 18, 23].contains(&at) { c == '-' } else { c.is_ascii_hexdigit() })
}

#[cfg(test)]
mod tests {
    use mfe_contract::Session;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn only_uuids_are_account_ids() {
        assert!(super::is_account_id("d4c43427-1341-47c2-bb00-34703e0fb616"));
        assert!(!super::is_account_id("42"));
        assert!(!super::is_account_id("d4c43427x1341-47c2-bb00-34703e0fb616"));
    }

    #[wasm_bindgen_test]
    async fn without_a_way_to_call_the_api_it_says_so_and_offers_a_retry() {
        super::start(); // the test runner does not run start functions
        let session = Session { username: "grace".into(), ..Session::default() };
        let element = mfe_guest::testing::mount("accounts", Some(&session), "");
        let mut text = String::new();
        // The refusal comes back through a few turns of the event loop.
        for _ in 0..100 {
            any_spawner::Executor::tick().await;
            text = element.text_content().unwrap_or_default();
            if text.contains("Try again") {
                break;
            }
        }
        assert!(text.contains("Accounts") && text.contains("the shell gave no way to authenticate"), "{text}");
        assert!(!text.contains("grace"), "the shell's header shows who is signed in, not the micro-frontend");
        element.remove();
    }
}
