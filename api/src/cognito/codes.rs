//! One-time codes (sign-up confirmation, password reset, passwordless sign-in): six random digits, stored as an HMAC,
//! single use, expiring, with a bounded number of attempts; and their delivery (and other messages')
//! through the outbox, written in the same transaction as the code.

use aws_lc_rs::{constant_time, hmac, rand};
use sqlx::{PgConnection, Postgres, Transaction, postgres::PgQueryResult};
use time::{Duration, OffsetDateTime};

use super::{
    error::{CognitoError, CognitoResult, Exception},
    users::User,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    ConfirmSignUp,
    ResetPassword,
    /// EMAIL_OTP: passwordless sign-in.
    SignIn,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Self::ConfirmSignUp => "confirm_sign_up",
            Self::ResetPassword => "reset_password",
            Self::SignIn => "sign_in",
        }
    }

    /// Cognito: 24 hours to confirm a sign-up, one hour to reset a password, a sign-in code as long as its
    /// sign-in's session.
    fn validity(self) -> Duration {
        match self {
            Self::ConfirmSignUp => Duration::hours(24),
            Self::ResetPassword => Duration::hours(1),
            Self::SignIn => super::sessions::LIFETIME,
        }
    }

    fn message(self, code: &str) -> (String, String) {
        match self {
            Self::ConfirmSignUp => ("Your verification code".into(), format!("Your confirmation code is {code}")),
            Self::ResetPassword => ("Your password reset code".into(), format!("Your password reset code is {code}")),
            Self::SignIn => ("Your sign-in code".into(), format!("Your sign-in code is {code}")),
        }
    }
}

/// Wrong guesses allowed before the code is void.
const MAX_ATTEMPTS: i32 = 5;

/// Replaces any live code of this purpose with a new one and queues its message to `destination`.
pub async fn issue(
    tx: &mut PgConnection,
    key: &[u8; 32],
    user: &User,
    purpose: Purpose,
    destination: &str,
) -> CognitoResult<()> {
    let code = random_code()?;
    sqlx::query(
        "INSERT INTO user_codes (pool_id, username, purpose, code_hash, expires_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (pool_id, username, purpose) DO UPDATE \
         SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .bind(purpose.name())
    .bind(code_hash(key, user, purpose, &code))
    .bind(OffsetDateTime::now_utc() + purpose.validity())
    .execute(&mut *tx)
    .await?;
    let (subject, body) = purpose.message(&code);
    queue_message(tx, user, destination, &subject, &body).await
}

/// Queues a message to `destination` (an email address or phone number) in the outbox, which the
/// caller's transaction commits along with whatever the message is about.
pub async fn queue_message(
    tx: &mut PgConnection,
    user: &User,
    destination: &str,
    subject: &str,
    body: &str,
) -> CognitoResult<()> {
    let recipient = Some((user.pool_id.as_str(), user.username.as_str()));
    super::delivery::queue(tx, recipient, destination, subject, body).await?;
    // Never the body: it holds codes and temporary passwords.
    tracing::info!(pool = %user.pool_id, username = %user.username, %destination, %subject, "message queued");
    Ok(())
}

/// Consumes the code if `given` matches and hands the transaction back for the rest of the work.
/// A wrong guess must count although the operation fails, so that alone is committed then.
pub async fn redeem(
    mut tx: Transaction<'static, Postgres>,
    key: &[u8; 32],
    user: &User,
    purpose: Purpose,
    given: &str,
) -> CognitoResult<Transaction<'static, Postgres>> {
    match check(&mut tx, key, user, purpose, given).await {
        Ok(()) => Ok(tx),
        Err(error) if error.exception == Exception::CodeMismatch => {
            count_attempt(&mut tx, user, purpose).await?;
            tx.commit().await?;
            Err(error)
        }
        Err(error) => Err(error),
    }
}

async fn check(tx: &mut PgConnection, key: &[u8; 32], user: &User, purpose: Purpose, given: &str) -> CognitoResult<()> {
    let stored: Option<(Vec<u8>, OffsetDateTime, i32)> = sqlx::query_as(
        "SELECT code_hash, expires_at, attempts FROM user_codes \
         WHERE pool_id = $1 AND username = $2 AND purpose = $3 FOR UPDATE",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .bind(purpose.name())
    .fetch_optional(&mut *tx)
    .await?;
    let expired = || CognitoError::new(Exception::ExpiredCode, "Invalid code provided, please request a code again.");
    let Some((hash, expires_at, attempts)) = stored else { return Err(expired()) };
    if expires_at < OffsetDateTime::now_utc() {
        return Err(expired());
    }
    if attempts >= MAX_ATTEMPTS {
        return Err(CognitoError::new(Exception::LimitExceeded, "Attempt limit exceeded, please try after some time."));
    }
    if constant_time::verify_slices_are_equal(&hash, &code_hash(key, user, purpose, given.trim())).is_err() {
        return Err(CognitoError::new(
            Exception::CodeMismatch,
            "Invalid verification code provided, please try again.",
        ));
    }
    sqlx::query("DELETE FROM user_codes WHERE pool_id = $1 AND username = $2 AND purpose = $3")
        .bind(&user.pool_id)
        .bind(&user.username)
        .bind(purpose.name())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn count_attempt(tx: &mut PgConnection, user: &User, purpose: Purpose) -> sqlx::Result<PgQueryResult> {
    sqlx::query("UPDATE user_codes SET attempts = attempts + 1 WHERE pool_id = $1 AND username = $2 AND purpose = $3")
        .bind(&user.pool_id)
        .bind(&user.username)
        .bind(purpose.name())
        .execute(tx)
        .await
}

/// Bound to the user and purpose, so a code can't be moved between them.
fn code_hash(key: &[u8; 32], user: &User, purpose: Purpose, code: &str) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let message = format!("{}\0{}\0{}\0{code}", user.pool_id, user.username, purpose.name());
    hmac::sign(&key, message.as_bytes()).as_ref().to_vec()
}

/// Six digits, uniformly: draws are rejected above the largest multiple of a million.
fn random_code() -> CognitoResult<String> {
    const LIMIT: u32 = u32::MAX - u32::MAX % 1_000_000;
    loop {
        let mut bytes = [0_u8; 4];
        rand::fill(&mut bytes).map_err(|_| CognitoError::new(Exception::Internal, "An internal error occurred."))?;
        let draw = u32::from_le_bytes(bytes);
        if draw < LIMIT {
            return Ok(format!("{:06}", draw % 1_000_000));
        }
    }
}
