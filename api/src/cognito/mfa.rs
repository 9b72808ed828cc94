//! TOTP multi-factor authentication: the pool's MfaConfiguration (OFF, OPTIONAL, ON), users' authenticator
//! apps (AssociateSoftwareToken gives a secret, VerifySoftwareToken puts it in use), their preference, and
//! the codes: RFC 6238 (HMAC-SHA1, 6 digits, 30-second steps) through `totp-rs`, with one step of drift
//! either way, each code accepted once (never one older than the last either), wrong codes counted
//! towards the user's lockout as wrong passwords are. Secrets are sealed at rest as password verifiers
//! are (see [`super::verifiers`]).

use aws_lc_rs::rand;
use sqlx::PgExecutor;
use totp_rs::{Algorithm, Builder, Secret, Totp};

use super::{
    error::{CognitoError, CognitoResult, Exception},
    pools::Pool,
    sign_in,
    users::User,
    verifiers::{Purpose, Sealed},
};
use crate::AppState;

/// A pool's MfaConfiguration values.
pub const MFA_CONFIGURATIONS: [&str; 3] = ["OFF", "OPTIONAL", "ON"];
/// The name of TOTP MFA in Cognito's challenges and settings.
pub const SOFTWARE_TOKEN_MFA: &str = "SOFTWARE_TOKEN_MFA";
/// 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

/// What a sign-in whose password is proven needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    None,
    /// A code from the user's authenticator app (SOFTWARE_TOKEN_MFA).
    Code,
    /// The pool requires MFA and the user has no authenticator app yet (MFA_SETUP).
    Setup,
}

/// Whether `user`, signing in to `pool`, must give a second factor or set one up first.
pub async fn second_factor(db: impl PgExecutor<'_>, pool: &Pool, user: &User) -> CognitoResult<SecondFactor> {
    let required = match pool.mfa_configuration.as_str() {
        "ON" => true,
        "OPTIONAL" if user.totp_mfa_enabled => true,
        _ => return Ok(SecondFactor::None),
    };
    match (required, has_software_token(db, user).await?) {
        (true, true) => Ok(SecondFactor::Code),
        (true, false) if pool.mfa_configuration == "ON" => Ok(SecondFactor::Setup),
        _ => Ok(SecondFactor::None),
    }
}

/// SetUserPoolMfaConfig (and UpdateUserPool's MfaConfiguration): MFA can be OPTIONAL or ON only with a
/// factor to use, which here is the authenticator app.
pub fn check_pool_config(mfa_configuration: &str, software_token_mfa: bool) -> CognitoResult<()> {
    if !MFA_CONFIGURATIONS.contains(&mfa_configuration) {
        return Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '{mfa_configuration}' at 'mfaConfiguration' failed to satisfy \
             constraint: Member must satisfy enum value set: [OFF, OPTIONAL, ON]"
        )));
    }
    if mfa_configuration != "OFF" && !software_token_mfa {
        return Err(CognitoError::invalid_parameter(
            "Invalid MFA configuration given, can't turn off all MFAs and set MFA configuration to OPTIONAL or ON.",
        ));
    }
    Ok(())
}

pub async fn set_pool_config(
    db: impl PgExecutor<'_>,
    pool: &Pool,
    mfa_configuration: &str,
    software_token_mfa: bool,
) -> CognitoResult<Pool> {
    check_pool_config(mfa_configuration, software_token_mfa)?;
    let pool = sqlx::query_as(
        "UPDATE user_pools SET mfa_configuration = $2, software_token_mfa = $3 WHERE id = $1 RETURNING *",
    )
    .bind(&pool.id)
    .bind(mfa_configuration)
    .bind(software_token_mfa)
    .fetch_one(db)
    .await?;
    Ok(pool)
}

/// SetUserMFAPreference and AdminSetUserMFAPreference for the authenticator app: enabling it needs one
/// verified first; a preferred factor is an enabled one.
pub async fn set_preference(db: &sqlx::PgPool, user: &User, enabled: bool, preferred: bool) -> CognitoResult<()> {
    if enabled && !has_software_token(db, user).await? {
        return Err(CognitoError::invalid_parameter("User has not verified software token mfa"));
    }
    sqlx::query("UPDATE users SET totp_mfa_enabled = $3, totp_mfa_preferred = $4 WHERE pool_id = $1 AND username = $2")
        .bind(&user.pool_id)
        .bind(&user.username)
        .bind(enabled)
        .bind(enabled && preferred)
        .execute(db)
        .await?;
    Ok(())
}

