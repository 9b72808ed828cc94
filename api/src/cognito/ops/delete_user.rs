//! DeleteUser: the signed-in user deletes their own account (their codes, refresh tokens and group
//! memberships go with it).

use super::{AccessTokenRequest, Empty};
use crate::{
    AppState,
    cognito::{error::CognitoResult, tokens, users},
};

pub async fn run(state: &AppState, request: AccessTokenRequest) -> CognitoResult<Empty> {
    let user = tokens::verify_access_token(state, &request.access_token).await?;
    users::delete(&state.db, &user).await?;
    Ok(Empty {})
}
