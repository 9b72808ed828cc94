//! GetUserPoolMfaConfig (admin): whether the pool's MFA is OFF, OPTIONAL or ON, and whether its users may
//! use an authenticator app.

use serde::{Deserialize, Serialize};

use super::describe_user_pool::Request;
use crate::{
    AppState,
    cognito::{error::CognitoResult, pools, pools::Pool},
};

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    software_token_mfa_configuration: SoftwareTokenMfaConfig,
    mfa_configuration: String,
}

/// Cognito's SoftwareTokenMfaConfigType.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SoftwareTokenMfaConfig {
    #[serde(default)]
    pub enabled: bool,
}

impl From<Pool> for Response {
    fn from(pool: Pool) -> Self {
        Self {
            software_token_mfa_configuration: SoftwareTokenMfaConfig { enabled: pool.software_token_mfa },
            mfa_configuration: pool.mfa_configuration,
        }
    }
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    Ok(pools::load_pool(&state.db, &request.user_pool_id).await?.into())
}
