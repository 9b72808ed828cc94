//! ResendConfirmationCode: a fresh code for a user who hasn't confirmed yet.

use serde::Serialize;

use super::{ClientUserRequest, CodeDeliveryDetails, client_and_pool};
use crate::{
    AppState,
    cognito::{
        codes::{self, Purpose},
        error::{CognitoError, CognitoResult},
        users::{self, status},
    },
};

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    code_delivery_details: CodeDeliveryDetails,
}

pub async fn run(state: &AppState, request: ClientUserRequest) -> CognitoResult<Response> {
    let (client, _pool) = client_and_pool(state, &request.client_id).await?;
    // Cognito answers an unknown user as it would a real one, without sending anything.
    let unknown = || CognitoError::invalid_parameter("Username/client id combination not found.");
    let user = users::named(&state.db, &client, &request.username, request.secret_hash.as_deref(), unknown).await?;
    if user.status != status::UNCONFIRMED {
        return Err(CognitoError::invalid_parameter("User is already confirmed."));
    }
    let email = user.email().ok_or_else(|| CognitoError::invalid_parameter("User has no email to send a code to."))?;
    let secrets = state.cognito.secrets(&state.db).await?;
    let mut tx = state.db.begin().await?;
    codes::issue(&mut tx, &secrets.codes, &user, Purpose::ConfirmSignUp, email).await?;
    tx.commit().await?;
    Ok(Response { code_delivery_details: CodeDeliveryDetails::email(email) })
}
