//! AdminDisableUser (admin): the user can no longer sign in, and their tokens stop working.

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
    users::set_enabled(&state.db, &user, false).await?;
    Ok(Response {})
}
