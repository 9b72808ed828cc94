//! Tokens as Cognito issues them: RS256 ID and access tokens with Cognito's claims, opaque refresh
//! tokens stored only as hashes, verification (signature, issuer, expiry, use, revocation), and the
//! JWKS and OpenID discovery documents under the issuer URL.

use std::sync::Arc;

use aws_lc_rs::{digest, rand};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use base64::{Engine, prelude::BASE64_URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sqlx::PgExecutor;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    error::{CognitoError, CognitoResult, Exception},
    keys::{PoolKeys, SigningKey},
    pools::Client,
    users::User,
};
use crate::{AppState, db::StatementPool};

/// `<public base URL>/<pool id>`: `iss` + `/.well-known/jwks.json` then resolves to our JWKS.
pub fn issuer(state: &AppState, pool_id: &str) -> String {
    format!("{}/{pool_id}", state.config.public_base_url.as_str().trim_end_matches('/'))
}

/// The sign-in that tokens descend from; refreshing keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub origin_jti: Uuid,
    pub event_id: Uuid,
    pub auth_time: OffsetDateTime,
}

impl Session {
    pub fn begin() -> Self {
        Self { origin_jti: Uuid::new_v4(), event_id: Uuid::new_v4(), auth_time: now_seconds() }
    }
}

/// Cognito's AuthenticationResultType.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticationResult {
    pub access_token: String,
    pub id_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub expires_in: i32,
    pub token_type: &'static str,
}

/// The claims of an access token, as Cognito emits them.
#[derive(Debug, Clone, Serialize)]
struct AccessClaims {
    pub sub: Uuid,
    #[serde(rename = "cognito:groups", default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    pub iss: String,
    pub client_id: String,
    pub origin_jti: Uuid,
    pub event_id: Uuid,
    pub token_use: String,
    pub scope: String,
    pub auth_time: i64,
    pub exp: i64,
    pub iat: i64,
    pub jti: Uuid,
    pub username: String,
}

/// ID, access and refresh tokens for a sign-in of `user`, a member of `groups`, through `client`.
pub async fn issue(
    state: &AppState,
    client: &Client,
    user: &User,
    groups: &[String],
    session: Session,
) -> CognitoResult<AuthenticationResult> {
    let expires_at = session.auth_time + time::Duration::seconds(client.refresh_token_validity_secs.into());
    let refresh_token = create_refresh_token(&state.db, client, user, session, expires_at).await?;
    mint(state, client, user, groups, session, Some(refresh_token)).await
}

/// ID and access tokens for `session`, for `user`, a member of `groups`, with `refresh_token` if the
/// refresh rotated one in.
pub async fn mint(
    state: &AppState,
    client: &Client,
    user: &User,
    groups: &[String],
    session: Session,
    refresh_token: Option<String>,
) -> CognitoResult<AuthenticationResult> {
    let keys = state.cognito.pool(&state.db, &client.pool_id).await?;
    let now = now_seconds().unix_timestamp();
    let iss = issuer(state, &client.pool_id);
    let access = AccessClaims {
        sub: user.sub,
        groups: groups.to_vec(),
        iss: iss.clone(),
        client_id: client.id.clone(),
        origin_jti: session.origin_jti,
        event_id: session.event_id,
        token_use: "access".into(),
        scope: "aws.cognito.signin.user.admin".into(),
        auth_time: session.auth_time.unix_timestamp(),
        exp: now + i64::from(client.access_token_validity_secs),
        iat: now,
        jti: Uuid::new_v4(),
        username: user.username.clone(),
    };
    let id = id_claims(user, client, groups, iss, session, now);
    Ok(AuthenticationResult {
        access_token: sign(&keys.access, &access)?,
        id_token: sign(&keys.id, &id)?,
        refresh_token,
        expires_in: client.access_token_validity_secs,
        token_type: "Bearer",
    })
}

