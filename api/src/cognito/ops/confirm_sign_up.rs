//! ConfirmSignUp: the code from the email confirms the user, who may then sign in.

use serde::{Deserialize, Serialize};

use super::client_and_pool;
use crate::{
    AppState,
    cognito::{
        codes::{self, Purpose},
        error::{CognitoError, CognitoResult, Exception},
        triggers,
        users::{self, status},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    client_id: String,
    secret_hash: Option<String>,
    username: String,
    confirmation_code: String,
}

#[derive(Debug, Serialize)]
pub struct Response {}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let (client, _pool) = client_and_pool(state, &request.client_id).await?;
    let mismatch =
        || CognitoError::new(Exception::CodeMismatch, "Invalid verification code provided, please try again.");
    let user = users::named(&state.db, &client, &request.username, request.secret_hash.as_deref(), mismatch).await?;
    if user.status != status::UNCONFIRMED {
        return Err(CognitoError::not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status
        )));
    }
    let secrets = state.cognito.secrets(&state.db).await?;
    let tx = state.db.begin().await?;
    let mut tx = codes::redeem(tx, &secrets.codes, &user, Purpose::ConfirmSignUp, &request.confirmation_code).await?;
    let confirmed = sqlx::query_as(
        "UPDATE users SET status = $3, attributes = attributes || \
         CASE WHEN attributes ? 'email' THEN '{\"email_verified\": \"true\"}'::jsonb ELSE '{}' END \
         WHERE pool_id = $1 AND username = $2 RETURNING *",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .bind(status::CONFIRMED)
    .fetch_one(&mut *tx)
    .await?;
    triggers::post_confirmation(&mut tx, &confirmed).await?;
    tx.commit().await?;
    Ok(Response {})
}
