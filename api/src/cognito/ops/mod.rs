//! One module per Cognito operation: its request and response shapes (Cognito's PascalCase JSON) and
//! a short `run` that calls the domain code.

pub mod admin_add_user_to_group;
pub mod admin_confirm_sign_up;
pub mod admin_create_user;
pub mod admin_delete_user;
pub mod admin_disable_user;
pub mod admin_enable_user;
pub mod admin_get_user;
pub mod admin_initiate_auth;
pub mod admin_list_groups_for_user;
pub mod admin_remove_user_from_group;
pub mod admin_reset_user_password;
pub mod admin_respond_to_auth_challenge;
pub mod admin_set_user_mfa_preference;
pub mod admin_set_user_password;
pub mod admin_update_user_attributes;
pub mod admin_user_global_sign_out;
pub mod associate_software_token;
pub mod change_password;
pub mod confirm_sign_up;
pub mod create_group;
pub mod create_user_pool;
pub mod create_user_pool_client;
pub mod delete_group;
pub mod delete_user;
pub mod delete_user_pool;
pub mod delete_user_pool_client;
pub mod describe_user_pool;
pub mod describe_user_pool_client;
pub mod forgot_password;
pub mod get_group;
pub mod get_tokens_from_refresh_token;
pub mod get_user;
pub mod get_user_pool_mfa_config;
pub mod global_sign_out;
pub mod initiate_auth;
pub mod list_groups;
pub mod list_user_pool_clients;
pub mod list_user_pools;
pub mod list_users;
pub mod list_users_in_group;
pub mod resend_confirmation_code;
pub mod respond_to_auth_challenge;
pub mod revoke_token;
pub mod set_user_mfa_preference;
pub mod set_user_pool_mfa_config;
pub mod sign_up;
pub mod update_group;
pub mod update_user_attributes;
pub mod update_user_pool;
pub mod update_user_pool_client;
pub mod verify_software_token;

use std::sync::Arc;

use base64::{Engine, prelude::BASE64_URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{
    error::{CognitoError, CognitoResult},
    groups::{self, Group},
    mfa,
    pools::{self, Client, Pool},
    users::{self, Attribute, User},
};
use crate::AppState;

/// Cognito's CodeDeliveryDetailsType.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetails {
    pub destination: String,
    pub delivery_medium: &'static str,
    pub attribute_name: &'static str,
}

impl CodeDeliveryDetails {
    pub fn email(address: &str) -> Self {
        Self { destination: users::mask_email(address), delivery_medium: "EMAIL", attribute_name: "email" }
    }
}

/// The app client a public call names, and its pool.
pub async fn client_and_pool(state: &AppState, client_id: &str) -> CognitoResult<(Arc<Client>, Pool)> {
    let client = pools::load_client(state, client_id).await?;
    let pool = pools::load_pool(&state.db, &client.pool_id).await?;
    Ok((client, pool))
}

/// A user's MFA settings as GetUser and AdminGetUser show them (Amplify's fetchMFAPreference reads them).
#[derive(Debug, Serialize)]
pub struct MfaSettings {
    #[serde(rename = "UserMFASettingList")]
    enabled: Vec<&'static str>,
    #[serde(rename = "PreferredMfaSetting", skip_serializing_if = "Option::is_none")]
    preferred: Option<&'static str>,
}

impl MfaSettings {
    pub fn of(user: &User) -> Self {
        Self {
            enabled: user.totp_mfa_enabled.then_some(mfa::SOFTWARE_TOKEN_MFA).into_iter().collect(),
            preferred: user.totp_mfa_preferred.then_some(mfa::SOFTWARE_TOKEN_MFA),
        }
    }
}

/// The `{}` that operations with nothing to report answer.
#[derive(Debug, Serialize)]
pub struct Empty {}

/// The request of calls made with just the signed-in user's access token, e.g. GetUser.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessTokenRequest {
    pub access_token: String,
}

/// The request of public calls that name a user through an app client, e.g. ForgotPassword.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClientUserRequest {
    pub client_id: String,
    pub secret_hash: Option<String>,
    pub username: String,
}

