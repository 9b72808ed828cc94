//! AdminConfirmSignUp (admin): confirms a user without the code, as ConfirmSignUp would with it.

use super::{AdminUserRequest, Empty};
use crate::{
    AppState,
    cognito::{error::CognitoResult, triggers, users},
};

pub async fn run(state: &AppState, request: AdminUserRequest) -> CognitoResult<Empty> {
    let (pool, user) = request.load(state).await?;
    user.ensure_unconfirmed()?;
    let mut tx = state.db.begin().await?;
    let confirmed = users::confirm(&mut tx, &user).await?;
    triggers::post_confirmation_webhook(&state.http, &pool, &confirmed, triggers::NO_CLIENT).await?;
    tx.commit().await?;
    Ok(Empty {})
}
