//! UpdateUserAttributes: the signed-in user changes their own attributes. A new email is unverified
//! until confirmed.

use crate::{
    AppState,
    cognito::{
        error::CognitoResult,
        tokens,
        users::{self, Attribute},
    },
};
use serde::{Deserialize, Serialize};

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
    let changes = users::validate_attributes(&request.user_attributes)?;
    users::update_attributes(&state.db, &user, changes).await?;
    Ok(Response { code_delivery_details_list: Vec::new() })
}