/// ID token claims: identity claims plus the user's attributes (`email_verified` as a boolean).
fn id_claims(
    user: &User,
    client: &Client,
    groups: &[String],
    iss: String,
    session: Session,
    now: i64,
) -> Map<String, Value> {
    let mut claims = Map::new();
    for (name, value) in user.attributes.iter() {
        let value = match (name.as_str(), value.as_str()) {
            ("email_verified" | "phone_number_verified", Some(flag)) => Value::Bool(flag == "true"),
            _ => value.clone(),
        };
        claims.insert(name.clone(), value);
    }
    if !groups.is_empty() {
        claims.insert("cognito:groups".into(), json!(groups));
    }
    let identity = json!({
        "sub": user.sub,
        "iss": iss,
        "cognito:username": user.username,
        "origin_jti": session.origin_jti,
        "aud": client.id,
        "event_id": session.event_id,
        "token_use": "id",
        "auth_time": session.auth_time.unix_timestamp(),
        "exp": now + i64::from(client.id_token_validity_secs),
        "iat": now,
        "jti": Uuid::new_v4(),
    });
    claims.extend(identity.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.clone())));
    claims
}

fn sign(key: &SigningKey, claims: &impl Serialize) -> CognitoResult<String> {
    key.sign(claims).map_err(|error| {
        tracing::error!(%error, "signing a token");
        CognitoError::new(Exception::Internal, "An internal error occurred.")
    })
}

/// A token's `token_use` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum TokenUse {
    Access,
    Id,
}

/// What a verified ID or access token says about its bearer.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub pool_id: String,
    pub token_use: TokenUse,
    pub sub: Uuid,
    pub username: String,
    /// `client_id` of an access token, `aud` of an ID token.
    pub client_id: String,
    pub groups: Vec<String>,
    /// The sign-in the token descends from.
    pub origin_jti: Uuid,
    /// `exp`, in seconds since the epoch.
    pub expires: u64,
}

/// Why a token was refused. Deliberately coarse: a client learns no more than Cognito tells it.
#[derive(Debug)]
pub enum TokenError {
    Invalid,
    Expired,
    /// The keys could not be read.
    Internal(CognitoError),
}

/// The claims both kinds of token carry, under the names each kind uses.
#[derive(Deserialize)]
struct BearerClaims {
    iss: String,
    /// Seconds since the epoch.
    exp: u64,
    sub: Uuid,
    token_use: TokenUse,
    #[serde(alias = "cognito:username")]
    username: String,
    #[serde(alias = "aud")]
    client_id: String,
    #[serde(rename = "cognito:groups", default)]
    groups: Vec<String>,
    origin_jti: Uuid,
}

/// Checks a token's signature by its pool's key for its use (ID and access keys differ), issuer,
/// expiry and `token_use`. Revocation needs the database: see [`verify_access_token`] and the api's
/// authorizer.
pub async fn verify(state: &AppState, token: &str, expected: TokenUse) -> Result<VerifiedToken, TokenError> {
    if let Some((expires, verified)) = state.cognito.verified.get(token) {
        return match (expires < now_seconds().unix_timestamp().unsigned_abs(), verified.token_use == expected) {
            (true, _) => Err(TokenError::Expired),
            (false, false) => Err(TokenError::Invalid),
            (false, true) => Ok(verified),
        };
    }
    // Read before the signature can be checked: the key to check it with depends on the pool the
    // token names. Nothing in it is trusted until the signature over these very bytes is.
    let claims = unverified_claims(token).ok_or(TokenError::Invalid)?;
    let pool_id = claims.iss.rsplit('/').next().unwrap_or_default().to_owned();
    let keys = match state.cognito.pool(&state.db, &pool_id).await {
        Ok(keys) => keys,
        Err(error) if error.exception == Exception::ResourceNotFound => return Err(TokenError::Invalid),
        Err(error) => return Err(TokenError::Internal(error)),
    };
    let key = match expected {
        TokenUse::Access => &keys.access,
        TokenUse::Id => &keys.id,
    };
    if !key.signed(token) {
        return Err(TokenError::Invalid);
    }
    if claims.exp < now_seconds().unix_timestamp().unsigned_abs() {
        return Err(TokenError::Expired);
    }
    if claims.iss != issuer(state, &pool_id) || claims.token_use != expected {
        return Err(TokenError::Invalid);
    }
    let verified = VerifiedToken {
        pool_id,
        token_use: claims.token_use,
        sub: claims.sub,
        username: claims.username,
        client_id: claims.client_id,
        groups: claims.groups,
        origin_jti: claims.origin_jti,
        expires: claims.exp,
    };
    state.cognito.verified.keep(token, claims.exp, &verified);
    Ok(verified)
}

