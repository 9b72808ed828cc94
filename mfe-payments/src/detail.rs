//! One payment: every field, its history from the organisation's audit trail (admins and owners
//! read it), and what the person's role allows while its status does: edit or delete it while
//! pending, approve or reject it (admins and owners, never their own), cancel it before it settles.
//! Each is confirmed first; a change someone else made meanwhile offers to reload it. A payment of
//! another organisation, or none at all, is "not found".

use any_spawner::Executor;
use maud::{Markup, html};
use mfe_guest::rest::object;
use reactive_graph::{prelude::*, signal::RwSignal};
use ui_kit::{
    dom::{fill, find, follow, follow_key},
    focus,
    form::{Check, Field, Fill, Form, FormSpec, Kind},
    money,
    time::to_the_minute,
};
use web_sys::Element;

use crate::{
    Action,
    api::{Decision, Failure, Payment},
    rules::amount_problem,
    store::{Directory, Store},
    table::badge,
};

/// What the lower part of the details shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Actions,
    Edit,
    Confirm(Decision),
}

/// The open payment's own state, beside the store's `open`.
#[derive(Clone, Copy)]
pub struct Detail {
    pub mode: RwSignal<Mode>,
    /// What went wrong with the last change ([`STALE`] when someone else changed the payment
    /// meanwhile). Text alone, as a form's error is: a signal type fewer (wasm size).
    pub notice: RwSignal<Option<String>>,
}

/// The notice when someone else changed the payment meanwhile: it offers to reload it.
const STALE: &str =
    "Someone else changed this payment meanwhile, so your change was not made. Reload it to see it as it is now.";

const AMOUNT: Field =
    Field { name: "amount", label: "Amount", kind: Kind::Text, autocomplete: "off", check: Check::Nothing };
const DUE: Field = Field {
    name: "dueDate",
    label: "Due date",
    kind: Kind::Date,
    autocomplete: "",
    check: Check::Required("a due date"),
};
const MESSAGE: Field =
    Field { name: "message", label: "Message", kind: Kind::Text, autocomplete: "off", check: Check::Nothing };

const EDIT_FORM: FormSpec = FormSpec {
    id: "edit-payment",
    test_id: "edit-payment-form",
    class: "payments__form",
    fields: &[AMOUNT, DUE, MESSAGE],
    submit: ("Save", "Saving…"),
};

impl Detail {
    pub fn new() -> Self {
        Self { mode: RwSignal::new(Mode::Actions), notice: RwSignal::new(None) }
    }

    /// Shows the payment `id` in `area`, loading it first.
    pub fn show(self, store: Store, area: &Element, id: String) {
        if store.open.with_untracked(|open| open.clone().flatten().is_none_or(|payment| payment.id != id)) {
            store.open.set(None);
            self.mode.set(Mode::Actions);
            self.notice.set(None);
            Executor::spawn_local(load(store, id));
        }
        // Built afresh only when another payment (or none) opens; its parts follow its changes.
        let shown = move || store.open.with(|open| open.as_ref().map(|open| open.as_ref().map(|p| p.id.clone())));
        let area = area.clone();
        follow_key(shown, move |shown| match shown {
            None => fill(
                &area,
                html! { p class="loading" role="status" { span class="spinner" aria-hidden="true" {} "Loading the payment…" } },
            ),
            Some(None) => fill(
                &area,
                html! {
                    div class="payments__detail" data-testid="payment-not-found" {
                        h2 { "Payment not found" }
                        p { "There is no such payment in this organisation." }
                        button type="button" class="button" data-action=(Action::List) { "Back to the payments" }
                    }
                },
            ),
            Some(Some(_)) => self.details(store, &area),
        });
    }

