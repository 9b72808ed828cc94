//! A new payment: from an account of the organisation (found by name or number), to another of its
//! accounts or out to a counterparty (its IBAN checked as it is typed), an amount with the
//! currency's decimals, a due date, a message and a type. Each submission has an idempotency key,
//! kept while the input stays the same: sending again after the api could not be reached answers
//! the payment the first attempt made, if it made one, rather than paying twice.

use std::cell::Cell;

use any_spawner::Executor;
use maud::{Markup, html};
use mfe_guest::rest::object;
use reactive_graph::{owner::StoredValue, prelude::*};
use ui_kit::{
    dom::{Place, fill, find, insert, listen, set, set_or_remove},
    focus,
    form::{Check, Field, Fill, Form, FormSpec, Kind, Refusal},
    money,
};
use wasm_bindgen::JsValue;
use web_sys::Element;

use crate::{
    Action,
    api::Account,
    rules::{amount_problem, iban_problem},
    store::Store,
};

/// The value of the destination that means "out of the organisation".
const EXTERNAL: &str = "external";

const FIND: Field = Field {
    name: "find",
    label: "Find an account by name or number",
    kind: Kind::Text,
    autocomplete: "off",
    check: Check::Nothing,
};
const FROM: Field = Field {
    name: "fromAccount",
    label: "From account",
    kind: Kind::Select,
    autocomplete: "",
    check: Check::Required("the account to pay from"),
};
const TO: Field = Field {
    name: "toAccount",
    label: "To",
    kind: Kind::Select,
    autocomplete: "",
    check: Check::Required("where the money goes"),
};
const NAME: Field = Field {
    name: "counterpartyName",
    label: "Counterparty's name",
    kind: Kind::Text,
    autocomplete: "off",
    check: Check::Rule(name_problem),
};
const IBAN: Field = Field {
    name: "iban",
    label: "Counterparty's IBAN",
    kind: Kind::Text,
    autocomplete: "off",
    check: Check::Rule(external_iban_problem),
};
const AMOUNT: Field = Field {
    name: "amount",
    label: "Amount",
    kind: Kind::Text,
    autocomplete: "off",
    check: Check::Rule(amount_in_currency_problem),
};
const DUE: Field = Field {
    name: "dueDate",
    label: "Due date",
    kind: Kind::Date,
    autocomplete: "",
    check: Check::Required("a due date"),
};
const MESSAGE: Field = Field {
    name: "message",
    label: "Message (optional)",
    kind: Kind::Text,
    autocomplete: "off",
    check: Check::Nothing,
};
const TYPE: Field = Field { name: "type", label: "Type", kind: Kind::Select, autocomplete: "", check: Check::Nothing };

const NEW_FORM: FormSpec = FormSpec {
    id: "new-payment",
    test_id: "new-payment-form",
    class: "payments__form",
    fields: &[FIND, FROM, TO, NAME, IBAN, AMOUNT, DUE, MESSAGE, TYPE],
    submit: ("Create payment", "Creating…"),
};

thread_local! {
    /// What the checks depend on beyond a field's own text: whether the payment goes out to a
    /// counterparty, and how many decimals the from-account's currency has.
    static CONTEXT: Cell<(bool, u32)> = const { Cell::new((false, 2)) };
}

fn name_problem(name: &str) -> Option<String> {
    (CONTEXT.get().0 && name.trim().is_empty()).then(|| "Enter the counterparty's name.".into())
}

fn external_iban_problem(iban: &str) -> Option<String> {
    CONTEXT.get().0.then(|| iban_problem(iban)).flatten()
}

fn amount_in_currency_problem(amount: &str) -> Option<String> {
    amount_problem(amount, CONTEXT.get().1)
}

