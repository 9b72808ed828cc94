//! Balances and counts as people read them: the browser's `Intl.NumberFormat` knows each currency's
//! symbol, how many of its minor units make one major unit, and how the reader groups digits.

use std::cell::RefCell;

use js_sys::{Array, Function, Intl::NumberFormat, Object, Reflect};
use wasm_bindgen::JsValue;

thread_local! {
    /// One formatter per currency (making one is the slow part) with its decimals; a few
    /// currencies, so a list.
    static FORMATS: RefCell<Vec<(String, Function, u32)>> = const { RefCell::new(Vec::new()) };
}

/// The formatter of `currency` and how many decimals the currency has (EUR 2, JPY 0, BHD 3).
fn with_format<T>(currency: &str, then: impl FnOnce(&Function, u32) -> T) -> T {
    FORMATS.with_borrow_mut(|formats| {
        let at = formats.iter().position(|(known, ..)| known == currency).unwrap_or_else(|| {
            formats.push(formatter(currency));
            formats.len() - 1
        });
        let (_, format, decimals) = &formats[at];
        then(format, *decimals)
    })
}

/// How many decimals `currency` has, as the browser knows it: EUR 2, JPY 0, BHD 3.
pub fn decimals(currency: &str) -> u32 {
    with_format(currency, |_, decimals| decimals)
}

/// `minor` units of `currency` (an ISO 4217 code), e.g. 123456 EUR → "€1,234.56".
pub fn format(minor: f64, currency: &str) -> String {
    with_format(currency, |format, decimals| {
        let major = minor / js_sys::Math::pow(10.0, decimals.into());
        format.call1(&JsValue::NULL, &major.into()).ok().and_then(|text| text.as_string())
    })
    .unwrap_or_else(|| {
        format!("{} {currency}", String::from(js_sys::Number::from(minor).to_string_with_radix(10).unwrap_or_default()))
    })
}

/// A subtree's balances, one per currency.
pub fn format_all(balances: &[(String, f64)]) -> String {
    balances.iter().map(|(currency, minor)| format(*minor, currency)).collect::<Vec<_>>().join(" · ")
}

/// A number of accounts, its digits grouped as the browser's language does, e.g. 10000 → "10,000".
pub fn count(n: usize) -> String {
    let grouped = NumberFormat::new(&Array::new(), &Object::new()).format().call1(&JsValue::NULL, &(n as f64).into());
    grouped.ok().and_then(|text| text.as_string()).unwrap_or_else(|| n.to_string())
}

fn formatter(currency: &str) -> (String, Function, u32) {
    let options = Object::new();
    let _ = Reflect::set(&options, &"style".into(), &"currency".into());
    let _ = Reflect::set(&options, &"currency".into(), &currency.into());
    let format = NumberFormat::new(&Array::new(), &options);
    let digits = Reflect::get(&format.resolved_options(), &"maximumFractionDigits".into())
        .ok()
        .and_then(|digits| digits.as_f64())
        .unwrap_or(2.0);
    (currency.to_owned(), format.format(), digits as u32)
}