    fn details(self, store: Store, area: &Element) {
        fill(
            area,
            html! {
                section class="payments__detail" aria-labelledby="payment-title" data-testid="payment-details" {
                    button type="button" class="button button--quiet" data-action=(Action::List) { "← All payments" }
                    div class="payments__summary" {}
                    div class="payments__history-slot" {}
                    div class="payments__notice-slot" {}
                    div class="payments__lower" {}
                }
            },
        );
        let part = |selector| find(area, selector).expect("drawn");
        let (summary, history, notice, lower) = (
            part(".payments__summary"),
            part(".payments__history-slot"),
            part(".payments__notice-slot"),
            part(".payments__lower"),
        );
        let payment = move || store.open.with(|open| open.clone().flatten().unwrap_or_default());
        if store.decides() && store.role.is_some() {
            Executor::spawn_local(show_history(
                store,
                store.open.get_untracked().flatten().unwrap_or_default(),
                history,
            ));
        }
        follow(move |_| {
            let payment = payment();
            let markup = store
                .directory
                .with(|directory| summary_markup(&payment, directory.as_ref().unwrap_or(&Directory::default())));
            ui_kit::dom::set(&summary, "data-version", &maud::Render::render(&payment.version).0);
            fill(&summary, markup);
        });
        let detail = self;
        follow(move |_| {
            let markup = detail.notice.with(|notice| match notice {
                Some(text) => html! {
                    div class="notice alert alert--error payments__notice" role="alert" data-testid="payment-notice" {
                        p { (text) }
                        @if text == STALE { button type="button" class="button" data-testid="reload-payment" data-action=(Action::Reload) { "Reload it" } }
                    }
                },
                None => html! {},
            });
            fill(&notice, markup);
        });
        // The edit form keeps what the person typed, and the version they started from, whatever
        // arrives meanwhile: saving then says someone else changed it.
        follow(move |_| match detail.mode.get() {
            Mode::Actions => {
                store.directory.track();
                fill(&lower, actions(store, &payment()));
            }
            Mode::Edit => {
                let payment = store.open.get_untracked().flatten().unwrap_or_default();
                let values = [
                    ("amount", payment.amount.as_str()),
                    ("dueDate", payment.due_date.as_str()),
                    ("message", payment.message.as_str()),
                ];
                let beside = html! { button type="button" class="button" data-action=(Action::Back) { "Cancel" } };
                let intro = html! { h3 { "Change the payment" } };
                fill(&lower, EDIT_FORM.markup(&Fill { intro, values: &values, beside, ..Fill::default() }));
                wire_edit(store, detail, &lower, payment);
                focus::enter(&lower);
            }
            Mode::Confirm(decision) => {
                fill(&lower, confirmation(decision));
                focus::enter(&lower);
            }
        });
    }

    /// Carries out the confirmed decision on the open payment.
    pub fn decide(self, store: Store, decision: Decision) {
        let Some(payment) = store.open.get_untracked().flatten() else { return };
        self.mode.set(Mode::Actions);
        Executor::spawn_local(async move {
            let answer = store.api.decide(decision, &payment).await;
            if !store.alive() {
                return;
            }
            match answer {
                Ok(_) if decision == Decision::Delete => {
                    store.removed(&payment.id);
                    store.api.0.navigate(&store.rows.with_untracked(|rows| rows.filters.query()));
                }
                Ok(changed) => {
                    self.notice.set(None);
                    store.remember(changed);
                }
                Err(failure) => self.refused(&failure),
            }
        });
    }

    /// Reads the open payment again, e.g. after someone else changed it.
    pub fn reload(self, store: Store) {
        let Some(id) = store.open.get_untracked().flatten().map(|payment| payment.id) else { return };
        self.notice.set(None);
        self.mode.set(Mode::Actions);
        Executor::spawn_local(load(store, id));
    }

    fn refused(self, failure: &Failure) {
        let text = if failure.is_stale() {
            STALE.to_owned()
        } else {
            ["The change was not made: ", &failure.message].concat()
        };
        self.notice.set(Some(text));
    }
}

async fn load(store: Store, id: String) {
    let answer = store.api.get(&id).await;
    if !store.alive() {
        return;
    }
    match answer {
        Ok(Some(payment)) => {
            store.open.set(Some(Some(payment.clone())));
            store.remember(payment);
        }
        Ok(None) => store.open.set(Some(None)),
        // Shown as the notice would be, with the payment unknown: "not found" says too little.
        Err(failure) => {
            store.open.set(Some(None));
            web_sys::console::warn_2(&"payment".into(), &failure.message.into());
        }
    }
}

/// Saves amount, due date and message at the version they were made to.
fn wire_edit(store: Store, detail: Detail, within: &Element, payment: Payment) {
    let form = Form::wire(within, &EDIT_FORM);
    form.on_submit(move |form| {
        let amount = form.text(&AMOUNT).trim().to_owned();
        if let Some(problem) = amount_problem(&amount, money::decimals(&payment.currency)) {
            let refusal = ui_kit::form::Refusal { message: problem.clone(), fields: vec![("amount".into(), problem)] };
            return form.run(async move { Err(refusal) });
        }
        let message = form.text(&MESSAGE);
        let input = object(&[
            ("id", payment.id.as_str().into()),
            ("amount", object(&[("amount", amount.into()), ("currency", payment.currency.as_str().into())])),
            ("dueDate", form.text(&DUE).into()),
            ("message", message.trim().into()),
        ]);
        let version = payment.version;
        form.run(async move {
            let answer = store.api.update(input, version).await;
            if !store.alive() {
                return Ok(());
            }
            match answer {
                Ok(changed) => {
                    detail.mode.set(Mode::Actions);
                    store.remember(changed);
                    Ok(())
                }
                Err(failure) if failure.is_stale() || failure.field.is_none() => {
                    detail.refused(&failure);
                    Ok(())
                }
                Err(failure) => Err(failure.into()),
            }
        });
    });
}

