//! UpdateGroup (admin): a group's description, precedence or IAM role; what the request leaves out stays.

use serde::Deserialize;

use super::{GroupType, get_group::Response};
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

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    let change = NewGroup {
        name: &request.group_name,
        description: request.description.as_deref(),
        precedence: request.precedence,
        role_arn: request.role_arn.as_deref(),
    };
    let group = groups::update(&state.db, &pool.id, &change).await?;
    Ok(Response { group: GroupType::from(group) })
}
