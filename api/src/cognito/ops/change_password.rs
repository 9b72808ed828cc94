//! ChangePassword: the signed-in user proves the old password and sets a new one.

use serde::Deserialize;

use super::Empty;
use crate::{
    AppState,
    cognito::{error::CognitoResult, password, pools, sign_in, tokens, users},
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    previous_password: String,
    proposed_password: String,
    access_token: String,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Empty> {
    let user = tokens::verify_access_token(state, &request.access_token).await?;
    let pool = pools::load_pool(&state.db, &user.pool_id).await?;
    sign_in::ensure_not_locked(&user)?;
    sign_in::prove_password(state, user.owner(), Some(&user), &request.previous_password).await?;
    password::check_policy(&request.proposed_password, &pool.password_policy)?;
    let password = state.config.verifier_keys.for_password(user.owner(), &request.proposed_password);
    let mut tx = state.db.begin().await?;
    users::set_password(&mut tx, &user, &password, &user.status).await?;
    tx.commit().await?;
    Ok(Empty {})
}
