//! IAM's errors in the Query protocol's shape: an `ErrorResponse` XML document with the error's
//! type, code and message, and the status IAM answers it with.

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use super::xml;
use crate::sigv4::SigV4Error;

#[derive(Debug, Clone)]
pub struct IamError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl IamError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    pub fn no_such_entity(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NoSuchEntity", message)
    }

    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "EntityAlreadyExists", message)
    }

    pub fn delete_conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "DeleteConflict", message)
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "MalformedPolicyDocument", message)
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ValidationError", message)
    }

    pub fn invalid_action(action: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            format!("Could not find operation {action} for version 2010-05-08"),
        )
    }

    /// A missing request parameter, as IAM words it.
    pub fn missing(member: &str) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    }

    /// A refused signature, under IAM's (STS-style) codes.
    pub fn signature(error: &SigV4Error) -> Self {
        let code = match error.aws_error_type() {
            "MissingAuthenticationTokenException" => "MissingAuthenticationToken",
            "IncompleteSignatureException" => "IncompleteSignature",
            "UnrecognizedClientException" => "InvalidClientTokenId",
            _ => "SignatureDoesNotMatch",
        };
        Self::new(StatusCode::FORBIDDEN, code, error.to_string())
    }
}

impl From<sqlx::Error> for IamError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error in an IAM operation");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "ServiceFailure", "An internal error occurred.")
    }
}

impl IntoResponse for IamError {
    fn into_response(self) -> Response {
        let kind = if self.status.is_server_error() { "Receiver" } else { "Sender" };
        let body = format!(
            "<ErrorResponse xmlns=\"{}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error></ErrorResponse>",
            xml::NAMESPACE,
            self.code,
            xml::escape(&self.message)
        );
        (self.status, [(header::CONTENT_TYPE, "text/xml")], body).into_response()
    }
}
