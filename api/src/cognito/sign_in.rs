//! Signing in: password checks with a lockout that grows with each failure, the states that stop a
//! sign-in (unconfirmed, disabled, a temporary password to replace), and refreshing tokens. A sign-in
//! that proves the password also moves what is stored of it to the current key (see [`super::verifiers`]).

use std::collections::HashMap;

use aws_lc_rs::hmac;
use base64::{Engine, prelude::BASE64_URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{
    error::{CognitoError, CognitoResult, Exception},
    mfa::{self, SecondFactor},
    password,
    pools::{self, Client},
    sessions::{self, Step},
    srp::{self, Audience, ChallengeState, SecretBlockKey, SrpError, Verifier},
    tokens::{self, AuthenticationResult, Session},
    users::{self, StoredPassword, User, status},
    verifiers::{Owner, PasswordCheck, VerifierKeys},
};
use crate::AppState;

/// Failures allowed before each further one locks the user out for a doubling time.
const FREE_FAILURES: i32 = 5;
/// Cognito's lockout tops out around 15 minutes.
const MAX_LOCKOUT: Duration = Duration::minutes(15);

/// Where a sign-in stands once the password is proven: tokens, or a challenge to answer first.
pub enum Outcome {
    SignedIn(AuthenticationResult),
    Challenge(Challenge),
}

/// A challenge for the client to answer with RespondToAuthChallenge.
pub struct Challenge {
    pub name: &'static str,
    pub session: Option<String>,
    pub parameters: HashMap<&'static str, String>,
    /// USER_AUTH's first factors to choose from (SELECT_CHALLENGE).
    pub available: Vec<&'static str>,
}

/// Checks `password` for the user `name` and, when it is right, issues tokens.
pub async fn with_password(
    state: &AppState,
    client: &Client,
    name: &str,
    password: &str,
    secret_hash: Option<&str>,
) -> CognitoResult<Outcome> {
    let member = users::signing_in(&state.db, client, name, secret_hash).await?;
    if member.is_none() && !client.prevent_user_existence_errors {
        return Err(CognitoError::user_not_found());
    }
    let user = member.as_ref().map(|member| &member.user);
    if let Some(user) = user {
        ensure_not_locked(user)?;
    }
    let owner = user.map_or(Owner { pool_id: &client.pool_id, username: name }, User::owner);
    prove_password(state, owner, user, password).await?;
    let member = member.ok_or_else(CognitoError::wrong_credentials)?;
    complete(state, client, &member.user, &member.groups).await
}

/// Checks a password sent as such for `user` (`None`: nobody is called `owner.username`), at the cost of one
/// exponentiation whatever the outcome (see [`VerifierKeys::check_password`]); an unknown user is refused as a
/// wrong password is. A right one is stored sealed under the current key if it is not yet; a wrong one counts
/// towards the user's lockout.
pub async fn prove_password(
    state: &AppState,
    owner: Owner<'_>,
    user: Option<&User>,
    password: &str,
) -> CognitoResult<()> {
    let keys = &state.config.verifier_keys;
    let checked = match user.and_then(User::stored_password) {
        Some(StoredPassword::Sealed(sealed)) => keys.check_password(owner, Some(&sealed), password),
        Some(StoredPassword::Legacy { hash, .. }) => match password::verify_legacy_hash(password.to_owned(), hash)
            .await?
        {
            true => PasswordCheck::Right { reseal: Some(srp::make_verifier(owner.pool_id, owner.username, password)) },
            false => PasswordCheck::Wrong,
        },
        None => keys.check_password(owner, None, password),
    };
    let Some(user) = user else { return Err(CognitoError::wrong_credentials()) };
    match checked {
        PasswordCheck::Right { reseal } => {
            if let Some(verifier) = reseal {
                users::reseal(&state.db, user, &keys.seal(owner, &verifier)).await?;
            }
            Ok(())
        }
        PasswordCheck::Wrong => {
            record_failure(state, user).await?;
            Err(CognitoError::wrong_credentials())
        }
        PasswordCheck::Unreadable(error) => {
            unreadable(user, &error);
            Err(CognitoError::wrong_credentials())
        }
    }
}

/// A verifier that does not open locks its user out until an operator lists its key again (or an admin sets a
/// new password): the operators must hear of it.
fn unreadable(user: &User, error: &dyn std::fmt::Display) {
    tracing::error!(pool_id = %user.pool_id, username = %user.username, %error, "a user's password verifier does not open");
}

/// The verifier SRP runs against for `user`, if it can be read.
fn verifier_of(keys: &VerifierKeys, user: &User) -> Option<Verifier> {
    match user.stored_password()? {
        StoredPassword::Sealed(sealed) => {
            keys.open(user.owner(), &sealed).inspect_err(|error| unreadable(user, error)).ok()
        }
        StoredPassword::Legacy { srp, .. } => Some(srp),
    }
}

/// Whether what `user` has stored is anything but a verifier sealed under the current key.
fn to_reseal(keys: &VerifierKeys, user: &User) -> bool {
    user.verifier_key_id.as_deref() != Some(keys.sealing_id())
}

/// USER_SRP_AUTH, first step: the PASSWORD_VERIFIER challenge for the user `name`. An unknown
/// user (with PreventUserExistenceErrors) gets a challenge too, which no password can answer, so
/// that this step doesn't reveal who exists.
pub async fn srp_challenge(
    state: &AppState,
    client: &Client,
    name: &str,
    srp_a: &str,
    secret_hash: Option<&str>,
) -> CognitoResult<Challenge> {
    let user = users::named_if_known(&state.db, client, name, secret_hash).await?;
    if user.is_none() && !client.prevent_user_existence_errors {
        return Err(CognitoError::user_not_found());
    }
    if let Some(user) = &user {
        ensure_not_locked(user)?;
    }
    // No user, or no readable verifier: a challenge all the same, which no password answers.
    let readable = user.as_ref().and_then(|user| verifier_of(&state.config.verifier_keys, user));
    let username = user.as_ref().map_or(name, |user| user.username.as_str()).to_owned();
    let verifier =
        readable.unwrap_or_else(|| srp::make_verifier(&client.pool_id, &username, &uuid::Uuid::new_v4().to_string()));
    let key = srp_key(state).await?;
    let who = ChallengeState {
        pool_id: client.pool_id.clone(),
        client_id: client.id.clone(),
        user_id_for_srp: username.clone(),
    };
    let challenge = srp::start(&key, srp_a, &verifier, who, OffsetDateTime::now_utc())
        .map_err(|_| CognitoError::invalid_parameter("SRP_A is not a valid SRP public value."))?;
    let parameters = HashMap::from([
        ("SALT", challenge.salt),
        ("SRP_B", challenge.srp_b),
        ("SECRET_BLOCK", challenge.secret_block),
        ("USERNAME", username.clone()),
        ("USER_ID_FOR_SRP", username),
    ]);
    // Clients don't send a Session back for this one: SECRET_BLOCK is the state.
    Ok(Challenge { name: "PASSWORD_VERIFIER", session: None, parameters, available: Vec::new() })
}

/// USER_SRP_AUTH, second step: the client's proof that it knows the password.
pub async fn srp_verify(state: &AppState, client: &Client, claim: &PasswordClaim<'_>) -> CognitoResult<Outcome> {
    let member = users::signing_in(&state.db, client, claim.username, claim.secret_hash).await?;
    let users::Member { user, groups } = users::required(member, client, CognitoError::wrong_credentials)?;
    ensure_not_locked(&user)?;
    let key = srp_key(state).await?;
    let audience = Audience { pool_id: &client.pool_id, client_id: &client.id };
    let keys = &state.config.verifier_keys;
    let verifier = verifier_of(keys, &user);
    let checked = srp::verify_claim(
        &key,
        audience,
        claim.secret_block,
        claim.timestamp,
        claim.signature,
        |who| verifier.clone().filter(|_| who.user_id_for_srp == user.username),
        OffsetDateTime::now_utc(),
    );
    match checked {
        Ok(_) => {
            if let Some(verifier) = verifier.filter(|_| to_reseal(keys, &user)) {
                users::reseal(&state.db, &user, &keys.seal(user.owner(), &verifier)).await?;
            }
            complete(state, client, &user, &groups).await
        }
        Err(SrpError::WrongPassword) => {
            record_failure(state, &user).await?;
            Err(CognitoError::wrong_credentials())
        }
        Err(SrpError::ExpiredBlock) => {
            Err(CognitoError::not_authorized("Invalid session for the user, session is expired."))
        }
        Err(SrpError::BadTimestamp) => {
            Err(CognitoError::invalid_parameter("TIMESTAMP is malformed or too far from now."))
        }
        Err(_) => Err(CognitoError::wrong_credentials()),
    }
}

/// RespondToAuthChallenge(PASSWORD_VERIFIER)'s ChallengeResponses.
pub struct PasswordClaim<'a> {
    pub username: &'a str,
    pub secret_block: &'a str,
    pub signature: &'a str,
    pub timestamp: &'a str,
    pub secret_hash: Option<&'a str>,
}

