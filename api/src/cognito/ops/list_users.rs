//! ListUsers (admin): a pool's users, optionally filtered on one attribute (`email ^= "al"`), a page
//! at a time.

use serde::{Deserialize, Serialize};

use super::{Paging, UserType};
use crate::{
    AppState,
    cognito::{
        error::CognitoResult,
        pools,
        users::{self, Filter},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    attributes_to_get: Option<Vec<String>>,
    limit: Option<i32>,
    pagination_token: Option<String>,
    #[serde(default)]
    filter: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    users: Vec<UserType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pagination_token: Option<String>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    let filter = Filter::parse(&request.filter)?;
    let paging = Paging::new(request.pagination_token.as_deref(), request.limit, "Limit")?;
    let rows = users::list(&state.db, &pool.id, filter.as_ref(), paging.after.as_deref(), paging.fetch()).await?;
    let (page, pagination_token) = paging.page(rows, |user| &user.username);
    let users = page.into_iter().map(|user| UserType::from(user).keeping(request.attributes_to_get.as_deref()));
    Ok(Response { users: users.collect(), pagination_token })
}