/// AssociateSoftwareToken: a new secret for the user's authenticator app, kept (sealed) until a code made
/// from it is verified; the secret in base32, as apps take it. Asking again replaces the one being set up.
pub async fn associate(state: &AppState, user: &User) -> CognitoResult<String> {
    let mut secret = [0_u8; SECRET_BYTES];
    rand::fill(&mut secret).map_err(|_| CognitoError::new(Exception::Internal, "An internal error occurred."))?;
    let sealed = state.config.verifier_keys.seal_secret(Purpose::TOTP_SECRET, user.owner(), &secret);
    sqlx::query(
        "INSERT INTO software_tokens (pool_id, username, verified, key_id, sealed_secret) VALUES ($1, $2, false, $3, $4) \
         ON CONFLICT (pool_id, username, verified) DO UPDATE \
         SET key_id = excluded.key_id, sealed_secret = excluded.sealed_secret, last_step = NULL, created_at = now()",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .bind(&sealed.key_id)
    .bind(&sealed.blob)
    .execute(&state.db)
    .await?;
    Ok(Secret::from(secret).to_base32())
}

/// VerifySoftwareToken: a right code from the app being set up puts it in use, in place of any other.
pub async fn verify_new(state: &AppState, user: &User, code: &str) -> CognitoResult<()> {
    sign_in::ensure_not_locked(user)?;
    let not_found = || CognitoError::new(Exception::SoftwareTokenMfaNotFound, "Software Token MFA Not Found.");
    let totp = software_token(state, user, false).await?.ok_or_else(not_found)?;
    let Some(step) = totp.check_current(code.trim()) else {
        sign_in::record_failure(state, user).await?;
        return Err(CognitoError::new(
            Exception::EnableSoftwareTokenMfa,
            "Code mismatch and fail enable Software Token MFA",
        ));
    };
    let mut tx = state.db.begin().await?;
    sqlx::query("DELETE FROM software_tokens WHERE pool_id = $1 AND username = $2 AND verified")
        .bind(&user.pool_id)
        .bind(&user.username)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE software_tokens SET verified = true, last_step = $3 WHERE pool_id = $1 AND username = $2 AND NOT verified",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .bind(step_number(step))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A code from the user's authenticator app in use (SOFTWARE_TOKEN_MFA): right, within one step of now, and
/// of a later step than any code accepted before.
pub async fn check_code(state: &AppState, user: &User, code: &str) -> CognitoResult<()> {
    sign_in::ensure_not_locked(user)?;
    let totp = software_token(state, user, true).await?;
    let Some(step) = totp.and_then(|totp| totp.check_current(code.trim())) else {
        sign_in::record_failure(state, user).await?;
        return Err(CognitoError::new(Exception::CodeMismatch, "Invalid code received for user"));
    };
    let accepted = sqlx::query(
        "UPDATE software_tokens SET last_step = $3 WHERE pool_id = $1 AND username = $2 AND verified \
         AND (last_step IS NULL OR last_step < $3)",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .bind(step_number(step))
    .execute(&state.db)
    .await?;
    match accepted.rows_affected() {
        1 => Ok(()),
        _ => Err(CognitoError::new(Exception::ExpiredCode, "Your software token has already been used once.")),
    }
}

async fn has_software_token(db: impl PgExecutor<'_>, user: &User) -> CognitoResult<bool> {
    let found: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM software_tokens WHERE pool_id = $1 AND username = $2 AND verified)",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .fetch_one(db)
    .await?;
    Ok(found)
}

/// The user's authenticator app being set up (`verified` false) or in use, if it has one whose secret opens.
async fn software_token(state: &AppState, user: &User, verified: bool) -> CognitoResult<Option<Totp>> {
    let row: Option<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT key_id, sealed_secret FROM software_tokens WHERE pool_id = $1 AND username = $2 AND verified = $3",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .bind(verified)
    .fetch_optional(&state.db)
    .await?;
    let Some((key_id, blob)) = row else { return Ok(None) };
    let sealed = Sealed { key_id, blob };
    match state.config.verifier_keys.open_secret(Purpose::TOTP_SECRET, user.owner(), &sealed) {
        Ok(secret) => Ok(Some(totp(secret))),
        Err(error) => {
            tracing::error!(pool_id = %user.pool_id, username = %user.username, %error, "a user's TOTP secret does not open");
            Ok(None)
        }
    }
}

/// RFC 6238 as authenticator apps implement it: HMAC-SHA1, 6 digits, 30-second steps, one step of drift.
pub fn totp(secret: Vec<u8>) -> Totp {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_skew(1)
        .with_secret(secret)
        .build_noncompliant()
}

/// Steps count from the epoch: far below i64's range.
fn step_number(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}
