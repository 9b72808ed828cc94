//! Temporary AWS credentials as Cognito Identity hands them out (`ASIA…` key, 40-character secret,
//! session token, expiry), made so that any api instance, now or after a restart, verifies them
//! with no table of issued keys: the secret is an HMAC of the key id, and the session token is the
//! session itself (who, which role, until when), sealed with AES-256-GCM. Both keys derive from a
//! server secret kept in Postgres.

use aws_lc_rs::{aead, constant_time, hmac};
use base64::{Engine, prelude::BASE64_STANDARD};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    AppState,
    cognito::{error::CognitoResult, pools::random_string},
};

/// The prefix of temporary credentials' access keys.
const KEY_PREFIX: &str = "ASIA";
const KEY_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Binds the sealed format and its purpose into every token.
const TOKEN_AAD: &[u8] = b"ledgerline identity session token v1";

/// Who the credentials act for: everything the IAM authorizer needs, carried in the session token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub access_key_id: String,
    pub identity_id: String,
    pub identity_pool_id: String,
    pub role_arn: String,
    /// Seconds since the epoch.
    pub expires: i64,
    /// The user-pool sign-in behind an authenticated identity; `None` for a guest.
    pub user: Option<SessionUser>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    /// `cognito-idp.<region>.amazonaws.com/<pool id>`.
    pub provider: String,
    pub sub: Uuid,
    pub groups: Vec<String>,
}

impl Session {
    /// `<role name>`: the last segment of the role ARN's path.
    pub fn role_name(&self) -> &str {
        self.role_arn.rsplit('/').next().unwrap_or(&self.role_arn)
    }
}

/// Credentials as GetCredentialsForIdentity answers them.
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_key_id: String,
    pub secret_key: String,
    pub session_token: String,
    pub expiration: OffsetDateTime,
}

/// Why presented credentials are not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a token we sealed, or not for this key.
    Invalid,
    /// Genuine, but past its expiry.
    Expired,
}

/// New credentials for an identity in `role_arn`; the session's key and expiry are filled in here.
pub async fn issue(
    state: &AppState,
    identity_id: &str,
    identity_pool_id: &str,
    role_arn: &str,
    user: Option<SessionUser>,
) -> CognitoResult<Issued> {
    let keys = Keys::load(state).await?;
    let lifetime = Duration::seconds(state.config.identity_credentials_lifetime_secs.into());
    let expiration =
        OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or_else(|_| OffsetDateTime::now_utc()) + lifetime;
    let access_key_id = format!("{KEY_PREFIX}{}", random_string(16, KEY_ALPHABET));
    let session = Session {
        access_key_id: access_key_id.clone(),
        identity_id: identity_id.to_owned(),
        identity_pool_id: identity_pool_id.to_owned(),
        role_arn: role_arn.to_owned(),
        expires: expiration.unix_timestamp(),
        user,
    };
    Ok(Issued {
        secret_key: keys.secret_of(&access_key_id),
        session_token: keys.seal(&session),
        access_key_id,
        expiration,
    })
}

/// The session of `access_key_id` and its secret, if `session_token` is the one issued with it and
/// has not expired at `now`.
pub async fn open(
    state: &AppState,
    access_key_id: &str,
    session_token: &str,
    now: OffsetDateTime,
) -> CognitoResult<Result<(Session, String), Refusal>> {
    let keys = Keys::load(state).await?;
    let Some(session) = keys.open(session_token) else { return Ok(Err(Refusal::Invalid)) };
    if constant_time::verify_slices_are_equal(session.access_key_id.as_bytes(), access_key_id.as_bytes()).is_err() {
        return Ok(Err(Refusal::Invalid));
    }
    if session.expires <= now.unix_timestamp() {
        return Ok(Err(Refusal::Expired));
    }
    let secret = keys.secret_of(access_key_id);
    Ok(Ok((session, secret)))
}

struct Keys {
    secrets: hmac::Key,
    tokens: aead::RandomizedNonceKey,
}

impl Keys {
    async fn load(state: &AppState) -> CognitoResult<Self> {
        let root = hmac::Key::new(hmac::HMAC_SHA256, &state.cognito.secrets(&state.db).await?.credentials);
        let derive = |label: &[u8]| hmac::sign(&root, label);
        let tokens = aead::RandomizedNonceKey::new(&aead::AES_256_GCM, derive(b"session tokens").as_ref())
            .expect("a 32-byte key");
        Ok(Self { secrets: hmac::Key::new(hmac::HMAC_SHA256, derive(b"secret access keys").as_ref()), tokens })
    }

    /// 40 characters of base64, as AWS's secrets look.
    fn secret_of(&self, access_key_id: &str) -> String {
        let mut secret = BASE64_STANDARD.encode(hmac::sign(&self.secrets, access_key_id.as_bytes()));
        secret.truncate(40);
        secret
    }

    fn seal(&self, session: &Session) -> String {
        let mut buffer = serde_json::to_vec(session).expect("a session serializes");
        let nonce = self
            .tokens
            .seal_in_place_append_tag(aead::Aad::from(TOKEN_AAD), &mut buffer)
            .expect("AES-GCM sealing fails only when the system's random generator does");
        BASE64_STANDARD.encode([nonce.as_ref().as_slice(), &buffer].concat())
    }

    fn open(&self, token: &str) -> Option<Session> {
        let sealed = BASE64_STANDARD.decode(token).ok()?;
        let (nonce, ciphertext) = sealed.split_at_checked(aead::NONCE_LEN)?;
        let nonce = aead::Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buffer = ciphertext.to_vec();
        let plaintext = self.tokens.open_in_place(nonce, aead::Aad::from(TOKEN_AAD), &mut buffer).ok()?;
        serde_json::from_slice(plaintext).ok()
    }
}
