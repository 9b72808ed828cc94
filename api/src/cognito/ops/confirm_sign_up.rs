//! ConfirmSignUp: the code from the email confirms the user, who may then sign in.

use serde::Deserialize;

use super::{Empty, client_and_pool};
use crate::{
    AppState,
    cognito::{
        codes::{self, Purpose},
        error::{CognitoError, CognitoResult, Exception},
        triggers, users,
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

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Empty> {
    let (client, pool) = client_and_pool(state, &request.client_id).await?;
    let mismatch =
        || CognitoError::new(Exception::CodeMismatch, "Invalid verification code provided, please try again.");
    let user = users::named(&state.db, &client, &request.username, request.secret_hash.as_deref(), mismatch).await?;
    user.ensure_unconfirmed()?;
    let secrets = state.cognito.secrets(&state.db).await?;
    let tx = state.db.begin().await?;
    let mut tx = codes::redeem(tx, &secrets.codes, &user, Purpose::ConfirmSignUp, &request.confirmation_code).await?;
    let confirmed = users::confirm(&mut tx, &user).await?;
    triggers::post_confirmation_webhook(&state.http, &pool, &confirmed, &client.id).await?;
    tx.commit().await?;
    Ok(Empty {})
}
