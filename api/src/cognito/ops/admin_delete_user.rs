//! AdminDeleteUser (admin): deletes a user and everything of theirs.

use serde::Serialize;

use super::AdminUserRequest;
use crate::{
    AppState,
    cognito::{error::CognitoResult, users},
};

#[derive(Debug, Serialize)]
pub struct Response {}

pub async fn run(state: &AppState, request: AdminUserRequest) -> CognitoResult<Response> {
    let (_pool, user) = request.load(state).await?;
    users::delete(&state.db, &user).await?;
    Ok(Response {})
}
