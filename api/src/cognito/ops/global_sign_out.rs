//! GlobalSignOut: every token of the user, on every device, stops working.

use super::{AccessTokenRequest, Empty};
use crate::{
    AppState,
    cognito::{error::CognitoResult, tokens},
};

pub async fn run(state: &AppState, request: AccessTokenRequest) -> CognitoResult<Empty> {
    let user = tokens::verify_access_token(state, &request.access_token).await?;
    tokens::revoke_all(&state.db, &user).await?;
    Ok(Empty {})
}
