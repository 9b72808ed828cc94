//! AdminCreateUser (admin): a user with a temporary password (given, or generated to meet the
//! policy) who must choose their own at the first sign-in, and a welcome message with it unless
//! MessageAction is SUPPRESS. MessageAction RESEND invites an existing such user again.

use serde::{Deserialize, Serialize};

use super::UserType;
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        password, pools,
        users::{self, Attribute, Welcome},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
    #[serde(default)]
    user_attributes: Vec<Attribute>,
    temporary_password: Option<String>,
    message_action: Option<String>,
    #[serde(default)]
    desired_delivery_mediums: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    user: UserType,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    let attributes = users::validate_admin_attributes(&request.user_attributes)?;
    let temporary_password = match request.temporary_password {
        Some(given) => {
            password::check_policy(&given, &pool.password_policy)?;
            given
        }
        None => password::generate_temporary(&pool.password_policy),
    };
    let welcome = match request.message_action.as_deref() {
        None | Some("RESEND") => Welcome::To(&request.desired_delivery_mediums),
        Some("SUPPRESS") => Welcome::Suppressed,
        Some(other) => {
            return Err(CognitoError::invalid_parameter(format!(
                "MessageAction: {other} is neither RESEND nor SUPPRESS."
            )));
        }
    };
    let (db, keys, name) = (&state.db, &state.config.verifier_keys, request.username.as_str());
    let user = match request.message_action.as_deref() {
        Some("RESEND") => users::reinvite(db, keys, &pool, name, &temporary_password, welcome).await?,
        _ => users::invite(db, keys, &pool, name, attributes, &temporary_password, welcome).await?,
    };
    Ok(Response { user: UserType::from(user) })
}
