//! What the accounts api reads and writes, and the rules input must follow: each rule checks input
//! and states itself in the OpenAPI document ([`crate::rules`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema, openapi::Object};
use uuid::Uuid;

use super::{currency, cursor};
use crate::{
    rest::problem::FieldError,
    rules::{Range, Text},
};

// The patterns spell their character classes out, as regex dialects disagree on `\s`: control
// characters are U+0000-U+001F and U+007F-U+009F (`char::is_control`), and the spaces are the other
// Unicode whitespace (`char::is_whitespace`). The tests hold both to the standard library's.

/// Surrounding spaces are removed before storing.
pub static NAME: Text = Text::new(
    1,
    200,
    "characters, not only spaces, with no control characters",
    r"^[^\x00-\x1F\x7F-\x9F]*[^\x00-\x1F\x7F-\x9F \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x1F\x7F-\x9F]*$",
);
/// Unique within the tenant (an IBAN fits); stored upper-case, without surrounding spaces.
pub static NUMBER: Text =
    Text::new(1, 34, "letters, digits or dashes, starting with a letter or digit", "^ *[A-Za-z0-9][A-Za-z0-9-]* *$");
/// Searches names, which have no control characters and at most as many characters.
pub static SEARCH: Text = Text::new(0, 200, "characters, with no control characters", r"^[^\x00-\x1F\x7F-\x9F]*$");
/// Opening balances are bounded (10^11 in major units of a 2-digit currency) so that no subtree of
/// up to 900,000 accounts can overflow 64 bits.
pub const BALANCE: Range = Range { min: -10_000_000_000_000, max: 10_000_000_000_000, default: 0 };
pub const PAGE_SIZE: Range = Range { min: 1, max: 200, default: 50 };
/// Levels below the account.
pub const DEPTH: Range = Range { min: 1, max: 5, default: 2 };

// For `schema_with`, which takes a function.
fn name_schema() -> Object {
    NAME.schema()
}
fn number_schema() -> Object {
    NUMBER.schema()
}
fn search_schema() -> Object {
    SEARCH.schema()
}
fn balance_schema() -> Object {
    BALANCE.schema()
}
pub fn page_size_schema() -> Object {
    PAGE_SIZE.schema()
}
fn depth_schema() -> Object {
    DEPTH.schema()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Status {
    Open,
    Closed,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    /// Upper-case letters, digits and dashes, unique within the tenant (an IBAN fits).
    pub number: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The account's own balance, in minor units of its currency (cents for EUR).
    pub balance_minor: i64,
    pub status: Status,
    /// Whether settlement lets the balance go below zero (otherwise such a payment fails).
    pub allow_overdraft: bool,
    pub child_count: i32,
    pub has_children: bool,
    /// The balances of the whole subtree (this account included), per currency, in minor units.
    #[schema(value_type = BTreeMap<String, i64>)]
    pub rolled_up_balance: sqlx::types::Json<BTreeMap<String, i64>>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// Increases with every change a person makes; the ETag.
    pub version: i64,
}

/// `POST /v1/accounts`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAccount {
    /// Defaults to the parent's tenant, or to the caller's first tenant for a root.
    pub tenant_id: Option<Uuid>,
    /// Absent or null: a root account.
    pub parent_id: Option<Uuid>,
    #[schema(schema_with = name_schema)]
    pub name: String,
    #[schema(schema_with = number_schema)]
    pub number: String,
    #[schema(schema_with = currency::schema)]
    pub currency: String,
    /// In minor units of the currency.
    #[serde(default = "opening_balance", deserialize_with = "crate::rules::whole_number")]
    #[schema(schema_with = balance_schema)]
    pub balance_minor: i64,
    #[serde(default = "open")]
    pub status: Status,
    /// Whether settlement lets the balance go below zero; only admins and owners allow it.
    #[serde(default)]
    pub allow_overdraft: bool,
}

fn opening_balance() -> i64 {
    BALANCE.default
}

fn open() -> Status {
    Status::Open
}