/// Tokens found genuine (signature, issuer), by their text, with their expiry. A client sends the same
/// token with every call for as long as it lives (an hour by default), and checking its RSA signature
/// costs more than the rest of the api's own work on a request. The token's bytes decide that verdict,
/// so a token seen before needs only its expiry and use checked again; revocation is the database's, on
/// every request as before. Only tokens this service signed get in, and it is emptied when full.
#[derive(Default)]
pub struct VerifiedTokens(std::sync::Mutex<std::collections::HashMap<String, (u64, VerifiedToken)>>);

impl VerifiedTokens {
    const CAPACITY: usize = 10_000;

    fn get(&self, token: &str) -> Option<(u64, VerifiedToken)> {
        self.0.lock().ok()?.get(token).cloned()
    }

    fn keep(&self, token: &str, expires: u64, verified: &VerifiedToken) {
        if let Ok(mut tokens) = self.0.lock() {
            if tokens.len() >= Self::CAPACITY {
                tokens.clear();
            }
            tokens.insert(token.to_owned(), (expires, verified.clone()));
        }
    }
}

/// Checks an access token as Cognito's own operations (GetUser...) do: [`verify`], then that its
/// sign-in (a refresh token of its family) is still live (not revoked, nor deleted with its app client)
/// and its user still exists and is enabled.
pub async fn verify_access_token(state: &AppState, token: &str) -> CognitoResult<User> {
    let token = verify(state, token, TokenUse::Access).await.map_err(|error| match error {
        TokenError::Invalid => CognitoError::not_authorized("Invalid Access Token"),
        TokenError::Expired => CognitoError::not_authorized("Access Token has expired"),
        TokenError::Internal(error) => error,
    })?;
    current_user(&state.statements, &token).await
}

/// The token's user, unless the token was revoked since it was issued: one statement for both.
pub async fn current_user(statements: &StatementPool, claims: &VerifiedToken) -> CognitoResult<User> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: User,
        revoked: bool,
    }
    let row: Option<Row> = statements
        .run(async |connection| {
            sqlx::query_as(
                "SELECT u.*, NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE origin_jti = $3 AND revoked_at IS NULL) \
                 AS revoked FROM users u WHERE u.pool_id = $1 AND u.username = $2",
            )
            .bind(&claims.pool_id)
            .bind(&claims.username)
            .bind(claims.origin_jti)
            .fetch_optional(connection)
            .await
        })
        .await?;
    let Row { user, revoked } = row
        .filter(|row| row.user.sub == claims.sub)
        .ok_or_else(|| CognitoError::new(Exception::NotAuthorized, "User does not exist."))?;
    if revoked {
        return Err(CognitoError::not_authorized("Access Token has been revoked"));
    }
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    Ok(user)
}

/// The claims of a compact JWS `header.payload.signature`, not yet verified.
fn unverified_claims(token: &str) -> Option<BearerClaims> {
    serde_json::from_value(Value::Object(payload(token)?)).ok()
}

