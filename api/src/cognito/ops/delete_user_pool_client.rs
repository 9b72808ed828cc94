//! DeleteUserPoolClient (admin): the app client, and the sign-ins it issued.

use super::{Empty, describe_user_pool_client::Request};
use crate::{
    AppState,
    cognito::{error::CognitoResult, pools},
};

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Empty> {
    let client = pools::load_pool_client(state, &request.user_pool_id, &request.client_id).await?;
    pools::delete_client(&state.db, &client).await?;
    state.cognito.clients.forget(&client.id);
    Ok(Empty {})
}
