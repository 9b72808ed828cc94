//! The payments micro-frontend: `<mfe-payments>`, the payments of the organisation the person works
//! in (the session's tenant; another one mounts it afresh), over the Payments GraphQL api. Its
//! sub-paths: `/` the table (its filters in the query, `/?status=PENDING`), `/new` a new payment,
//! `/<id>` one payment. Colleagues' changes arrive live ([`live`]). Viewers only read. Built by
//! hand on Leptos's reactive core and the UI kit, as the accounts micro-frontend is, for wasm size.

mod api;
mod create;
mod detail;
mod filters;
mod live;
/// The GraphQL operations, written by hand (checked against the schema by a native test).
mod ops;
mod rules;
mod store;
mod table;

use maud::html;
use mfe_guest::Props;
use reactive_graph::prelude::*;
use ui_kit::dom::{fill, find, follow_key, listen, target};
use wasm_bindgen::prelude::*;

use crate::{
    api::{Api, Decision},
    detail::{Detail, Mode},
    filters::Filters,
    store::Store,
};

#[wasm_bindgen(start)]
pub fn start() {
    mfe_guest::define_page("payments", app);
}

ui_kit::actions! {
    /// What a button does, named in its `data-action`: one listener on the section handles them all.
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub enum Action {
        New = "new",
        List = "list",
        Retry = "retry",
        LoadMore = "load-more",
        ClearFilters = "clear-filters",
        Approve = "approve",
        Reject = "reject",
        Cancel = "cancel",
        Delete = "delete",
        Edit = "edit",
        Confirm = "confirm",
        Back = "back",
        Reload = "reload",
    }
}

/// Which page the sub-path asks for.
#[derive(Clone, Debug, PartialEq)]
enum View {
    List(Filters),
    New,
    Payment(String),
}

impl View {
    fn at(path: &str) -> Self {
        let (route, query) = path.split_once('?').unwrap_or((path, ""));
        match route.trim_matches('/') {
            "" => Self::List(Filters::parse(query)),
            "new" => Self::New,
            id => Self::Payment(id.to_owned()),
        }
    }
}

fn app(props: Props) {
    let store = Store::new(Api(props));
    let detail = Detail::new();
    let host = props.host();
    fill(
        &host,
        html! {
            section class="mfe payments" aria-labelledby="payments-title" data-testid="mfe-payments" {
                header class="mfe__header" {
                    h1 id="payments-title" { "Payments" }
                    p class="payments__live muted" role="status" data-testid="live" {}
                    @if store.writes() {
                        button type="button" class="button button--primary" data-testid="new-payment" data-action=(Action::New) { "New payment" }
                    }
                }
                div class="payments__body" {}
            }
        },
    );
    let part = |selector| find(&host, selector).expect("the frame has it");
    let (section, body, live_line) = (part("section"), part(".payments__body"), part("[data-testid=live]"));
    listen(&section, "click", move |event| {
        let Some(target) = target(&event) else { return };
        if let Some(link) = target.closest("a[data-open]").ok().flatten() {
            // The shell shows the payment; the standalone harness too.
            event.prevent_default();
            props.navigate(&["/", &link.get_attribute("data-open").unwrap_or_default()].concat());
        } else if let Some(action) = target.closest("[data-action]").ok().flatten().and_then(|b| Action::of(&b)) {
            on_action(store, detail, action);
        }
    });
    listen(&section, "submit", move |event| {
        let form = target(&event).filter(|form| form.matches("[data-testid=filters]").unwrap_or_default());
        if let Some(form) = form {
            event.prevent_default();
            props.navigate(&table::read_form(&form).query());
        }
    });
    any_spawner::Executor::spawn_local(store.load_directory());
    live::start(store, live_line);
    follow_key(
        move || View::at(&props.path.get()),
        move |view| match view {
            View::List(filters) => table::show(store, &body, filters),
            View::New => create::show(store, &body),
            View::Payment(id) => detail.show(store, &body, id),
        },
    );
}

fn on_action(store: Store, detail: Detail, action: Action) {
    let navigate = |path: &str| store.api.0.navigate(path);
    let decide = |decision| detail.mode.set(Mode::Confirm(decision));
    match action {
        Action::New => navigate("/new"),
        Action::List => navigate(&store.rows.with_untracked(|rows| rows.filters.query())),
        Action::Retry => {
            let filters = store.rows.with_untracked(|rows| rows.filters.clone());
            any_spawner::Executor::spawn_local(store.load(Some(filters)));
        }
        Action::LoadMore => any_spawner::Executor::spawn_local(store.load(None)),
        Action::ClearFilters => navigate(""),
        Action::Approve => decide(Decision::Approve),
        Action::Reject => decide(Decision::Reject),
        Action::Cancel => decide(Decision::Cancel),
        Action::Delete => decide(Decision::Delete),
        Action::Edit => detail.mode.set(Mode::Edit),
        Action::Confirm => {
            if let Mode::Confirm(decision) = detail.mode.get_untracked() {
                detail.decide(store, decision);
            }
        }
        Action::Back => detail.mode.set(Mode::Actions),
        Action::Reload => detail.reload(store),
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::View;
    use crate::filters::Filters;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn each_sub_path_has_its_view() {
        assert_eq!(View::at("/"), View::List(Filters::default()));
        assert_eq!(View::at(""), View::List(Filters::default()));
        assert_eq!(View::at("/new"), View::New);
        assert_eq!(
            View::at("/d4c43427-1341-47c2-bb00-34703e0fb616"),
            View::Payment("d4c43427-1341-47c2-bb00-34703e0fb616".into())
        );
        let View::List(filters) = View::at("/?status=PENDING&q=rent%20May&nonsense=1") else { panic!("a list") };
        assert_eq!((filters.get("status"), filters.get("q"), filters.get("account")), ("PENDING", "rent May", ""));
        assert_eq!(filters.query(), "?status=PENDING&q=rent%20May");
    }

    #[wasm_bindgen_test]
    async fn without_a_way_to_call_the_api_it_says_so_and_offers_a_retry() {
        super::start(); // the test runner does not run start functions
        let session = mfe_contract::Session { username: "grace".into(), ..mfe_contract::Session::default() };
        let element = mfe_guest::testing::mount("payments", Some(&session), "");
        let mut text = String::new();
        for _ in 0..100 {
            any_spawner::Executor::tick().await;
            text = element.text_content().unwrap_or_default();
            if text.contains("Try again") {
                break;
            }
        }
        assert!(text.contains("Payments") && text.contains("the shell gave no way to authenticate"), "{text}");
        element.remove();
    }
}
