//! CreateGroup (admin): a group of the pool's users, which then appears in its members' tokens
//! (`cognito:groups`, ordered by precedence), with the IAM role identity pools may give its members.

use serde::{Deserialize, Serialize};

use super::GroupType;
use crate::{
    AppState,
    cognito::{
        error::CognitoResult,
        groups::{self, NewGroup},
        pools,
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    group_name: String,
    description: Option<String>,
    precedence: Option<i32>,
    role_arn: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    group: GroupType,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    let new = NewGroup {
        name: &request.group_name,
        description: request.description.as_deref(),
        precedence: request.precedence,
        role_arn: request.role_arn.as_deref(),
    };
    let group = groups::create(&state.db, &pool.id, &new).await?;
    Ok(Response { group: GroupType::from(group) })
}
