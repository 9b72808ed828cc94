//! UpdateUserAttributes: the signed-in user changes their own attributes. A new email is unverified
//! until confirmed.

use serde::{Deserialize, Serialize};
use sqlx::types::Json;

use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult, Exception},
        tokens,
        users::{self, Attribute},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_attributes: Vec<Attribute>,
    access_token: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    code_delivery_details_list: Vec<()>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let user = tokens::verify_access_token(state, &request.access_token).await?;
    let mut changes = users::validate_attributes(&request.user_attributes)?;
    let new_email = changes.get("email").and_then(|v| v.as_str());
    if new_email.is_some_and(|email| Some(email) != user.email()) {
        changes.insert("email_verified".into(), "false".into());
    }
    let updated = sqlx::query("UPDATE users SET attributes = attributes || $3 WHERE pool_id = $1 AND username = $2")
        .bind(&user.pool_id)
        .bind(&user.username)
        .bind(Json(&changes))
        .execute(&state.db)
        .await;
    match updated {
        Ok(_) => Ok(Response { code_delivery_details_list: Vec::new() }),
        Err(error) if error.as_database_error().and_then(|e| e.constraint()) == Some("users_email_alias") => {
            Err(CognitoError::new(Exception::AliasExists, "An account with the given email already exists."))
        }
        Err(error) => Err(error.into()),
    }
}
