//! AdminGetUser (admin): a user's attributes, state and MFA settings.

use serde::Serialize;
use time::OffsetDateTime;

use super::{AdminUserRequest, MfaSettings};
use crate::{
    AppState,
    cognito::{error::CognitoResult, users::Attribute},
};

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    username: String,
    user_attributes: Vec<Attribute>,
    #[serde(with = "time::serde::timestamp")]
    user_create_date: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    user_last_modified_date: OffsetDateTime,
    enabled: bool,
    user_status: String,
    #[serde(flatten)]
    mfa: MfaSettings,
}

pub async fn run(state: &AppState, request: AdminUserRequest) -> CognitoResult<Response> {
    let (_pool, user) = request.load(state).await?;
    Ok(Response {
        mfa: MfaSettings::of(&user),
        user_attributes: user.attribute_list(),
        username: user.username,
        user_create_date: user.created_at,
        user_last_modified_date: user.updated_at,
        enabled: user.enabled,
        user_status: user.status,
    })
}
