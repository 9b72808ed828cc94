//! The payments table: the filter form, then a real `<table>` sorted by due date, one link per row
//! (Tab reaches it, Enter opens the details), "Load more" by the api's `nextToken`, and the empty,
//! loading and error states. The rows go into the page as one piece of markup whenever the list,
//! the names or the highlighted rows change: a thousand rows render at once within budget.

use maud::{Markup, html};
use reactive_graph::prelude::*;
use ui_kit::{
    Href,
    dom::{self, fill, find, follow, follow_key},
    money,
};
use web_sys::Element;

use crate::{
    Action,
    filters::{Filters, NAMES, STATUSES},
    store::{Directory, Store, mark},
};

/// Shows the table for `filters` in `area`, loading its first page unless the rows shown are
/// already for them.
pub fn show(store: Store, area: &Element, filters: Filters) {
    if store.rows.with_untracked(|rows| rows.filters != filters || (!rows.loaded && !rows.loading)) {
        any_spawner::Executor::spawn_local(store.load(Some(filters.clone())));
    }
    fill(
        area,
        html! {
            div class="payments__filters-slot" {}
            div class="payments__table" {}
        },
    );
    let (slot, table) =
        (find(area, ".payments__filters-slot").expect("drawn"), find(area, ".payments__table").expect("drawn"));
    follow(move |_| {
        let accounts =
            store.directory.with(|directory| directory.as_ref().map(|d| d.accounts.clone()).unwrap_or_default());
        fill(&slot, filters.form(&accounts));
    });
    follow(move |_| render(store, &table));
}

/// The table's filters as the form holds them.
pub fn read_form(form: &Element) -> Filters {
    Filters(NAMES.map(|name| {
        find(form, &["[name=", name, "]"].concat())
            .and_then(|field| js_sys::Reflect::get(&field, &"value".into()).ok()?.as_string())
            .unwrap_or_default()
            .trim()
            .to_owned()
    }))
}

/// What the table's area shows.
#[derive(Clone, PartialEq)]
enum State {
    Loading,
    Refused(String),
    Empty { filtered: bool },
    Shown,
}

fn render(store: Store, area: &Element) {
    let state = move || {
        store.rows.with(|rows| match (rows.loaded, rows.ids.is_empty(), &rows.error) {
            (_, true, Some(error)) => State::Refused(error.clone()),
            (false, _, None) => State::Loading,
            (true, true, None) => State::Empty { filtered: !rows.filters.is_empty() },
            _ => State::Shown,
        })
    };
    let area = area.clone();
    follow_key(state, move |state| match state {
        State::Loading => fill(
            &area,
            html! { p class="loading" role="status" { span class="spinner" aria-hidden="true" {} "Loading payments…" } },
        ),
        State::Refused(error) => fill(
            &area,
            html! {
                div class="alert alert--error" role="alert" data-testid="payments-error" {
                    p { "The payments could not be loaded: " (error) }
                    button type="button" class="button" data-action=(Action::Retry) { "Try again" }
                }
            },
        ),
        State::Empty { filtered } => fill(
            &area,
            html! {
                div class="payments__empty" data-testid="payments-empty" {
                    @if filtered {
                        p { strong { "No payments match these filters." } }
                        button type="button" class="button" data-action=(Action::ClearFilters) { "Clear filters" }
                    } @else {
                        p { strong { "No payments yet." } }
                        @if store.writes() {
                            button type="button" class="button button--primary" data-action=(Action::New) { "Create the first payment" }
                        }
                    }
                }
            },
        ),
        State::Shown => {
            fill(
                &area,
                html! {
                    table class="table payments__list" data-testid="payments-table" {
                        caption class="visually-hidden" { "Payments, by due date" }
                        thead { tr {
                            th scope="col" { "Due" } th scope="col" { "From" } th scope="col" { "To" }
                            th scope="col" class="num" { "Amount" } th scope="col" { "Status" } th scope="col" { "Created by" }
                        } }
                        tbody {}
                    }
                    div class="payments__more" {}
                },
            );
            let (body, more) = (find(&area, "tbody").expect("drawn"), find(&area, ".payments__more").expect("drawn"));
            follow(move |_| {
                let (ids, fresh) = store.rows.with(|rows| (rows.ids.clone(), rows.fresh.clone()));
                let markup = store.directory.with(|directory| rows(store, &ids, directory.as_ref(), &fresh));
                fill(&body, markup);
                dom::next_frame(|| mark("ledgerline:payments-rows-visible"));
            });
            follow(move |_| fill(&more, store.rows.with(more_markup)));
        }
    });
}

/// The rows of `ids`, sorted by due date (then newest first, as the api sends them).
fn rows(store: Store, ids: &[String], directory: Option<&Directory>, fresh: &[String]) -> Markup {
    let empty = Directory::default();
    let directory = directory.unwrap_or(&empty);
    store.sorted(ids, |payments| html! {
        @for payment in payments {
            @let class = if fresh.contains(&payment.id) { "payments__row payments__row--fresh" } else { "payments__row" };
            tr id=(["pay-", &payment.id].concat()) class=(class) data-id=(payment.id) {
                td {
                    @if let Some(href) = Href::parse(&["/payments/", &payment.id].concat()) {
                        (ui_kit::opening_link(&href, &payment.id, &payment.due_date))
                    }
                }
                td { (directory.account_name(&payment.from_account)) }
                td { (directory.destination(payment)) }
                td class="num" { (money::format(payment.minor_units, &payment.currency)) }
                td { (badge(&payment.status)) }
                td { (directory.person(&payment.created_by)) }
            }
        }
    })
}

/// The status as a coloured badge with its words.
pub fn badge(status: &str) -> Markup {
    let words = STATUSES.iter().find(|(known, _)| *known == status).map_or(status, |(_, words)| words);
    html! { span class=(["badge badge--", &status.to_ascii_lowercase()].concat()) data-status=(status) { (words) } }
}

/// Below the table: how many are shown, and the next page's button, its progress or its failure.
fn more_markup(rows: &crate::store::Rows) -> Markup {
    html! {
        p class="muted" role="status" data-testid="payments-count" {
            (money::count(rows.ids.len())) @if rows.ids.len() == 1 { " payment" } @else { " payments" }
            @if rows.next_token.is_some() { ", more to load" }
        }
        @if let Some(error) = &rows.error {
            div class="alert alert--error" role="alert" {
                p { (error) }
                button type="button" class="button" data-action=(Action::LoadMore) { "Try again" }
            }
        } @else if rows.loading {
            p class="loading" role="status" { span class="spinner" aria-hidden="true" {} "Loading more…" }
        } @else if rows.next_token.is_some() {
            button type="button" class="button" data-testid="load-more" data-action=(Action::LoadMore) { "Load more" }
        }
    }
}
