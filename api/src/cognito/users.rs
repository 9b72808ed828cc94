//! Users of a pool: lookups by username or email alias, and the attribute list as Cognito shows it.

use serde::{Deserialize, Serialize};
use sqlx::{PgExecutor, types::Json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    error::{CognitoError, CognitoResult, Exception},
    password::Credentials,
    pools::Client,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub pool_id: String,
    pub username: String,
    pub sub: Uuid,
    pub status: String,
    pub enabled: bool,
    pub password_hash: String,
    pub srp_salt: Vec<u8>,
    pub srp_verifier: Vec<u8>,
    pub attributes: Json<serde_json::Map<String, serde_json::Value>>,
    pub failed_sign_ins: i32,
    pub locked_until: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

pub mod status {
    pub const UNCONFIRMED: &str = "UNCONFIRMED";
    pub const CONFIRMED: &str = "CONFIRMED";
    pub const FORCE_CHANGE_PASSWORD: &str = "FORCE_CHANGE_PASSWORD";
}

/// Cognito's AttributeType.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attribute {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

impl User {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(|v| v.as_str())
    }

    pub fn email(&self) -> Option<&str> {
        self.attribute("email")
    }

    /// `sub` first, then the stored attributes, as GetUser and AdminGetUser list them.
    pub fn attribute_list(&self) -> Vec<Attribute> {
        let sub = Attribute { name: "sub".into(), value: self.sub.to_string() };
        let stored = self.attributes.iter().map(|(name, value)| Attribute {
            name: name.clone(),
            value: value.as_str().unwrap_or_default().to_owned(),
        });
        std::iter::once(sub).chain(stored).collect()
    }
}

/// The user a caller names: by username, or by email where the pool allows signing in with it.
pub async fn find(db: impl PgExecutor<'_>, pool_id: &str, name: &str) -> CognitoResult<Option<User>> {
    let user = sqlx::query_as(
        "SELECT * FROM users WHERE pool_id = $1 AND (username = $2 OR lower(attributes ->> 'email') = lower($2)) \
         ORDER BY username = $2 DESC LIMIT 1",
    )
    .bind(pool_id)
    .bind(name)
    .fetch_optional(db)
    .await?;
    Ok(user)
}

pub async fn find_by_username(db: impl PgExecutor<'_>, pool_id: &str, username: &str) -> CognitoResult<Option<User>> {
    let user = sqlx::query_as("SELECT * FROM users WHERE pool_id = $1 AND username = $2")
        .bind(pool_id)
        .bind(username)
        .fetch_optional(db)
        .await?;
    Ok(user)
}

/// The user a public call names, if any, after the client's SECRET_HASH check (over the name sent
/// or the internal username).
pub async fn named_if_known(
    db: impl PgExecutor<'_>,
    client: &Client,
    name: &str,
    secret_hash: Option<&str>,
) -> CognitoResult<Option<User>> {
    let user = find(db, &client.pool_id, name).await?;
    let internal_name = user.as_ref().map_or(name, |user| user.username.as_str());
    client.check_secret_hash(secret_hash, &[name, internal_name])?;
    Ok(user)
}

/// The user a public call names. An unknown user answers `hidden` when the client prevents
/// user-existence errors, else UserNotFoundException.
pub async fn named(
    db: impl PgExecutor<'_>,
    client: &Client,
    name: &str,
    secret_hash: Option<&str>,
    hidden: impl FnOnce() -> CognitoError,
) -> CognitoResult<User> {
    match named_if_known(db, client, name, secret_hash).await? {
        Some(user) => Ok(user),
        None if client.prevent_user_existence_errors => Err(hidden()),
        None => Err(CognitoError::new(Exception::UserNotFound, "User does not exist.")),
    }
}

/// The names of the groups `username` belongs to, by precedence (lowest first) then name.
pub async fn groups(db: impl PgExecutor<'_>, pool_id: &str, username: &str) -> CognitoResult<Vec<String>> {
    let groups = sqlx::query_scalar(
        "SELECT g.name FROM user_group_members m JOIN user_groups g USING (pool_id) \
         WHERE m.pool_id = $1 AND m.username = $2 AND g.name = m.group_name \
         ORDER BY g.precedence NULLS LAST, g.name",
    )
    .bind(pool_id)
    .bind(username)
    .fetch_all(db)
    .await?;
    Ok(groups)
}

