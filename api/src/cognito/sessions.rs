//! The Session a sign-in hands the client between its steps (an MFA code to give, an authenticator app to
//! set up, USER_AUTH's choices, auto sign-in after confirmation). Kept in Postgres so that any instance may
//! take the next step: a random token the client holds, stored as its hash, bound to its app client and
//! user, short-lived, and spent by the step that completes it.

use sqlx::PgExecutor;
use time::{Duration, OffsetDateTime};

use super::{
    error::{CognitoError, CognitoResult},
    pools::Client,
    tokens::{self, opaque_token_hash as hash},
    users::User,
};

/// Cognito's default for how long a challenge's Session can be answered (AuthSessionValidity).
pub const LIFETIME: Duration = Duration::minutes(3);

/// What a session may be answered with next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// SOFTWARE_TOKEN_MFA: a code from the user's authenticator app.
    SoftwareTokenMfa,
    /// MFA_SETUP: AssociateSoftwareToken, then VerifySoftwareToken, with this session.
    MfaSetup,
    /// MFA_SETUP, once VerifySoftwareToken succeeded: RespondToAuthChallenge(MFA_SETUP) completes it.
    MfaSetUp,
    /// USER_AUTH's SELECT_CHALLENGE: the first factor the user chooses.
    SelectChallenge,
    /// EMAIL_OTP: the code mailed to the user.
    EmailOtp,
    /// SignUp's Session: ConfirmSignUp trades it for an [`Step::AutoSignIn`] one.
    SignedUp,
    /// ConfirmSignUp's Session: signs the new user in once through USER_AUTH.
    AutoSignIn,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Self::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Self::MfaSetup => "MFA_SETUP",
            Self::MfaSetUp => "MFA_SETUP_VERIFIED",
            Self::SelectChallenge => "SELECT_CHALLENGE",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SignedUp => "SIGNED_UP",
            Self::AutoSignIn => "AUTO_SIGN_IN",
        }
    }
}

/// A live session, found by its token.
#[derive(Debug, sqlx::FromRow)]
pub struct AuthSession {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    step: String,
    expires_at: OffsetDateTime,
}

/// A new session of `user` through `client`, to be answered with `step` within `lifetime`. Sessions
/// long expired are swept on the way.
pub async fn start(
    db: impl PgExecutor<'_> + Copy,
    client: &Client,
    user: &User,
    step: Step,
    lifetime: Duration,
) -> CognitoResult<String> {
    let token = tokens::new_opaque_token()?;
    sqlx::query("DELETE FROM auth_sessions WHERE expires_at < now() - interval '1 hour'").execute(db).await?;
    sqlx::query(
        "INSERT INTO auth_sessions (token_hash, pool_id, client_id, username, step, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash(&token))
    .bind(&client.pool_id)
    .bind(&client.id)
    .bind(&user.username)
    .bind(step.name())
    .bind(OffsetDateTime::now_utc() + lifetime)
    .execute(db)
    .await?;
    Ok(token)
}

impl AuthSession {
    /// Only the app client a session was started through may continue it.
    pub fn check_client(&self, client: &Client) -> CognitoResult<()> {
        match self.client_id == client.id {
            true => Ok(()),
            false => Err(invalid()),
        }
    }
}

/// The live session `token`, if it is at `step`.
pub async fn find(db: impl PgExecutor<'_>, token: &str, step: Step) -> CognitoResult<AuthSession> {
    let session: Option<AuthSession> = sqlx::query_as(
        "SELECT pool_id, client_id, username, step, expires_at FROM auth_sessions WHERE token_hash = $1",
    )
    .bind(hash(token))
    .fetch_optional(db)
    .await?;
    let session = session.filter(|session| session.step == step.name());
    let session = session.ok_or_else(invalid)?;
    if session.expires_at < OffsetDateTime::now_utc() {
        return Err(CognitoError::not_authorized("Invalid session for the user, session is expired."));
    }
    Ok(session)
}

/// Spends the session: it completed its step. A session already spent (by a concurrent answer) is refused.
pub async fn spend(db: impl PgExecutor<'_>, token: &str) -> CognitoResult<()> {
    let spent = sqlx::query("DELETE FROM auth_sessions WHERE token_hash = $1").bind(hash(token)).execute(db).await?;
    match spent.rows_affected() {
        1 => Ok(()),
        _ => Err(CognitoError::not_authorized("Invalid session for the user, session can only be used once.")),
    }
}

/// A session that is never stored, for a sign-in of someone who does not exist: no answer to it works, as
/// none to a wrong password's would.
pub fn decoy() -> CognitoResult<String> {
    tokens::new_opaque_token()
}

/// What a session that is unknown, another's, or at another step answers.
pub fn invalid() -> CognitoError {
    CognitoError::not_authorized("Invalid session for the user.")
}
