//! The Cognito authorizer, as API Gateway's: `Authorization: Bearer <token>` with an ID or access
//! token (as configured) of an accepted pool and app client, verified through the pool's keys.

use axum::http::{HeaderMap, header};

use super::{caller::Principal, error::AuthError};
use crate::{
    AppState,
    cognito::tokens::{self, TokenError},
};

pub async fn authorize(headers: &HeaderMap, state: &AppState) -> Result<Principal, AuthError> {
    Ok(verify(bearer_token(headers)?, state).await?.0)
}

/// The principal of a token and when the token expires (seconds since the epoch): for a connection
/// that outlives a request, as a GraphQL WebSocket does.
pub async fn verify(token: &str, state: &AppState) -> Result<(Principal, u64), AuthError> {
    let config = &state.config;
    let verified = tokens::verify(state, token, config.api_token_use).await.map_err(|error| match error {
        TokenError::Invalid => AuthError::InvalidToken("The token is not valid here."),
        TokenError::Expired => AuthError::InvalidToken("The token has expired."),
        TokenError::Internal(_) => AuthError::Unavailable,
    })?;
    let accepted = |allowed: &[String], value: &str| allowed.is_empty() || allowed.iter().any(|a| a == value);
    if !accepted(&config.api_user_pool_ids, &verified.pool_id) || !accepted(&config.api_client_ids, &verified.client_id)
    {
        return Err(AuthError::InvalidToken("The token is not valid here."));
    }
    let principal =
        Principal { user_id: verified.sub, groups: verified.groups, sign_in: Some(verified.origin_jti), iam: None };
    Ok((principal, verified.expires))
}

fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
    let value = headers.get(header::AUTHORIZATION).ok_or(AuthError::Missing)?;
    let value = value.to_str().map_err(|_| AuthError::InvalidToken("The Authorization header is malformed."))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => Ok(token.trim()),
        _ => Err(AuthError::InvalidToken("Authorization must be `Bearer <token>`.")),
    }
}
