//! AdminAddUserToGroup (admin): the user's next tokens carry the group in `cognito:groups`.

use super::{Empty, MembershipRequest};
use crate::{
    AppState,
    cognito::{error::CognitoResult, groups},
};

pub async fn run(state: &AppState, request: MembershipRequest) -> CognitoResult<Empty> {
    let (user, group) = request.load(state).await?;
    groups::add_member(&state.db, &user, &group).await?;
    Ok(Empty {})
}
