//! What a payment is, as stored, and the rules its input follows: each failed rule names its field.

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, sqlx::Type, async_graphql::Enum)]
#[sqlx(type_name = "text", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentType {
    Domestic,
    International,
}

/// `PENDING → APPROVED → SETTLED`, or to `REJECTED`, `CANCELLED` or `FAILED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, async_graphql::Enum)]
#[sqlx(type_name = "text", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentStatus {
    Pending,
    Approved,
    Settled,
    Rejected,
    Cancelled,
    Failed,
}

/// A payment as stored (`payments`, migration 0015).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Payment {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    pub exponent: i16,
    pub due_date: Date,
    pub from_account_id: Uuid,
    pub to_account_id: Option<Uuid>,
    pub counterparty_name: Option<String>,
    pub counterparty_iban: Option<String>,
    pub message: Option<String>,
    #[sqlx(rename = "type")]
    pub kind: PaymentType,
    pub status: PaymentStatus,
    pub reference: Option<String>,
    pub failure_reason: Option<String>,
    pub created_by: Uuid,
    pub approved_by: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

impl Payment {
    pub fn money(&self) -> Money {
        Money { minor: self.amount_minor, currency: self.currency.clone(), exponent: self.exponent as u32 }
    }
}

/// An organisation's threshold in one currency: payments at or above it need a second person's approval.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApprovalPolicy {
    pub tenant_id: Uuid,
    pub currency: String,
    pub threshold_minor: i64,
    pub updated_by: Uuid,
    pub updated_at: OffsetDateTime,
}

/// A rule that input broke: the field's path in the input (`input.amount.amount`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Where a payment goes: another account of the tenant, or out to a counterparty.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Destination {
    Account(Uuid),
    External { name: String, iban: String },
}

/// The content of a payment, checked: what `createPayment` stores and `updatePayment` changes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Content {
    pub amount_minor: i64,
    pub currency: String,
    pub exponent: u32,
    #[serde(with = "iso_date")]
    pub due_date: Date,
    pub from_account: Uuid,
    pub destination: Destination,
    pub message: Option<String>,
    pub kind: PaymentType,
    pub reference: Option<String>,
}

mod iso_date {
    pub fn serialize<S: serde::Serializer>(date: &time::Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&date.to_string())
    }
}

pub const MESSAGE_MAX: usize = 140;
pub const REFERENCE_MAX: usize = 35;
pub const COUNTERPARTY_NAME_MAX: usize = 140;

/// Checks the fields that need no database; `prefix` is the input's path (`input`).
pub fn money(prefix: &str, amount: &str, currency: &str) -> Result<Money, Invalid> {
    if crate::accounts::currency::exponent(currency).is_none() {
        return Err(Invalid::new(
            format!("{prefix}.amount.currency"),
            format!("{currency:?} {}", crate::accounts::currency::MESSAGE),
        ));
    }
    Money::parse(amount, currency).map_err(|message| Invalid::new(format!("{prefix}.amount.amount"), message))
}

pub fn date(field: &str, text: &str) -> Result<Date, Invalid> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, format).map_err(|_| Invalid::new(field, format!("{text:?} is not a date such as 2025-01-31")))
}