async fn srp_key(state: &AppState) -> CognitoResult<SecretBlockKey> {
    Ok(SecretBlockKey::from_bytes(state.cognito.secrets(&state.db).await?.srp_block))
}

/// The password (or SRP proof) was right: checks the user may sign in, and issues tokens, or the
/// NEW_PASSWORD_REQUIRED challenge to a user who signed in with a temporary password.
/// `groups` are the user's, for the tokens.
pub async fn complete(state: &AppState, client: &Client, user: &User, groups: &[String]) -> CognitoResult<Outcome> {
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    if user.status == status::UNCONFIRMED {
        return Err(CognitoError::new(Exception::UserNotConfirmed, "User is not confirmed."));
    }
    if user.status == status::RESET_REQUIRED {
        return Err(CognitoError::new(Exception::PasswordResetRequired, "Password reset required for the user"));
    }
    if user.status == status::FORCE_CHANGE_PASSWORD {
        ensure_temporary_password_valid(state, user).await?;
    }
    clear_failures(state, user).await?;
    match user.status == status::FORCE_CHANGE_PASSWORD {
        true => Ok(Outcome::Challenge(new_password_challenge(state, client, user).await?)),
        false => second_step(state, client, user, groups).await,
    }
}

/// The first factor is proven: tokens, unless the pool's MFA asks for a code from the user's authenticator
/// app (SOFTWARE_TOKEN_MFA) or for one to be set up first (MFA_SETUP).
async fn second_step(state: &AppState, client: &Client, user: &User, groups: &[String]) -> CognitoResult<Outcome> {
    let pool = pools::load_pool(&state.db, &user.pool_id).await?;
    let (step, name, mut parameters) = match mfa::second_factor(&state.db, &pool, user).await? {
        SecondFactor::None => {
            return Ok(Outcome::SignedIn(tokens::issue(state, client, user, groups, Session::begin()).await?));
        }
        SecondFactor::Code => (Step::SoftwareTokenMfa, mfa::SOFTWARE_TOKEN_MFA, HashMap::new()),
        SecondFactor::Setup => {
            let can_set_up = serde_json::json!([mfa::SOFTWARE_TOKEN_MFA]).to_string();
            (Step::MfaSetup, "MFA_SETUP", HashMap::from([("MFAS_CAN_SETUP", can_set_up)]))
        }
    };
    parameters.insert("USER_ID_FOR_SRP", user.username.clone());
    let session = sessions::start(&state.db, client, user, step, sessions::LIFETIME).await?;
    Ok(Outcome::Challenge(Challenge { name, session: Some(session), parameters, available: Vec::new() }))
}

