//! ChangePassword: the signed-in user proves the old password and sets a new one.

use serde::Deserialize;

use super::Empty;
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        password::{self, Credentials},
        pools, sign_in, tokens, users,
    },
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
    if !password::verify(request.previous_password, user.password_hash.clone()).await? {
        sign_in::record_failure(state, &user).await?;
        return Err(CognitoError::wrong_credentials());
    }
    password::check_policy(&request.proposed_password, &pool.password_policy)?;
    let credentials = Credentials::derive(&pool, &user.username, &request.proposed_password).await?;
    let mut tx = state.db.begin().await?;
    users::set_credentials(&mut tx, &user, &credentials, &user.status).await?;
    tx.commit().await?;
    Ok(Empty {})
}