/// `PATCH /v1/accounts/{id}`: the fields to change, at least one; an absent one stays as it is.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct AccountChanges {
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = name_schema)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = number_schema)]
    pub number: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Status)]
    pub status: Option<Status>,
    /// Only admins and owners change it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub allow_overdraft: Option<bool>,
}

/// A field that may be absent but not null: none of the changes can be unset.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(field: D) -> Result<Option<T>, D::Error> {
    T::deserialize(field).map(Some)
}

/// `POST /v1/accounts/{id}/move`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Move {
    /// The new parent, of the same tenant; null makes the account a root.
    pub parent_id: Option<Uuid>,
}

/// One page of a list, in name order.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    #[param(schema_with = page_size_schema)]
    pub limit: Option<u32>,
    #[param(schema_with = cursor::schema)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RootParams {
    /// Whose roots: one of the caller's tenants (any tenant for admins); the caller's first when absent.
    pub tenant: Option<Uuid>,
    /// Only accounts whose name contains this (case-insensitive).
    #[param(schema_with = search_schema)]
    pub q: Option<String>,
    #[param(schema_with = page_size_schema)]
    pub limit: Option<u32>,
    #[param(schema_with = cursor::schema)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubtreeParams {
    #[param(schema_with = depth_schema)]
    pub depth: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// Also delete every account below this one; without it, an account with children is refused.
    #[serde(default)]
    pub subtree: bool,
}

/// An account with the levels below it that were asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    #[serde(flatten)]
    pub account: Account,
    /// Absent below the requested depth (see `childCount`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub children: Option<Vec<Node>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subtree {
    pub root: Node,
    /// Whether the subtree was cut at the node limit before the requested depth.
    pub truncated: bool,
}

/// The page size asked for, within bounds.
pub fn page_size(limit: Option<u32>) -> Result<u32, FieldError> {
    bounded(&PAGE_SIZE, "limit", limit)
}

pub fn depth(depth: Option<u32>) -> Result<u32, FieldError> {
    bounded(&DEPTH, "depth", depth)
}

/// What to search names for, without surrounding spaces; `None` when there is nothing to search for.
pub fn search(q: Option<&str>) -> Result<Option<&str>, FieldError> {
    match q {
        Some(q) if !SEARCH.allows(q) => Err(FieldError::new("q", SEARCH.message())),
        q => Ok(q.map(str::trim).filter(|q| !q.is_empty())),
    }
}

fn bounded(range: &Range, field: &str, value: Option<u32>) -> Result<u32, FieldError> {
    let value = value.map_or(range.default, i64::from);
    match u32::try_from(value) {
        Ok(value) if range.contains(value.into()) => Ok(value),
        _ => Err(FieldError::new(field, range.message())),
    }
}

impl NewAccount {
    /// Checks every field, reporting all, then removes the surrounding spaces and upper-cases the number.
    pub fn validated(mut self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        self.name = checked_name(&self.name, &mut errors);
        self.number = checked_number(&self.number, &mut errors);
        if !currency::is_currency(&self.currency) {
            errors.push(FieldError::new("currency", currency::MESSAGE));
        }
        if !BALANCE.contains(self.balance_minor) {
            errors.push(FieldError::new("balanceMinor", BALANCE.message()));
        }
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }
}

impl AccountChanges {
    pub fn validated(mut self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.is_none() && self.number.is_none() && self.status.is_none() && self.allow_overdraft.is_none() {
            errors.push(FieldError::new("", "name, number, status or allowOverdraft: nothing to change"));
        }
        self.name = self.name.map(|name| checked_name(&name, &mut errors));
        self.number = self.number.map(|number| checked_number(&number, &mut errors));
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }
}

fn checked_name(name: &str, errors: &mut Vec<FieldError>) -> String {
    if !NAME.allows(name) {
        errors.push(FieldError::new("name", NAME.message()));
    }
    name.trim().to_owned()
}

