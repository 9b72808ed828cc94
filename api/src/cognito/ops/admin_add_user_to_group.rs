//! AdminAddUserToGroup (admin): the user's next tokens carry the group in `cognito:groups`.

use serde::Serialize;

use super::MembershipRequest;
use crate::{
    AppState,
    cognito::{error::CognitoResult, groups},
};

#[derive(Debug, Serialize)]
pub struct Response {}

pub async fn run(state: &AppState, request: MembershipRequest) -> CognitoResult<Response> {
    let (user, group) = request.load(state).await?;
    groups::add_member(&state.db, &user, &group).await?;
    Ok(Response {})
}
