//! GetOpenIdToken (unsigned, the basic flow's first step): an OpenID token for the identity, unless
//! the pool turned the basic flow off or maps roles (which only the enhanced flow applies).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::prove;
use crate::{
    AppState,
    cognito::error::{CognitoError, CognitoResult},
    identity::openid,
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    identity_id: String,
    #[serde(default)]
    logins: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    identity_id: String,
    token: String,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let proven = prove(state, &request.identity_id, &request.logins).await?;
    // As AWS: only an explicit `false` turns the basic flow off.
    if proven.pool.settings.allow_classic_flow == Some(false) {
        return Err(CognitoError::invalid_parameter("Basic (classic) flow is not enabled, please use enhanced flow."));
    }
    if !proven.pool.role_mappings.is_empty() {
        return Err(CognitoError::invalid_parameter(
            "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.",
        ));
    }
    let amr = match &proven.login {
        Some(login) => vec![
            "authenticated".to_owned(),
            login.provider.clone(),
            format!("{}:CognitoSignIn:{}", login.provider, login.sub),
        ],
        None => vec!["unauthenticated".to_owned()],
    };
    let token = openid::token(state, &proven.identity.id, &proven.pool.id, &amr).await?;
    Ok(Response { identity_id: proven.identity.id, token })
}
