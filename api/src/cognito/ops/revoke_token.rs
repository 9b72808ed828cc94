//! RevokeToken: ends the sign-in a refresh token belongs to; the tokens refreshed from it stop
//! working too (Amplify's sign-out calls this).

use serde::Deserialize;

use super::Empty;
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult, Exception},
        pools, tokens,
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    token: String,
    client_id: String,
    client_secret: Option<String>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Empty> {
    let client = pools::load_client(state, &request.client_id).await?;
    if !client.secret_matches(request.client_secret.as_deref()) {
        return Err(CognitoError::not_authorized(format!("Client {} is not authorized to revoke tokens.", client.id)));
    }
    if request.token.split('.').count() == 3 {
        return Err(CognitoError::new(Exception::UnsupportedTokenType, "Only refresh tokens can be revoked."));
    }
    // Like OAuth's revocation (RFC 7009), a token that is unknown or already revoked is no error.
    tokens::revoke_refresh_token(&state.db, &client, &request.token).await?;
    Ok(Empty {})
}
