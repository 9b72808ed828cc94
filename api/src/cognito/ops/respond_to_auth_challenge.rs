//! RespondToAuthChallenge: PASSWORD_VERIFIER, the second step of SRP sign-in, and
//! NEW_PASSWORD_REQUIRED, where a user replaces their temporary password.

use std::collections::HashMap;

use serde::Deserialize;

use super::initiate_auth::{Response, missing};
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        pools,
        sign_in::{self, NewPasswordAnswer, PasswordClaim},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    challenge_name: String,
    client_id: String,
    #[serde(default)]
    challenge_responses: HashMap<String, String>,
    session: Option<String>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let client = pools::load_client(state, &request.client_id).await?;
    let response = |name: &str| request.challenge_responses.get(name).map(String::as_str).ok_or_else(|| missing(name));
    let secret_hash = request.challenge_responses.get("SECRET_HASH").map(String::as_str);
    match request.challenge_name.as_str() {
        "PASSWORD_VERIFIER" => {
            let claim = PasswordClaim {
                username: response("USERNAME")?,
                secret_block: response("PASSWORD_CLAIM_SECRET_BLOCK")?,
                signature: response("PASSWORD_CLAIM_SIGNATURE")?,
                timestamp: response("TIMESTAMP")?,
                secret_hash,
            };
            Ok(sign_in::srp_verify(state, &client, &claim).await?.into())
        }
        "NEW_PASSWORD_REQUIRED" => {
            let answer = NewPasswordAnswer {
                username: response("USERNAME")?,
                new_password: response("NEW_PASSWORD")?,
                session: request.session.as_deref().ok_or_else(|| missing("Session"))?,
                secret_hash,
            };
            Ok(sign_in::set_new_password(state, &client, &answer).await?.into())
        }
        other => Err(CognitoError::invalid_parameter(format!("Unsupported challenge: {other}"))),
    }
}
