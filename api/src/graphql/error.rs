//! GraphQL's one error type, in AppSync's shape: each error has an `errorType` (in `extensions`,
//! and copied to the error itself by the handler, where AppSync puts it), and refusals say
//! `Not Authorized to access <field> on type <Type>`.

use async_graphql::{Error, ErrorExtensions};

use crate::payments::{model::Invalid, service::PaymentError};

/// The `errorType`s this api answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    Unauthorized,
    ValidationError,
    NotFound,
    /// A stale `expectedVersion` (AppSync's conflict detection with optimistic concurrency).
    ConflictUnhandled,
    /// The payment's status does not allow the change.
    ConditionalCheckFailed,
    IdempotencyError,
    InternalFailure,
}

impl ErrorType {
    pub fn name(self) -> &'static str {
        match self {
            Self::Unauthorized => "Unauthorized",
            Self::ValidationError => "ValidationError",
            Self::NotFound => "NotFound",
            Self::ConflictUnhandled => "ConflictUnhandled",
            Self::ConditionalCheckFailed => "ConditionalCheckFailed",
            Self::IdempotencyError => "IdempotencyError",
            Self::InternalFailure => "InternalFailure",
        }
    }
}

pub fn error(kind: ErrorType, message: impl Into<String>) -> Error {
    Error::new(message).extend_with(|_, extensions| extensions.set("errorType", kind.name()))
}

/// AppSync's refusal of `field` on `type_name` (`Query`, `Mutation`, `Subscription`, `Payment`...).
pub fn unauthorized(field: &str, type_name: &str) -> Error {
    error(ErrorType::Unauthorized, format!("Not Authorized to access {field} on type {type_name}"))
}

pub fn invalid(invalid: Invalid) -> Error {
    let Invalid { field, message } = invalid;
    error(ErrorType::ValidationError, format!("{field}: {message}")).extend_with(|_, e| e.set("field", field.clone()))
}

/// A payments failure as the answer to `field` of `type_name`.
pub fn payment(failure: PaymentError, field: &str, type_name: &str) -> Error {
    match failure {
        PaymentError::Unauthorized => unauthorized(field, type_name),
        PaymentError::Invalid(failure) => invalid(failure),
        PaymentError::NotFound => error(ErrorType::NotFound, "There is no such payment."),
        PaymentError::Stale(current) => error(
            ErrorType::ConflictUnhandled,
            format!("Conflict resolver rejects mutation: the payment is at version {}.", current.version),
        )
        .extend_with(|_, e| e.set("version", current.version)),
        PaymentError::Conflict(message) => error(ErrorType::ConditionalCheckFailed, message),
        PaymentError::Idempotency(message) => error(ErrorType::IdempotencyError, message),
        PaymentError::Database(failure) => {
            tracing::error!(error = %failure, field, "payments");
            error(ErrorType::InternalFailure, "The server failed; try again.")
        }
    }
}
