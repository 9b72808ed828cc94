//! DeleteGroup (admin): the group goes; its members stay in the pool.

use super::{Empty, get_group::Request};
use crate::{
    AppState,
    cognito::{error::CognitoResult, groups, pools},
};

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Empty> {
    let pool = pools::load_pool(&state.db, &request.user_pool_id).await?;
    groups::delete(&state.db, &pool.id, &request.group_name).await?;
    Ok(Empty {})
}
