//! AdminListGroupsForUser (admin): the groups a user is in, a page at a time.

use serde::Deserialize;

use super::{AdminUserRequest, GroupsPage, Paging};
use crate::{
    AppState,
    cognito::{error::CognitoResult, groups},
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    #[serde(flatten)]
    user: AdminUserRequest,
    limit: Option<i32>,
    next_token: Option<String>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<GroupsPage> {
    let (_pool, user) = request.user.load(state).await?;
    let paging = Paging::new(request.next_token.as_deref(), request.limit, "Limit")?;
    let rows = groups::of_user(&state.db, &user, paging.after.as_deref(), paging.fetch()).await?;
    Ok(GroupsPage::of(&paging, rows))
}
