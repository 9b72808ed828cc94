//! Moments as people read them: the api's RFC 3339 timestamps (`2026-12-06T20:17:02.409554Z`) to
//! the minute, with their zone named (`2026-12-06 20:17 UTC`), or as a day in the reader's language.
//! Seconds and their fractions tell a reader nothing; the zone keeps colleagues in different places
//! reading the same moment.

use js_sys::{Array, Date, Intl::DateTimeFormat, Object};
use wasm_bindgen::JsValue;

/// `2026-12-06T20:17:02.409554Z` as `2026-12-06 20:17 UTC`; anything of another shape as it is.
pub fn to_the_minute(timestamp: &str) -> String {
    let bytes = timestamp.as_bytes();
    match (timestamp.get(..10), timestamp.get(11..16)) {
        (Some(day), Some(time)) if bytes[10] == b'T' && bytes[13] == b':' && timestamp.ends_with('Z') => {
            [day, " ", time, " UTC"].concat()
        }
        _ => timestamp.to_owned(),
    }
}

/// The day of an ISO 8601 time, as the browser writes dates in the reader's language.
pub fn date(iso: &str) -> String {
    let format = DateTimeFormat::new(&Array::new(), &Object::new()).format();
    format.call1(&JsValue::NULL, &Date::new(&iso.into())).ok().and_then(|text| text.as_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::to_the_minute;

    #[test]
    fn timestamps_read_to_the_minute_in_utc() {
        assert_eq!(to_the_minute("2026-12-06T20:17:02.409554Z"), "2026-12-06 20:17 UTC");
        assert_eq!(to_the_minute("2026-01-31T00:00:00Z"), "2026-01-31 00:00 UTC");
    }

    #[test]
    fn other_shapes_stay_as_they_are() {
        for odd in ["", "2026-12-06", "2026-12-06T20:17:02+02:00", "yesterday at noon, roughly", "2026-12-06 20:17Z"] {
            assert_eq!(to_the_minute(odd), odd);
        }
    }
}
