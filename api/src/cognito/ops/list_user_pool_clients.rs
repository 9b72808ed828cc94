//! ListUserPoolClients (admin): a pool's app clients (id and name), a page at a time.

use serde::{Deserialize, Serialize};

use super::Paging;
use crate::{
    AppState,
    cognito::{
        error::CognitoResult,
        pools::{self, Client},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    max_results: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    user_pool_clients: Vec<UserPoolClientDescription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Cognito's UserPoolClientDescription.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct UserPoolClientDescription {
    client_id: String,
    user_pool_id: String,
    client_name: String,
}

impl From<Client> for UserPoolClientDescription {
    fn from(client: Client) -> Self {
        Self { client_id: client.id, user_pool_id: client.pool_id, client_name: client.name }
    }
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    let paging = Paging::new(request.next_token.as_deref(), request.max_results, "MaxResults")?;
    let rows = pools::list_clients(&state.db, &pool.id, paging.after.as_deref(), paging.fetch()).await?;
    let (page, next_token) = paging.page(rows, |client| &client.id);
    Ok(Response { user_pool_clients: page.into_iter().map(UserPoolClientDescription::from).collect(), next_token })
}
