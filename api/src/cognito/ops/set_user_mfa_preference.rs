//! SetUserMFAPreference: the signed-in user turns MFA by their authenticator app on or off, and prefers it
//! or not. Text messages and email codes as a second factor are not offered.

use serde::Deserialize;

use super::Empty;
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult},
        mfa, tokens,
        users::User,
    },
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: String,
    #[serde(flatten)]
    pub preference: Preference,
}

/// The settings of SetUserMFAPreference and AdminSetUserMFAPreference.
#[derive(Debug, Deserialize)]
pub struct Preference {
    #[serde(rename = "SoftwareTokenMfaSettings")]
    software_token: Option<MfaSettings>,
    #[serde(rename = "SMSMfaSettings")]
    sms: Option<MfaSettings>,
    #[serde(rename = "EmailMfaSettings")]
    email: Option<MfaSettings>,
}

/// Cognito's SoftwareTokenMfaSettingsType (and its SMS and email twins).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MfaSettings {
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    preferred_mfa: bool,
}

impl Preference {
    /// Applies the preference to `user`; what it leaves out stays as it was.
    pub async fn apply(&self, state: &AppState, user: &User) -> CognitoResult<()> {
        if [&self.sms, &self.email].into_iter().flatten().any(|settings| settings.enabled) {
            return Err(CognitoError::invalid_parameter("Only SOFTWARE_TOKEN_MFA can be enabled in this user pool."));
        }
        match &self.software_token {
            Some(settings) => mfa::set_preference(&state.db, user, settings.enabled, settings.preferred_mfa).await,
            None => Ok(()),
        }
    }
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Empty> {
    let user = tokens::verify_access_token(state, &request.access_token).await?;
    request.preference.apply(state, &user).await?;
    Ok(Empty {})
}
