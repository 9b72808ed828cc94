//! Money: integer minor units of an ISO 4217 currency, never a float. Amounts travel as decimal
//! strings (`"12.34"`), written with the currency's own number of decimals (JPY 0, EUR 2, BHD 3).

use crate::accounts::currency;

/// The largest amount of one payment, in minor units (10^11 in major units of a 2-digit currency,
/// as the accounts' opening balances): sums over many payments stay far inside 64 bits.
pub const MAX_MINOR: i64 = 10_000_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
    pub exponent: u32,
}

impl Money {
    /// A positive amount in `currency`, parsed from a decimal string; the message says what is wrong.
    pub fn parse(amount: &str, currency: &str) -> Result<Self, String> {
        let exponent = currency::exponent(currency).ok_or_else(|| format!("{currency:?} {}", currency::MESSAGE))?;
        let minor = parse_minor(amount, exponent).map_err(|reason| format!("{amount:?} {reason}"))?;
        if minor <= 0 {
            return Err("must be more than zero".into());
        }
        if minor > MAX_MINOR {
            return Err(format!("must be at most {}", format_minor(MAX_MINOR, exponent)));
        }
        Ok(Self { minor, currency: currency.to_owned(), exponent })
    }

    /// The amount as a decimal string with the currency's decimals: `"12.30"`, `"1200"` (JPY).
    pub fn decimal(&self) -> String {
        format_minor(self.minor, self.exponent)
    }
}

/// Minor units of a decimal string with at most `exponent` decimals: digits, an optional `-`, an
/// optional point; no exponent notation, no grouping, no spaces.
pub fn parse_minor(text: &str, exponent: u32) -> Result<i64, String> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || (unsigned.contains('.') && fraction.is_empty()) {
        return Err("is not a decimal number such as 12.34".into());
    }
    if fraction.len() > exponent as usize {
        return Err(format!("has more than the currency's {exponent} decimals"));
    }
    let padded = format!("{whole}{fraction:0<width$}", width = exponent as usize);
    let magnitude: i64 = padded.trim_start_matches('0').parse().or_else(|_| match padded.trim_start_matches('0') {
        "" => Ok(0),
        _ => Err("is too large".to_owned()),
    })?;
    Ok(if negative { -magnitude } else { magnitude })
}

/// `minor` as a decimal string with `exponent` decimals.
pub fn format_minor(minor: i64, exponent: u32) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{magnitude}");
    }
    let scale = 10u64.pow(exponent);
    format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale, width = exponent as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_follow_the_currency() {
        assert_eq!(Money::parse("12.34", "EUR").map(|m| m.minor), Ok(1234));
        assert_eq!(Money::parse("12", "EUR").map(|m| m.minor), Ok(1200));
        assert_eq!(Money::parse("1200", "JPY").map(|m| m.minor), Ok(1200));
        assert_eq!(Money::parse("1.234", "BHD").map(|m| m.minor), Ok(1234));
        assert!(Money::parse("12.345", "EUR").unwrap_err().contains("2 decimals"));
        assert!(Money::parse("12.5", "JPY").unwrap_err().contains("0 decimals"));
    }

    #[test]
    fn only_plain_positive_decimals_within_bounds() {
        for bad in ["", ".5", "5.", "1e3", "1,000", " 1", "+1", "0x10", "1.2.3", "NaN", "--1"] {
            assert!(Money::parse(bad, "EUR").is_err(), "{bad:?}");
        }
        assert!(Money::parse("0", "EUR").is_err() && Money::parse("-1", "EUR").is_err());
        assert!(Money::parse("100000000000.00", "EUR").is_ok());
        assert!(Money::parse("100000000000.01", "EUR").is_err());
        assert!(Money::parse("99999999999999999999999", "EUR").unwrap_err().contains("too large"));
        assert!(Money::parse("1", "XXX").is_err());
    }

    #[test]
    fn formats_with_the_currencys_decimals() {
        assert_eq!(format_minor(1234, 2), "12.34");
        assert_eq!(format_minor(5, 2), "0.05");
        assert_eq!(format_minor(-5, 3), "-0.005");
        assert_eq!(format_minor(1200, 0), "1200");
        assert_eq!(Money::parse("0.10", "EUR").unwrap().decimal(), "0.10");
    }
}