/// RespondToAuthChallenge(SOFTWARE_TOKEN_MFA)'s ChallengeResponses and Session.
pub struct MfaAnswer<'a> {
    pub username: &'a str,
    pub code: &'a str,
    pub session: &'a str,
    pub secret_hash: Option<&'a str>,
}

/// Answers SOFTWARE_TOKEN_MFA: a code from the authenticator app of the user the session was started for.
/// A wrong code may be corrected within the session's life; the right one spends it.
pub async fn answer_mfa(
    state: &AppState,
    client: &Client,
    answer: &MfaAnswer<'_>,
) -> CognitoResult<AuthenticationResult> {
    let session = sessions::find(&state.db, answer.session, Step::SoftwareTokenMfa).await?;
    let users::Member { user, groups } =
        session_member(state, client, &session, answer.username, answer.secret_hash).await?;
    mfa::check_code(state, &user, answer.code).await?;
    sessions::spend(&state.db, answer.session).await?;
    signed_in_after_challenge(state, client, &user, &groups).await
}

/// Answers MFA_SETUP once VerifySoftwareToken has put the new authenticator app in use with this session.
pub async fn finish_mfa_setup(
    state: &AppState,
    client: &Client,
    username: &str,
    session: &str,
    secret_hash: Option<&str>,
) -> CognitoResult<AuthenticationResult> {
    let found = sessions::find(&state.db, session, Step::MfaSetUp).await?;
    let users::Member { user, groups } = session_member(state, client, &found, username, secret_hash).await?;
    sessions::spend(&state.db, session).await?;
    signed_in_after_challenge(state, client, &user, &groups).await
}

