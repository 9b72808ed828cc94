//! CreateIdentityPool, DescribeIdentityPool, UpdateIdentityPool, DeleteIdentityPool,
//! ListIdentityPools (admin).

use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    cognito::{
        error::CognitoResult,
        ops::{Empty, Paging},
    },
    identity::{
        identities::new_id,
        pools::{self, IdentityPool, Settings},
    },
};

/// The IdentityPool shape, as Create and Update take it (Create without the id) and all answer it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityPoolType {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    identity_pool_id: String,
    identity_pool_name: String,
    #[serde(flatten)]
    settings: Settings,
}

impl From<IdentityPool> for IdentityPoolType {
    fn from(pool: IdentityPool) -> Self {
        Self { identity_pool_id: pool.id, identity_pool_name: pool.name, settings: pool.settings.0 }
    }
}

pub async fn create(state: &AppState, request: IdentityPoolType) -> CognitoResult<IdentityPoolType> {
    let id = new_id(&state.config.cognito_region);
    let pool = pools::create(&state.db, &id, &request.identity_pool_name, &request.settings).await?;
    Ok(pool.into())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolRequest {
    identity_pool_id: String,
}

pub async fn describe(state: &AppState, request: PoolRequest) -> CognitoResult<IdentityPoolType> {
    Ok(pools::load(&state.db, &request.identity_pool_id).await?.into())
}

pub async fn update(state: &AppState, request: IdentityPoolType) -> CognitoResult<IdentityPoolType> {
    let pool =
        pools::update(&state.db, &request.identity_pool_id, &request.identity_pool_name, &request.settings).await?;
    Ok(pool.into())
}

pub async fn delete(state: &AppState, request: PoolRequest) -> CognitoResult<Empty> {
    pools::delete(&state.db, &request.identity_pool_id).await?;
    Ok(Empty {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRequest {
    max_results: i32,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResponse {
    identity_pools: Vec<ShortDescription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ShortDescription {
    identity_pool_id: String,
    identity_pool_name: String,
}

pub async fn list(state: &AppState, request: ListRequest) -> CognitoResult<ListResponse> {
    let paging = Paging::new(request.next_token.as_deref(), Some(request.max_results), "maxResults")?;
    let rows = pools::list(&state.db, paging.after.as_deref(), paging.fetch()).await?;
    let (rows, next_token) = paging.page(rows, |(id, _)| id);
    let identity_pools = rows
        .into_iter()
        .map(|(identity_pool_id, identity_pool_name)| ShortDescription { identity_pool_id, identity_pool_name })
        .collect();
    Ok(ListResponse { identity_pools, next_token })
}
