//! AdminDisableUser (admin): the user can no longer sign in, and their tokens stop working.

use super::{AdminUserRequest, Empty};
use crate::{
    AppState,
    cognito::{error::CognitoResult, users},
};

pub async fn run(state: &AppState, request: AdminUserRequest) -> CognitoResult<Empty> {
    let (_pool, user) = request.load(state).await?;
    users::set_enabled(&state.db, &user, false).await?;
    Ok(Empty {})
}
