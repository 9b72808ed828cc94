//! DescribeUserPoolClient (admin): an app client's settings, its secret included.

use serde::{Deserialize, Serialize};

use super::UserPoolClientType;
use crate::{
    AppState,
    cognito::{error::CognitoResult, pools},
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    pub user_pool_id: String,
    pub client_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    user_pool_client: UserPoolClientType,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let client = pools::load_pool_client(state, &request.user_pool_id, &request.client_id).await?;
    Ok(Response { user_pool_client: UserPoolClientType::from(std::sync::Arc::unwrap_or_clone(client)) })
}
