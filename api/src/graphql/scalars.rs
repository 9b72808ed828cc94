//! The custom scalars: AppSync's date and time strings, and money's decimal strings and 64-bit
//! integers (GraphQL's `Int` is 32-bit, and a `Float` must never carry money).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use time::{Date, OffsetDateTime, format_description::well_known::Rfc3339};

/// A decimal number as a string, such as `"12.34"`: digits, an optional `-` and point, no exponent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal(pub String);

/// A decimal number written as a string, such as "12.34" (digits, an optional leading minus and one
/// point; no exponent, no grouping). Money's amounts have the currency's decimals (JPY 0, EUR 2, BHD 3).
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(text) if is_decimal(&text) => Ok(Self(text)),
            Value::String(text) => {
                Err(InputValueError::custom(format!("{text:?} is not a decimal number such as \"12.34\"")))
            }
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

fn is_decimal(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    !whole.is_empty() && !fraction.is_empty() && (whole.bytes().chain(fraction.bytes())).all(|b| b.is_ascii_digit())
}

/// A 64-bit integer as a decimal string (`"1234"`), so that no JSON parser rounds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Long(pub i64);

/// A 64-bit signed integer, written as a string of digits ("1234") so that no JSON parser rounds it.
#[Scalar(name = "Long")]
impl ScalarType for Long {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => text.parse().map(Self).map_err(|_| InputValueError::expected_type(value)),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// AppSync's `AWSDate`: `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsDate(pub Date);

/// An extended ISO 8601 date, YYYY-MM-DD, as AppSync's AWSDate.
#[Scalar(name = "AWSDate")]
impl ScalarType for AwsDate {
    fn parse(value: Value) -> InputValueResult<Self> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        match &value {
            Value::String(text) => Date::parse(text, format)
                .map(Self)
                .map_err(|_| InputValueError::custom(format!("{text:?} is not a date such as 2025-01-31"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// AppSync's `AWSDateTime`: RFC 3339, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsDateTime(pub OffsetDateTime);

/// An RFC 3339 date and time with its offset (UTC here), as AppSync's AWSDateTime.
#[Scalar(name = "AWSDateTime")]
impl ScalarType for AwsDateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => OffsetDateTime::parse(text, &Rfc3339)
                .map(Self)
                .map_err(|_| InputValueError::custom(format!("{text:?} is not an RFC 3339 date and time"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format(&Rfc3339).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_plain_strings() {
        for good in ["0", "12.34", "-1.5", "1200"] {
            assert!(is_decimal(good), "{good}");
        }
        for bad in ["", ".5", "5.", "1e3", "+1", "1,0", "NaN", "-"] {
            assert!(!is_decimal(bad), "{bad}");
        }
        assert!(Decimal::parse(Value::from(12.34)).is_err(), "a float never carries money");
        assert!(Decimal::parse(Value::from(12)).is_err());
    }

    #[test]
    fn longs_go_beyond_32_bits() {
        assert_eq!(Long::parse(Value::from("9007199254740993")).ok(), Some(Long(9_007_199_254_740_993)));
        assert_eq!(Long(5_000_000_000).to_value(), Value::from("5000000000"));
    }
}
