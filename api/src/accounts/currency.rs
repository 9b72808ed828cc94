//! ISO 4217: the active currency codes (list one, less funds, metals and test codes) and their
//! minor-unit digits (exponents), which payments' amounts are written in. The OpenAPI document
//! lists the codes as the `enum` of the request's `currency`.

use utoipa::openapi::{Object, ObjectBuilder, Type};

/// Sorted, for binary search.
const CURRENCIES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
    "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// ISO 4217's minor-unit digits are 2 but for these currencies.
const NO_MINOR_UNITS: &[&str] =
    &["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];
const THREE_MINOR_DIGITS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

pub const MESSAGE: &str = "must be an ISO 4217 currency code, such as EUR or USD";

pub fn is_currency(code: &str) -> bool {
    CURRENCIES.binary_search(&code).is_ok()
}

/// The number of digits after the decimal point of the currency's amounts (JPY 0, EUR 2, BHD 3),
/// for a known code.
pub fn exponent(code: &str) -> Option<u32> {
    if !is_currency(code) {
        return None;
    }
    Some(match code {
        _ if NO_MINOR_UNITS.contains(&code) => 0,
        _ if THREE_MINOR_DIGITS.contains(&code) => 3,
        _ => 2,
    })
}

pub fn schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some("An ISO 4217 currency code, upper-case."))
        .enum_values(Some(CURRENCIES.iter().copied()))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_so_binary_search_works() {
        assert!(CURRENCIES.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn known_codes_only() {
        assert!(is_currency("EUR") && is_currency("JPY") && is_currency("ZWG"));
        assert!(!is_currency("eur") && !is_currency("XXX") && !is_currency("EURO") && !is_currency(""));
    }

    #[test]
    fn exponents_are_iso_4217s() {
        assert_eq!(
            [exponent("JPY"), exponent("EUR"), exponent("BHD"), exponent("KWD")],
            [Some(0), Some(2), Some(3), Some(3)]
        );
        assert_eq!(exponent("XXX"), None);
        assert!(NO_MINOR_UNITS.iter().chain(THREE_MINOR_DIGITS).all(|code| is_currency(code)));
    }
}
