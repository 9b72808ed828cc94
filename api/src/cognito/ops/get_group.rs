//! GetGroup (admin): one group of a pool.

use serde::{Deserialize, Serialize};

use super::GroupType;
use crate::{
    AppState,
    cognito::{error::CognitoResult, groups, pools},
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    pub user_pool_id: String,
    pub group_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    pub group: GroupType,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    let group = groups::load(&state.db, &pool.id, &request.group_name).await?;
    Ok(Response { group: GroupType::from(group) })
}
