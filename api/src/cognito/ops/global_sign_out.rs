//! GlobalSignOut: every token of the user, on every device, stops working.

use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    cognito::{error::CognitoResult, tokens},
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
    tokens::revoke_all(&state.db, &user).await?;
    Ok(Response {})
}
