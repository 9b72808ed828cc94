//! AdminSetUserPassword (admin): a permanent password (the user is then confirmed) or a temporary
//! one (the user must choose a new one at the next sign-in).

use serde::Deserialize;

use super::{AdminUserRequest, Empty};
use crate::{
    AppState,
    cognito::{
        error::CognitoResult,
        password,
        users::{self, status},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    #[serde(flatten)]
    user: AdminUserRequest,
    password: String,
    #[serde(default)]
    permanent: bool,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Empty> {
    let (pool, user) = request.user.load(state).await?;
    password::check_policy(&request.password, &pool.password_policy)?;
    let password = state.config.verifier_keys.for_password(user.owner(), &request.password);
    let status = if request.permanent { status::CONFIRMED } else { status::FORCE_CHANGE_PASSWORD };
    let mut tx = state.db.begin().await?;
    users::set_password(&mut tx, &user, &password, status).await?;
    tx.commit().await?;
    Ok(Empty {})
}
