//! AdminConfirmSignUp (admin): confirms a user without the code, as ConfirmSignUp would with it.

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
    user.ensure_unconfirmed()?;
    let mut tx = state.db.begin().await?;
    users::confirm(&mut tx, &user).await?;
    tx.commit().await?;
    Ok(Response {})
}
