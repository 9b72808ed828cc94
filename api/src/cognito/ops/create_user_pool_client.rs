//! CreateUserPoolClient (admin): an app client, optionally with a secret, its allowed auth flows, token
//! lifetimes and refresh-token rotation.

use serde::{Deserialize, Serialize};

use super::{RefreshTokenRotation, UserPoolClientType};
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        pools::{self, NewClient},
    },
};

/// Cognito's ExplicitAuthFlows values this service implements.
const FLOWS: &[&str] =
    &["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    #[serde(default)]
    generate_secret: bool,
    #[serde(flatten)]
    settings: Settings,
}

/// The settings CreateUserPoolClient and UpdateUserPoolClient both take; one left out takes its default,
/// in both, as in Cognito.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Settings {
    client_name: String,
    explicit_auth_flows: Option<Vec<String>>,
    id_token_validity: Option<i32>,
    access_token_validity: Option<i32>,
    refresh_token_validity: Option<i32>,
    token_validity_units: Option<TokenValidityUnits>,
    prevent_user_existence_errors: Option<String>,
    refresh_token_rotation: Option<RefreshTokenRotation>,
}

/// Cognito's defaults: hours for id and access tokens, days for refresh tokens.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TokenValidityUnits {
    id_token: Option<String>,
    access_token: Option<String>,
    refresh_token: Option<String>,
}

impl Settings {
    /// The client these settings describe, checked.
    pub fn new_client(self, generate_secret: bool) -> CognitoResult<NewClient> {
        let defaults = NewClient::default();
        let flows = self.explicit_auth_flows.unwrap_or(defaults.explicit_auth_flows);
        if let Some(unknown) = flows.iter().find(|flow| !FLOWS.contains(&flow.as_str())) {
            return Err(CognitoError::invalid_parameter(format!("ExplicitAuthFlows: {unknown} is not supported.")));
        }
        let units = self.token_validity_units.unwrap_or_default();
        let (refresh_token_rotation, retry_grace_period_secs) = self
            .refresh_token_rotation
            .as_ref()
            .map(RefreshTokenRotation::validated)
            .transpose()?
            .unwrap_or((defaults.refresh_token_rotation, defaults.retry_grace_period_secs));
        Ok(NewClient {
            name: self.client_name,
            generate_secret,
            explicit_auth_flows: flows,
            id_token_validity_secs: lifetime(
                self.id_token_validity,
                units.id_token.as_deref(),
                "hours",
                defaults.id_token_validity_secs,
            )?,
            access_token_validity_secs: lifetime(
                self.access_token_validity,
                units.access_token.as_deref(),
                "hours",
                defaults.access_token_validity_secs,
            )?,
            refresh_token_validity_secs: lifetime(
                self.refresh_token_validity,
                units.refresh_token.as_deref(),
                "days",
                defaults.refresh_token_validity_secs,
            )?,
            prevent_user_existence_errors: self.prevent_user_existence_errors.as_deref() != Some("LEGACY"),
            refresh_token_rotation,
            retry_grace_period_secs,
        })
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    pub user_pool_client: UserPoolClientType,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    let new = request.settings.new_client(request.generate_secret)?;
    let client = pools::create_client(&state.db, &pool.id, &new).await?;
    Ok(Response { user_pool_client: UserPoolClientType::from(client) })
}

/// A validity in the given unit (or the default unit), in seconds.
fn lifetime(value: Option<i32>, unit: Option<&str>, default_unit: &str, default_secs: i32) -> CognitoResult<i32> {
    let Some(value) = value else { return Ok(default_secs) };
    let seconds_per = match unit.unwrap_or(default_unit) {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        "days" => 86_400,
        other => return Err(CognitoError::invalid_parameter(format!("TokenValidityUnits: unknown unit {other}."))),
    };
    value
        .checked_mul(seconds_per)
        .filter(|secs| *secs > 0)
        .ok_or_else(|| CognitoError::invalid_parameter("Token validity out of range."))
}
