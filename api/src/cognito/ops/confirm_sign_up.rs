//! ConfirmSignUp: the code from the email confirms the user, who may then sign in; given SignUp's Session,
//! it answers one that signs them in once through USER_AUTH (auto sign-in).

use serde::{Deserialize, Serialize};

use super::client_and_pool;
use crate::{
    AppState,
    cognito::{
        codes::{self, Purpose},
        error::{CognitoError, CognitoResult, Exception},
        pools::Client,
        sessions::{self, Step},
        triggers,
        users::{self, User},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    client_id: String,
    secret_hash: Option<String>,
    username: String,
    confirmation_code: String,
    /// SignUp's Session, when the client wants to sign the user in once confirmed.
    session: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// For InitiateAuth(USER_AUTH): the auto sign-in, once, within a few minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<String>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
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
    let session = match request.session.as_deref() {
        Some(session) => auto_sign_in_session(state, &client, &confirmed, session).await?,
        None => None,
    };
    Ok(Response { session })
}

/// Trades SignUp's Session for the auto sign-in's. One that no longer works (spent, expired, another's)
/// just means no auto sign-in: the confirmation itself stands.
async fn auto_sign_in_session(
    state: &AppState,
    client: &Client,
    user: &User,
    signed_up: &str,
) -> CognitoResult<Option<String>> {
    let found = sessions::find(&state.db, signed_up, Step::SignedUp).await;
    let ours = found.is_ok_and(|found| found.client_id == client.id && found.username == user.username);
    if !ours || sessions::spend(&state.db, signed_up).await.is_err() {
        return Ok(None);
    }
    Ok(Some(sessions::start(&state.db, client, user, Step::AutoSignIn, sessions::LIFETIME).await?))
}
