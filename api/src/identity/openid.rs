//! GetOpenIdToken's tokens: RS512 JWTs for an identity (`sub` the identity id, `aud` the pool,
//! `amr` how it signed in), valid ten minutes, as Cognito Identity issues them, under one key per
//! server kept in Postgres, published at `<public base URL>/cognito-identity/.well-known/jwks_uri`.

use aws_lc_rs::{
    encoding::AsDer,
    rand,
    rsa::{KeyPair, KeySize},
    signature::{self, KeyPair as _},
};
use axum::{Json, extract::State, response::IntoResponse};
use base64::{Engine, prelude::BASE64_URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::{
    AppState,
    cognito::error::{CognitoError, CognitoResult, Exception},
};

/// Where the JWKS is served.
pub const JWKS_PATH: &str = "/cognito-identity/.well-known/jwks_uri";
const LIFETIME_SECS: i64 = 600;
const KEY_NAME: &str = "identity-openid-key";

/// `iss` of the tokens: this server's stand-in for `https://cognito-identity.amazonaws.com`.
pub fn issuer(state: &AppState) -> String {
    format!("{}/cognito-identity", state.config.public_base_url.as_str().trim_end_matches('/'))
}

/// A signed token for `identity_id` of `pool_id`, with AWS's `amr`: `["unauthenticated"]`, or
/// `["authenticated", <provider>, <provider>:CognitoSignIn:<sub>]`.
pub async fn token(state: &AppState, identity_id: &str, pool_id: &str, amr: &[String]) -> CognitoResult<String> {
    let (kid, key) = key(&state.db).await?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let header = json!({ "kid": kid, "typ": "JWS", "alg": "RS512" });
    let claims = json!({
        "sub": identity_id, "aud": pool_id, "amr": amr, "iss": issuer(state), "exp": now + LIFETIME_SECS, "iat": now,
        "https://cognito-identity.amazonaws.com/identity-pool-arn": pool_id,
    });
    let encode = |value: &Value| BASE64_URL_SAFE_NO_PAD.encode(value.to_string());
    let mut token = format!("{}.{}", encode(&header), encode(&claims));
    let mut signature = vec![0; key.public_modulus_len()];
    key.sign(&signature::RSA_PKCS1_SHA512, &rand::SystemRandom::new(), token.as_bytes(), &mut signature)
        .map_err(|_| internal())?;
    token.push('.');
    BASE64_URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}

/// `GET /cognito-identity/.well-known/jwks_uri`
pub async fn jwks(State(state): State<AppState>) -> axum::response::Response {
    match key(&state.db).await {
        Ok((kid, key)) => {
            let public = key.public_key();
            let b64 = |bytes: &[u8]| BASE64_URL_SAFE_NO_PAD.encode(bytes);
            let n = b64(public.modulus().big_endian_without_leading_zero());
            let e = b64(public.exponent().big_endian_without_leading_zero());
            Json(json!({ "keys": [{ "kty": "RSA", "alg": "RS512", "use": "sig", "kid": kid, "n": n, "e": e }] }))
                .into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// The server's key (made by the first instance that needs it) and its kid.
async fn key(db: &PgPool) -> CognitoResult<(String, KeyPair)> {
    let stored: Option<Vec<u8>> = sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
        .bind(KEY_NAME)
        .fetch_optional(db)
        .await?;
    let pkcs8 = match stored {
        Some(pkcs8) => pkcs8,
        None => {
            let fresh = tokio::task::spawn_blocking(|| KeyPair::generate(KeySize::Rsa2048).ok()?.as_der().ok())
                .await
                .ok()
                .flatten()
                .ok_or_else(internal)?;
            sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(KEY_NAME)
                .bind(fresh.as_ref())
                .execute(db)
                .await?;
            return Box::pin(key(db)).await;
        }
    };
    let key = KeyPair::from_pkcs8(&pkcs8).map_err(|_| internal())?;
    let kid = BASE64_URL_SAFE_NO_PAD
        .encode(&aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, key.public_key().as_ref()).as_ref()[..12]);
    Ok((kid, key))
}

fn internal() -> CognitoError {
    CognitoError::new(Exception::Internal, "An internal error occurred.")
}
