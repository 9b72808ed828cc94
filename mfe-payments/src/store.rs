//! The payments as the browser holds them: the table's rows for its filters as far as they have
//! loaded, the payment whose details are open, and the organisation's accounts and members that
//! name who and what a payment concerns. Live events ([`crate::live`]) come in here too.

use std::cmp::Reverse;

use any_spawner::Executor;
use mfe_contract::Role;
use reactive_graph::{owner::StoredValue, prelude::*, signal::RwSignal};
use wasm_bindgen::{JsCast, prelude::Closure};

use crate::{
    api::{Account, Api, Payment, TABLE_PAGE},
    filters::Filters,
};

/// The table's rows for `filters`, as far as they have loaded.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    pub filters: Filters,
    pub ids: Vec<String>,
    pub next_token: Option<String>,
    pub loaded: bool,
    pub loading: bool,
    pub error: Option<String>,
    /// Rows just added or changed by someone else, highlighted for a moment.
    pub fresh: Vec<String>,
}

/// Who and what payments name: the organisation's accounts and members (user id, email).
#[derive(Clone, Debug, Default)]
pub struct Directory {
    pub accounts: Vec<Account>,
    pub members: Vec<(String, String)>,
}

impl Directory {
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|account| account.id == id)
    }

    /// The member's email address, or their id when they are no member (any more).
    pub fn person<'a>(&'a self, id: &'a str) -> &'a str {
        self.members.iter().find(|(user, _)| user == id).map_or(id, |(_, email)| email.as_str())
    }

    /// Where a payment goes: the account's name, or the counterparty's.
    pub fn destination(&self, payment: &Payment) -> String {
        match (&payment.to_account, &payment.counterparty) {
            (Some(id), _) => self.account_name(id),
            (None, Some((name, _))) => name.clone(),
            (None, None) => String::new(),
        }
    }

    pub fn account_name(&self, id: &str) -> String {
        self.account(id).map_or_else(|| id.to_owned(), |account| account.name.clone())
    }
}

#[derive(Clone, Copy)]
pub struct Store {
    pub api: Api,
    /// The person's role in the organisation; `None` in a harness that names none (the api decides).
    pub role: Option<Role>,
    /// Also notified when a payment is taken in (the rows show it).
    pub rows: RwSignal<Rows>,
    /// Every payment taken in, found by id by going through them: a thousand compare quickly, and
    /// a hash map would be another 1 KB of gzip.
    payments: StoredValue<Vec<Payment>>,
    pub directory: RwSignal<Option<Directory>>,
    /// The payment whose details are open: `None` while loading, `Some(None)` when there is none.
    pub open: RwSignal<Option<Option<Payment>>>,
}

impl Store {
    pub fn new(api: Api) -> Self {
        let role = api.0.session.with_untracked(|session| Some(session.as_ref()?.tenant.as_ref()?.role));
        Self {
            api,
            role,
            rows: RwSignal::new(Rows::default()),
            payments: StoredValue::new(Vec::new()),
            directory: RwSignal::new(None),
            open: RwSignal::new(None),
        }
    }

    /// Whether the micro-frontend is still mounted: what an answer brings after it left (another
    /// organisation mounts it afresh) has nowhere to go.
    pub fn alive(&self) -> bool {
        self.rows.try_with_untracked(|_| ()).is_some()
    }

    /// Members and above create, change and withdraw payments; viewers only read them.
    pub fn writes(&self) -> bool {
        self.role.is_none_or(Role::writes)
    }

    /// Admins and owners approve and reject (others' payments).
    pub fn decides(&self) -> bool {
        self.role.is_none_or(|role| role >= Role::Admin)
    }

    /// The signed-in person's user id, if the members list names them.
    pub fn me(&self) -> Option<String> {
        let email = self.api.0.session.with_untracked(|session| {
            session.as_ref().map(|session| session.email.clone().unwrap_or_else(|| session.username.clone()))
        })?;
        self.directory.with_untracked(|directory| {
            directory.as_ref()?.members.iter().find(|(_, e)| *e == email).map(|(id, _)| id.clone())
        })
    }

    /// The known payments of `ids`, by due date (then newest first, as the api sends them). Each
    /// goes in at its place, found by halving: no sort function in the wasm (its size).
    pub fn sorted<T>(&self, ids: &[String], then: impl FnOnce(&[&Payment]) -> T) -> T {
        self.payments.with_value(|payments| {
            let mut sorted: Vec<&Payment> = Vec::with_capacity(ids.len());
            // The rows are mostly in the order the payments were taken in: each search starts
            // after the last one found, so a thousand rows take a few thousand comparisons.
            let mut from = 0;
            for id in ids {
                let found = (0..payments.len()).map(|k| (from + k) % payments.len()).find(|&k| payments[k].id == *id);
                let Some(at) = found else { continue };
                from = at + 1;
                let payment = &payments[at];
                let place = sorted.partition_point(|shown| order(shown) <= order(payment));
                sorted.insert(place, payment);
            }
            then(&sorted)
        })
    }

