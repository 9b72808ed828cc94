//! GetTokensFromRefreshToken: new ID and access tokens for a refresh token, and, when the app client
//! rotates refresh tokens, a new refresh token too (Amplify v6 refreshes through this operation).

use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    cognito::{
        error::CognitoResult,
        pools,
        sign_in::{self, ClientProof},
        tokens::AuthenticationResult,
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    refresh_token: String,
    client_id: String,
    client_secret: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    authentication_result: AuthenticationResult,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let client = pools::load_client(state, &request.client_id).await?;
    client.require_flow("REFRESH_TOKEN_AUTH")?;
    let proof = ClientProof::Secret(request.client_secret.as_deref());
    let authentication_result = sign_in::refresh(state, &client, &request.refresh_token, proof).await?;
    Ok(Response { authentication_result })
}
