//! DescribeIdentity and ListIdentities (admin).

use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    cognito::{error::CognitoResult, ops::Paging},
    identity::{
        identities::{self, Identity},
        pools,
    },
};

/// AWS's IdentityDescription: the logins linked to the identity, and its dates in epoch seconds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityDescription {
    identity_id: String,
    logins: Vec<String>,
    creation_date: i64,
    last_modified_date: i64,
}

impl From<Identity> for IdentityDescription {
    fn from(identity: Identity) -> Self {
        Self {
            identity_id: identity.id,
            logins: identity.provider.into_iter().collect(),
            creation_date: identity.created_at.unix_timestamp(),
            last_modified_date: identity.last_modified_at.unix_timestamp(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeRequest {
    identity_id: String,
}

pub async fn describe(state: &AppState, request: DescribeRequest) -> CognitoResult<IdentityDescription> {
    Ok(identities::load(&state.db, &request.identity_id).await?.into())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRequest {
    identity_pool_id: String,
    max_results: i32,
    next_token: Option<String>,
    /// No identity is ever disabled here, so there is nothing to hide.
    #[serde(default)]
    #[allow(dead_code)]
    hide_disabled: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResponse {
    identity_pool_id: String,
    identities: Vec<IdentityDescription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub async fn list(state: &AppState, request: ListRequest) -> CognitoResult<ListResponse> {
    let pool = pools::load(&state.db, &request.identity_pool_id).await?;
    let paging = Paging::new(request.next_token.as_deref(), Some(request.max_results), "maxResults")?;
    let rows = identities::list(&state.db, &pool.id, paging.after.as_deref(), paging.fetch()).await?;
    let (rows, next_token) = paging.page(rows, |identity| &identity.id);
    Ok(ListResponse { identity_pool_id: pool.id, identities: rows.into_iter().map(Into::into).collect(), next_token })
}