    /// Takes in a payment as the api sent it: its row and its open details show it.
    pub fn remember(&self, payment: Payment) {
        if self
            .open
            .with_untracked(|open| open.as_ref().is_some_and(|open| open.as_ref().is_some_and(|o| o.id == payment.id)))
        {
            self.open.set(Some(Some(payment.clone())));
        }
        self.payments.update_value(|payments| take_in(payments, payment));
        self.rows.notify();
    }

    /// Reads the organisation's accounts and members, once.
    pub async fn load_directory(self) {
        let accounts = self.api.accounts().await;
        if !self.alive() {
            return;
        }
        let members = self.api.members().await;
        let _ = self
            .directory
            .try_set(Some(Directory { accounts: accounts.unwrap_or_default(), members: members.unwrap_or_default() }));
    }

    /// Loads the first page for `filters` (afresh), or the next page of the rows shown (`None`).
    pub async fn load(self, filters: Option<Filters>) {
        let request = self.rows.try_update(|rows| match filters {
            Some(filters) => {
                *rows = Rows { filters: filters.clone(), loading: true, ..Rows::default() };
                Some((filters, None))
            }
            None if rows.loading => None,
            None => {
                rows.loading = true;
                rows.error = None;
                Some((rows.filters.clone(), rows.next_token.clone()))
            }
        });
        let Some((filters, token)) = request.flatten() else { return };
        let page = self.api.list(&filters.to_graphql(), TABLE_PAGE, token.as_deref()).await;
        mark("ledgerline:payments-page-arrived");
        // A page for filters since replaced (or for a page since left) is no use.
        if self.rows.try_with_untracked(|rows| rows.filters != filters).unwrap_or(true) {
            return;
        }
        match page {
            Ok(page) => {
                let ids: Vec<String> = page.items.iter().map(|payment| payment.id.clone()).collect();
                self.payments.update_value(|payments| {
                    for payment in page.items {
                        take_in(payments, payment);
                    }
                });
                self.rows.update(|rows| {
                    rows.ids.retain(|id| !ids.contains(id));
                    rows.ids.extend(ids);
                    rows.next_token = page.next_token;
                    rows.loaded = true;
                    rows.loading = false;
                });
            }
            Err(failure) => self.rows.update(|rows| {
                rows.loading = false;
                rows.error = Some(failure.message);
            }),
        }
    }

    /// The rows again from their first page (after a reconnection: events may have been missed).
    pub fn reload(self) {
        let filters = self.rows.with_untracked(|rows| rows.filters.clone());
        Executor::spawn_local(self.load(Some(filters)));
        let open = self.open.with_untracked(|open| open.clone().flatten().map(|payment| payment.id));
        if let Some(id) = open {
            Executor::spawn_local(async move {
                if let Ok(payment) = self.api.get(&id).await {
                    let _ = self.open.try_set(Some(payment));
                }
            });
        }
    }

    /// A payment someone made or changed: its row shows it, if it passes the table's filters
    /// (asked of the api: the filters mean what the api says), highlighted for a moment.
    pub async fn arrived(self, payment: Payment) {
        let id = payment.id.clone();
        self.remember(payment);
        let filters = self.rows.with_untracked(|rows| rows.filters.clone());
        let passes = filters.is_empty()
            || self.api.list(&filters.only(&id), 1, None).await.is_ok_and(|page| !page.items.is_empty());
        if !self.alive() {
            return;
        }
        self.rows.update(|rows| {
            let shown = rows.ids.contains(&id);
            if passes && !shown {
                rows.ids.insert(0, id.clone());
            } else if !passes && shown {
                rows.ids.retain(|known| *known != id);
            }
        });
        if passes {
            self.highlight(id);
        }
    }

    /// A payment that was deleted: its row goes, and its details say so.
    pub fn removed(self, id: &str) {
        self.rows.update(|rows| rows.ids.retain(|known| known != id));
        if self.open.with_untracked(|open| open.as_ref().is_some_and(|open| open.as_ref().is_some_and(|o| o.id == id)))
        {
            self.open.set(Some(None));
        }
    }

    /// Highlights the row of `id` for a few seconds.
    fn highlight(self, id: String) {
        self.rows.update(|rows| rows.fresh.push(id.clone()));
        let fade = Closure::once_into_js(move || {
            let _ = self.rows.try_update(|rows| rows.fresh.retain(|known| *known != id));
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(fade.unchecked_ref(), 3000);
        }
    }
}

/// `payment` in place of the one with its id, or added.
fn take_in(payments: &mut Vec<Payment>, payment: Payment) {
    match payments.iter_mut().find(|known| known.id == payment.id) {
        Some(known) => *known = payment,
        None => payments.push(payment),
    }
}

fn order(payment: &Payment) -> (&str, Reverse<&str>) {
    (&payment.due_date, Reverse(&payment.created_at))
}

/// A performance mark the browser benchmark reads (`tests/benches/browser.rs`).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
