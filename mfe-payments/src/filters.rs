//! The table's filters: read from the URL's query (so a filtered view can be bookmarked), written
//! back to it through the shell, and sent to the api as a `ModelPaymentFilterInput`.

use js_sys::{Array, encode_uri_component};
use maud::{Markup, html};
use mfe_guest::rest::object;
use wasm_bindgen::JsValue;
use web_sys::UrlSearchParams;

use crate::api::Account;

/// The filters, each by the name it has in the URL and the form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters(pub [String; 7]);

/// Status, due from, due until, account, amount from, amount up to, text.
pub const NAMES: [&str; 7] = ["status", "from", "to", "account", "min", "max", "q"];

/// The statuses, in their order of life, with the words people read.
pub const STATUSES: [(&str, &str); 6] = [
    ("PENDING", "Pending approval"),
    ("APPROVED", "Approved"),
    ("SETTLED", "Settled"),
    ("REJECTED", "Rejected"),
    ("CANCELLED", "Cancelled"),
    ("FAILED", "Failed"),
];

impl Filters {
    /// From a query such as `?status=PENDING&q=rent` (unknown names are ignored).
    pub fn parse(query: &str) -> Self {
        let params = UrlSearchParams::new_with_str(query).ok();
        Self(NAMES.map(|name| params.as_ref().and_then(|p| p.get(name)).unwrap_or_default().trim().to_owned()))
    }

    pub fn get(&self, name: &str) -> &str {
        NAMES.iter().position(|known| *known == name).map_or("", |at| &self.0[at])
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(String::is_empty)
    }

    /// `?status=…&…` with the filters set, or "" for none.
    pub fn query(&self) -> String {
        let mut query = String::new();
        for (name, value) in NAMES.iter().zip(&self.0).filter(|(_, value)| !value.is_empty()) {
            query.push(if query.is_empty() { '?' } else { '&' });
            query.push_str(name);
            query.push('=');
            query.push_str(&String::from(encode_uri_component(value)));
        }
        query
    }

    /// The api's filter for these; `null` when there is none.
    pub fn to_graphql(&self) -> JsValue {
        let condition =
            |field: &str, operator: &str, value: &str| object(&[(field, object(&[(operator, value.into())]))]);
        let any = |conditions: Vec<JsValue>| object(&[("or", conditions.into_iter().collect::<Array>().into())]);
        let mut all = Vec::new();
        for (name, value) in NAMES.iter().zip(&self.0).filter(|(_, value)| !value.is_empty()) {
            all.push(match *name {
                "status" => condition("status", "eq", value),
                "from" => condition("dueDate", "ge", value),
                "to" => condition("dueDate", "le", value),
                "account" => any(vec![condition("fromAccount", "eq", value), condition("toAccount", "eq", value)]),
                "min" => condition("amount", "ge", value),
                "max" => condition("amount", "le", value),
                _ => {
                    any(["message", "counterpartyName", "reference"].map(|f| condition(f, "contains", value)).to_vec())
                }
            });
        }
        if all.is_empty() { JsValue::NULL } else { object(&[("and", all.into_iter().collect::<Array>().into())]) }
    }

    /// This filter narrowed to the payment `id`: whether a payment passes it, asked of the api.
    pub fn only(&self, id: &str) -> JsValue {
        let this = object(&[("id", object(&[("eq", id.into())]))]);
        let both = [self.to_graphql(), this].into_iter().filter(|part| !part.is_null()).collect::<Array>();
        object(&[("and", both.into())])
    }

    /// The filter form, showing these values.
    pub fn form(&self, accounts: &[Account]) -> Markup {
        let field = |name: &str, label: &str, kind: &str| {
            let id = ["filter-", name].concat();
            html! {
                div class="field" {
                    label for=(id) { (label) }
                    input id=(id) name=(name) type=(kind) value=(self.get(name)) inputmode=[(name == "min" || name == "max").then_some("decimal")];
                }
            }
        };
        html! {
            form class="payments__filters" role="search" aria-label="Filter payments" data-testid="filters" {
                div class="field" {
                    label for="filter-status" { "Status" }
                    select id="filter-status" name="status" {
                        option value="" { "Any" }
                        @for (status, words) in STATUSES {
                            option value=(status) selected[self.get("status") == status] { (words) }
                        }
                    }
                }
                (field("from", "Due from", "date"))
                (field("to", "Due until", "date"))
                div class="field" {
                    label for="filter-account" { "Account" }
                    select id="filter-account" name="account" {
                        option value="" { "Any" }
                        @for account in accounts {
                            option value=(account.id) selected[self.get("account") == account.id] { (account.name) " · " (account.number) }
                        }
                    }
                }
                (field("min", "Amount from", "text"))
                (field("max", "Amount up to", "text"))
                (field("q", "Text", "search"))
                div class="actions" {
                    button type="submit" class="button button--primary" { "Filter" }
                    @if !self.is_empty() {
                        button type="button" class="button" data-action="clear-filters" { "Clear filters" }
                    }
                }
            }
        }
    }
}