/// Free text of at most `max` characters, without control characters; blank means none.
pub fn text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if value.chars().count() > max {
        return Err(Invalid::new(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    Ok(Some(value.to_owned()))
}

/// An IBAN (ISO 13616), spaces allowed and removed, letters upper-cased, its mod-97 check digits right.
pub fn iban(field: &str, text: &str) -> Result<String, Invalid> {
    let compact: String = text.chars().filter(|c| *c != ' ').collect::<String>().to_ascii_uppercase();
    let shaped = compact.len() >= 15
        && compact.len() <= 34
        && compact.bytes().all(|b| b.is_ascii_alphanumeric())
        && compact.as_bytes()[..2].iter().all(u8::is_ascii_alphabetic)
        && compact.as_bytes()[2..4].iter().all(u8::is_ascii_digit);
    if !shaped {
        return Err(Invalid::new(
            field,
            "is not an IBAN: two letters, two check digits, then 11 to 30 letters or digits",
        ));
    }
    let rearranged = compact[4..].bytes().chain(compact[..4].bytes());
    let remainder = rearranged.fold(0u32, |acc, b| match b {
        b'0'..=b'9' => (acc * 10 + u32::from(b - b'0')) % 97,
        _ => (acc * 100 + u32::from(b - b'A' + 10)) % 97,
    });
    match remainder {
        1 => Ok(compact),
        _ => Err(Invalid::new(field, "is not a valid IBAN: its check digits do not match")),
    }
}

/// The fields a payment's money and destination add up to, checked together.
pub fn destination(
    prefix: &str,
    from: Uuid,
    to_account: Option<Uuid>,
    counterparty: Option<(&str, &str)>,
) -> Result<Destination, Invalid> {
    match (to_account, counterparty) {
        (Some(to), None) if to == from => {
            Err(Invalid::new(format!("{prefix}.toAccount"), "must differ from fromAccount"))
        }
        (Some(to), None) => Ok(Destination::Account(to)),
        (None, Some((name, iban_text))) => {
            let name = text(&format!("{prefix}.counterparty.name"), Some(name), COUNTERPARTY_NAME_MAX)?
                .ok_or_else(|| Invalid::new(format!("{prefix}.counterparty.name"), "is required"))?;
            Ok(Destination::External { name, iban: iban(&format!("{prefix}.counterparty.iban"), iban_text)? })
        }
        _ => Err(Invalid::new(format!("{prefix}.toAccount"), "give either toAccount or counterparty, not both")),
    }
}

/// The amount of a page of `listPayments`: AppSync's default of 100, at most 1,000.
pub fn page_size(limit: Option<i32>) -> Result<i64, Invalid> {
    match limit {
        None => Ok(100),
        Some(limit @ 1..=1000) => Ok(i64::from(limit)),
        Some(_) => Err(Invalid::new("limit", "must be from 1 to 1000")),
    }
}

impl Content {
    /// The request's fingerprint for idempotency keys: of the checked content and tenant.
    pub fn fingerprint(&self, tenant: Uuid) -> Vec<u8> {
        crate::idempotency::fingerprint(&(tenant, self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_need_their_check_digits() {
        assert_eq!(iban("iban", "GB82 WEST 1234 5698 7654 32"), Ok("GB82WEST12345698765432".into()));
        assert_eq!(iban("iban", "de89370400440532013000"), Ok("DE89370400440532013000".into()));
        assert!(iban("iban", "GB83WEST12345698765432").unwrap_err().message.contains("check digits"));
        assert!(iban("iban", "GB82").is_err() && iban("iban", "1282WEST12345698765432").is_err());
    }

    #[test]
    fn money_errors_name_the_field() {
        assert_eq!(money("input", "1.234", "EUR").unwrap_err().field, "input.amount.amount");
        assert_eq!(money("input", "1", "EURO").unwrap_err().field, "input.amount.currency");
        assert_eq!(money("input", "1.5", "JPY").unwrap_err().field, "input.amount.amount");
    }

    #[test]
    fn one_destination() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(destination("input", a, Some(b), None), Ok(Destination::Account(b)));
        assert!(destination("input", a, Some(a), None).is_err());
        assert!(destination("input", a, None, None).is_err());
        assert!(destination("input", a, Some(b), Some(("Bob", "GB82WEST12345698765432"))).is_err());
    }

    #[test]
    fn fingerprints_differ_with_content_and_tenant() {
        let content = Content {
            amount_minor: 100,
            currency: "EUR".into(),
            exponent: 2,
            due_date: date("d", "2025-01-31").unwrap(),
            from_account: Uuid::nil(),
            destination: Destination::Account(Uuid::max()),
            message: None,
            kind: PaymentType::Domestic,
            reference: None,
        };
        let other = Content { amount_minor: 101, ..content.clone() };
        assert_eq!(content.fingerprint(Uuid::nil()), content.fingerprint(Uuid::nil()));
        assert_ne!(content.fingerprint(Uuid::nil()), other.fingerprint(Uuid::nil()));
        assert_ne!(content.fingerprint(Uuid::nil()), content.fingerprint(Uuid::max()));
    }
}
