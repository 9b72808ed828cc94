//! VerifySoftwareToken: a code from the authenticator app being set up puts it in use. While signing in
//! (MFA_SETUP), it also becomes the user's preferred MFA, and the Session it answers lets the sign-in end
//! with RespondToAuthChallenge(MFA_SETUP).

use serde::{Deserialize, Serialize};

use super::associate_software_token::setting_up;
use crate::{
    AppState,
    cognito::{
        error::CognitoResult,
        mfa, pools,
        sessions::{self, Step},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: Option<String>,
    session: Option<String>,
    user_code: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<String>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let (access_token, session) = (request.access_token.as_deref(), request.session.as_deref());
    let user = setting_up(state, access_token, session, Step::MfaSetup).await?;
    mfa::verify_new(state, &user, &request.user_code).await?;
    let next = match (access_token, session) {
        (None, Some(session)) => {
            let found = sessions::find(&state.db, session, Step::MfaSetup).await?;
            let client = pools::load_client(state, &found.client_id).await?;
            sessions::spend(&state.db, session).await?;
            mfa::set_preference(&state.db, &user, true, true).await?;
            Some(sessions::start(&state.db, &client, &user, Step::MfaSetUp, sessions::LIFETIME).await?)
        }
        _ => None,
    };
    Ok(Response { status: "SUCCESS", session: next })
}
