//! AdminInitiateAuth (admin): a server signs a user in with their password (ADMIN_USER_PASSWORD_AUTH,
//! or its legacy name ADMIN_NO_SRP_AUTH) or refreshes tokens, when the app client allows it. Answers
//! as InitiateAuth does, NEW_PASSWORD_REQUIRED included.

use std::collections::HashMap;

use serde::Deserialize;

use super::initiate_auth::Response;
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        pools,
        sign_in::{self, ClientProof},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    client_id: String,
    auth_flow: String,
    #[serde(default)]
    auth_parameters: HashMap<String, String>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let client = pools::load_pool_client(state, &request.user_pool_id, &request.client_id).await?;
    let flow = request.auth_flow.as_str();
    client.require_flow(flow)?;
    let parameter =
        |name: &str| request.auth_parameters.get(name).map(String::as_str).ok_or_else(|| CognitoError::missing(name));
    let secret_hash = request.auth_parameters.get("SECRET_HASH").map(String::as_str);
    match flow {
        "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
            let (username, password) = (parameter("USERNAME")?, parameter("PASSWORD")?);
            Ok(sign_in::with_password(state, &client, username, password, secret_hash).await?.into())
        }
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            Ok(sign_in::refresh(state, &client, parameter("REFRESH_TOKEN")?, ClientProof::SecretHash(secret_hash))
                .await?
                .into())
        }
        other => Err(CognitoError::invalid_parameter(format!("Unsupported authentication flow: {other}"))),
    }
}
