//! AdminUpdateUserAttributes (admin): sets a user's attributes, the `*_verified` flags included.

use serde::Deserialize;

use super::{AdminUserRequest, Empty};
use crate::{
    AppState,
    cognito::{
        error::CognitoResult,
        users::{self, Attribute},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    #[serde(flatten)]
    user: AdminUserRequest,
    user_attributes: Vec<Attribute>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Empty> {
    let changes = users::validate_admin_attributes(&request.user_attributes)?;
    let (_pool, user) = request.user.load(state).await?;
    users::update_attributes(&state.db, &user, changes).await?;
    Ok(Empty {})
}
