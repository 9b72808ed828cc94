//! AdminRemoveUserFromGroup (admin): the user's next tokens no longer carry the group.

use super::{Empty, MembershipRequest};
use crate::{
    AppState,
    cognito::{error::CognitoResult, groups},
};

pub async fn run(state: &AppState, request: MembershipRequest) -> CognitoResult<Empty> {
    let (user, group) = request.load(state).await?;
    groups::remove_member(&state.db, &user, &group).await?;
    Ok(Empty {})
}
