//! What the accounts api reads and writes, and the rules input must follow.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::currency::is_currency;
use crate::rest::problem::FieldError;

pub const NAME_MAX_CHARS: usize = 200;
pub const NUMBER_MAX_CHARS: usize = 34;
/// Opening balances are bounded (10^11 in major units of a 2-digit currency) so that no subtree of
/// up to 900,000 accounts can overflow 64 bits.
pub const BALANCE_LIMIT: i64 = 10_000_000_000_000;

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
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAccount {
    /// Defaults to the parent's tenant, or to the caller's first tenant for a root.
    pub tenant_id: Option<Uuid>,
    /// Absent or null: a root account.
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub number: String,
    pub currency: String,
    #[serde(default)]
    pub balance_minor: i64,
    #[serde(default = "open")]
    pub status: Status,
}

fn open() -> Status {
    Status::Open
}

/// `PATCH /v1/accounts/{id}`: the fields to change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountChanges {
    pub name: Option<String>,
    pub number: Option<String>,
    pub status: Option<Status>,
}

/// `POST /v1/accounts/{id}/move`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
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
    /// 1 to 200; 50 when absent.
    pub limit: Option<u32>,
    /// From the previous page's `nextCursor`.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RootParams {
    /// Whose roots: one of the caller's tenants (any tenant for admins); the caller's first when absent.
    pub tenant: Option<Uuid>,
    /// Only accounts whose name contains this (case-insensitive).
    pub q: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubtreeParams {
    /// Levels below the account to include, 1 to 5; 2 when absent.
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

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;
pub const MAX_DEPTH: u32 = 5;
pub const DEFAULT_DEPTH: u32 = 2;

/// The page size asked for, within bounds.
pub fn page_size(limit: Option<u32>) -> Result<u32, FieldError> {
    match limit.unwrap_or(DEFAULT_PAGE) {
        size @ 1..=MAX_PAGE => Ok(size),
        _ => Err(FieldError::new("limit", format!("must be between 1 and {MAX_PAGE}"))),
    }
}

pub fn depth(depth: Option<u32>) -> Result<u32, FieldError> {
    match depth.unwrap_or(DEFAULT_DEPTH) {
        depth @ 1..=MAX_DEPTH => Ok(depth),
        _ => Err(FieldError::new("depth", format!("must be between 1 and {MAX_DEPTH}"))),
    }
}

impl NewAccount {
    /// Trims and upper-cases what people type loosely, then checks every field, reporting all.
    pub fn validated(mut self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        self.name = checked_name(&self.name, &mut errors);
        self.number = checked_number(&self.number, &mut errors);
        self.currency = self.currency.trim().to_ascii_uppercase();
        if !is_currency(&self.currency) {
            errors.push(FieldError::new("currency", "must be an ISO 4217 currency code, such as EUR or USD"));
        }
        if self.balance_minor.abs() > BALANCE_LIMIT {
            errors
                .push(FieldError::new("balanceMinor", format!("must be between -{BALANCE_LIMIT} and {BALANCE_LIMIT}")));
        }
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }
}

impl AccountChanges {
    pub fn validated(mut self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.is_none() && self.number.is_none() && self.status.is_none() {
            errors.push(FieldError::new("", "name, number or status: nothing to change"));
        }
        self.name = self.name.map(|name| checked_name(&name, &mut errors));
        self.number = self.number.map(|number| checked_number(&number, &mut errors));
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }
}

fn checked_name(name: &str, errors: &mut Vec<FieldError>) -> String {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > NAME_MAX_CHARS {
        errors.push(FieldError::new("name", format!("must be 1 to {NAME_MAX_CHARS} characters")));
    } else if name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "must not contain control characters"));
    }
    name.to_owned()
}

fn checked_number(number: &str, errors: &mut Vec<FieldError>) -> String {
    let number = number.trim().to_ascii_uppercase();
    let well_formed = (1..=NUMBER_MAX_CHARS).contains(&number.len())
        && !number.starts_with('-')
        && number.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if !well_formed {
        errors.push(FieldError::new(
            "number",
            format!("must be 1 to {NUMBER_MAX_CHARS} letters, digits or dashes, starting with a letter or digit"),
        ));
    }
    number
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_account() -> NewAccount {
        NewAccount {
            tenant_id: None,
            parent_id: None,
            name: " Operating ".into(),
            number: "de-01".into(),
            currency: "eur".into(),
            balance_minor: 0,
            status: Status::Open,
        }
    }

    #[test]
    fn loose_input_is_normalised() {
        let account = new_account().validated().unwrap();
        assert_eq!(
            (account.name.as_str(), account.number.as_str(), account.currency.as_str()),
            ("Operating", "DE-01", "EUR")
        );
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
        for name in ["", &"x".repeat(NAME_MAX_CHARS + 1), "tab\there"] {
            assert!(NewAccount { name: name.into(), ..new_account() }.validated().is_err(), "{name:?}");
        }
        assert!(NewAccount { name: "é".repeat(NAME_MAX_CHARS), ..new_account() }.validated().is_ok());
    }

    #[test]
    fn an_empty_change_is_refused() {
        assert!(AccountChanges::default().validated().is_err());
        assert!(AccountChanges { status: Some(Status::Closed), ..Default::default() }.validated().is_ok());
    }

    #[test]
    fn page_and_depth_bounds() {
        assert_eq!(page_size(None), Ok(DEFAULT_PAGE));
        assert!(page_size(Some(0)).is_err() && page_size(Some(MAX_PAGE + 1)).is_err());
        assert_eq!(depth(Some(MAX_DEPTH)), Ok(MAX_DEPTH));
        assert!(depth(Some(0)).is_err());
    }
}
