//! Identity pools: their settings (the IdentityPool shape of botocore's model), the roles they hand
//! out (SetIdentityPoolRoles), and the user pools whose sign-ins they accept.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::{PgExecutor, types::Json};

use super::roles::{RoleMapping, Roles};
use crate::cognito::error::{CognitoError, CognitoResult, Exception};

/// An identity pool's settings as CreateIdentityPool and UpdateIdentityPool take them and
/// DescribeIdentityPool answers them: what was not set is left out, as AWS echoes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Settings {
    pub allow_unauthenticated_identities: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_classic_flow: Option<bool>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub supported_login_providers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub developer_provider_name: Option<String>,
    #[serde(rename = "OpenIdConnectProviderARNs", default, skip_serializing_if = "Vec::is_empty")]
    pub open_id_connect_provider_arns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cognito_identity_providers: Vec<Provider>,
    #[serde(rename = "SamlProviderARNs", default, skip_serializing_if = "Vec::is_empty")]
    pub saml_provider_arns: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub identity_pool_tags: BTreeMap<String, String>,
}

/// A user pool's app client whose ID tokens the identity pool accepts as logins.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Provider {
    pub provider_name: String,
    pub client_id: String,
    #[serde(default)]
    pub server_side_token_check: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdentityPool {
    pub id: String,
    pub name: String,
    pub settings: Json<Settings>,
    pub roles: Json<Roles>,
    pub role_mappings: Json<BTreeMap<String, RoleMapping>>,
}

/// The pool, or AWS's ResourceNotFoundException.
pub async fn load(db: impl PgExecutor<'_>, id: &str) -> CognitoResult<IdentityPool> {
    sqlx::query_as("SELECT id, name, settings, roles, role_mappings FROM identity_pools WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| CognitoError::new(Exception::ResourceNotFound, format!("IdentityPool '{id}' not found.")))
}

pub async fn create(db: impl PgExecutor<'_>, id: &str, name: &str, settings: &Settings) -> CognitoResult<IdentityPool> {
    validate(name, settings)?;
    Ok(sqlx::query_as(
        "INSERT INTO identity_pools (id, name, settings) VALUES ($1, $2, $3) \
         RETURNING id, name, settings, roles, role_mappings",
    )
    .bind(id)
    .bind(name)
    .bind(Json(settings))
    .fetch_one(db)
    .await?)
}

/// UpdateIdentityPool replaces every setting (what the request leaves out is unset).
pub async fn update(db: impl PgExecutor<'_>, id: &str, name: &str, settings: &Settings) -> CognitoResult<IdentityPool> {
    validate(name, settings)?;
    sqlx::query_as(
        "UPDATE identity_pools SET name = $2, settings = $3 WHERE id = $1 \
         RETURNING id, name, settings, roles, role_mappings",
    )
    .bind(id)
    .bind(name)
    .bind(Json(settings))
    .fetch_optional(db)
    .await?
    .ok_or_else(|| CognitoError::new(Exception::ResourceNotFound, format!("IdentityPool '{id}' not found.")))
}

pub async fn delete(db: impl PgExecutor<'_>, id: &str) -> CognitoResult<()> {
    let deleted = sqlx::query("DELETE FROM identity_pools WHERE id = $1").bind(id).execute(db).await?;
    match deleted.rows_affected() {
        0 => Err(CognitoError::new(Exception::ResourceNotFound, format!("IdentityPool '{id}' not found."))),
        _ => Ok(()),
    }
}

/// Pools ordered by id, after `after`.
pub async fn list(db: impl PgExecutor<'_>, after: Option<&str>, take: i64) -> CognitoResult<Vec<(String, String)>> {
    Ok(sqlx::query_as("SELECT id, name FROM identity_pools WHERE id > coalesce($1, '') ORDER BY id LIMIT $2")
        .bind(after)
        .bind(take)
        .fetch_all(db)
        .await?)
}

pub async fn set_roles(
    db: impl PgExecutor<'_>,
    id: &str,
    roles: &Roles,
    mappings: &BTreeMap<String, RoleMapping>,
) -> CognitoResult<()> {
    let updated = sqlx::query("UPDATE identity_pools SET roles = $2, role_mappings = $3 WHERE id = $1")
        .bind(id)
        .bind(Json(roles))
        .bind(Json(mappings))
        .execute(db)
        .await?;
    match updated.rows_affected() {
        0 => Err(CognitoError::new(Exception::ResourceNotFound, format!("IdentityPool '{id}' not found."))),
        _ => Ok(()),
    }
}

/// The constraints of botocore's model that its client does not check itself (patterns, maxima).
fn validate(name: &str, settings: &Settings) -> CognitoResult<()> {
    let name_ok = (1..=128).contains(&name.chars().count())
        && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c));
    if !name_ok {
        return Err(validation(
            "identityPoolName",
            name,
            "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
        ));
    }
    for provider in &settings.cognito_identity_providers {
        let name_ok = (1..=128).contains(&provider.provider_name.len())
            && provider.provider_name.chars().all(|c| c.is_alphanumeric() || "_.:/-".contains(c));
        if !name_ok {
            return Err(validation(
                "cognitoIdentityProviders.member.providerName",
                &provider.provider_name,
                "Member must satisfy regular expression pattern: [\\w._:/-]+",
            ));
        }
        let client_ok = (1..=128).contains(&provider.client_id.len())
            && provider.client_id.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !client_ok {
            return Err(validation(
                "cognitoIdentityProviders.member.clientId",
                &provider.client_id,
                "Member must satisfy regular expression pattern: [\\w_]+",
            ));
        }
    }
    Ok(())
}

/// AWS's wording for a value that breaks the model's constraints.
pub fn validation(member: &str, value: &str, constraint: &str) -> CognitoError {
    CognitoError::invalid_parameter(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
    ))
}
