//! ListGroups (admin): a pool's groups, a page at a time.

use serde::Deserialize;

use super::{GroupsPage, Paging};
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

pub async fn run(state: &AppState, request: Request) -> CognitoResult<GroupsPage> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    let paging = Paging::new(request.next_token.as_deref(), request.limit, "Limit")?;
    let rows = groups::list(&state.db, &pool.id, paging.after.as_deref(), paging.fetch()).await?;
    Ok(GroupsPage::of(&paging, rows))
}
