//! SignUp: a new, unconfirmed user, and a confirmation code on its way to their email. Its Session lets the
//! confirmation sign the user in (auto sign-in, see ConfirmSignUp).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{CodeDeliveryDetails, client_and_pool};
use crate::{
    AppState,
    cognito::{
        codes::{self, Purpose},
        error::CognitoResult,
        password,
        sessions::{self, Step},
        users::{self, Attribute, status},
        verifiers::Owner,
    },
};

/// How long after signing up the confirmation may still lead to auto sign-in: time to read the mail.
const SIGNED_UP_SESSION_LIFETIME: time::Duration = time::Duration::hours(1);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    client_id: String,
    secret_hash: Option<String>,
    username: String,
    password: String,
    #[serde(default)]
    user_attributes: Vec<Attribute>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    user_confirmed: bool,
    user_sub: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_delivery_details: Option<CodeDeliveryDetails>,
    /// For ConfirmSignUp, which trades it for the auto sign-in's.
    session: String,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let (client, pool) = client_and_pool(state, &request.client_id).await?;
    client.check_secret_hash(request.secret_hash.as_deref(), &[&request.username])?;
    users::validate_username(&request.username)?;
    password::check_policy(&request.password, &pool.password_policy)?;
    let mut attributes = users::validate_attributes(&request.user_attributes)?;
    let username = users::internal_username(&pool, &request.username, &mut attributes)?;
    let email = attributes.get("email").and_then(|v| v.as_str()).map(str::to_owned);
    if email.is_some() {
        attributes.insert("email_verified".into(), "false".into());
    }
    let password =
        state.config.verifier_keys.for_password(Owner { pool_id: &pool.id, username: &username }, &request.password);
    let secrets = state.cognito.secrets(&state.db).await?;
    let mut tx = state.db.begin().await?;
    let user = users::insert(&mut *tx, &pool.id, &username, status::UNCONFIRMED, &password, &attributes).await?;
    if let Some(email) = &email {
        codes::issue(&mut tx, &secrets.codes, &user, Purpose::ConfirmSignUp, email).await?;
    }
    tx.commit().await?;
    let session = sessions::start(&state.db, &client, &user, Step::SignedUp, SIGNED_UP_SESSION_LIFETIME).await?;
    Ok(Response {
        user_confirmed: false,
        user_sub: user.sub,
        code_delivery_details: email.as_deref().map(CodeDeliveryDetails::email),
        session,
    })
}
