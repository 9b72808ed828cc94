//! Keyset pagination in display order: a cursor is the (name, id) of the last row a page showed,
//! opaque to clients (base64url of JSON), so the next page starts right after it even while rows
//! are added or removed.

use base64::{Engine, prelude::BASE64_URL_SAFE_NO_PAD};
use uuid::Uuid;

use crate::rest::problem::FieldError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub name: String,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        BASE64_URL_SAFE_NO_PAD.encode(serde_json::to_vec(&(&self.name, self.id)).unwrap_or_default())
    }

    pub fn decode(text: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new("cursor", "is not a cursor this api gave out");
        let bytes = BASE64_URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let (name, id): (String, Uuid) = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        Ok(Self { name, id })
    }

    pub fn parse(text: Option<&str>) -> Result<Option<Self>, FieldError> {
        text.map(Self::decode).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_anything_else() {
        let cursor = Cursor { name: "Zürich \"ops\"".into(), id: Uuid::new_v4() };
        assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        for bad in ["", "not base64!", "bnVsbA", "WzEsMl0"] {
            assert!(Cursor::decode(bad).is_err(), "{bad}");
        }
    }
}
