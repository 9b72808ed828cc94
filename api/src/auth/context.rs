//! `GET /v1/caller`: who the api takes the caller for, as API Gateway's request context would
//! describe them (`requestContext.identity` for IAM-signed calls), plus the user, groups and tenants.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::Authorized;
use crate::{AppState, db, rest::problem::RestResult};

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallerContext {
    /// The user's `sub` in their user pool.
    pub user: Uuid,
    pub groups: Vec<String>,
    /// The caller's tenants, oldest membership first.
    pub tenants: Vec<Uuid>,
    /// `cognito` (a bearer token) or `iam` (SigV4 with an identity pool's credentials).
    pub authorizer: &'static str,
    /// The identity-pool fields, for IAM-signed calls only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityContext>,
}

/// API Gateway's `requestContext.identity` for a call signed with Cognito Identity credentials.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdentityContext {
    pub cognito_identity_id: String,
    pub cognito_identity_pool_id: String,
    /// `authenticated` or `unauthenticated`.
    pub cognito_authentication_type: &'static str,
    /// `cognito-idp.<region>.amazonaws.com/<pool>,cognito-idp.<region>.amazonaws.com/<pool>:CognitoSignIn:<sub>`.
    pub cognito_authentication_provider: Option<String>,
    /// `arn:aws:sts::<account>:assumed-role/<role>/CognitoIdentityCredentials`.
    pub user_arn: String,
    pub account_id: String,
    pub access_key: String,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(caller))
}

/// The caller as the api sees them.
#[utoipa::path(get, path = "/v1/caller", tag = "caller", responses((status = 200, body = CallerContext)))]
pub async fn caller(Authorized { caller, tx }: Authorized) -> RestResult<Json<CallerContext>> {
    db::end_reading(tx);
    let identity = caller.iam.as_ref().map(|iam| IdentityContext {
        cognito_identity_id: iam.session.identity_id.clone(),
        cognito_identity_pool_id: iam.session.identity_pool_id.clone(),
        cognito_authentication_type: iam.authentication_type(),
        cognito_authentication_provider: iam.authentication_provider(),
        user_arn: iam.user_arn(),
        account_id: iam.account_id.clone(),
        access_key: iam.session.access_key_id.clone(),
    });
    Ok(Json(CallerContext {
        user: caller.user_id,
        groups: caller.groups,
        tenants: caller.memberships.iter().map(|(tenant, _)| *tenant).collect(),
        authorizer: if identity.is_some() { "iam" } else { "cognito" },
        identity,
    }))
}
