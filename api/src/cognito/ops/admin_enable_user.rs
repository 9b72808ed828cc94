//! AdminEnableUser (admin): a disabled user may sign in again.

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
    users::set_enabled(&state.db, &user, true).await?;
    Ok(Response {})
}
