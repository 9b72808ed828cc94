//! The REST api's one error type: RFC 9457 problem details (`application/problem+json`), each kind
//! with a stable `type` that clients can switch on and a `detail` a person can read.

use axum::{
    Json,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// Postgres's SQLSTATE for a privilege or row-level security refusal.
const INSUFFICIENT_PRIVILEGE: &str = "42501";

/// RFC 9457 problem details; members particular to a kind of problem may follow (e.g. `descendants`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g. `/problems/not-found`, or `about:blank` when
    /// the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind of problem, in words.
    pub title: &'static str,
    /// The response's status.
    #[schema(value_type = u16)]
    #[serde(serialize_with = "serialize_status")]
    pub status: StatusCode,
    /// This occurrence, for a person.
    pub detail: String,
    /// Per-field messages of a validation problem.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub errors: Vec<FieldError>,
    /// Members particular to a kind of problem (RFC 9457 extensions), e.g. `descendants`: the
    /// schema leaves other members open rather than naming them.
    #[serde(flatten)]
    #[schema(ignore)]
    pub extensions: Option<Box<serde_json::Map<String, serde_json::Value>>>,
    #[serde(skip)]
    pub headers: Option<Box<HeaderMap>>,
}

/// One field's problem: `field` is a path into the request (`name`, `limit`, `parentId`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

fn serialize_status<S: serde::Serializer>(status: &StatusCode, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u16(status.as_u16())
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("/problems/{slug}"),
            title,
            status,
            detail: detail.into(),
            errors: Vec::new(),
            extensions: None,
            headers: None,
        }
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [only] => format!("{}: {}", only.field, only.message),
            _ => format!("{} fields are invalid", errors.len()),
        };
        Self { errors, ..Self::new(StatusCode::BAD_REQUEST, "validation", "Invalid request", detail) }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn conflict(slug: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, slug, "Conflict", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    /// What the request names was there, and is no more (used, revoked, expired).
    pub fn gone(slug: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, slug, "Gone", detail)
    }

    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "The server failed; try again.")
    }

    /// Any other status (from a layer or a rejection): RFC 9457's `about:blank` type, which means
    /// "nothing beyond the status", with the status's reason as title.
    pub fn from_status(status: StatusCode, detail: impl Into<String>) -> Self {
        let title = status.canonical_reason().unwrap_or("Error");
        Self { kind: "about:blank".into(), ..Self::new(status, "", title, detail) }
    }

    pub fn with_extension(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
        self.extensions.get_or_insert_default().insert(name.into(), value.into());
        self
    }

    pub fn with_header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.headers.get_or_insert_default().insert(name, value);
        self
    }
}

impl From<sqlx::Error> for Problem {
    /// 503 when the database cannot be reached (the request may succeed if repeated), 403 when its
    /// row-level security refused a write that the caller's role does not allow (a handler should
    /// have said so first), 500 for any other fault: the same for every handler, and as the
    /// authorizer answers.
    fn from(error: sqlx::Error) -> Self {
        if error.as_database_error().and_then(|e| e.code()).as_deref() == Some(INSUFFICIENT_PRIVILEGE) {
            tracing::warn!(%error, "the database refused a write");
            return Self::forbidden("Your role does not allow this.");
        }
        tracing::error!(%error, "database");
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                Self::from_status(StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.")
            }
            _ => Self::internal(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let headers = self.headers.as_deref().cloned().unwrap_or_default();
        let mut response = (self.status, headers, Json(&self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        response
    }
}

pub type RestResult<T> = Result<T, Problem>;
