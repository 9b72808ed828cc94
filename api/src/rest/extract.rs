//! Extractors whose rejections are problems: malformed input always gets a 4xx in the REST api's
//! own shape, naming the field at fault, and never a 500.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Path, Request},
    http::{StatusCode, header, request::Parts},
};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::problem::{FieldError, Problem};

/// A JSON request body (`Content-Type: application/json`).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        if !is_json(&request) {
            return Err(Problem::from_status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "The body must be JSON, sent with Content-Type: application/json.",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| Problem::from_status(rejection.status(), rejection.body_text()))?;
        let mut json = serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(&mut json).map(JsonBody).map_err(|error| {
            let field = error.path().to_string();
            let error = error.into_inner();
            match error.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => Problem::new(
                    StatusCode::BAD_REQUEST,
                    "malformed-json",
                    "Malformed JSON",
                    format!("The body is not valid JSON: {error}"),
                ),
                _ => Problem::validation(vec![field_error(field, &error.to_string())]),
            }
        })
    }
}

fn is_json(request: &Request) -> bool {
    let Some(content_type) = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// The query string, every parameter checked.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Problem> {
        let query = parts.uri.query().unwrap_or_default();
        let parameters = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(parameters).map(QueryParams).map_err(|error| {
            let field = error.path().to_string();
            Problem::validation(vec![field_error(field, &error.into_inner().to_string())])
        })
    }
}

/// The `{id}` of a resource's path. An id that is not a UUID names nothing: 404.
pub struct PathId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match Path::<Uuid>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(PathId(id)),
            Err(_) => Err(Problem::not_found("There is no such resource.")),
        }
    }
}

/// The `{id}` and the nested resource's `{...}` of a path such as `/v1/tenants/{id}/members/{userId}`;
/// as with [`PathId`], ids that are not UUIDs name nothing: 404.
pub struct PathIds(pub Uuid, pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match Path::<(Uuid, Uuid)>::from_request_parts(parts, state).await {
            Ok(Path((outer, inner))) => Ok(PathIds(outer, inner)),
            Err(_) => Err(Problem::not_found("There is no such resource.")),
        }
    }
}

/// serde's message, without the position suffix, for the field at `path` (`.` is the whole
/// document: then a missing or unknown field's name is in the message).
fn field_error(path: String, message: &str) -> FieldError {
    let message = message.split(" at line ").next().unwrap_or(message);
    let field = match path.as_str() {
        "." => quoted_name(message).unwrap_or_default(),
        _ => path,
    };
    FieldError::new(field, message)
}

/// `missing field `name`` -> `name`.
fn quoted_name(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_owned())
}
