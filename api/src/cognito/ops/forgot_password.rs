//! ForgotPassword and ConfirmForgotPassword: a reset code to the user's email, then a new password
//! with that code.

use serde::{Deserialize, Serialize};

use super::{ClientUserRequest, CodeDeliveryDetails, client_and_pool};
use crate::{
    AppState,
    cognito::{
        codes::{self, Purpose},
        error::{CognitoError, CognitoResult, Exception},
        password, users,
    },
};

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    code_delivery_details: CodeDeliveryDetails,
}

pub async fn run(state: &AppState, request: ClientUserRequest) -> CognitoResult<Response> {
    let (client, _pool) = client_and_pool(state, &request.client_id).await?;
    let user = users::named_if_known(&state.db, &client, &request.username, request.secret_hash.as_deref()).await?;
    let Some(user) = user else {
        return match client.prevent_user_existence_errors {
            // Without revealing whether the user exists: answer as if a code went out.
            true => Ok(Response { code_delivery_details: CodeDeliveryDetails::email(&request.username) }),
            false => Err(CognitoError::user_not_found()),
        };
    };
    let email = reset_destination(&user)?;
    let secrets = state.cognito.secrets(&state.db).await?;
    let mut tx = state.db.begin().await?;
    codes::issue(&mut tx, &secrets.codes, &user, Purpose::ResetPassword, email).await?;
    tx.commit().await?;
    Ok(Response { code_delivery_details: CodeDeliveryDetails::email(email) })
}

/// Where a reset code goes: the user's email.
pub fn reset_destination(user: &users::User) -> CognitoResult<&str> {
    user.email().ok_or_else(|| {
        CognitoError::invalid_parameter("Cannot reset password for the user as there is no registered/verified email")
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmRequest {
    client_id: String,
    secret_hash: Option<String>,
    username: String,
    confirmation_code: String,
    password: String,
}

#[derive(Debug, Serialize)]
pub struct ConfirmResponse {}

pub async fn confirm(state: &AppState, request: ConfirmRequest) -> CognitoResult<ConfirmResponse> {
    let (client, pool) = client_and_pool(state, &request.client_id).await?;
    let mismatch =
        || CognitoError::new(Exception::CodeMismatch, "Invalid verification code provided, please try again.");
    let user = users::named(&state.db, &client, &request.username, request.secret_hash.as_deref(), mismatch).await?;
    password::check_policy(&request.password, &pool.password_policy)?;
    let password = state.config.verifier_keys.for_password(user.owner(), &request.password);
    let secrets = state.cognito.secrets(&state.db).await?;
    let tx = state.db.begin().await?;
    let mut tx = codes::redeem(tx, &secrets.codes, &user, Purpose::ResetPassword, &request.confirmation_code).await?;
    // A reset an admin required ends here; otherwise the user stays as they were (e.g. unconfirmed).
    let status = if user.status == users::status::RESET_REQUIRED { users::status::CONFIRMED } else { &user.status };
    users::set_password(&mut tx, &user, &password, status).await?;
    tx.commit().await?;
    Ok(ConfirmResponse {})
}