/// The request of admin calls that name just a user, e.g. AdminGetUser.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUserRequest {
    pub user_pool_id: String,
    pub username: String,
}

impl AdminUserRequest {
    /// The pool and the user named (by username or alias).
    pub async fn load(&self, state: &AppState) -> CognitoResult<(Pool, User)> {
        let pool = pools::load_pool(&state.db, &self.user_pool_id).await?;
        let user = users::admin_named(&state.db, &pool.id, &self.username).await?;
        Ok((pool, user))
    }
}

/// The request of AdminAddUserToGroup and AdminRemoveUserFromGroup.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MembershipRequest {
    #[serde(flatten)]
    user: AdminUserRequest,
    group_name: String,
}

impl MembershipRequest {
    /// The user and the group named (an unknown group is ResourceNotFoundException).
    pub async fn load(&self, state: &AppState) -> CognitoResult<(User, Group)> {
        let (pool, user) = self.user.load(state).await?;
        let group = groups::load(&state.db, &pool.id, &self.group_name).await?;
        Ok((user, group))
    }
}

/// The part of Cognito's UserPoolType this service keeps.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolType {
    id: String,
    name: String,
    arn: String,
    policies: serde_json::Value,
    username_attributes: Vec<String>,
    auto_verified_attributes: Vec<String>,
    mfa_configuration: String,
    #[serde(with = "time::serde::timestamp")]
    creation_date: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    last_modified_date: OffsetDateTime,
}

impl UserPoolType {
    pub fn new(pool: Pool, region: &str) -> Self {
        Self {
            arn: format!("arn:aws:cognito-idp:{region}:000000000000:userpool/{}", pool.id),
            policies: serde_json::json!({
                "PasswordPolicy": pool.password_policy.0,
                "SignInPolicy": { "AllowedFirstAuthFactors": pool.allowed_first_auth_factors },
            }),
            id: pool.id,
            name: pool.name,
            username_attributes: pool.username_attributes,
            auto_verified_attributes: pool.auto_verified_attributes,
            mfa_configuration: pool.mfa_configuration,
            creation_date: pool.created_at,
            last_modified_date: pool.updated_at,
        }
    }
}

/// Cognito's UserPoolClientType. Token validities are given in seconds, as stored.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientType {
    user_pool_id: String,
    client_id: String,
    client_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    explicit_auth_flows: Vec<String>,
    prevent_user_existence_errors: &'static str,
    id_token_validity: i32,
    access_token_validity: i32,
    refresh_token_validity: i32,
    token_validity_units: serde_json::Value,
    refresh_token_rotation: RefreshTokenRotation,
    #[serde(with = "time::serde::timestamp")]
    creation_date: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    last_modified_date: OffsetDateTime,
}

/// Cognito's RefreshTokenRotationType: whether each refresh replaces the refresh token, and how long the
/// replaced one keeps working (0 to 60 s).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RefreshTokenRotation {
    pub feature: String,
    #[serde(default)]
    pub retry_grace_period_seconds: i32,
}

impl RefreshTokenRotation {
    /// The setting as stored: (rotation on, grace period in seconds).
    pub fn validated(&self) -> CognitoResult<(bool, i32)> {
        let enabled = match self.feature.as_str() {
            "ENABLED" => true,
            "DISABLED" => false,
            other => {
                return Err(CognitoError::invalid_parameter(format!(
                    "1 validation error detected: Value '{other}' at 'refreshTokenRotation.feature' failed to \
                     satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]"
                )));
            }
        };
        if !(0..=60).contains(&self.retry_grace_period_seconds) {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{}' at 'refreshTokenRotation.retryGracePeriodSeconds' failed \
                 to satisfy constraint: Member must have value between 0 and 60",
                self.retry_grace_period_seconds
            )));
        }
        Ok((enabled, self.retry_grace_period_seconds))
    }
}

