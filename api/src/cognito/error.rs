//! Errors in Cognito's wire shape (user pools and identity pools alike): status 400 (500 only for our own faults), the exception name in
//! both the body's `__type` and the `x-amzn-ErrorType` header (botocore reads one, aws-sdk-rust and
//! amplify-js the other), and a human message.

use axum::{
    Json,
    http::{HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;

/// Cognito's exception names, as the SDKs match them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exception {
    AliasExists,
    CodeMismatch,
    EnableSoftwareTokenMfa,
    ExpiredCode,
    GroupExists,
    Internal,
    InvalidParameter,
    InvalidPassword,
    LimitExceeded,
    NotAuthorized,
    PasswordResetRequired,
    RefreshTokenReuse,
    ResourceNotFound,
    Serialization,
    SoftwareTokenMfaNotFound,
    TooManyFailedAttempts,
    UnexpectedLambda,
    UnknownOperation,
    UnsupportedTokenType,
    UnsupportedUserState,
    UserNotConfirmed,
    UserNotFound,
    UsernameExists,
    InvalidSignature,
    IncompleteSignature,
    MissingAuthenticationToken,
    UnrecognizedClient,
    InvalidIdentityPoolConfiguration,
    ResourceConflict,
}

impl Exception {
    pub fn name(self) -> &'static str {
        match self {
            Self::AliasExists => "AliasExistsException",
            Self::CodeMismatch => "CodeMismatchException",
            Self::EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
            Self::ExpiredCode => "ExpiredCodeException",
            Self::GroupExists => "GroupExistsException",
            Self::Internal => "InternalErrorException",
            Self::InvalidParameter => "InvalidParameterException",
            Self::InvalidPassword => "InvalidPasswordException",
            Self::LimitExceeded => "LimitExceededException",
            Self::NotAuthorized => "NotAuthorizedException",
            Self::PasswordResetRequired => "PasswordResetRequiredException",
            Self::RefreshTokenReuse => "RefreshTokenReuseException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::Serialization => "SerializationException",
            Self::SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException",
            Self::TooManyFailedAttempts => "TooManyFailedAttemptsException",
            Self::UnexpectedLambda => "UnexpectedLambdaException",
            Self::UnknownOperation => "UnknownOperationException",
            Self::UnsupportedTokenType => "UnsupportedTokenTypeException",
            Self::UnsupportedUserState => "UnsupportedUserStateException",
            Self::UserNotConfirmed => "UserNotConfirmedException",
            Self::UserNotFound => "UserNotFoundException",
            Self::UsernameExists => "UsernameExistsException",
            Self::InvalidSignature => "InvalidSignatureException",
            Self::IncompleteSignature => "IncompleteSignatureException",
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
            Self::InvalidIdentityPoolConfiguration => "InvalidIdentityPoolConfigurationException",
            Self::ResourceConflict => "ResourceConflictException",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

#[derive(Debug)]
pub struct CognitoError {
    pub exception: Exception,
    pub message: String,
}

pub type CognitoResult<T> = Result<T, CognitoError>;

impl CognitoError {
    pub fn new(exception: Exception, message: impl Into<String>) -> Self {
        Self { exception, message: message.into() }
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(Exception::InvalidParameter, message)
    }

    /// A request that lacks a parameter its flow or challenge needs (AuthParameters, ChallengeResponses).
    pub fn missing(name: &str) -> Self {
        Self::invalid_parameter(format!("Missing required parameter {name}"))
    }

    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(Exception::NotAuthorized, message)
    }

    /// What admin calls answer for a user that doesn't exist.
    pub fn user_not_found() -> Self {
        Self::new(Exception::UserNotFound, "User does not exist.")
    }

    /// What a wrong password and (with PreventUserExistenceErrors) an unknown user both say.
    pub fn wrong_credentials() -> Self {
        Self::not_authorized("Incorrect username or password.")
    }
}

impl From<sqlx::Error> for CognitoError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error in a Cognito operation");
        Self::new(Exception::Internal, "An internal error occurred.")
    }
}

impl IntoResponse for CognitoError {
    fn into_response(self) -> Response {
        let name = self.exception.name();
        let mut response =
            (self.exception.status(), Json(json!({ "__type": name, "message": self.message }))).into_response();
        let header = HeaderValue::from_str(&format!("{name}:")).expect("exception names are ASCII");
        response.headers_mut().insert("x-amzn-errortype", header);
        response
    }
}
