//! GetUser: the signed-in user's attributes and MFA settings, for the holder of a valid access token.

use serde::Serialize;

use super::{AccessTokenRequest, MfaSettings};
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
    #[serde(flatten)]
    mfa: MfaSettings,
}

pub async fn run(state: &AppState, request: AccessTokenRequest) -> CognitoResult<Response> {
    let user = tokens::verify_access_token(state, &request.access_token).await?;
    let mfa = MfaSettings::of(&user);
    Ok(Response { user_attributes: user.attribute_list(), username: user.username, mfa_options: Vec::new(), mfa })
}
