//! Why a request was not authorized, as a 401 problem with RFC 6750's `WWW-Authenticate`.

use axum::http::{HeaderValue, StatusCode, header};

use crate::rest::problem::Problem;

#[derive(Debug)]
pub enum AuthError {
    /// No credentials at all.
    Missing,
    /// Credentials that do not prove anything (malformed, forged, expired, for another audience).
    InvalidToken(&'static str),
    /// Valid credentials of a sign-in that has since ended (sign-out, revocation, user disabled).
    Revoked,
    /// Identity-pool credentials of a guest: no user for the endpoint to act for.
    Guest,
    /// The keys or the database could not be reached.
    Unavailable,
}

impl From<sqlx::Error> for AuthError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "authorizer: database");
        Self::Unavailable
    }
}

impl From<AuthError> for Problem {
    fn from(error: AuthError) -> Self {
        let (detail, challenge) = match error {
            AuthError::Missing => {
                ("Sign in: this request needs an Authorization header.", r#"Bearer realm="ledgerline""#)
            }
            AuthError::InvalidToken(detail) => (detail, r#"Bearer realm="ledgerline", error="invalid_token""#),
            AuthError::Revoked => {
                ("The sign-in behind this token has ended.", r#"Bearer realm="ledgerline", error="invalid_token""#)
            }
            AuthError::Guest => {
                return Problem::forbidden("Guest identities have no user, and this endpoint acts for one.");
            }
            AuthError::Unavailable => {
                return Problem::from_status(StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.");
            }
        };
        Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized", detail)
            .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge))
    }
}
