//! Keyset pagination in display order: a cursor is the (name, id) of the last row a page showed,
//! written `<id>:<name>`, so the next page starts right after it even while rows are added or
//! removed. Any text of that form is a position in the order, so the document's pattern says
//! exactly which cursors are accepted (an opaque token could not say which are).

use utoipa::openapi::Object;
use uuid::Uuid;

use crate::{rest::problem::FieldError, rules::Text};

/// An id as `Uuid` writes it, a colon, and a name's characters (at most a name's 200).
pub static CURSOR: Text = Text::new(
    38,
    237,
    "characters: an account's id, a colon and its name, as the previous page's `nextCursor` gives them",
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[^\x00-\x1F\x7F-\x9F]+$",
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub name: String,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}:{}", self.id, self.name)
    }

    pub fn decode(text: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new("cursor", CURSOR.message());
        if !CURSOR.allows(text) {
            return Err(invalid());
        }
        let (id, name) = text.split_once(':').ok_or_else(invalid)?;
        Ok(Self { name: name.to_owned(), id: id.parse().map_err(|_| invalid())? })
    }

    pub fn parse(text: Option<&str>) -> Result<Option<Self>, FieldError> {
        text.map(Self::decode).transpose()
    }
}

pub fn schema() -> Object {
    CURSOR.schema()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_anything_else() {
        let cursor = Cursor { name: "Zürich: \"ops\"".into(), id: Uuid::new_v4() };
        assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor.clone()));
        let longest = Cursor { name: "é".repeat(200), ..cursor.clone() };
        assert_eq!(Cursor::decode(&longest.encode()), Ok(longest));
        let upper_case_id = cursor.encode().to_uppercase();
        let control = format!("{}:tab\there", cursor.id);
        for bad in ["", "garbage", "bnVsbA", &format!("{}:", cursor.id), &upper_case_id, &control] {
            assert!(Cursor::decode(bad).is_err(), "{bad}");
        }
    }
}
