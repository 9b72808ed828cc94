//! InitiateAuth: USER_PASSWORD_AUTH, USER_SRP_AUTH (answered with a PASSWORD_VERIFIER challenge) and
//! REFRESH_TOKEN_AUTH, each only when the app client allows it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::client_and_pool;
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        sign_in,
        tokens::AuthenticationResult,
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    auth_flow: String,
    #[serde(default)]
    auth_parameters: HashMap<String, String>,
    client_id: String,
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
}

impl Response {
    fn signed_in(result: AuthenticationResult) -> Self {
        Self { authentication_result: Some(result), ..Self::default() }
    }
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let (client, _pool) = client_and_pool(state, &request.client_id).await?;
    let flow = request.auth_flow.as_str();
    let allowed = match flow {
        "REFRESH_TOKEN" => "ALLOW_REFRESH_TOKEN_AUTH",
        _ => &format!("ALLOW_{flow}"),
    };
    if !client.allows(allowed) {
        return Err(CognitoError::invalid_parameter(format!("{flow} flow not enabled for this client")));
    }
    let parameter = |name: &str| request.auth_parameters.get(name).map(String::as_str).ok_or_else(|| missing(name));
    let secret_hash = request.auth_parameters.get("SECRET_HASH").map(String::as_str);
    match flow {
        "USER_PASSWORD_AUTH" => {
            let (username, password) = (parameter("USERNAME")?, parameter("PASSWORD")?);
            let result = sign_in::with_password(state, &client, username, password, secret_hash).await?;
            Ok(Response::signed_in(result))
        }
        "USER_SRP_AUTH" => {
            let parameters =
                sign_in::srp_challenge(state, &client, parameter("USERNAME")?, parameter("SRP_A")?, secret_hash)
                    .await?;
            Ok(Response {
                challenge_name: Some("PASSWORD_VERIFIER"),
                challenge_parameters: parameters,
                ..Response::default()
            })
        }
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            let result = sign_in::refresh(state, &client, parameter("REFRESH_TOKEN")?, secret_hash).await?;
            Ok(Response::signed_in(result))
        }
        other => Err(CognitoError::invalid_parameter(format!("Unsupported authentication flow: {other}"))),
    }
}

pub fn missing(name: &str) -> CognitoError {
    CognitoError::invalid_parameter(format!("Missing required parameter {name}"))
}