/// `a***@e***`: enough for a person to recognise their address, as CodeDeliveryDetails shows it.
pub fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

/// Inserts a user; a taken username or email answers UsernameExistsException.
pub async fn insert(
    db: impl PgExecutor<'_>,
    pool_id: &str,
    username: &str,
    status: &str,
    credentials: &Credentials,
    attributes: &serde_json::Map<String, serde_json::Value>,
) -> CognitoResult<User> {
    let inserted = sqlx::query_as(
        "INSERT INTO users (pool_id, username, sub, status, password_hash, srp_salt, srp_verifier, attributes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
    )
    .bind(pool_id)
    .bind(username)
    .bind(Uuid::new_v4())
    .bind(status)
    .bind(&credentials.hash)
    .bind(&credentials.srp.salt)
    .bind(&credentials.srp.verifier)
    .bind(Json(attributes))
    .fetch_one(db)
    .await;
    inserted.map_err(|error| match error.as_database_error().and_then(|e| e.constraint()) {
        Some("users_email_alias") => {
            CognitoError::new(Exception::UsernameExists, "An account with the given email already exists.")
        }
        Some("users_pkey") => CognitoError::new(Exception::UsernameExists, "User already exists"),
        _ => error.into(),
    })
}

/// Replaces the user's password (hash and SRP verifier) and clears any lockout.
pub async fn set_credentials(db: impl PgExecutor<'_>, user: &User, credentials: &Credentials) -> CognitoResult<()> {
    sqlx::query(
        "UPDATE users SET password_hash = $3, srp_salt = $4, srp_verifier = $5, failed_sign_ins = 0, locked_until = NULL \
         WHERE pool_id = $1 AND username = $2",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .bind(&credentials.hash)
    .bind(&credentials.srp.salt)
    .bind(&credentials.srp.verifier)
    .execute(db)
    .await?;
    Ok(())
}

/// Standard attributes a user may set on themselves (Cognito's list, minus the ones the service
/// owns such as `sub` and the `*_verified` flags).
const STANDARD_ATTRIBUTES: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];

/// Checks attributes a caller supplies and returns them as the stored map.
pub fn validate_attributes(attributes: &[Attribute]) -> CognitoResult<serde_json::Map<String, serde_json::Value>> {
    let mut map = serde_json::Map::new();
    for Attribute { name, value } in attributes {
        let custom = name.strip_prefix("custom:").is_some_and(|rest| (1..=20).contains(&rest.len()));
        if !custom && !STANDARD_ATTRIBUTES.contains(&name.as_str()) {
            return Err(CognitoError::invalid_parameter(format!("Attribute does not exist in the schema: {name}")));
        }
        if value.chars().count() > 2048 {
            return Err(CognitoError::invalid_parameter(format!(
                "Attribute value for {name} must not be longer than 2048 characters."
            )));
        }
        if name == "email" && !is_email(value) {
            return Err(CognitoError::invalid_parameter("Invalid email address format."));
        }
        map.insert(name.clone(), serde_json::Value::String(value.clone()));
    }
    Ok(map)
}

/// Cognito's username rule: 1 to 128 characters, no whitespace.
pub fn validate_username(username: &str) -> CognitoResult<()> {
    let length = username.chars().count();
    if !(1..=128).contains(&length) || username.chars().any(char::is_whitespace) {
        return Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ));
    }
    Ok(())
}

/// One `@`, something on each side, a dot in the domain, no whitespace: what a form can check.
pub fn is_email(value: &str) -> bool {
    match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_emails_like_cognito() {
        assert_eq!(mask_email("alice@example.com"), "a***@e***");
    }

    #[test]
    fn attributes_are_checked_against_the_schema() {
        let attribute = |name: &str, value: &str| Attribute { name: name.into(), value: value.into() };
        assert!(validate_attributes(&[attribute("email", "a@example.com"), attribute("custom:tenant", "x")]).is_ok());
        for bad in [
            attribute("sub", "x"),
            attribute("email_verified", "true"),
            attribute("custom:", "x"),
            attribute("email", "nope"),
        ] {
            assert_eq!(validate_attributes(&[bad]).unwrap_err().exception, Exception::InvalidParameter);
        }
    }

    #[test]
    fn usernames_have_no_whitespace() {
        assert!(validate_username("alice").is_ok());
        assert!(validate_username("").is_err());
        assert!(validate_username("al ice").is_err());
        assert!(validate_username(&"a".repeat(129)).is_err());
    }
}
