//! DeleteUserPool (admin): the pool and everything in it (clients, users, groups, tokens, keys).

use super::{Empty, describe_user_pool::Request};
use crate::{
    AppState,
    cognito::{error::CognitoResult, pools},
};

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Empty> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    pools::delete_pool(&state.db, &pool).await?;
    state.cognito.forget_pool(&pool.id).await;
    Ok(Empty {})
}