/// Shows the form in `area` (or, for a viewer, why there is none).
pub fn show(store: Store, area: &Element) {
    if !store.writes() {
        fill(
            area,
            html! {
                div class="alert" role="alert" data-testid="cannot-create" {
                    p { "As a viewer of this organisation you see its payments; members create them." }
                    button type="button" class="button" data-action=(Action::List) { "Back to the payments" }
                }
            },
        );
        return;
    }
    // Accounts opened since the page was, too.
    Executor::spawn_local(store.load_directory());
    let today = String::from(js_sys::Date::new_0().to_iso_string()).chars().take(10).collect::<String>();
    let values = [("dueDate", today.as_str())];
    let beside = html! { button type="button" class="button" data-action=(Action::List) { "Cancel" } };
    fill(
        area,
        NEW_FORM.markup(&Fill { intro: html! { h2 { "New payment" } }, values: &values, beside, ..Fill::default() }),
    );
    let form = Form::wire(area, &NEW_FORM);
    let field = |name: &str| find(&form.element, &["[name=", name, "]"].concat()).expect("the form has it");
    let (from, to, find_input, iban, amount) =
        (field("fromAccount"), field("toAccount"), field("find"), field("iban"), field("amount"));
    fill(
        &field("type"),
        html! { option value="DOMESTIC" { "Domestic" } option value="INTERNATIONAL" { "International" } },
    );
    let hint = insert(
        &amount.parent_element().expect("a field"),
        Place::End,
        html! { p class="muted" data-testid="amount-hint" {} },
    )
    .expect("inserted");
    // The accounts may still be on their way: the pickers fill when they come.
    let (shown_from, shown_to) = (from.clone(), to.clone());
    let fill_pickers = move |search: &str| {
        store.directory.with_untracked(|directory| {
            let accounts = directory.as_ref().map(|d| d.accounts.as_slice()).unwrap_or_default();
            refill(&shown_from, |chosen| pick(accounts, search, chosen, false));
            refill(&shown_to, |chosen| pick(accounts, search, chosen, true));
        });
    };
    let on_directory = fill_pickers.clone();
    ui_kit::dom::follow(move |_| {
        store.directory.track();
        on_directory("");
    });
    let searched = find_input.clone();
    listen(&find_input, "input", move |_| fill_pickers(&value(&searched)));
    let context = {
        let (form, from, to, hint) = (form.clone(), from.clone(), to.clone(), hint.clone());
        move || {
            let external = value(&to) == EXTERNAL;
            let currency =
                store.directory.with_untracked(|d| d.as_ref()?.account(&value(&from)).map(|a| a.currency.clone()));
            let decimals = currency.as_deref().map_or(2, money::decimals);
            CONTEXT.set((external, decimals));
            for name in ["counterpartyName", "iban"] {
                let field =
                    find(&form.element, &["[name=", name, "]"].concat()).and_then(|input| input.parent_element());
                if let Some(field) = field {
                    set_or_remove(&field, "hidden", (!external).then_some(""));
                }
            }
            hint.set_text_content(
                currency
                    .map(|currency| {
                        let places = match decimals {
                            0 => "no decimals".to_owned(),
                            1 => "up to 1 decimal".to_owned(),
                            n => ["up to ", &maud::Render::render(&n).0, " decimals"].concat(),
                        };
                        ["In ", &currency, ", ", &places, "."].concat()
                    })
                    .as_deref(),
            );
        }
    };
    context();
    for picker in [&from, &to] {
        let context = context.clone();
        listen(picker, "change", move |_| context());
    }
    // The IBAN is checked as it is typed, once it is long enough to be one.
    let typed = iban.clone();
    let error = find(&form.element, "#new-payment-iban-error").expect("the field's error");
    listen(&iban, "input", move |_| {
        let text = value(&typed);
        let problem =
            (text.chars().filter(|c| !c.is_whitespace()).count() >= 15).then(|| iban_problem(&text)).flatten();
        set(&typed, "aria-invalid", if problem.is_some() { "true" } else { "false" });
        error.set_text_content(problem.as_deref());
    });
    focus::enter(area);
    submit_on(store, &form, from, to);
}

