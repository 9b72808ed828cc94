//! UpdateUserPoolClient (admin): replaces an app client's settings; as in Cognito, a setting the request
//! leaves out returns to its default. The secret stays.

use serde::Deserialize;

use super::{
    UserPoolClientType,
    create_user_pool_client::{Response, Settings},
};
use crate::{
    AppState,
    cognito::{error::CognitoResult, pools},
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    client_id: String,
    #[serde(flatten)]
    settings: Settings,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let client = pools::load_pool_client(state, &request.user_pool_id, &request.client_id).await?;
    let new = request.settings.new_client(client.secret.is_some())?;
    let updated = pools::update_client(&state.db, &client, &new).await?;
    state.cognito.clients.forget(&client.id);
    Ok(Response { user_pool_client: UserPoolClientType::from(updated) })
}