fn summary_markup(payment: &Payment, directory: &Directory) -> Markup {
    let amount = money::format(payment.minor_units, &payment.currency);
    let to = directory.destination(payment);
    html! {
        h2 id="payment-title" { (amount) " to " (to) }
        (badge(&payment.status))
        dl class="attributes" {
            dt { "Amount" } dd data-testid="detail-amount" { (amount) " (" (payment.amount) " " (payment.currency) ")" }
            dt { "Due" } dd data-testid="detail-due" { (payment.due_date) }
            dt { "From" } dd { (directory.account_name(&payment.from_account)) }
            dt { "To" } dd { (to) }
            @if let Some((_, iban)) = &payment.counterparty { dt { "IBAN" } dd { (iban) } }
            dt { "Message" } dd data-testid="detail-message" { (payment.message) }
            @if !payment.reference.is_empty() { dt { "Reference" } dd { (payment.reference) } }
            dt { "Type" } dd { (if payment.kind == "INTERNATIONAL" { "International" } else { "Domestic" }) }
            dt { "Created by" } dd { (directory.person(&payment.created_by)) }
            dt { "Created" } dd data-testid="detail-created" { (to_the_minute(&payment.created_at)) }
            @if let Some(by) = &payment.approved_by { dt { "Approved by" } dd { (directory.person(by)) } }
            dt { "Last changed" } dd { (to_the_minute(&payment.updated_at)) " (version " (payment.version) ")" }
            @if !payment.failure_reason.is_empty() { dt { "Why it failed" } dd { (payment.failure_reason) } }
        }
    }
}

/// The buttons the person's role and the payment's status allow.
fn actions(store: Store, payment: &Payment) -> Markup {
    let own = store.me().is_some_and(|me| me == payment.created_by);
    let pending = payment.is_pending();
    let writes = store.writes();
    let decides = store.decides() && pending && !own;
    let cancels = writes && (pending || payment.status == "APPROVED");
    html! {
        div class="actions" data-testid="payment-actions" {
            @if decides {
                button type="button" class="button button--primary" data-action=(Action::Approve) { "Approve…" }
                button type="button" class="button button--danger" data-action=(Action::Reject) { "Reject…" }
            }
            @if writes && pending {
                button type="button" class="button" data-action=(Action::Edit) { "Edit" }
            }
            @if cancels { button type="button" class="button" data-action=(Action::Cancel) { "Cancel payment…" } }
            @if writes && pending { button type="button" class="button button--danger" data-action=(Action::Delete) { "Delete…" } }
        }
        @if own && pending && store.decides() {
            p class="muted" data-testid="own-payment" { "You created this payment, so another admin or owner approves it." }
        }
    }
}

fn confirmation(decision: Decision) -> Markup {
    let (question, yes) = match decision {
        Decision::Approve => ("Approve this payment? It settles on its due date.", "Approve"),
        Decision::Reject => ("Reject this payment? It will not be made.", "Reject"),
        Decision::Cancel => ("Cancel this payment? It will not be made.", "Cancel the payment"),
        Decision::Delete => ("Delete this payment? This cannot be undone.", "Delete"),
    };
    html! {
        div class="alert" role="alertdialog" aria-labelledby="payment-question" data-testid="payment-confirmation" {
            p id="payment-question" { (question) }
            div class="actions" {
                button type="button" class="button button--primary" data-testid="confirm" data-action=(Action::Confirm) { (yes) }
                button type="button" class="button" data-testid="keep" data-action=(Action::Back) data-focus { "Keep it as it is" }
            }
        }
    }
}

/// The payment's history from the audit trail, once read.
async fn show_history(store: Store, payment: Payment, slot: Element) {
    let events = store.api.history(&payment).await;
    if !store.alive() {
        return;
    }
    let markup = store.directory.with_untracked(|directory| {
        let directory = directory.clone().unwrap_or_default();
        html! {
            h3 { "History" }
            @match &events {
                Ok(events) => ol class="payments__history" data-testid="payment-history" {
                    @for event in events {
                        li { (to_the_minute(&event.at)) ": " (event.action.strip_prefix("payment.").unwrap_or(&event.action))
                            @if !event.by.is_empty() { " by " (directory.person(&event.by)) } }
                    }
                },
                Err(failure) => p class="muted" { "The history could not be read: " (failure.message) },
            }
        }
    });
    fill(&slot, markup);
}
