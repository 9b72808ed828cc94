//! AdminRemoveUserFromGroup (admin): the user's next tokens no longer carry the group.

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
    groups::remove_member(&state.db, &user, &group).await?;
    Ok(Response {})
}
