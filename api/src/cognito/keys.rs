//! Key material, kept in Postgres so that every api instance signs and verifies alike, and cached
//! in memory after the first use: per-pool RS256 token keys (one for ID tokens, one for access
//! tokens, as Cognito has) and server-wide secrets.

use std::{collections::HashMap, sync::Arc};

use aws_lc_rs::{
    encoding::AsDer,
    rand,
    rsa::{KeyPair, KeySize},
    signature::{self, KeyPair as _, ParsedPublicKey},
};
use base64::{Engine, prelude::BASE64_STANDARD, prelude::BASE64_URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, Header};
use sqlx::PgPool;
use tokio::sync::{OnceCell, RwLock};

use super::error::{CognitoError, CognitoResult, Exception};

/// Every key the Cognito service uses, loaded lazily, the tokens found signed with them and the app
/// clients recently read.
#[derive(Default)]
pub struct KeyRing {
    secrets: OnceCell<ServerSecrets>,
    pools: RwLock<HashMap<String, Arc<PoolKeys>>>,
    pub verified: super::tokens::VerifiedTokens,
    pub clients: super::pools::ClientCache,
}

pub struct ServerSecrets {
    /// Seals the SRP challenge state that clients carry in SECRET_BLOCK.
    pub srp_block: [u8; 32],
    /// Keys the HMACs under which confirmation and reset codes are stored.
    pub codes: [u8; 32],
    /// Keys the HMACs that authenticate challenge sessions (NEW_PASSWORD_REQUIRED's `Session`).
    pub sessions: [u8; 32],
    /// Derives identity pools' credentials' secrets and seals their session tokens.
    pub credentials: [u8; 32],
}

pub struct PoolKeys {
    pub id: SigningKey,
    pub access: SigningKey,
}

/// An RS256 key, parsed once: parsing and checking an RSA private key costs about as much as a
/// signature, and every sign-in and refresh signs two tokens.
pub struct SigningKey {
    pub kid: String,
    pair: KeyPair,
    public: ParsedPublicKey,
    /// The JOSE header of every token the key signs (`alg`, `typ`, `kid`), base64url.
    header: String,
    /// The public key's modulus and exponent, base64url, for the JWKS.
    pub n: String,
    pub e: String,
}

impl SigningKey {
    /// A compact JWS of `claims`: `header.payload.signature`, each base64url.
    pub fn sign(&self, claims: &impl serde::Serialize) -> Result<String, aws_lc_rs::error::Unspecified> {
        let payload = serde_json::to_vec(claims).map_err(|_| aws_lc_rs::error::Unspecified)?;
        let mut token = format!("{}.{}", self.header, BASE64_URL_SAFE_NO_PAD.encode(payload));
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair.sign(&signature::RSA_PKCS1_SHA256, &rand::SystemRandom::new(), token.as_bytes(), &mut signature)?;
        token.push('.');
        BASE64_URL_SAFE_NO_PAD.encode_string(signature, &mut token);
        Ok(token)
    }

    /// Whether `token` is an RS256 JWS of this key: its header names this key's kid, and the signature over
    /// its header and payload is this key's.
    pub fn signed(&self, token: &str) -> bool {
        let verified = || {
            let (message, signature) = token.rsplit_once('.')?;
            let (header, _payload) = message.split_once('.')?;
            let header: Header = serde_json::from_slice(&BASE64_URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
            if header.alg != Algorithm::RS256 || header.kid.as_deref() != Some(self.kid.as_str()) {
                return None;
            }
            let signature = BASE64_URL_SAFE_NO_PAD.decode(signature).ok()?;
            self.public.verify_sig(message.as_bytes(), &signature).ok()
        };
        verified().is_some()
    }
}

impl KeyRing {
    pub async fn secrets(&self, db: &PgPool) -> CognitoResult<&ServerSecrets> {
        self.secrets
            .get_or_try_init(|| async {
                Ok(ServerSecrets {
                    srp_block: server_secret(db, "srp-secret-block").await?,
                    codes: server_secret(db, "verification-codes").await?,
                    sessions: server_secret(db, "challenge-sessions").await?,
                    credentials: server_secret(db, "identity-credentials").await?,
                })
            })
            .await
    }

    /// Forgets a deleted pool's keys, so that its JWKS is no longer served from here.
    pub async fn forget_pool(&self, pool_id: &str) {
        self.pools.write().await.remove(pool_id);
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
    let public = ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, public.as_ref())
        .map_err(|_| internal("a stored signing key is invalid"))?;
    let header = Header { kid: Some(kid.clone()), ..Header::new(Algorithm::RS256) };
    let header = BASE64_URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("a JOSE header serializes"));
    Ok(SigningKey { kid, pair, public, header, n, e })
}

fn internal(what: &str) -> CognitoError {
    tracing::error!(what, "key material");
    CognitoError::new(Exception::Internal, "An internal error occurred.")
}
