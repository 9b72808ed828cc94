//! User pools and their app clients: loading, creating, and the checks every call naming a client
//! makes (allowed auth flows, SECRET_HASH).

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use aws_lc_rs::{constant_time, hmac, rand};
use base64::{Engine, prelude::BASE64_STANDARD};
use serde::{Deserialize, Serialize};
use sqlx::{PgExecutor, types::Json};
use time::OffsetDateTime;

use super::error::{CognitoError, CognitoResult, Exception};
use crate::AppState;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pool {
    pub id: String,
    pub name: String,
    pub password_policy: Json<PasswordPolicy>,
    pub username_attributes: Vec<String>,
    pub auto_verified_attributes: Vec<String>,
    pub post_confirmation_webhook: Option<String>,
    /// OFF, OPTIONAL or ON (see [`super::mfa`]).
    pub mfa_configuration: String,
    /// Whether the pool's users may use an authenticator app as their second factor.
    pub software_token_mfa: bool,
    /// Its SignInPolicy: the first factors USER_AUTH offers (see [`super::user_auth`]).
    pub allowed_first_auth_factors: Vec<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Pool {
    /// Pools where people sign up with their email address instead of a username.
    pub fn email_is_username(&self) -> bool {
        self.username_attributes.iter().any(|a| a == "email")
    }
}

/// Cognito's PasswordPolicyType.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PasswordPolicy {
    pub minimum_length: u32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub temporary_password_validity_days: u32,
}

impl Default for PasswordPolicy {
    /// Cognito's defaults for a new pool.
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
        }
    }
}

