//! Cognito's error answers: a 4xx/5xx whose exception name is in the `x-amzn-ErrorType` header
//! (`NotAuthorizedException:` plus maybe a URL) and in the body's `__type` (maybe `some.prefix#Name`), with the
//! human text in `message` (or `Message`).

use std::fmt;

use miniserde::{Deserialize, json};

/// Declares [`ErrorKind`] with one variant per exception, and its mapping from and to the wire name, from a
/// single list.
macro_rules! error_kinds {
    ($($(#[$doc:meta])* $variant:ident,)+) => {
        /// Which exception Cognito answered with. Exceptions not listed are kept by name in [`ErrorKind::Other`].
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum ErrorKind {
            $($(#[$doc])* $variant,)+
            /// The answer was not Cognito-shaped (say, a proxy's error page or a body that does not parse); the
            /// message says what was wrong. Not a Cognito exception.
            MalformedResponse,
            /// Any other exception, by its name.
            Other(String),
        }

        impl ErrorKind {
            /// The kind for an exception name such as `NotAuthorizedException`.
            pub fn from_name(name: &str) -> Self {
                match name {
                    $(stringify!($variant) => Self::$variant,)+
                    other => Self::Other(other.to_owned()),
                }
            }

            /// The exception's name as Cognito writes it.
            pub fn name(&self) -> &str {
                match self {
                    $(Self::$variant => stringify!($variant),)+
                    Self::MalformedResponse => "MalformedResponse",
                    Self::Other(name) => name,
                }
            }
        }
    };
}

error_kinds! {
    /// Wrong username or password, a disabled user, a bad SECRET_HASH, an invalid or revoked token, ...
    NotAuthorizedException,
    UserNotConfirmedException,
    UsernameExistsException,
    /// The password breaks the pool's policy (a wrong password is [`ErrorKind::NotAuthorizedException`]).
    InvalidPasswordException,
    CodeMismatchException,
    ExpiredCodeException,
    /// VerifySoftwareToken's wrong code for the authenticator app being set up.
    EnableSoftwareTokenMFAException,
    /// A rotated-out refresh token was used after its grace period: its whole sign-in is revoked.
    RefreshTokenReuseException,
    LimitExceededException,
    TooManyRequestsException,
    TooManyFailedAttemptsException,
    UserNotFoundException,
    InvalidParameterException,
    PasswordResetRequiredException,
    AliasExistsException,
    CodeDeliveryFailureException,
    ResourceNotFoundException,
    UnexpectedLambdaException,
    InternalErrorException,
}

/// An error answer from Cognito, or an answer that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.name())]
pub struct CognitoError {
    pub kind: ErrorKind,
    pub message: String,
}

impl CognitoError {
    pub(crate) fn malformed(message: impl fmt::Display) -> Self {
        Self { kind: ErrorKind::MalformedResponse, message: message.to_string() }
    }

    /// The error in a non-2xx answer: the exception from the `x-amzn-ErrorType` header if there is one (AWS's
    /// SDKs read it first), else from the body's `__type`.
    pub fn from_response(status: u16, error_type_header: Option<&str>, body: &[u8]) -> Self {
        let parsed =
            std::str::from_utf8(body).ok().and_then(|text| json::from_str::<ErrorBody>(text).ok()).unwrap_or_default();
        let from_header = error_type_header.map(name_from_header);
        let from_body = parsed.error_type.as_deref().map(name_from_type);
        match from_header.into_iter().chain(from_body).find(|name| !name.is_empty()) {
            Some(name) => Self { kind: ErrorKind::from_name(name), message: parsed.message().to_owned() },
            None => Self::malformed(format!("HTTP {status} without an exception name")),
        }
    }
}

#[derive(Default, Deserialize)]
struct ErrorBody {
    #[serde(rename = "__type")]
    error_type: Option<String>,
    message: Option<String>,
    /// Some services write `Message`.
    #[serde(rename = "Message")]
    capitalised_message: Option<String>,
}

impl ErrorBody {
    fn message(&self) -> &str {
        self.message.as_deref().or(self.capitalised_message.as_deref()).unwrap_or_default()
    }
}

/// `NotAuthorizedException:http://internal.amazon.com/coral/...` -> `NotAuthorizedException`.
fn name_from_header(value: &str) -> &str {
    value.split(':').next().unwrap_or(value).trim()
}

/// `com.amazonaws.cognito.identity.idp#NotAuthorizedException` -> `NotAuthorizedException`.
fn name_from_type(value: &str) -> &str {
    value.rsplit('#').next().unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(header: Option<&str>, body: &str) -> CognitoError {
        CognitoError::from_response(400, header, body.as_bytes())
    }

    #[test]
    fn the_header_names_the_exception_without_its_suffix() {
        let refused = error(
            Some("NotAuthorizedException:http://internal.amazon.com/coral/com.amazonaws.cognito/"),
            r#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#,
        );
        assert_eq!(refused.kind, ErrorKind::NotAuthorizedException);
        assert_eq!(refused.message, "Incorrect username or password.");
        assert_eq!(refused.to_string(), "NotAuthorizedException: Incorrect username or password.");
        assert_eq!(error(Some("UserNotConfirmedException:"), "{}").kind, ErrorKind::UserNotConfirmedException);
    }

    #[test]
    fn without_the_header_the_body_type_names_it_without_its_prefix() {
        let limited = error(None, r#"{"__type":"com.amazonaws.cognito#LimitExceededException","Message":"Slow down"}"#);
        assert_eq!((limited.kind, limited.message.as_str()), (ErrorKind::LimitExceededException, "Slow down"));
        assert_eq!(error(None, r#"{"__type":"CodeMismatchException"}"#).kind, ErrorKind::CodeMismatchException);
    }

    #[test]
    fn every_listed_exception_maps_to_its_kind_and_back() {
        for name in [
            "UsernameExistsException",
            "InvalidPasswordException",
            "ExpiredCodeException",
            "TooManyRequestsException",
            "UserNotFoundException",
            "InvalidParameterException",
            "PasswordResetRequiredException",
            "EnableSoftwareTokenMFAException",
            "RefreshTokenReuseException",
        ] {
            let kind = ErrorKind::from_name(name);
            assert!(!matches!(kind, ErrorKind::Other(_)), "{name}");
            assert_eq!(kind.name(), name);
        }
    }

    #[test]
    fn unknown_exceptions_keep_their_name() {
        let kind = error(Some("SoftwareTokenMFANotFoundException:"), "{}").kind;
        assert_eq!(kind, ErrorKind::Other("SoftwareTokenMFANotFoundException".into()));
        assert_eq!(kind.name(), "SoftwareTokenMFANotFoundException");
    }

    #[test]
    fn answers_without_an_exception_name_are_malformed() {
        let bad_gateway = CognitoError::from_response(502, None, b"<html>Bad Gateway</html>");
        assert_eq!(bad_gateway.kind, ErrorKind::MalformedResponse);
        assert_eq!(bad_gateway.message, "HTTP 502 without an exception name");
        assert_eq!(error(Some(""), r#"{"message":"?"}"#).kind, ErrorKind::MalformedResponse);
        assert_eq!(error(Some(""), r#"{"__type":"ExpiredCodeException"}"#).kind, ErrorKind::ExpiredCodeException);
    }
}
