//! UpdateUserPool (admin): replaces a pool's settings; as in Cognito, a setting the request leaves out
//! returns to its default (the name stays unless given).

use serde::Deserialize;

use super::{Empty, create_user_pool::Policies};
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        mfa,
        pools::{self, PoolUpdate},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    pool_name: Option<String>,
    #[serde(default)]
    policies: Policies,
    #[serde(default)]
    auto_verified_attributes: Vec<String>,
    mfa_configuration: Option<String>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Empty> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    let name = request.pool_name.unwrap_or_else(|| pool.name.clone());
    if !(1..=128).contains(&name.chars().count()) {
        return Err(CognitoError::invalid_parameter("PoolName must be 1 to 128 characters long."));
    }
    let update = PoolUpdate {
        name,
        password_policy: request.policies.password_policy.clone().unwrap_or_default(),
        allowed_first_auth_factors: request.policies.first_factors()?.unwrap_or_else(|| vec!["PASSWORD".into()]),
        auto_verified_attributes: request.auto_verified_attributes,
        mfa_configuration: request.mfa_configuration.unwrap_or_else(|| "OFF".into()),
    };
    mfa::check_pool_config(&update.mfa_configuration, pool.software_token_mfa)?;
    pools::update_pool(&state.db, &pool, &update).await?;
    Ok(Empty {})
}
