//! AdminSetUserMFAPreference (admin): SetUserMFAPreference for a user an admin names.

use serde::Deserialize;

use super::{AdminUserRequest, Empty, set_user_mfa_preference::Preference};
use crate::{AppState, cognito::error::CognitoResult};

#[derive(Debug, Deserialize)]
pub struct Request {
    #[serde(flatten)]
    user: AdminUserRequest,
    #[serde(flatten)]
    preference: Preference,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Empty> {
    let (_pool, user) = request.user.load(state).await?;
    request.preference.apply(state, &user).await?;
    Ok(Empty {})
}
