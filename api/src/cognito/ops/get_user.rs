//! GetUser: the signed-in user's attributes, for the holder of a valid access token.

use serde::Serialize;

use super::AccessTokenRequest;

use crate::{
    AppState,
    cognito::{error::CognitoResult, tokens, users::Attribute},
};

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    username: String,
    user_attributes: Vec<Attribute>,
    #[serde(rename = "MFAOptions")]
    mfa_options: Vec<()>,
}

pub async fn run(state: &AppState, request: AccessTokenRequest) -> CognitoResult<Response> {
    let user = tokens::verify_access_token(state, &request.access_token).await?;
    Ok(Response { user_attributes: user.attribute_list(), username: user.username, mfa_options: Vec::new() })
}
