//! Balances as people read them: the browser's `Intl.NumberFormat` knows each currency's symbol and
//! how many of its minor units make one major unit.

use std::{cell::RefCell, collections::HashMap};

use js_sys::{Array, Function, Intl::NumberFormat, Object, Reflect};
use wasm_bindgen::JsValue;

thread_local! {
    /// One formatter per currency: making one is the slow part.
    static FORMATS: RefCell<HashMap<String, (Function, f64)>> = RefCell::new(HashMap::new());
}

/// `minor` units of `currency` (an ISO 4217 code), e.g. 123456 EUR → "€1,234.56".
pub fn format(minor: f64, currency: &str) -> String {
    FORMATS
        .with_borrow_mut(|formats| {
            let (format, per_major) = formats.entry(currency.to_owned()).or_insert_with(|| formatter(currency));
            format.call1(&JsValue::NULL, &(minor / *per_major).into()).ok().and_then(|text| text.as_string())
        })
        .unwrap_or_else(|| {
            format!(
                "{} {currency}",
                String::from(js_sys::Number::from(minor).to_string_with_radix(10).unwrap_or_default())
            )
        })
}

/// A subtree's balances, one per currency.
pub fn format_all(balances: &[(String, f64)]) -> String {
    balances.iter().map(|(currency, minor)| format(*minor, currency)).collect::<Vec<_>>().join(" · ")
}

fn formatter(currency: &str) -> (Function, f64) {
    let options = Object::new();
    let _ = Reflect::set(&options, &"style".into(), &"currency".into());
    let _ = Reflect::set(&options, &"currency".into(), &currency.into());
    let format = NumberFormat::new(&Array::new(), &options);
    let digits = Reflect::get(&format.resolved_options(), &"maximumFractionDigits".into())
        .ok()
        .and_then(|digits| digits.as_f64())
        .unwrap_or(2.0);
    (format.format(), js_sys::Math::pow(10.0, digits))
}
