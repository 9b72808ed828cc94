//! DescribeUserPool (admin): a pool's settings.

use serde::{Deserialize, Serialize};

use super::UserPoolType;
use crate::{
    AppState,
    cognito::{error::CognitoResult, pools},
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    pub user_pool_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    user_pool: UserPoolType,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    Ok(Response { user_pool: UserPoolType::new(pool, &state.config.cognito_region) })
}
