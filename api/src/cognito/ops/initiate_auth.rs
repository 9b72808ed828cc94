//! InitiateAuth: USER_PASSWORD_AUTH, USER_SRP_AUTH (answered with a PASSWORD_VERIFIER challenge), USER_AUTH
//! (choice-based, see [`user_auth`]) and REFRESH_TOKEN_AUTH, each only when the app client allows it. A user
//! with a temporary password gets the NEW_PASSWORD_REQUIRED challenge instead of tokens, and one whose pool
//! asks for MFA an MFA challenge.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        pools,
        sign_in::{self, Challenge, ClientProof, Outcome},
        tokens::AuthenticationResult,
        user_auth,
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    auth_flow: String,
    #[serde(default)]
    auth_parameters: HashMap<String, String>,
    client_id: String,
    /// USER_AUTH: ConfirmSignUp's Session, for the auto sign-in after confirmation.
    session: Option<String>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_name: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub challenge_parameters: HashMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResult>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub available_challenges: Vec<&'static str>,
}

impl From<AuthenticationResult> for Response {
    fn from(result: AuthenticationResult) -> Self {
        Self { authentication_result: Some(result), ..Self::default() }
    }
}

impl From<Challenge> for Response {
    fn from(challenge: Challenge) -> Self {
        Self {
            challenge_name: Some(challenge.name),
            session: challenge.session,
            challenge_parameters: challenge.parameters,
            authentication_result: None,
            available_challenges: challenge.available,
        }
    }
}

impl From<Outcome> for Response {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::SignedIn(result) => result.into(),
            Outcome::Challenge(challenge) => challenge.into(),
        }
    }
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let client = pools::load_client(state, &request.client_id).await?;
    let flow = request.auth_flow.as_str();
    client.require_flow(flow)?;
    let parameter =
        |name: &str| request.auth_parameters.get(name).map(String::as_str).ok_or_else(|| CognitoError::missing(name));
    let secret_hash = request.auth_parameters.get("SECRET_HASH").map(String::as_str);
    match flow {
        "USER_PASSWORD_AUTH" => {
            let (username, password) = (parameter("USERNAME")?, parameter("PASSWORD")?);
            Ok(sign_in::with_password(state, &client, username, password, secret_hash).await?.into())
        }
        "USER_SRP_AUTH" => {
            let (username, srp_a) = (parameter("USERNAME")?, parameter("SRP_A")?);
            Ok(sign_in::srp_challenge(state, &client, username, srp_a, secret_hash).await?.into())
        }
        "USER_AUTH" => {
            let start = user_auth::Start { parameters: &request.auth_parameters, session: request.session.as_deref() };
            Ok(user_auth::start(state, &client, &start).await?.into())
        }
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            Ok(sign_in::refresh(state, &client, parameter("REFRESH_TOKEN")?, ClientProof::SecretHash(secret_hash))
                .await?
                .into())
        }
        other => Err(CognitoError::invalid_parameter(format!("Unsupported authentication flow: {other}"))),
    }
}
