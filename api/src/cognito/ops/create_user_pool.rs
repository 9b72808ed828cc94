//! CreateUserPool (admin): a pool with its password policy and sign-in attributes.

use serde::{Deserialize, Serialize};

use super::UserPoolType;
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        pools::{self, NewPool, PasswordPolicy},
        user_auth,
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    pool_name: String,
    #[serde(default)]
    policies: Policies,
    #[serde(default)]
    username_attributes: Vec<String>,
    #[serde(default)]
    auto_verified_attributes: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Policies {
    pub password_policy: Option<PasswordPolicy>,
    pub sign_in_policy: Option<SignInPolicy>,
}

/// Cognito's SignInPolicyType: the first factors USER_AUTH offers.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignInPolicy {
    #[serde(default)]
    allowed_first_auth_factors: Vec<String>,
}

impl Policies {
    /// The pool's first factors, checked; None when the request leaves them out.
    pub fn first_factors(&self) -> CognitoResult<Option<Vec<String>>> {
        let Some(policy) = &self.sign_in_policy else { return Ok(None) };
        user_auth::check_first_factors(&policy.allowed_first_auth_factors)?;
        Ok(Some(policy.allowed_first_auth_factors.clone()))
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    user_pool: UserPoolType,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    if !(1..=128).contains(&request.pool_name.chars().count()) {
        return Err(CognitoError::invalid_parameter("PoolName must be 1 to 128 characters long."));
    }
    if let Some(bad) = request.username_attributes.iter().find(|a| !matches!(a.as_str(), "email" | "phone_number")) {
        return Err(CognitoError::invalid_parameter(format!(
            "UsernameAttributes may only be email or phone_number, not {bad}."
        )));
    }
    let region = &state.config.cognito_region;
    let new = NewPool {
        region: region.clone(),
        name: request.pool_name,
        password_policy: request.policies.password_policy.clone().unwrap_or_default(),
        username_attributes: request.username_attributes,
        auto_verified_attributes: request.auto_verified_attributes,
        post_confirmation_webhook: None,
        allowed_first_auth_factors: request.policies.first_factors()?,
    };
    let pool = pools::create_pool(&state.db, &new).await?;
    Ok(Response { user_pool: UserPoolType::new(pool, region) })
}
