//! ListUsersInGroup (admin): a group's members, a page at a time.

use serde::{Deserialize, Serialize};

use super::{Paging, UserType};
use crate::{
    AppState,
    cognito::{error::CognitoResult, groups, pools},
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    group_name: String,
    limit: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    users: Vec<UserType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    let group = groups::load(&state.db, &pool.id, &request.group_name).await?;
    let paging = Paging::new(request.next_token.as_deref(), request.limit, "Limit")?;
    let rows = groups::members(&state.db, &group, paging.after.as_deref(), paging.fetch()).await?;
    let (page, next_token) = paging.page(rows, |user| &user.username);
    Ok(Response { users: page.into_iter().map(UserType::from).collect(), next_token })
}
