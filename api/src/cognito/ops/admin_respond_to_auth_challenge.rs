//! AdminRespondToAuthChallenge (admin): RespondToAuthChallenge for a server that signs users in with
//! AdminInitiateAuth, through an app client of the pool it names.

use serde::Deserialize;

use super::{initiate_auth::Response, respond_to_auth_challenge::Answer};
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
    answer: Answer,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let client = pools::load_pool_client(state, &request.user_pool_id, &request.client_id).await?;
    request.answer.answer(state, &client).await
}