/// The user a challenge's answer names, who must be the one its session was started for, through the same
/// client.
pub async fn session_member(
    state: &AppState,
    client: &Client,
    session: &sessions::AuthSession,
    name: &str,
    secret_hash: Option<&str>,
) -> CognitoResult<users::Member> {
    session.check_client(client)?;
    let member = users::signing_in(&state.db, client, name, secret_hash).await?;
    member.filter(|member| member.user.username == session.username).ok_or_else(sessions::invalid)
}

/// Tokens at the end of a challenge, for a user still allowed in; failures counted on the way are cleared.
pub async fn signed_in_after_challenge(
    state: &AppState,
    client: &Client,
    user: &User,
    groups: &[String],
) -> CognitoResult<AuthenticationResult> {
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    clear_failures(state, user).await?;
    tokens::issue(state, client, user, groups, Session::begin()).await
}

async fn clear_failures(state: &AppState, user: &User) -> CognitoResult<()> {
    if user.failed_sign_ins > 0 {
        sqlx::query("UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE pool_id = $1 AND username = $2")
            .bind(&user.pool_id)
            .bind(&user.username)
            .execute(&state.db)
            .await?;
    }
    Ok(())
}

/// A temporary password lasts the pool's TemporaryPasswordValidityDays from when it was set. The
/// users table records no separate time for that, so it counts from the row's last change (setting
/// the password is one).
async fn ensure_temporary_password_valid(state: &AppState, user: &User) -> CognitoResult<()> {
    let pool = pools::load_pool(&state.db, &user.pool_id).await?;
    let validity = Duration::days(pool.password_policy.temporary_password_validity_days.into());
    if user.password_set_at + validity < OffsetDateTime::now_utc() {
        return Err(CognitoError::not_authorized(
            "Temporary password has expired and must be reset by an administrator.",
        ));
    }
    Ok(())
}

/// NEW_PASSWORD_REQUIRED, with the attributes the client may show and the Session to answer with.
async fn new_password_challenge(state: &AppState, client: &Client, user: &User) -> CognitoResult<Challenge> {
    let key = state.cognito.secrets(&state.db).await?.sessions;
    let ticket = NewPasswordTicket {
        pool_id: client.pool_id.clone(),
        client_id: client.id.clone(),
        username: user.username.clone(),
        issued_at: OffsetDateTime::now_utc(),
    };
    let parameters = HashMap::from([
        ("USER_ID_FOR_SRP", user.username.clone()),
        ("requiredAttributes", "[]".to_owned()),
        ("userAttributes", serde_json::Value::Object(user.attributes.0.clone()).to_string()),
    ]);
    let session = Some(ticket.seal(&key, user));
    Ok(Challenge { name: "NEW_PASSWORD_REQUIRED", session, parameters, available: Vec::new() })
}

/// RespondToAuthChallenge(NEW_PASSWORD_REQUIRED)'s ChallengeResponses and Session.
pub struct NewPasswordAnswer<'a> {
    pub username: &'a str,
    pub new_password: &'a str,
    pub session: &'a str,
    pub secret_hash: Option<&'a str>,
}

