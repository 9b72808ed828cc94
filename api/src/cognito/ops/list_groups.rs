//! ListGroups (admin): a pool's groups, a page at a time.

use serde::{Deserialize, Serialize};

use super::{GroupType, Paging};
use crate::{
    AppState,
    cognito::{error::CognitoResult, groups, pools},
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    limit: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    groups: Vec<GroupType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    let paging = Paging::new(request.next_token.as_deref(), request.limit, "Limit")?;
    let rows = groups::list(&state.db, &pool.id, paging.after.as_deref(), paging.fetch()).await?;
    let (page, next_token) = paging.page(rows, |group| &group.name);
    Ok(Response { groups: page.into_iter().map(GroupType::from).collect(), next_token })
}