/// Sends the payment; a key per submission, the same again while the input is the same.
fn submit_on(store: Store, form: &Form, from: Element, to: Element) {
    let sent = StoredValue::new((String::new(), String::new()));
    form.on_submit(move |form| {
        let (from, to) = (value(&from), value(&to));
        let external = to == EXTERNAL;
        let currency = store.directory.with_untracked(|d| d.as_ref()?.account(&from).map(|a| a.currency.clone()));
        let text = |field: &Field| form.text(field).trim().to_owned();
        let optional = |text: String| if text.is_empty() { JsValue::NULL } else { text.into() };
        let input = object(&[
            ("tenantId", store.api.0.tenant_id().map_or(JsValue::NULL, JsValue::from)),
            ("amount", object(&[("amount", text(&AMOUNT).into()), ("currency", currency.unwrap_or_default().into())])),
            ("dueDate", text(&DUE).into()),
            ("fromAccount", from.into()),
            ("toAccount", if external { JsValue::NULL } else { to.into() }),
            (
                "counterparty",
                if external {
                    object(&[("name", text(&NAME).into()), ("iban", text(&IBAN).into())])
                } else {
                    JsValue::NULL
                },
            ),
            ("message", optional(text(&MESSAGE))),
            ("type", text(&TYPE).into()),
        ]);
        let fingerprint = js_sys::JSON::stringify(&input).map(String::from).unwrap_or_default();
        let key = match sent.with_value(|(last, key)| (*last == fingerprint).then(|| key.clone())) {
            Some(key) => key,
            None => {
                let key = new_key();
                sent.set_value((fingerprint, key.clone()));
                key
            }
        };
        form.run(async move {
            let answer = store.api.create(input, &key).await;
            if !store.alive() {
                return Ok(());
            }
            match answer {
                Ok(payment) => {
                    sent.set_value((String::new(), String::new()));
                    let id = payment.id.clone();
                    Executor::spawn_local(store.arrived(payment));
                    store.api.0.navigate(&["/", &id].concat());
                    Ok(())
                }
                Err(failure) if failure.is_unreachable() => Err(Refusal::from(
                    "The api could not be reached, so the payment may or may not have been made. \
                     Send it again: it will not be made twice."
                        .to_owned(),
                )),
                Err(failure) => Err(failure.into()),
            }
        });
    });
}

/// The accounts whose name or number contains `search` (and the one `chosen`, which stays), as
/// options; with `external`, the choice of a counterparty too.
fn pick(accounts: &[Account], search: &str, chosen: &str, external: bool) -> Markup {
    let search = search.trim().to_ascii_lowercase();
    let found = |account: &&Account| {
        account.id == chosen || contains(&account.name, &search) || contains(&account.number, &search)
    };
    html! {
        option value="" { "Choose…" }
        @for account in accounts.iter().filter(found) {
            option value=(account.id) { (account.name) " · " (account.number) " · " (account.currency) }
        }
        @if external { option value=(EXTERNAL) { "A counterparty outside the organisation…" } }
    }
}

/// Whether `text` contains `part` (lower case), ignoring ASCII case; by bytes: the standard
/// library's substring search costs more wasm than it is worth here.
fn contains(text: &str, part: &str) -> bool {
    let text = text.to_ascii_lowercase();
    part.is_empty() || text.as_bytes().windows(part.len()).any(|window| window == part.as_bytes())
}

/// Puts the options for its choice in a select, keeping the choice.
fn refill(select: &Element, options: impl FnOnce(&str) -> Markup) {
    let chosen = value(select);
    fill(select, options(&chosen));
    let _ = js_sys::Reflect::set(select, &"value".into(), &chosen.into());
}

/// The value of a field, as the browser holds it.
pub fn value(field: &Element) -> String {
    js_sys::Reflect::get(field, &"value".into()).ok().and_then(|value| value.as_string()).unwrap_or_default()
}

/// A fresh idempotency key (a v4 UUID from the browser's CSPRNG).
fn new_key() -> String {
    web_sys::window().and_then(|window| window.crypto().ok()).map(|crypto| crypto.random_uuid()).unwrap_or_default()
}