/// Answers NEW_PASSWORD_REQUIRED: the session must be one issued to this client for this user, and
/// still live; the new password (policy-checked) replaces the temporary one, which confirms the
/// user and signs them in.
pub async fn set_new_password(
    state: &AppState,
    client: &Client,
    answer: &NewPasswordAnswer<'_>,
) -> CognitoResult<Outcome> {
    let invalid = || CognitoError::not_authorized("Invalid session for the user.");
    let user = users::named(&state.db, client, answer.username, answer.secret_hash, invalid).await?;
    let key = state.cognito.secrets(&state.db).await?.sessions;
    let ticket = NewPasswordTicket::open(&key, answer.session, &user).ok_or_else(invalid)?;
    if ticket.username != user.username || ticket.pool_id != client.pool_id || ticket.client_id != client.id {
        return Err(invalid());
    }
    if OffsetDateTime::now_utc() - ticket.issued_at > sessions::LIFETIME {
        return Err(CognitoError::not_authorized("Invalid session for the user, session is expired."));
    }
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    let pool = pools::load_pool(&state.db, &user.pool_id).await?;
    password::check_policy(answer.new_password, &pool.password_policy)?;
    let password = state.config.verifier_keys.for_password(user.owner(), answer.new_password);
    let mut tx = state.db.begin().await?;
    users::set_password(&mut tx, &user, &password, status::CONFIRMED).await?;
    tx.commit().await?;
    let groups = users::groups(&state.db, &user.pool_id, &user.username).await?;
    second_step(state, client, &user, &groups).await
}

/// What NEW_PASSWORD_REQUIRED's Session says: `base64url(JSON) "." base64url(HMAC)`. The HMAC also
/// covers when the user's password was set, so the session dies once the temporary password is replaced.
#[derive(Serialize, Deserialize)]
struct NewPasswordTicket {
    pool_id: String,
    client_id: String,
    username: String,
    #[serde(with = "time::serde::timestamp")]
    issued_at: OffsetDateTime,
}

impl NewPasswordTicket {
    fn seal(&self, key: &[u8; 32], user: &User) -> String {
        let payload = BASE64_URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("strings and a number serialize"));
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), &Self::message(&payload, user));
        format!("{payload}.{}", BASE64_URL_SAFE_NO_PAD.encode(tag))
    }

    /// The ticket in `session`, if its HMAC is right for `user` as they are now.
    fn open(key: &[u8; 32], session: &str, user: &User) -> Option<Self> {
        let (payload, tag) = session.split_once('.')?;
        let tag = BASE64_URL_SAFE_NO_PAD.decode(tag).ok()?;
        hmac::verify(&hmac::Key::new(hmac::HMAC_SHA256, key), &Self::message(payload, user), &tag).ok()?;
        serde_json::from_slice(&BASE64_URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }

    fn message(payload: &str, user: &User) -> Vec<u8> {
        let password_set_at = user.password_set_at.unix_timestamp_nanos().to_be_bytes();
        [payload.as_bytes(), b"\0", &password_set_at].concat()
    }
}

pub fn ensure_not_locked(user: &User) -> CognitoResult<()> {
    match user.locked_until {
        Some(until) if until > OffsetDateTime::now_utc() => {
            Err(CognitoError::not_authorized("Password attempts exceeded"))
        }
        _ => Ok(()),
    }
}

/// Counts a failed sign-in; past the free ones, locks the user out for 1 s, 2 s, 4 s, ...
pub async fn record_failure(state: &AppState, user: &User) -> CognitoResult<()> {
    let failures = user.failed_sign_ins + 1;
    let locked_until = lockout(failures).map(|duration| OffsetDateTime::now_utc() + duration);
    sqlx::query("UPDATE users SET failed_sign_ins = $3, locked_until = $4 WHERE pool_id = $1 AND username = $2")
        .bind(&user.pool_id)
        .bind(&user.username)
        .bind(failures)
        .bind(locked_until)
        .execute(&state.db)
        .await?;
    Ok(())
}

fn lockout(failures: i32) -> Option<Duration> {
    let beyond = failures.checked_sub(FREE_FAILURES).filter(|n| *n > 0)?;
    let seconds = 2_i64.saturating_pow(u32::try_from(beyond - 1).unwrap_or(u32::MAX).min(20));
    Some(Duration::seconds(seconds).min(MAX_LOCKOUT))
}

