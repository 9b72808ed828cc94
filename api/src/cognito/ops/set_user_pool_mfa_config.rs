//! SetUserPoolMfaConfig (admin): the pool's MFA (OFF, OPTIONAL, ON) and whether its users may use an
//! authenticator app; OPTIONAL and ON need that factor. What the request leaves out stays, as in Cognito.

use serde::Deserialize;

use super::get_user_pool_mfa_config::{Response, SoftwareTokenMfaConfig};
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        mfa, pools,
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    software_token_mfa_configuration: Option<SoftwareTokenMfaConfig>,
    mfa_configuration: Option<String>,
    sms_mfa_configuration: Option<serde_json::Value>,
    email_mfa_configuration: Option<serde_json::Value>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    if request.sms_mfa_configuration.is_some() || request.email_mfa_configuration.is_some() {
        return Err(CognitoError::invalid_parameter("Only SoftwareTokenMfaConfiguration is supported."));
    }
    let software_token = request.software_token_mfa_configuration.map_or(pool.software_token_mfa, |c| c.enabled);
    let configuration = request.mfa_configuration.unwrap_or_else(|| pool.mfa_configuration.clone());
    Ok(mfa::set_pool_config(&state.db, &pool, &configuration, software_token).await?.into())
}
