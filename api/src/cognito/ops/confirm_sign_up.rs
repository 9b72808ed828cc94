//! ConfirmSignUp: the code from the email confirms the user, who may then sign in; it answers a Session that
//! signs them in once, within minutes, through USER_AUTH (auto sign-in; Amplify does not send SignUp's
//! Session here, and relies on this one).

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
    /// SignUp's Session, if the client kept it: spent here.
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
    if let Some(signed_up) = request.session.as_deref() {
        spend_signed_up(state, &client, &confirmed, signed_up).await?;
    }
    let session = Some(sessions::start(&state.db, &client, &confirmed, Step::AutoSignIn, sessions::LIFETIME).await?);
    Ok(Response { session })
}

/// Spends SignUp's Session, which the confirmation answers for. One that no longer works (spent, expired,
/// another's) changes nothing: the code proved the address, and the confirmation stands.
async fn spend_signed_up(state: &AppState, client: &Client, user: &User, signed_up: &str) -> CognitoResult<()> {
    let found = sessions::find(&state.db, signed_up, Step::SignedUp).await;
    if found.is_ok_and(|found| found.client_id == client.id && found.username == user.username) {
        // A concurrent confirmation may have spent it: nothing more to do either way.
        let _ = sessions::spend(&state.db, signed_up).await;
    }
    Ok(())
}