/// How a client proves itself when it refreshes: REFRESH_TOKEN_AUTH sends a SECRET_HASH,
/// GetTokensFromRefreshToken the client secret itself.
pub enum ClientProof<'a> {
    SecretHash(Option<&'a str>),
    Secret(Option<&'a str>),
}

/// REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken: new ID and access tokens for the same sign-in
/// (same `origin_jti`, `event_id` and `auth_time`), as long as the refresh token is live and was issued
/// to `client`. A client with rotation on also gets a new refresh token, and must refresh through
/// GetTokensFromRefreshToken, as in Cognito.
pub async fn refresh(
    state: &AppState,
    client: &Client,
    token: &str,
    proof: ClientProof<'_>,
) -> CognitoResult<AuthenticationResult> {
    // The token, its user (whom its foreign key keeps) and the user's groups, in one query.
    let query = format!(
        "SELECT t.origin_jti, t.event_id, t.auth_time, t.expires_at, t.revoked_at, t.rotated_at, t.client_id, u.*, \
         {} AS groups FROM refresh_tokens t JOIN users u USING (pool_id, username) WHERE t.token_hash = $1",
        users::GROUP_NAMES
    );
    let row: Option<RefreshTokenRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(tokens::opaque_token_hash(token))
        .fetch_optional(&state.db)
        .await?;
    let invalid = || CognitoError::not_authorized("Invalid Refresh Token");
    let RefreshTokenRow {
        origin_jti,
        event_id,
        auth_time,
        expires_at,
        revoked_at,
        rotated_at,
        client_id,
        user,
        groups,
    } = row.ok_or_else(invalid)?;
    if client_id != client.id {
        return Err(invalid());
    }
    if revoked_at.is_some() {
        return Err(CognitoError::not_authorized("Refresh Token has been revoked"));
    }
    if expires_at < OffsetDateTime::now_utc() {
        return Err(CognitoError::not_authorized("Refresh Token has expired"));
    }
    match proof {
        ClientProof::SecretHash(_) if client.refresh_token_rotation => {
            return Err(CognitoError::invalid_parameter(
                "Refresh token rotation is enabled for this client: refresh with GetTokensFromRefreshToken.",
            ));
        }
        ClientProof::SecretHash(hash) => client.check_secret_hash(hash, &[&user.username])?,
        ClientProof::Secret(secret) if !client.secret_matches(secret) => {
            return Err(CognitoError::not_authorized(format!("Unable to verify secret for client {}", client.id)));
        }
        ClientProof::Secret(_) => {}
    }
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    let session = Session { origin_jti, event_id, auth_time };
    if rotated_at.is_none() && !client.refresh_token_rotation {
        return tokens::mint(state, client, &user, &groups, session, None).await;
    }
    let rotated = rotate(state, client, token, &user, session, expires_at).await?;
    tokens::mint(state, client, &user, &groups, session, rotated).await
}

/// Replaces a refresh token with its successor (the family keeps its expiry: rotation never lengthens a
/// sign-in). A token already replaced may be traded again within the client's grace period, for retries;
/// later, it is taken for stolen, and its whole family is revoked. A client whose rotation was turned off
/// since gets no successor.
async fn rotate(
    state: &AppState,
    client: &Client,
    token: &str,
    user: &User,
    session: Session,
    expires_at: OffsetDateTime,
) -> CognitoResult<Option<String>> {
    let grace = Duration::seconds(client.retry_grace_period_secs.into());
    let mut tx = state.db.begin().await?;
    if !tokens::rotate_out(&mut *tx, token, grace).await? {
        tokens::revoke_family(&mut *tx, session.origin_jti).await?;
        tx.commit().await?;
        tracing::warn!(pool_id = %user.pool_id, username = %user.username, "a rotated-out refresh token was reused: its sign-in is revoked");
        return Err(CognitoError::new(Exception::RefreshTokenReuse, "Refresh token has already been used."));
    }
    let successor = match client.refresh_token_rotation {
        true => Some(tokens::create_refresh_token(&mut *tx, client, user, session, expires_at).await?),
        false => None,
    };
    tx.commit().await?;
    Ok(successor)
}

#[derive(sqlx::FromRow)]
struct RefreshTokenRow {
    origin_jti: uuid::Uuid,
    event_id: uuid::Uuid,
    auth_time: OffsetDateTime,
    expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
    rotated_at: Option<OffsetDateTime>,
    client_id: String,
    #[sqlx(flatten)]
    user: User,
    groups: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_starts_after_the_free_failures_and_doubles_up_to_a_cap() {
        assert_eq!(lockout(5), None);
        assert_eq!(lockout(6), Some(Duration::seconds(1)));
        assert_eq!(lockout(7), Some(Duration::seconds(2)));
        assert_eq!(lockout(9), Some(Duration::seconds(8)));
        assert_eq!(lockout(40), Some(MAX_LOCKOUT));
    }
}
