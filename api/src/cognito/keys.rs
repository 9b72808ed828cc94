//! Key material, kept in Postgres so that every api instance signs and verifies alike, and cached
//! in memory after the first use: per-pool RS256 token keys (one for ID tokens, one for access
//! tokens, as Cognito has) and server-wide secrets.

use std::{collections::HashMap, sync::Arc};

use aws_lc_rs::{
    encoding::AsDer,
    rand,
    rsa::{KeyPair, KeySize},
    signature::KeyPair as _,
};
use base64::{Engine, prelude::BASE64_STANDARD, prelude::BASE64_URL_SAFE_NO_PAD};
use jsonwebtoken::{DecodingKey, EncodingKey};
use sqlx::PgPool;
use tokio::sync::{OnceCell, RwLock};

use super::error::{CognitoError, CognitoResult, Exception};

/// Every key the Cognito service uses, loaded lazily.
#[derive(Default)]
pub struct KeyRing {
    secrets: OnceCell<ServerSecrets>,
    pools: RwLock<HashMap<String, Arc<PoolKeys>>>,
}

pub struct ServerSecrets {
    /// Seals the SRP challenge state that clients carry in SECRET_BLOCK.
    pub srp_block: [u8; 32],
    /// Keys the HMACs under which confirmation and reset codes are stored.
    pub codes: [u8; 32],
    /// Keys the HMACs that authenticate challenge sessions (NEW_PASSWORD_REQUIRED's `Session`).
    pub sessions: [u8; 32],
}

pub struct PoolKeys {
    pub id: SigningKey,
    pub access: SigningKey,
}

pub struct SigningKey {
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// The public key's modulus and exponent, base64url, for the JWKS.
    pub n: String,
    pub e: String,
}

impl KeyRing {
    pub async fn secrets(&self, db: &PgPool) -> CognitoResult<&ServerSecrets> {
        self.secrets
            .get_or_try_init(|| async {
                Ok(ServerSecrets {
                    srp_block: server_secret(db, "srp-secret-block").await?,
                    codes: server_secret(db, "verification-codes").await?,
                    sessions: server_secret(db, "challenge-sessions").await?,
                })
            })
            .await
    }

    pub async fn pool(&self, db: &PgPool, pool_id: &str) -> CognitoResult<Arc<PoolKeys>> {
        if let Some(keys) = self.pools.read().await.get(pool_id) {
            return Ok(keys.clone());
        }
        super::pools::load_pool(db, pool_id).await?;
        let keys = Arc::new(PoolKeys {
            id: signing_key(db, pool_id, "id").await?,
            access: signing_key(db, pool_id, "access").await?,
        });
        self.pools.write().await.insert(pool_id.to_owned(), keys.clone());
        Ok(keys)
    }
}

/// Reads a 32-byte secret, creating it first if no instance has yet.
async fn server_secret(db: &PgPool, name: &str) -> CognitoResult<[u8; 32]> {
    let mut fresh = [0_u8; 32];
    rand::fill(&mut fresh).map_err(|_| internal("no randomness"))?;
    sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(fresh.as_slice())
        .execute(db)
        .await?;
    let value: Vec<u8> =
        sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1").bind(name).fetch_one(db).await?;
    value.try_into().map_err(|_| internal("a server secret is not 32 bytes"))
}

/// The pool's key for `token_use`, generated on first use (concurrent instances agree on one).
async fn signing_key(db: &PgPool, pool_id: &str, token_use: &str) -> CognitoResult<SigningKey> {
    let existing: Option<(String, Vec<u8>)> =
        sqlx::query_as("SELECT kid, private_key FROM signing_keys WHERE pool_id = $1 AND token_use = $2")
            .bind(pool_id)
            .bind(token_use)
            .fetch_optional(db)
            .await?;
    if let Some((kid, pkcs8)) = existing {
        return parse_key(kid, &pkcs8);
    }
    let (kid, pkcs8) = tokio::task::spawn_blocking(generate_key).await.map_err(|_| internal("key generation"))??;
    sqlx::query(
        "INSERT INTO signing_keys (kid, pool_id, token_use, private_key) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (pool_id, token_use) DO NOTHING",
    )
    .bind(&kid)
    .bind(pool_id)
    .bind(token_use)
    .bind(&pkcs8)
    .execute(db)
    .await?;
    Box::pin(signing_key(db, pool_id, token_use)).await
}

fn generate_key() -> CognitoResult<(String, Vec<u8>)> {
    let key = KeyPair::generate(KeySize::Rsa2048).map_err(|_| internal("RSA key generation"))?;
    let pkcs8 = key.as_der().map_err(|_| internal("RSA key encoding"))?;
    // Cognito's kids are base64 of a hash; a random one serves the same purpose.
    let mut kid = [0_u8; 32];
    rand::fill(&mut kid).map_err(|_| internal("no randomness"))?;
    Ok((BASE64_STANDARD.encode(kid), pkcs8.as_ref().to_vec()))
}

fn parse_key(kid: String, pkcs8: &[u8]) -> CognitoResult<SigningKey> {
    let pair = KeyPair::from_pkcs8(pkcs8).map_err(|_| internal("a stored signing key is invalid"))?;
    let public = pair.public_key();
    let n = BASE64_URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
    let e = BASE64_URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", BASE64_STANDARD.encode(pkcs8));
    let encoding =
        EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| internal("a stored signing key is invalid"))?;
    let decoding = DecodingKey::from_rsa_components(&n, &e).map_err(|_| internal("a stored signing key is invalid"))?;
    Ok(SigningKey { kid, encoding, decoding, n, e })
}

fn internal(what: &str) -> CognitoError {
    tracing::error!(what, "key material");
    CognitoError::new(Exception::Internal, "An internal error occurred.")
}
