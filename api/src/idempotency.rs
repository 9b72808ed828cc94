//! Idempotency keys, one set of rules for every api that takes them (the REST api's
//! `Idempotency-Key` header, the payments' `idempotencyKey`): what a key may be, the request's
//! fingerprint that a reuse must match, and what a mismatch says. Each api keeps its keys where its
//! writes are, so the key is claimed in the same transaction as what the request makes: a request
//! that fails leaves no key, and a retry after a lost answer finds the first one's.

use serde::Serialize;

/// The longest key (Stripe's bound).
pub const KEY_MAX: usize = 255;

/// A key as the client sent it: 1 to [`KEY_MAX`] printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    pub fn new(key: &str) -> Result<Self, &'static str> {
        match key.len() {
            1..=KEY_MAX if key.bytes().all(|b| (0x20..=0x7e).contains(&b)) => Ok(Self(key.to_owned())),
            _ => Err("must be 1 to 255 printable ASCII characters"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The fingerprint a reuse of a key must match: SHA-256 of the request's canonical JSON (what it
/// asks for as parsed, so layout and key order do not matter).
pub fn fingerprint(request: &impl Serialize) -> Vec<u8> {
    let canonical = serde_json::to_vec(request).expect("a request serializes");
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &canonical).as_ref().to_vec()
}

/// What a key reused with other input is told.
pub fn mismatch(key: &Key) -> String {
    format!(
        "Keys for idempotent requests can only be used with the same parameters they were first used with. \
         Try using a key other than '{}' if you meant to execute a different request.",
        key.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_printable_ascii() {
        assert!(Key::new("8e03978e-40d5-43e8-bc93-6894a57f9324").is_ok());
        assert!(Key::new(&"k".repeat(KEY_MAX)).is_ok());
        for bad in ["", "tab\there", "é", &"k".repeat(KEY_MAX + 1)] {
            assert!(Key::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fingerprints_follow_content_not_layout() {
        let a: serde_json::Value = serde_json::from_str(r#"{"b": 1, "a": [2]}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{"a":[2],"b":1}"#).unwrap();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&serde_json::json!({"a": [2], "b": 2})));
    }
}
