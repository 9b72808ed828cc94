//! AssociateSoftwareToken: a new secret for the user's authenticator app, to verify with a code it makes
//! (VerifySoftwareToken). The user is the holder of an access token, or, while signing in to a pool that
//! requires MFA, the one the MFA_SETUP challenge's Session was started for.

use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        mfa,
        sessions::{self, Step},
        tokens,
        users::{self, User},
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: Option<String>,
    session: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    secret_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<String>,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let user = setting_up(state, request.access_token.as_deref(), request.session.as_deref(), Step::MfaSetup).await?;
    let secret_code = mfa::associate(state, &user).await?;
    Ok(Response { secret_code, session: request.session })
}

/// Who is setting up an authenticator app: the holder of `access_token`, or the user of the sign-in
/// `session` at `step`.
pub async fn setting_up(
    state: &AppState,
    access_token: Option<&str>,
    session: Option<&str>,
    step: Step,
) -> CognitoResult<User> {
    match (access_token, session) {
        (Some(access_token), _) => tokens::verify_access_token(state, access_token).await,
        (None, Some(session)) => {
            let session = sessions::find(&state.db, session, step).await?;
            let user = users::find_by_username(&state.db, &session.pool_id, &session.username).await?;
            user.ok_or_else(sessions::invalid)
        }
        (None, None) => Err(CognitoError::invalid_parameter("Either AccessToken or Session must be given.")),
    }
}