/// The payload of a compact JWS `header.payload.signature` as a JSON object: trusted only once
/// [`verify`] accepted the token.
pub fn payload(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    serde_json::from_slice(&BASE64_URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// A new refresh token of the sign-in `session` (a new family, or the next of one when it rotates), valid until
/// `expires_at`.
pub async fn create_refresh_token(
    db: impl PgExecutor<'_>,
    client: &Client,
    user: &User,
    session: Session,
    expires_at: OffsetDateTime,
) -> CognitoResult<String> {
    let token = new_opaque_token()?;
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, pool_id, client_id, username, origin_jti, event_id, auth_time, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(opaque_token_hash(&token))
    .bind(&client.pool_id)
    .bind(&client.id)
    .bind(&user.username)
    .bind(session.origin_jti)
    .bind(session.event_id)
    .bind(session.auth_time)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(token)
}

/// GlobalSignOut (and disabling a user): every sign-in of the user ends. Each sign-in has a refresh token, and every access
/// token names its sign-in (`origin_jti`), so revoking the refresh tokens voids all their tokens.
pub async fn revoke_all(db: impl PgExecutor<'_>, user: &User) -> CognitoResult<()> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE pool_id = $1 AND username = $2 AND revoked_at IS NULL",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .execute(db)
    .await?;
    Ok(())
}

/// RevokeToken: the refresh token, if `client` was issued it, stops working, and so do its family (the
/// tokens rotated from the same sign-in) and the tokens refreshed from them (they share its `origin_jti`).
pub async fn revoke_refresh_token(db: impl PgExecutor<'_>, client: &Client, token: &str) -> CognitoResult<()> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND origin_jti = \
         (SELECT origin_jti FROM refresh_tokens WHERE token_hash = $1 AND client_id = $2)",
    )
    .bind(opaque_token_hash(token))
    .bind(&client.id)
    .execute(db)
    .await?;
    Ok(())
}

/// Ends the sign-in `origin_jti`: every refresh token of its family, and every token refreshed from them.
pub async fn revoke_family(db: impl PgExecutor<'_>, origin_jti: Uuid) -> CognitoResult<()> {
    sqlx::query("UPDATE refresh_tokens SET revoked_at = now() WHERE origin_jti = $1 AND revoked_at IS NULL")
        .bind(origin_jti)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks the refresh token as replaced (keeping the time it first was), unless it was replaced more than
/// `grace` ago or revoked: whether it may still be traded for a successor.
pub async fn rotate_out(db: impl PgExecutor<'_>, token: &str, grace: time::Duration) -> CognitoResult<bool> {
    let rotated = sqlx::query(
        "UPDATE refresh_tokens SET rotated_at = coalesce(rotated_at, now()) WHERE token_hash = $1 \
         AND revoked_at IS NULL AND (rotated_at IS NULL OR rotated_at + $2 >= now())",
    )
    .bind(opaque_token_hash(token))
    .bind(grace)
    .execute(db)
    .await?;
    Ok(rotated.rows_affected() == 1)
}

/// A token opaque to clients (a refresh token, a sign-in's Session): 48 random bytes, base64url.
pub fn new_opaque_token() -> CognitoResult<String> {
    let mut bytes = [0_u8; 48];
    rand::fill(&mut bytes).map_err(|_| CognitoError::new(Exception::Internal, "An internal error occurred."))?;
    Ok(BASE64_URL_SAFE_NO_PAD.encode(bytes))
}

/// Opaque tokens are long random strings: a plain SHA-256 is enough to keep them unusable if the
/// table leaks.
pub fn opaque_token_hash(token: &str) -> Vec<u8> {
    digest::digest(&digest::SHA256, token.as_bytes()).as_ref().to_vec()
}

/// Whole seconds: JWT times are in seconds, and comparing against `iat` must not see fractions.
fn now_seconds() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// `GET /{pool_id}/.well-known/jwks.json`
pub async fn jwks(State(state): State<AppState>, Path(pool_id): Path<String>) -> Response {
    match pool_keys(&state, &pool_id).await {
        Ok(keys) => {
            let jwk = |key: &SigningKey| json!({ "alg": "RS256", "e": key.e, "kid": key.kid, "kty": "RSA", "n": key.n, "use": "sig" });
            Json(json!({ "keys": [jwk(&keys.id), jwk(&keys.access)] })).into_response()
        }
        Err(response) => response,
    }
}

/// `GET /{pool_id}/.well-known/openid-configuration`
pub async fn openid_configuration(State(state): State<AppState>, Path(pool_id): Path<String>) -> Response {
    if let Err(response) = pool_keys(&state, &pool_id).await {
        return response;
    }
    let issuer = issuer(&state, &pool_id);
    Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "claims_supported": ["sub", "iss", "aud", "email", "email_verified", "cognito:username", "cognito:groups"],
    }))
    .into_response()
}

/// These documents are plain JSON, not the Cognito protocol: an unknown pool is a 404.
async fn pool_keys(state: &AppState, pool_id: &str) -> Result<Arc<PoolKeys>, Response> {
    state.cognito.pool(&state.db, pool_id).await.map_err(|error| match error.exception {
        Exception::ResourceNotFound => {
            (StatusCode::NOT_FOUND, Json(json!({ "message": error.message }))).into_response()
        }
        _ => error.into_response(),
    })
}