impl From<Client> for UserPoolClientType {
    fn from(client: Client) -> Self {
        Self {
            user_pool_id: client.pool_id,
            client_id: client.id,
            client_name: client.name,
            client_secret: client.secret,
            explicit_auth_flows: client.explicit_auth_flows,
            prevent_user_existence_errors: if client.prevent_user_existence_errors { "ENABLED" } else { "LEGACY" },
            id_token_validity: client.id_token_validity_secs,
            access_token_validity: client.access_token_validity_secs,
            refresh_token_validity: client.refresh_token_validity_secs,
            token_validity_units: serde_json::json!({
                "IdToken": "seconds", "AccessToken": "seconds", "RefreshToken": "seconds"
            }),
            refresh_token_rotation: RefreshTokenRotation {
                feature: if client.refresh_token_rotation { "ENABLED" } else { "DISABLED" }.into(),
                retry_grace_period_seconds: client.retry_grace_period_secs,
            },
            creation_date: client.created_at,
            last_modified_date: client.updated_at,
        }
    }
}

/// Cognito's UserType, as admin calls list users.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserType {
    username: String,
    attributes: Vec<Attribute>,
    #[serde(with = "time::serde::timestamp")]
    user_create_date: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    user_last_modified_date: OffsetDateTime,
    enabled: bool,
    user_status: String,
}

impl UserType {
    /// Only the attributes named (ListUsers' AttributesToGet), or all of them.
    pub fn keeping(mut self, names: Option<&[String]>) -> Self {
        if let Some(names) = names {
            self.attributes.retain(|attribute| names.contains(&attribute.name));
        }
        self
    }
}

impl From<User> for UserType {
    fn from(user: User) -> Self {
        Self {
            attributes: user.attribute_list(),
            username: user.username,
            user_create_date: user.created_at,
            user_last_modified_date: user.updated_at,
            enabled: user.enabled,
            user_status: user.status,
        }
    }
}

/// Cognito's GroupType.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupType {
    group_name: String,
    user_pool_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    precedence: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role_arn: Option<String>,
    #[serde(with = "time::serde::timestamp")]
    creation_date: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    last_modified_date: OffsetDateTime,
}

impl From<Group> for GroupType {
    fn from(group: Group) -> Self {
        Self {
            group_name: group.name,
            user_pool_id: group.pool_id,
            description: group.description,
            precedence: group.precedence,
            role_arn: group.role_arn,
            creation_date: group.created_at,
            last_modified_date: group.updated_at,
        }
    }
}

/// A page of groups: the reply of ListGroups and AdminListGroupsForUser.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupsPage {
    groups: Vec<GroupType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

impl GroupsPage {
    /// The page of `rows` that `paging` asked for.
    pub fn of(paging: &Paging, rows: Vec<Group>) -> Self {
        let (page, next_token) = paging.page(rows, |group| &group.name);
        Self { groups: page.into_iter().map(GroupType::from).collect(), next_token }
    }
}

/// Every listing returns at most 60 items a page, as in Cognito.
const MAX_PAGE: i32 = 60;

/// Where a page of a listing starts and how many items it holds. Listings are ordered by a unique
/// key; a page token carries the last key of the previous page (opaque to clients, as in Cognito).
pub struct Paging {
    pub after: Option<String>,
    limit: usize,
}

impl Paging {
    /// From a request's page token and limit (`limit_member` names the limit in errors).
    pub fn new(token: Option<&str>, limit: Option<i32>, limit_member: &str) -> CognitoResult<Self> {
        let limit = limit.unwrap_or(MAX_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{limit}' at '{limit_member}' failed to satisfy constraint: \
                 Member must have value between 1 and {MAX_PAGE}"
            )));
        }
        let after = token.map(decode_page_token).transpose()?;
        Ok(Self { after, limit: limit.unsigned_abs() as usize })
    }

    /// How many rows to fetch: one more than a page, which tells whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit as i64 + 1
    }

    /// The page out of the fetched rows, and the next page's token when there is one.
    pub fn page<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> &str) -> (Vec<T>, Option<String>) {
        if rows.len() <= self.limit {
            return (rows, None);
        }
        rows.truncate(self.limit);
        let next = rows.last().map(|last| BASE64_URL_SAFE_NO_PAD.encode(key(last)));
        (rows, next)
    }
}

fn decode_page_token(token: &str) -> CognitoResult<String> {
    BASE64_URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| CognitoError::invalid_parameter("Invalid pagination token."))
}
