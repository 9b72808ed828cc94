//! The gate in front of the admin operations: they must arrive SigV4-signed with the admin
//! credentials from the configuration (for Cognito: service `cognito-idp` for user pools,
//! `cognito-identity` for identity pools, this server's region; IAM has its own service and
//! region). Never accepted unsigned or with a wrong signature.

use axum::{
    body::Bytes,
    http::{HeaderMap, Method, Uri},
};
use time::OffsetDateTime;

use super::error::{CognitoError, CognitoResult, Exception};
use crate::{
    AppState,
    sigv4::{self, Expectation, SigV4Error, SignedRequest},
};

pub fn authorize(
    state: &AppState,
    service: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> CognitoResult<()> {
    let expectation = Expectation::new(service, [state.config.cognito_region.clone()]);
    check(state, &expectation, &SignedRequest { method, uri, headers, body }).map_err(refusal)
}

/// Whether `request` is signed, as `expectation` says, with the admin credentials.
pub fn check(state: &AppState, expectation: &Expectation, request: &SignedRequest<'_>) -> Result<(), SigV4Error> {
    let config = &state.config;
    let parsed = sigv4::parse(request, expectation, OffsetDateTime::now_utc())?;
    let admin = config.cognito_admin_access_key_id.as_deref().zip(config.cognito_admin_secret_access_key.as_ref());
    match admin {
        Some((key_id, secret)) if key_id == parsed.access_key_id() => parsed.verify(secret.expose(), None),
        _ => Err(SigV4Error::UnknownAccessKey),
    }
}

fn refusal(error: SigV4Error) -> CognitoError {
    let exception = match error.aws_error_type() {
        "MissingAuthenticationTokenException" => Exception::MissingAuthenticationToken,
        "IncompleteSignatureException" => Exception::IncompleteSignature,
        "UnrecognizedClientException" => Exception::UnrecognizedClient,
        _ => Exception::InvalidSignature,
    };
    let message = match exception {
        Exception::UnrecognizedClient => "The security token included in the request is invalid.".to_owned(),
        _ => error.to_string(),
    };
    CognitoError::new(exception, message)
}
