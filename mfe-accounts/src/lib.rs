//! The accounts micro-frontend: `<mfe-accounts>`, the accounts tree. Roots load first, children
//! when a node is expanded; accounts are edited in place or in the side panel. It talks to the api
//! only through the session the shell handed over, and asks the shell to put the open account in
//! the URL (`/accounts/<id>`), which brings deep links back to it.

mod api;
mod edits;
mod keys;
mod money;
mod panel;
mod rows;
mod tree;
mod tree_view;

use leptos::{prelude::*, task::spawn_local};
use mfe_guest::Props;
use wasm_bindgen::prelude::*;

use crate::{
    api::Api,
    panel::Panel,
    tree::{Tree, mark},
    tree_view::{AccountsTree, focus_row},
};

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    mfe_guest::define("accounts", app);
}

fn app(props: Props) -> impl IntoView {
    let tree = Tree::new(Api(props));
    let new_root = RwSignal::new(false);
    // Signed in (again): start from the roots.
    Effect::new(move |_| {
        if props.session.with(Option::is_some) && !tree.list(None).with_untracked(|roots| roots.loaded) {
            spawn_local(tree.load_more(None));
        }
    });
    Effect::new(move |_| follow_path(tree, &props.path.get()));
    view! {
        <section class="mfe accounts" aria-labelledby="accounts-title" data-testid="mfe-accounts">
            <header class="mfe__header">
                <h1 id="accounts-title">"Accounts"</h1>
                <button type="button" class="button" data-testid="new-root" on:click=move |_| {
                    tree.selected.set(None);
                    new_root.set(true);
                }>"New account"</button>
            </header>
            <NoticeBar tree/>
            <div class="accounts__layout">
                <div class="accounts__tree">
                    <Roots tree new_root/>
                </div>
                <aside class="accounts__panel" aria-label="Account details">
                    <Panel tree new_root/>
                </aside>
            </div>
        </section>
    }
}

/// The tree, or why it is not there yet: loading, refused, or no accounts at all.
#[component]
fn Roots(tree: Tree, new_root: RwSignal<bool>) -> impl IntoView {
    let roots = tree.list(None);
    move || {
        let (loaded, empty, error) = roots.with(|r| (r.loaded, r.ids.is_empty(), r.error.clone()));
        match (loaded, empty, error) {
            (_, true, Some(error)) => view! {
                <div class="alert alert--error" role="alert">
                    <p>{error}</p>
                    <button type="button" class="button" on:click=move |_| spawn_local(tree.load_more(None))>"Try again"</button>
                </div>
            }
            .into_any(),
            (false, true, None) => view! {
                <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Loading accounts…"</p>
            }
            .into_any(),
            (true, true, None) => view! {
                <div class="accounts__empty" data-testid="accounts-empty">
                    <p><strong>"No accounts yet."</strong></p>
                    <p class="muted">"Create the first one; accounts can hold others below them, as deep as you need."</p>
                    <button type="button" class="button button--primary" on:click=move |_| new_root.set(true)>
                        "Create the first account"
                    </button>
                </div>
            }
            .into_any(),
            _ => {
                request_animation_frame(|| mark("ledgerline:accounts-rows-visible"));
                view! { <AccountsTree tree/> }.into_any()
            }
        }
    }
}

/// What went wrong with a change, and for a change someone else made meanwhile, a way to reload.
#[component]
fn NoticeBar(tree: Tree) -> impl IntoView {
    move || {
        tree.notice.get().map(|notice| {
            let reload = notice.reload.map(|id| {
                view! {
                    <button type="button" class="button" data-testid="reload-account"
                        on:click=move |_| {
                            let id = id.clone();
                            spawn_local(async move { edits::reload(tree, &id).await });
                        }>"Reload it"</button>
                }
            });
            view! {
                <div class="notice accounts__notice" role="alert" data-testid="accounts-notice">
                    <span>{notice.text}</span>
                    <span class="actions">
                        {reload}
                        <button type="button" class="button button--quiet" on:click=move |_| tree.notice.set(None)>"Dismiss"</button>
                    </span>
                </div>
            }
        })
    }
}

/// The shell's sub-path `/<id>` opens the tree down to that account and selects it.
fn follow_path(tree: Tree, path: &str) {
    let id = path.trim_start_matches('/').split('/').next().unwrap_or_default().to_owned();
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
    spawn_local(async move {
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
            leptos::task::tick().await;
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
