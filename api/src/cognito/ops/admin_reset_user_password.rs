//! AdminResetUserPassword (admin): the user's password stops working and their sign-ins end; a reset code
//! goes to their email, with which they choose a new password (ConfirmForgotPassword).

use super::{AdminUserRequest, Empty, forgot_password::reset_destination};
use crate::{
    AppState,
    cognito::{error::CognitoResult, users},
};

pub async fn run(state: &AppState, request: AdminUserRequest) -> CognitoResult<Empty> {
    let (_pool, user) = request.load(state).await?;
    let email = reset_destination(&user)?;
    let secrets = state.cognito.secrets(&state.db).await?;
    let mut tx = state.db.begin().await?;
    users::require_reset(&mut tx, &secrets.codes, &user, email).await?;
    tx.commit().await?;
    Ok(Empty {})
}
