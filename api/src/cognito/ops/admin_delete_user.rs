//! AdminDeleteUser (admin): deletes a user and everything of theirs.

use super::{AdminUserRequest, Empty};
use crate::{
    AppState,
    cognito::{error::CognitoResult, users},
};

pub async fn run(state: &AppState, request: AdminUserRequest) -> CognitoResult<Empty> {
    let (_pool, user) = request.load(state).await?;
    users::delete(&state.db, &user).await?;
    Ok(Empty {})
}
