//! SetIdentityPoolRoles and GetIdentityPoolRoles (admin): the pool's default roles and its role
//! mappings per login provider.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        groups::is_role_arn,
        ops::Empty,
    },
    identity::{
        pools::{self, validation},
        roles::{MappingType, RoleMapping, Roles},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetRequest {
    identity_pool_id: String,
    roles: BTreeMap<String, String>,
    #[serde(default)]
    role_mappings: BTreeMap<String, RoleMapping>,
}

pub async fn set(state: &AppState, request: SetRequest) -> CognitoResult<Empty> {
    let mut roles = Roles::default();
    for (kind, arn) in &request.roles {
        let slot = match kind.as_str() {
            "authenticated" => &mut roles.authenticated,
            "unauthenticated" => &mut roles.unauthenticated,
            _ => {
                return Err(validation(
                    "roles",
                    kind,
                    "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: (un)?authenticated]",
                ));
            }
        };
        if !is_role_arn(arn) {
            return Err(validation("roles", arn, "Map value must be an IAM role ARN"));
        }
        *slot = Some(arn.clone());
    }
    check_mappings(&request.role_mappings)?;
    pools::set_roles(&state.db, &request.identity_pool_id, &roles, &request.role_mappings).await?;
    Ok(Empty {})
}

/// At most ten mappings, Rules ones with rules (at most 25, as the docs allow), every role an ARN.
fn check_mappings(mappings: &BTreeMap<String, RoleMapping>) -> CognitoResult<()> {
    if mappings.len() > 10 {
        return Err(CognitoError::invalid_parameter("RoleMappings can have at most 10 entries."));
    }
    for (provider, mapping) in mappings {
        let rules = mapping.rules_configuration.as_ref().map(|c| c.rules.as_slice()).unwrap_or_default();
        if mapping.kind == MappingType::Rules && rules.is_empty() {
            return Err(CognitoError::invalid_parameter(format!(
                "RulesConfiguration is required for the Rules role mapping of {provider}."
            )));
        }
        if rules.len() > 25 {
            return Err(CognitoError::invalid_parameter("A role mapping can have at most 25 rules."));
        }
        if let Some(bad) = rules.iter().find(|rule| !is_role_arn(&rule.role_arn)) {
            return Err(validation(
                "roleMappings.member.rulesConfiguration.rules.member.roleARN",
                &bad.role_arn,
                "Member must be an IAM role ARN",
            ));
        }
        if !provider.contains(':') {
            return Err(CognitoError::invalid_parameter(format!(
                "The role mapping key '{provider}' must be <provider name>:<app client id>."
            )));
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetRequest {
    identity_pool_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetResponse {
    identity_pool_id: String,
    roles: Roles,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    role_mappings: BTreeMap<String, RoleMapping>,
}

pub async fn get(state: &AppState, request: GetRequest) -> CognitoResult<GetResponse> {
    let pool = pools::load(&state.db, &request.identity_pool_id).await?;
    Ok(GetResponse { identity_pool_id: pool.id, roles: pool.roles.0, role_mappings: pool.role_mappings.0 })
}
