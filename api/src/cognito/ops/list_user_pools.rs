//! ListUserPools (admin): the pools, a page at a time.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Paging;
use crate::{
    AppState,
    cognito::{
        error::CognitoResult,
        pools::{self, Pool},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    max_results: i32,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    user_pools: Vec<UserPoolDescription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Cognito's UserPoolDescriptionType.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct UserPoolDescription {
    id: String,
    name: String,
    #[serde(with = "time::serde::timestamp")]
    creation_date: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    last_modified_date: OffsetDateTime,
}

impl From<Pool> for UserPoolDescription {
    fn from(pool: Pool) -> Self {
        Self { id: pool.id, name: pool.name, creation_date: pool.created_at, last_modified_date: pool.updated_at }
    }
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let paging = Paging::new(request.next_token.as_deref(), Some(request.max_results), "MaxResults")?;
    let rows = pools::list_pools(&state.db, paging.after.as_deref(), paging.fetch()).await?;
    let (page, next_token) = paging.page(rows, |pool| &pool.id);
    Ok(Response { user_pools: page.into_iter().map(UserPoolDescription::from).collect(), next_token })
}