impl PasswordPolicy {
    /// The rules themselves, as the shell shows them too (`mfe_contract` is their one definition).
    pub fn rules(&self) -> mfe_contract::PasswordPolicy {
        mfe_contract::PasswordPolicy {
            minimum_length: self.minimum_length,
            require_uppercase: self.require_uppercase,
            require_lowercase: self.require_lowercase,
            require_numbers: self.require_numbers,
            require_symbols: self.require_symbols,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Client {
    pub id: String,
    pub pool_id: String,
    pub name: String,
    pub secret: Option<String>,
    pub explicit_auth_flows: Vec<String>,
    pub id_token_validity_secs: i32,
    pub access_token_validity_secs: i32,
    pub refresh_token_validity_secs: i32,
    pub prevent_user_existence_errors: bool,
    /// Whether each refresh (GetTokensFromRefreshToken) replaces the refresh token.
    pub refresh_token_rotation: bool,
    /// How long a replaced refresh token keeps working, for a client's retries.
    pub retry_grace_period_secs: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Client {
    /// `flow` as Cognito names it in ExplicitAuthFlows, e.g. `ALLOW_USER_SRP_AUTH`.
    pub fn allows(&self, flow: &str) -> bool {
        self.explicit_auth_flows.iter().any(|allowed| allowed == flow)
    }

    /// Clients with a secret must prove they know it on every call that names a user:
    /// `Base64(HMAC_SHA256(secret, username + client_id))`, over the name the caller sent or the
    /// internal username.
    pub fn check_secret_hash(&self, given: Option<&str>, usernames: &[&str]) -> CognitoResult<()> {
        let Some(secret) = &self.secret else { return Ok(()) };
        let unverified =
            || CognitoError::not_authorized(format!("Unable to verify secret hash for client {}", self.id));
        let given = BASE64_STANDARD.decode(given.ok_or_else(unverified)?).map_err(|_| unverified())?;
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let matches = usernames.iter().any(|username| {
            let expected = hmac::sign(&key, format!("{username}{}", self.id).as_bytes());
            constant_time::verify_slices_are_equal(expected.as_ref(), &given).is_ok()
        });
        if matches { Ok(()) } else { Err(unverified()) }
    }

    /// Whether `given` is the client's secret (calls that send it as such: RevokeToken,
    /// GetTokensFromRefreshToken). A client without a secret needs none.
    pub fn secret_matches(&self, given: Option<&str>) -> bool {
        let Some(secret) = &self.secret else { return true };
        constant_time::verify_slices_are_equal(secret.as_bytes(), given.unwrap_or_default().as_bytes()).is_ok()
    }

    /// Refuses an AuthFlow (InitiateAuth's or AdminInitiateAuth's) that the client's ExplicitAuthFlows
    /// don't allow. The legacy names share the setting of the flow that replaced them.
    pub fn require_flow(&self, flow: &str) -> CognitoResult<()> {
        let setting = match flow {
            "REFRESH_TOKEN" | "REFRESH_TOKEN_AUTH" => "ALLOW_REFRESH_TOKEN_AUTH",
            "ADMIN_NO_SRP_AUTH" | "ADMIN_USER_PASSWORD_AUTH" => "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            other => &format!("ALLOW_{other}"),
        };
        match self.allows(setting) {
            true => Ok(()),
            false => Err(CognitoError::invalid_parameter(format!("{flow} flow not enabled for this client"))),
        }
    }
}

pub async fn load_client(state: &AppState, client_id: &str) -> CognitoResult<Arc<Client>> {
    if let Some(client) = state.cognito.clients.get(client_id) {
        return Ok(client);
    }
    let client: Client = sqlx::query_as("SELECT * FROM user_pool_clients WHERE id = $1")
        .bind(client_id)
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(|| client_not_found(client_id))?;
    Ok(state.cognito.clients.keep(client))
}

/// App clients read in the last few seconds. Every sign-in and refresh names its client, and a
/// client changes only when a configuration bootstrap re-applies it or an admin updates or deletes
/// it: the instance that does forgets it at once, and a short lifetime bounds how long the others go
/// on with what they read. Unknown ids are never kept.
#[derive(Default)]
pub struct ClientCache(std::sync::RwLock<HashMap<String, (Instant, Arc<Client>)>>);

impl ClientCache {
    const LIFETIME: Duration = Duration::from_secs(5);

    fn get(&self, client_id: &str) -> Option<Arc<Client>> {
        let clients = self.0.read().ok()?;
        let (read_at, client) = clients.get(client_id)?;
        (read_at.elapsed() < Self::LIFETIME).then(|| client.clone())
    }

    fn keep(&self, client: Client) -> Arc<Client> {
        let client = Arc::new(client);
        if let Ok(mut clients) = self.0.write() {
            clients.retain(|_, (read_at, _)| read_at.elapsed() < Self::LIFETIME);
            clients.insert(client.id.clone(), (Instant::now(), client.clone()));
        }
        client
    }
}

impl ClientCache {
    /// Forgets a client this instance changed or deleted; other instances see the change within
    /// [`ClientCache::LIFETIME`].
    pub fn forget(&self, client_id: &str) {
        if let Ok(mut clients) = self.0.write() {
            clients.remove(client_id);
        }
    }
}

/// The client an admin call names, which must belong to the pool it names too (an unknown pool is
/// reported as such first).
pub async fn load_pool_client(state: &AppState, pool_id: &str, client_id: &str) -> CognitoResult<Arc<Client>> {
    load_pool(&state.db, pool_id).await?;
    let client = load_client(state, client_id).await?;
    match client.pool_id == pool_id {
        true => Ok(client),
        false => Err(client_not_found(client_id)),
    }
}

fn client_not_found(client_id: &str) -> CognitoError {
    CognitoError::new(Exception::ResourceNotFound, format!("User pool client {client_id} does not exist."))
}

pub async fn load_pool(db: impl PgExecutor<'_>, pool_id: &str) -> CognitoResult<Pool> {
    sqlx::query_as("SELECT * FROM user_pools WHERE id = $1")
        .bind(pool_id)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| CognitoError::new(Exception::ResourceNotFound, format!("User pool {pool_id} does not exist.")))
}

/// Up to `take` pools in id order, starting after the id `after`: the listing ListUserPools pages.
pub async fn list_pools(db: impl PgExecutor<'_>, after: Option<&str>, take: i64) -> CognitoResult<Vec<Pool>> {
    let pools = sqlx::query_as("SELECT * FROM user_pools WHERE id > coalesce($1, '') ORDER BY id LIMIT $2")
        .bind(after)
        .bind(take)
        .fetch_all(db)
        .await?;
    Ok(pools)
}

/// What a new pool is made of (CreateUserPool, or the bootstrap file).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewPool {
    pub region: String,
    pub name: String,
    pub password_policy: PasswordPolicy,
    pub username_attributes: Vec<String>,
    pub auto_verified_attributes: Vec<String>,
    pub post_confirmation_webhook: Option<String>,
    /// None: PASSWORD only.
    pub allowed_first_auth_factors: Option<Vec<String>>,
}

pub async fn create_pool(db: impl PgExecutor<'_>, new: &NewPool) -> CognitoResult<Pool> {
    let id = format!("{}_{}", new.region, random_string(9, ALPHANUMERICS));
    let pool = sqlx::query_as(
        "INSERT INTO user_pools (id, name, password_policy, username_attributes, auto_verified_attributes, \
         post_confirmation_webhook, allowed_first_auth_factors) \
         VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, '{PASSWORD}')) RETURNING *",
    )
    .bind(&id)
    .bind(&new.name)
    .bind(Json(&new.password_policy))
    .bind(&new.username_attributes)
    .bind(&new.auto_verified_attributes)
    .bind(&new.post_confirmation_webhook)
    .bind(&new.allowed_first_auth_factors)
    .fetch_one(db)
    .await?;
    Ok(pool)
}

/// What a new app client is made of.
#[derive(Debug, Clone, Deserialize)]
pub struct NewClient {
    pub name: String,
    pub generate_secret: bool,
    pub explicit_auth_flows: Vec<String>,
    pub id_token_validity_secs: i32,
    pub access_token_validity_secs: i32,
    pub refresh_token_validity_secs: i32,
    pub prevent_user_existence_errors: bool,
    pub refresh_token_rotation: bool,
    pub retry_grace_period_secs: i32,
}

impl Default for NewClient {
    fn default() -> Self {
        Self {
            name: String::new(),
            generate_secret: false,
            explicit_auth_flows: vec!["ALLOW_USER_SRP_AUTH".into(), "ALLOW_REFRESH_TOKEN_AUTH".into()],
            id_token_validity_secs: 3600,
            access_token_validity_secs: 3600,
            refresh_token_validity_secs: 30 * 24 * 3600,
            prevent_user_existence_errors: true,
            refresh_token_rotation: false,
            retry_grace_period_secs: 0,
        }
    }
}

pub async fn create_client(db: impl PgExecutor<'_>, pool_id: &str, new: &NewClient) -> CognitoResult<Client> {
    let id = random_string(26, LOWERCASE_ALPHANUMERICS);
    let secret = new.generate_secret.then(|| random_string(51, LOWERCASE_ALPHANUMERICS));
    let client = sqlx::query_as(
        "INSERT INTO user_pool_clients (id, pool_id, name, secret, explicit_auth_flows, id_token_validity_secs, \
         access_token_validity_secs, refresh_token_validity_secs, prevent_user_existence_errors, \
         refresh_token_rotation, retry_grace_period_secs) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *",
    )
    .bind(&id)
    .bind(pool_id)
    .bind(&new.name)
    .bind(&secret)
    .bind(&new.explicit_auth_flows)
    .bind(new.id_token_validity_secs)
    .bind(new.access_token_validity_secs)
    .bind(new.refresh_token_validity_secs)
    .bind(new.prevent_user_existence_errors)
    .bind(new.refresh_token_rotation)
    .bind(new.retry_grace_period_secs)
    .fetch_one(db)
    .await?;
    Ok(client)
}

/// UpdateUserPoolClient: every setting replaced (the secret is kept).
pub async fn update_client(db: impl PgExecutor<'_>, client: &Client, new: &NewClient) -> CognitoResult<Client> {
    let client = sqlx::query_as(
        "UPDATE user_pool_clients SET name = $2, explicit_auth_flows = $3, id_token_validity_secs = $4, \
         access_token_validity_secs = $5, refresh_token_validity_secs = $6, prevent_user_existence_errors = $7, \
         refresh_token_rotation = $8, retry_grace_period_secs = $9 WHERE id = $1 RETURNING *",
    )
    .bind(&client.id)
    .bind(&new.name)
    .bind(&new.explicit_auth_flows)
    .bind(new.id_token_validity_secs)
    .bind(new.access_token_validity_secs)
    .bind(new.refresh_token_validity_secs)
    .bind(new.prevent_user_existence_errors)
    .bind(new.refresh_token_rotation)
    .bind(new.retry_grace_period_secs)
    .fetch_one(db)
    .await?;
    Ok(client)
}

/// Deletes the client; the refresh tokens it issued go with it (and so the sign-ins they carry).
pub async fn delete_client(db: impl PgExecutor<'_>, client: &Client) -> CognitoResult<()> {
    sqlx::query("DELETE FROM user_pool_clients WHERE id = $1").bind(&client.id).execute(db).await?;
    Ok(())
}

/// Up to `take` clients of the pool in id order, starting after the id `after`: the listing
/// ListUserPoolClients pages.
pub async fn list_clients(
    db: impl PgExecutor<'_>,
    pool_id: &str,
    after: Option<&str>,
    take: i64,
) -> CognitoResult<Vec<Client>> {
    let clients = sqlx::query_as(
        "SELECT * FROM user_pool_clients WHERE pool_id = $1 AND id > coalesce($2, '') ORDER BY id LIMIT $3",
    )
    .bind(pool_id)
    .bind(after)
    .bind(take)
    .fetch_all(db)
    .await?;
    Ok(clients)
}

/// What UpdateUserPool changes of a pool.
pub struct PoolUpdate {
    pub name: String,
    pub password_policy: PasswordPolicy,
    pub auto_verified_attributes: Vec<String>,
    /// Checked with [`super::mfa::check_pool_config`].
    pub mfa_configuration: String,
    pub allowed_first_auth_factors: Vec<String>,
}

pub async fn update_pool(db: impl PgExecutor<'_>, pool: &Pool, update: &PoolUpdate) -> CognitoResult<Pool> {
    let pool = sqlx::query_as(
        "UPDATE user_pools SET name = $2, password_policy = $3, auto_verified_attributes = $4, \
         mfa_configuration = $5, allowed_first_auth_factors = $6 WHERE id = $1 RETURNING *",
    )
    .bind(&pool.id)
    .bind(&update.name)
    .bind(Json(&update.password_policy))
    .bind(&update.auto_verified_attributes)
    .bind(&update.mfa_configuration)
    .bind(&update.allowed_first_auth_factors)
    .fetch_one(db)
    .await?;
    Ok(pool)
}

/// Deletes the pool with its clients, users, groups, codes, tokens and keys.
pub async fn delete_pool(db: impl PgExecutor<'_>, pool: &Pool) -> CognitoResult<()> {
    sqlx::query("DELETE FROM user_pools WHERE id = $1").bind(&pool.id).execute(db).await?;
    Ok(())
}

const ALPHANUMERICS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LOWERCASE_ALPHANUMERICS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// `len` characters of `alphabet` (at most 256), unbiased: bytes are drawn until they fall in a
/// whole multiple of the alphabet's size.
pub fn random_string(len: usize, alphabet: &[u8]) -> String {
    let limit = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(len);
    let mut byte = [0_u8; 1];
    while out.len() < len {
        rand::fill(&mut byte).expect("the system's randomness");
        if usize::from(byte[0]) < limit {
            out.push(char::from(alphabet[usize::from(byte[0]) % alphabet.len()]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(secret: Option<&str>) -> Client {
        Client {
            id: "3n4b5urk1ft4fl3mg5e62d9ado".into(),
            pool_id: "us-east-1_Ab12Cd34E".into(),
            name: "web".into(),
            secret: secret.map(Into::into),
            explicit_auth_flows: vec![],
            id_token_validity_secs: 3600,
            access_token_validity_secs: 3600,
            refresh_token_validity_secs: 3600,
            prevent_user_existence_errors: true,
            refresh_token_rotation: false,
            retry_grace_period_secs: 0,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn secret_hash_is_hmac_of_username_and_client_id() {
        let client = client(Some("s3cr3t"));
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"s3cr3t");
        let hash = BASE64_STANDARD.encode(hmac::sign(&key, format!("alice{}", client.id).as_bytes()));
        assert!(client.check_secret_hash(Some(&hash), &["alice"]).is_ok());
        assert!(client.check_secret_hash(Some(&hash), &["bob", "alice"]).is_ok(), "either name may match");
        let refused = client.check_secret_hash(Some(&hash), &["bob"]).unwrap_err();
        assert_eq!(refused.exception, Exception::NotAuthorized);
        assert!(client.check_secret_hash(None, &["alice"]).is_err());
        assert!(client.check_secret_hash(Some("not base64!"), &["alice"]).is_err());
    }

    #[test]
    fn flows_are_allowed_by_their_setting_and_legacy_names_by_their_successors() {
        let client = Client {
            explicit_auth_flows: vec!["ALLOW_ADMIN_USER_PASSWORD_AUTH".into(), "ALLOW_REFRESH_TOKEN_AUTH".into()],
            ..client(None)
        };
        for allowed in ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"] {
            assert!(client.require_flow(allowed).is_ok(), "{allowed}");
        }
        let refused = client.require_flow("USER_PASSWORD_AUTH").unwrap_err();
        assert_eq!(refused.message, "USER_PASSWORD_AUTH flow not enabled for this client");
    }

    #[test]
    fn clients_without_a_secret_need_no_hash() {
        assert!(client(None).check_secret_hash(None, &["alice"]).is_ok());
    }

    #[test]
    fn generated_ids_have_cognitos_shapes() {
        let id = random_string(26, LOWERCASE_ALPHANUMERICS);
        assert_eq!(id.len(), 26);
        assert!(id.bytes().all(|b| LOWERCASE_ALPHANUMERICS.contains(&b)));
    }
}
