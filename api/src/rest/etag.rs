//! Optimistic concurrency: a resource's version is its ETag (`"7"`), and changes carry it back in
//! `If-Match`, so two people editing the same thing cannot overwrite each other unknowingly.

use axum::{
    extract::FromRequestParts,
    http::{HeaderValue, StatusCode, header, request::Parts},
};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{RefOr, Schema},
};

use super::problem::Problem;
use crate::rules::Text;

/// RFC 9110's `If-Match`: `*`, or entity tags separated by commas (their characters are visible
/// ASCII but `"`; the RFC's obs-text is not text an HTTP library hands over).
pub static IF_MATCH: Text = Text::new(
    1,
    1024,
    "characters: `*`, or ETags such as `\"7\"` separated by commas",
    r#"^(\*|(W/)?"[\x21\x23-\x7E]*"([ \t]*,[ \t]*(W/)?"[\x21\x23-\x7E]*")*)$"#,
);

pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits and quotes are a valid header")
}

/// The request's `If-Match`: absent, `*`, or the versions it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    Absent,
    Any,
    /// Versions from strong ETags; a weak or foreign ETag matches nothing (RFC 9110's strong
    /// comparison), which then fails as a stale one.
    Versions(Vec<i64>),
}

impl IfMatch {
    fn parse(value: &str) -> Self {
        if value.trim() == "*" {
            return Self::Any;
        }
        let versions = value.split(',').filter_map(|tag| tag.trim().strip_prefix('"')?.strip_suffix('"')?.parse().ok());
        Self::Versions(versions.collect())
    }

    /// For changes that must name the version they change: 428 without it.
    pub fn required(self) -> Result<Option<Vec<i64>>, Problem> {
        match self {
            Self::Absent => Err(Problem::new(
                StatusCode::PRECONDITION_REQUIRED,
                "if-match-required",
                "Precondition required",
                "Send the account's ETag in If-Match, so a change made meanwhile is not overwritten.",
            )),
            other => Ok(other.optional()),
        }
    }

    /// The versions a change is limited to; `None`: any version.
    pub fn optional(self) -> Option<Vec<i64>> {
        match self {
            Self::Absent | Self::Any => None,
            Self::Versions(versions) => Some(versions),
        }
    }
}

pub fn stale(current: i64) -> Problem {
    Problem::new(
        StatusCode::PRECONDITION_FAILED,
        "stale-version",
        "Precondition failed",
        "Someone else changed this account meanwhile: reload it and try again.",
    )
    .with_header(header::ETAG, etag(current))
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Problem> {
        match parts.headers.get(header::IF_MATCH) {
            None => Ok(Self::Absent),
            Some(value) => match value.to_str() {
                Ok(value) if IF_MATCH.allows(value) => Ok(Self::parse(value)),
                _ => Err(Problem::from_status(StatusCode::BAD_REQUEST, format!("If-Match {}.", IF_MATCH.message()))),
            },
        }
    }
}

/// The header's schema in the OpenAPI document.
impl PartialSchema for IfMatch {
    fn schema() -> RefOr<Schema> {
        IF_MATCH.schema().into()
    }
}

impl ToSchema for IfMatch {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_star_lists_and_refuses_weak_tags() {
        assert_eq!(IfMatch::parse("*"), IfMatch::Any);
        assert_eq!(IfMatch::parse(r#""3", "5""#), IfMatch::Versions(vec![3, 5]));
        assert_eq!(IfMatch::parse(r#"W/"3""#), IfMatch::Versions(vec![]));
        assert_eq!(IfMatch::parse("3"), IfMatch::Versions(vec![]));
    }

    #[test]
    fn only_star_or_entity_tags_are_an_if_match() {
        for value in ["*", r#""3""#, r#""3", W/"5","x""#, r#""""#] {
            assert!(IF_MATCH.allows(value), "{value}");
        }
        for value in ["", "3", r#""3"#, r#""3" "5""#, "*, \"3\"", r#""é""#, r#""a"b""#] {
            assert!(!IF_MATCH.allows(value), "{value}");
        }
    }
}
