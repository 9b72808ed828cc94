//! RespondToAuthChallenge: PASSWORD_VERIFIER, the second step of SRP sign-in; NEW_PASSWORD_REQUIRED, where a
//! user replaces their temporary password; SOFTWARE_TOKEN_MFA, a code from the user's authenticator app;
//! MFA_SETUP, once an authenticator app was set up during sign-in; and USER_AUTH's SELECT_CHALLENGE (the
//! first factor chosen) and EMAIL_OTP (the code mailed for a passwordless sign-in).

use std::collections::HashMap;

use serde::Deserialize;

use super::initiate_auth::Response;
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        pools::{self, Client},
        sign_in::{self, MfaAnswer, NewPasswordAnswer, PasswordClaim},
        user_auth::{self, EmailCode},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    client_id: String,
    #[serde(flatten)]
    answer: Answer,
}

/// The challenge answered, as RespondToAuthChallenge and AdminRespondToAuthChallenge both send it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Answer {
    challenge_name: String,
    #[serde(default)]
    challenge_responses: HashMap<String, String>,
    session: Option<String>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let client = pools::load_client(state, &request.client_id).await?;
    request.answer.answer(state, &client).await
}

impl Answer {
    pub async fn answer(&self, state: &AppState, client: &Client) -> CognitoResult<Response> {
        let response = |name: &str| {
            self.challenge_responses.get(name).map(String::as_str).ok_or_else(|| CognitoError::missing(name))
        };
        let session = || self.session.as_deref().ok_or_else(|| CognitoError::missing("Session"));
        let secret_hash = self.challenge_responses.get("SECRET_HASH").map(String::as_str);
        match self.challenge_name.as_str() {
            "PASSWORD_VERIFIER" => {
                let claim = PasswordClaim {
                    username: response("USERNAME")?,
                    secret_block: response("PASSWORD_CLAIM_SECRET_BLOCK")?,
                    signature: response("PASSWORD_CLAIM_SIGNATURE")?,
                    timestamp: response("TIMESTAMP")?,
                    secret_hash,
                };
                Ok(sign_in::srp_verify(state, client, &claim).await?.into())
            }
            "NEW_PASSWORD_REQUIRED" => {
                let answer = NewPasswordAnswer {
                    username: response("USERNAME")?,
                    new_password: response("NEW_PASSWORD")?,
                    session: session()?,
                    secret_hash,
                };
                Ok(sign_in::set_new_password(state, client, &answer).await?.into())
            }
            "SOFTWARE_TOKEN_MFA" => {
                let answer = MfaAnswer {
                    username: response("USERNAME")?,
                    code: response("SOFTWARE_TOKEN_MFA_CODE")?,
                    session: session()?,
                    secret_hash,
                };
                Ok(sign_in::answer_mfa(state, client, &answer).await?.into())
            }
            "SELECT_CHALLENGE" => {
                Ok(user_auth::select(state, client, &self.challenge_responses, session()?).await?.into())
            }
            "EMAIL_OTP" => {
                let answer = EmailCode {
                    username: response("USERNAME")?,
                    code: response("EMAIL_OTP_CODE")?,
                    session: session()?,
                    secret_hash,
                };
                Ok(user_auth::answer_email_code(state, client, &answer).await?.into())
            }
            "MFA_SETUP" => {
                let username = response("USERNAME")?;
                Ok(sign_in::finish_mfa_setup(state, client, username, session()?, secret_hash).await?.into())
            }
            other => Err(CognitoError::invalid_parameter(format!("Unsupported challenge: {other}"))),
        }
    }
}