fn checked_number(number: &str, errors: &mut Vec<FieldError>) -> String {
    if !NUMBER.allows(number) {
        errors.push(FieldError::new("number", NUMBER.message()));
    }
    number.trim_matches(' ').to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_account() -> NewAccount {
        NewAccount {
            tenant_id: None,
            parent_id: None,
            name: " Operating ".into(),
            number: " de-01 ".into(),
            currency: "EUR".into(),
            balance_minor: 0,
            status: Status::Open,
            allow_overdraft: false,
        }
    }

    #[test]
    fn loose_input_is_normalised() {
        let account = new_account().validated().unwrap();
        assert_eq!((account.name.as_str(), account.number.as_str()), ("Operating", "DE-01"));
    }

    #[test]
    fn currencies_are_codes_as_iso_4217_spells_them() {
        for currency in ["eur", " EUR", "EURO", ""] {
            let account = NewAccount { currency: currency.into(), ..new_account() };
            assert!(account.validated().is_err(), "{currency:?}");
        }
    }

    #[test]
    fn every_bad_field_is_reported() {
        let bad = NewAccount {
            name: "  ".into(),
            number: "-X".into(),
            currency: "EURO".into(),
            balance_minor: i64::MAX,
            ..new_account()
        };
        let fields: Vec<_> = bad.validated().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "number", "currency", "balanceMinor"]);
    }

    #[test]
    fn names_have_bounds_and_no_control_characters() {
        for name in ["", &"x".repeat(201), "tab\there", " \t Tab ", "\u{3000}\u{a0}"] {
            assert!(NewAccount { name: name.into(), ..new_account() }.validated().is_err(), "{name:?}");
        }
        for name in ["é".repeat(200), "\u{3000}Zürich\u{a0}".into(), "x".into()] {
            assert!(NewAccount { name: name.clone(), ..new_account() }.validated().is_ok(), "{name:?}");
        }
    }

    /// The patterns' spelled-out classes are the standard library's control characters and spaces
    /// (all of them in the Basic Multilingual Plane).
    #[test]
    fn pattern_classes_are_the_standard_librarys() {
        let astral = ['\u{10000}', '\u{1F600}', '\u{10FFFF}'];
        for c in ('\0'..='\u{FFFF}').chain(astral) {
            let alone = c.to_string();
            assert_eq!(NAME.allows(&alone), !c.is_control() && !c.is_whitespace(), "{c:?} as a name");
            assert_eq!(NAME.allows(&format!("a{c}b")), !c.is_control(), "{c:?} within a name");
            assert_eq!(SEARCH.allows(&alone), !c.is_control(), "{c:?} in a search");
        }
    }

    #[test]
    fn numbers_are_letters_digits_and_dashes() {
        for number in ["DE-01", "de-01", " 1 ", &"A".repeat(34)] {
            assert!(NUMBER.allows(number), "{number:?}");
        }
        for number in ["", " ", "-1", "DE 01", "DE_01", "\tDE", "Ä1", &"A".repeat(35)] {
            assert!(!NUMBER.allows(number), "{number:?}");
        }
    }

    #[test]
    fn an_empty_change_is_refused() {
        assert!(AccountChanges::default().validated().is_err());
        assert!(AccountChanges { status: Some(Status::Closed), ..Default::default() }.validated().is_ok());
    }

    #[test]
    fn a_change_cannot_be_null() {
        let null: Result<AccountChanges, _> = serde_json::from_str(r#"{"name": null}"#);
        assert!(null.is_err());
        let changes: AccountChanges = serde_json::from_str(r#"{"number": "x-1"}"#).unwrap();
        assert_eq!((changes.name, changes.number.as_deref()), (None, Some("x-1")));
    }

    #[test]
    fn page_and_depth_bounds() {
        assert_eq!(page_size(None), Ok(50));
        assert!(page_size(Some(0)).is_err() && page_size(Some(201)).is_err());
        assert_eq!(page_size(Some(200)), Ok(200));
        assert_eq!((depth(None), depth(Some(5))), (Ok(2), Ok(5)));
        assert!(depth(Some(0)).is_err() && depth(Some(6)).is_err());
    }
}
