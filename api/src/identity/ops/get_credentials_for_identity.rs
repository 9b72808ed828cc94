//! GetCredentialsForIdentity (unsigned): temporary AWS credentials for an identity, of the role the
//! pool's rules choose ([`crate::identity::roles`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::prove;
use crate::{
    AppState,
    cognito::error::{CognitoError, CognitoResult, Exception},
    identity::{
        credentials::{self, SessionUser},
        logins,
        roles::{self, Refusal},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    identity_id: String,
    #[serde(default)]
    logins: BTreeMap<String, String>,
    custom_role_arn: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    identity_id: String,
    credentials: Credentials,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Credentials {
    access_key_id: String,
    secret_key: String,
    session_token: String,
    /// Epoch seconds, a JSON number: Amplify multiplies it by 1000, the Rust SDK needs a number.
    expiration: i64,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let proven = prove(state, &request.identity_id, &request.logins).await?;
    let pool = &proven.pool;
    let mapping = proven.login.as_ref().and_then(|login| {
        let same = |provider: &str| {
            logins::user_pool_named(state, provider).map(|p| logins::aws_provider_name(&p)).as_ref()
                == Some(&login.provider)
        };
        roles::mapping_for(&pool.role_mappings, same, &login.client_id)
    });
    let role = roles::resolve(roles::Request {
        roles: &pool.roles,
        mapping,
        claims: proven.login.as_ref().map(|login| &login.claims),
        custom_role_arn: request.custom_role_arn.as_deref(),
    })
    .map_err(refusal)?;
    let user = proven.login.map(|login| SessionUser { provider: login.provider, sub: login.sub, groups: login.groups });
    let issued = credentials::issue(state, &proven.identity.id, &pool.id, &role, user).await?;
    Ok(Response {
        identity_id: proven.identity.id,
        credentials: Credentials {
            access_key_id: issued.access_key_id,
            secret_key: issued.secret_key,
            session_token: issued.session_token,
            expiration: issued.expiration.unix_timestamp(),
        },
    })
}

fn refusal(refusal: Refusal) -> CognitoError {
    match refusal {
        Refusal::NoRole => CognitoError::new(
            Exception::InvalidIdentityPoolConfiguration,
            "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
        ),
        Refusal::AmbiguousDenied => {
            CognitoError::not_authorized("The ambiguous role mapping rules denied this request.")
        }
        Refusal::CustomRoleNotAllowed(arn) => {
            CognitoError::not_authorized(format!("Access to Role '{arn}' is forbidden."))
        }
    }
}
