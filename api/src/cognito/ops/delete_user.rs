//! DeleteUser: the signed-in user deletes their own account (their codes, refresh tokens and group
//! memberships go with it).

use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    cognito::{error::CognitoResult, tokens, users},
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: String,
}

#[derive(Debug, Serialize)]
pub struct Response {}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let (_claims, user) = tokens::verify_access_token(state, &request.access_token).await?;
    users::delete(&state.db, &user).await?;
    Ok(Response {})
}
