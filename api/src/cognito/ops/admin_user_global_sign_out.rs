//! AdminUserGlobalSignOut (admin): every sign-in of the user ends, on every device.

use super::{AdminUserRequest, Empty};
use crate::{
    AppState,
    cognito::{error::CognitoResult, tokens},
};

pub async fn run(state: &AppState, request: AdminUserRequest) -> CognitoResult<Empty> {
    let (_pool, user) = request.load(state).await?;
    tokens::revoke_all(&state.db, &user).await?;
    Ok(Empty {})
}
