//! Users of a pool: lookups by username or email alias, the attribute list as Cognito shows it, the
//! changes admins make (confirming, enabling, deleting), ListUsers' filters, and groups.

use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgExecutor, PgPool, Postgres, QueryBuilder, types::Json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    codes,
    error::{CognitoError, CognitoResult, Exception},
    pools::{Client, Pool},
    srp::Verifier,
    tokens, triggers,
    verifiers::{Owner, Sealed, VerifierKeys},
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub pool_id: String,
    pub username: String,
    pub sub: Uuid,
    pub status: String,
    pub enabled: bool,
    /// The password as users created before verifiers were sealed have it (an argon2id hash, and the SRP
    /// salt and verifier in the clear) until their next sign-in seals it; NULL from then on.
    pub password_hash: Option<String>,
    pub srp_salt: Option<Vec<u8>>,
    pub srp_verifier: Option<Vec<u8>>,
    /// The sealed SRP salt and verifier (see [`super::verifiers`]), and the id of the key that sealed them.
    pub verifier_key_id: Option<String>,
    pub sealed_verifier: Option<Vec<u8>>,
    pub attributes: Json<serde_json::Map<String, serde_json::Value>>,
    pub password_set_at: OffsetDateTime,
    pub failed_sign_ins: i32,
    pub locked_until: Option<OffsetDateTime>,
    /// The user's MFA preference for their authenticator app (see [`super::mfa`]).
    pub totp_mfa_enabled: bool,
    pub totp_mfa_preferred: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// What is kept of a user's password.
pub enum StoredPassword {
    Sealed(Sealed),
    /// As stored before verifiers were sealed.
    Legacy {
        hash: String,
        srp: Verifier,
    },
}

pub mod status {
    pub const UNCONFIRMED: &str = "UNCONFIRMED";
    pub const CONFIRMED: &str = "CONFIRMED";
    pub const FORCE_CHANGE_PASSWORD: &str = "FORCE_CHANGE_PASSWORD";
    /// An admin reset the password (AdminResetUserPassword): only a reset code lets the user in again.
    pub const RESET_REQUIRED: &str = "RESET_REQUIRED";
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
    /// Whose verifier it is: what a sealed one is bound to.
    pub fn owner(&self) -> Owner<'_> {
        Owner { pool_id: &self.pool_id, username: &self.username }
    }

    /// The row's password, sealed or as stored before; `None` only if a row were written with neither, which the
    /// table's CHECK constraint rules out.
    pub fn stored_password(&self) -> Option<StoredPassword> {
        match (&self.verifier_key_id, &self.sealed_verifier, &self.password_hash, &self.srp_salt, &self.srp_verifier) {
            (Some(key_id), Some(blob), ..) => {
                Some(StoredPassword::Sealed(Sealed { key_id: key_id.clone(), blob: blob.clone() }))
            }
            (_, _, Some(hash), Some(salt), Some(verifier)) => Some(StoredPassword::Legacy {
                hash: hash.clone(),
                srp: Verifier { salt: salt.clone(), verifier: verifier.clone() },
            }),
            _ => None,
        }
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(|v| v.as_str())
    }

    pub fn email(&self) -> Option<&str> {
        self.attribute("email")
    }

    /// Only an unconfirmed user can be confirmed.
    pub fn ensure_unconfirmed(&self) -> CognitoResult<()> {
        match self.status.as_str() {
            status::UNCONFIRMED => Ok(()),
            other => Err(CognitoError::not_authorized(format!("User cannot be confirmed. Current status is {other}"))),
        }
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
    let query = format!("SELECT u.* FROM users u WHERE {NAMED}");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(pool_id).bind(name).fetch_optional(db).await?)
}

/// SQL: the user `u` of the pool `$1` named `$2` (username first, then the email alias: the partial index on
/// emails serves only a condition that implies its own).
const NAMED: &str = "u.pool_id = $1 AND (u.username = $2 OR (u.attributes ? 'email' AND \
     lower(u.attributes ->> 'email') = lower($2))) ORDER BY u.username = $2 DESC LIMIT 1";

/// A user signing in, with the groups their tokens name.
#[derive(sqlx::FromRow)]
pub struct Member {
    #[sqlx(flatten)]
    pub user: User,
    pub groups: Vec<String>,
}

/// [`named_if_known`], and the user's groups, in one query: for a sign-in, which issues tokens that name them.
pub async fn signing_in(
    db: impl PgExecutor<'_>,
    client: &Client,
    name: &str,
    secret_hash: Option<&str>,
) -> CognitoResult<Option<Member>> {
    let query = format!("SELECT u.*, {GROUP_NAMES} AS groups FROM users u WHERE {NAMED}");
    let member: Option<Member> =
        sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(&client.pool_id).bind(name).fetch_optional(db).await?;
    check_secret_hash(client, name, member.as_ref().map(|member| &member.user), secret_hash)?;
    Ok(member)
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
    check_secret_hash(client, name, user.as_ref(), secret_hash)?;
    Ok(user)
}

/// SECRET_HASH over the name sent or the user's internal username.
fn check_secret_hash(client: &Client, name: &str, user: Option<&User>, secret_hash: Option<&str>) -> CognitoResult<()> {
    let internal_name = user.map_or(name, |user| user.username.as_str());
    client.check_secret_hash(secret_hash, &[name, internal_name])
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
    required(named_if_known(db, client, name, secret_hash).await?, client, hidden)
}

/// What a public call found for the name it was given. Not found: `hidden` when the client prevents
/// user-existence errors, else UserNotFoundException.
pub fn required<T>(found: Option<T>, client: &Client, hidden: impl FnOnce() -> CognitoError) -> CognitoResult<T> {
    match found {
        Some(found) => Ok(found),
        None if client.prevent_user_existence_errors => Err(hidden()),
        None => Err(CognitoError::user_not_found()),
    }
}

/// The user an admin call names, by username or alias.
pub async fn admin_named(db: impl PgExecutor<'_>, pool_id: &str, name: &str) -> CognitoResult<User> {
    find(db, pool_id, name).await?.ok_or_else(CognitoError::user_not_found)
}

/// The names of the groups `username` belongs to, by precedence (lowest first) then name.
pub async fn groups(db: impl PgExecutor<'_>, pool_id: &str, username: &str) -> CognitoResult<Vec<String>> {
    let query = format!("SELECT {GROUP_NAMES} FROM users u WHERE u.pool_id = $1 AND u.username = $2");
    let groups: Option<Vec<String>> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(query)).bind(pool_id).bind(username).fetch_optional(db).await?;
    Ok(groups.unwrap_or_default())
}

/// SQL: the names of the groups of the user `u` (a `users` row of the query), by precedence (lowest
/// first) then name, as a text array.
pub const GROUP_NAMES: &str = "ARRAY(SELECT g.name FROM user_group_members m \
     JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name \
     WHERE m.pool_id = u.pool_id AND m.username = u.username ORDER BY g.precedence NULLS LAST, g.name)";

/// `a***@e***`: enough for a person to recognise their address, as CodeDeliveryDetails shows it.
pub fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

/// The internal username of a new user who signs up (or is created) as `name`. Where the pool
/// takes the email as username, `name` must be an email and becomes the `email` attribute, and the
/// internal username is a generated id, as in Cognito.
pub fn internal_username(
    pool: &Pool,
    name: &str,
    attributes: &mut serde_json::Map<String, serde_json::Value>,
) -> CognitoResult<String> {
    if !pool.email_is_username() {
        return Ok(name.to_owned());
    }
    if !is_email(name) {
        return Err(CognitoError::invalid_parameter("Username should be an email."));
    }
    attributes.insert("email".into(), name.into());
    Ok(Uuid::new_v4().to_string())
}

/// Inserts a user; a taken username or email answers UsernameExistsException.
pub async fn insert(
    db: impl PgExecutor<'_>,
    pool_id: &str,
    username: &str,
    status: &str,
    password: &Sealed,
    attributes: &serde_json::Map<String, serde_json::Value>,
) -> CognitoResult<User> {
    let inserted = sqlx::query_as(
        "INSERT INTO users (pool_id, username, sub, status, verifier_key_id, sealed_verifier, attributes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
    )
    .bind(pool_id)
    .bind(username)
    .bind(Uuid::new_v4())
    .bind(status)
    .bind(&password.key_id)
    .bind(&password.blob)
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

/// Replaces the user's password (its sealed verifier), clears any lockout and sets `status`. A
/// user who becomes confirmed this way (an admin-created user choosing their password, or an admin
/// setting a permanent one) gets the product's profile row too, in the same transaction.
pub async fn set_password(tx: &mut PgConnection, user: &User, password: &Sealed, status: &str) -> CognitoResult<()> {
    sqlx::query(
        "UPDATE users SET verifier_key_id = $3, sealed_verifier = $4, password_hash = NULL, srp_salt = NULL, \
         srp_verifier = NULL, password_set_at = now(), failed_sign_ins = 0, locked_until = NULL, status = $5 \
         WHERE pool_id = $1 AND username = $2",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .bind(&password.key_id)
    .bind(&password.blob)
    .bind(status)
    .execute(&mut *tx)
    .await?;
    if status == self::status::CONFIRMED {
        triggers::post_confirmation(tx, user).await?;
    }
    Ok(())
}

/// Stores the same password sealed anew (under the current key, or for the first time), once a sign-in has
/// proven it: unless the password was changed since `user` was read, which the newer one wins.
pub async fn reseal(db: impl PgExecutor<'_>, user: &User, password: &Sealed) -> CognitoResult<()> {
    sqlx::query(
        "UPDATE users SET verifier_key_id = $3, sealed_verifier = $4, password_hash = NULL, srp_salt = NULL, \
         srp_verifier = NULL WHERE pool_id = $1 AND username = $2 AND password_set_at = $5",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .bind(&password.key_id)
    .bind(&password.blob)
    .bind(user.password_set_at)
    .execute(db)
    .await?;
    Ok(())
}

/// How many users' passwords each key sealed; `None` counts those kept as before verifiers were sealed.
pub async fn count_by_verifier_key(db: impl PgExecutor<'_>) -> CognitoResult<Vec<(Option<String>, i64)>> {
    let counts = sqlx::query_as("SELECT verifier_key_id, count(*) FROM users GROUP BY 1 ORDER BY 1 NULLS FIRST")
        .fetch_all(db)
        .await?;
    Ok(counts)
}

/// Confirms the user: their email, if any, counts as verified (the code went there, or an admin
/// vouches for it), and the profile row is created in the same transaction. Returns the confirmed
/// user, for the pool's webhook. Callers check [`User::ensure_unconfirmed`] first.
pub async fn confirm(tx: &mut PgConnection, user: &User) -> CognitoResult<User> {
    let confirmed = sqlx::query_as(
        "UPDATE users SET status = $3, attributes = attributes || \
         CASE WHEN attributes ? 'email' THEN '{\"email_verified\": \"true\"}'::jsonb ELSE '{}' END \
         WHERE pool_id = $1 AND username = $2 RETURNING *",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .bind(status::CONFIRMED)
    .fetch_one(&mut *tx)
    .await?;
    triggers::post_confirmation(tx, &confirmed).await?;
    Ok(confirmed)
}

/// Sets `changes` on the user's attributes (UpdateUserAttributes, AdminUpdateUserAttributes). A new
/// email is unverified unless `changes` says otherwise; an email another user has is AliasExistsException.
pub async fn update_attributes(
    db: impl PgExecutor<'_>,
    user: &User,
    mut changes: serde_json::Map<String, serde_json::Value>,
) -> CognitoResult<()> {
    let new_email = changes.get("email").and_then(|v| v.as_str());
    if new_email.is_some_and(|email| Some(email) != user.email()) && !changes.contains_key("email_verified") {
        changes.insert("email_verified".into(), "false".into());
    }
    let updated = sqlx::query("UPDATE users SET attributes = attributes || $3 WHERE pool_id = $1 AND username = $2")
        .bind(&user.pool_id)
        .bind(&user.username)
        .bind(Json(&changes))
        .execute(db)
        .await;
    match updated {
        Ok(_) => Ok(()),
        Err(error) if error.as_database_error().and_then(|e| e.constraint()) == Some("users_email_alias") => {
            Err(CognitoError::new(Exception::AliasExists, "An account with the given email already exists."))
        }
        Err(error) => Err(error.into()),
    }
}

/// AdminResetUserPassword: the password stops working (RESET_REQUIRED) until the user sets a new one with the
/// reset code, which goes out in the same transaction; every sign-in of theirs ends.
pub async fn require_reset(tx: &mut PgConnection, key: &[u8; 32], user: &User, email: &str) -> CognitoResult<()> {
    sqlx::query("UPDATE users SET status = $3 WHERE pool_id = $1 AND username = $2")
        .bind(&user.pool_id)
        .bind(&user.username)
        .bind(status::RESET_REQUIRED)
        .execute(&mut *tx)
        .await?;
    tokens::revoke_all(&mut *tx, user).await?;
    codes::issue(tx, key, user, codes::Purpose::ResetPassword, email).await
}

/// Enables or disables the user. Disabling also ends every sign-in of theirs, in the same
/// transaction, so that no token issued before keeps working.
pub async fn set_enabled(db: &PgPool, user: &User, enabled: bool) -> CognitoResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE users SET enabled = $3 WHERE pool_id = $1 AND username = $2")
        .bind(&user.pool_id)
        .bind(&user.username)
        .bind(enabled)
        .execute(&mut *tx)
        .await?;
    if !enabled {
        tokens::revoke_all(&mut *tx, user).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes the user; their codes, refresh tokens and group memberships go with them.
pub async fn delete(db: impl PgExecutor<'_>, user: &User) -> CognitoResult<()> {
    sqlx::query("DELETE FROM users WHERE pool_id = $1 AND username = $2")
        .bind(&user.pool_id)
        .bind(&user.username)
        .execute(db)
        .await?;
    Ok(())
}

/// Where AdminCreateUser's welcome message (the sign-in name and temporary password) goes.
#[derive(Debug, Clone, Copy)]
pub enum Welcome<'a> {
    /// MessageAction SUPPRESS: nowhere.
    Suppressed,
    /// DesiredDeliveryMediums: EMAIL to the email, SMS to the phone number. None given: the email,
    /// else the phone number, else nowhere.
    To(&'a [String]),
}

/// AdminCreateUser: a user with a temporary password, who must choose their own at the first
/// sign-in (FORCE_CHANGE_PASSWORD), and the welcome message, in one transaction.
pub async fn invite(
    db: &PgPool,
    keys: &VerifierKeys,
    pool: &Pool,
    name: &str,
    mut attributes: serde_json::Map<String, serde_json::Value>,
    temporary_password: &str,
    welcome: Welcome<'_>,
) -> CognitoResult<User> {
    validate_username(name)?;
    let username = internal_username(pool, name, &mut attributes)?;
    let password = keys.for_password(Owner { pool_id: &pool.id, username: &username }, temporary_password);
    let mut tx = db.begin().await?;
    let user = insert(&mut *tx, &pool.id, &username, status::FORCE_CHANGE_PASSWORD, &password, &attributes).await?;
    send_welcome(&mut tx, &user, name, temporary_password, welcome).await?;
    tx.commit().await?;
    Ok(user)
}

/// AdminCreateUser with MessageAction RESEND: a new temporary password (which restarts its
/// validity) for a user who hasn't replaced theirs yet, and the welcome message again.
pub async fn reinvite(
    db: &PgPool,
    keys: &VerifierKeys,
    pool: &Pool,
    name: &str,
    temporary_password: &str,
    welcome: Welcome<'_>,
) -> CognitoResult<User> {
    let user = admin_named(db, &pool.id, name).await?;
    if user.status != status::FORCE_CHANGE_PASSWORD {
        return Err(CognitoError::new(
            Exception::UnsupportedUserState,
            format!("User is not in {} state.", status::FORCE_CHANGE_PASSWORD),
        ));
    }
    let password = keys.for_password(user.owner(), temporary_password);
    let mut tx = db.begin().await?;
    set_password(&mut tx, &user, &password, status::FORCE_CHANGE_PASSWORD).await?;
    send_welcome(&mut tx, &user, name, temporary_password, welcome).await?;
    tx.commit().await?;
    admin_named(db, &pool.id, &user.username).await
}

async fn send_welcome(
    tx: &mut PgConnection,
    user: &User,
    name: &str,
    temporary_password: &str,
    welcome: Welcome<'_>,
) -> CognitoResult<()> {
    let Welcome::To(mediums) = welcome else { return Ok(()) };
    let body = format!("Your username is {name} and temporary password is {temporary_password}");
    for destination in welcome_destinations(user, mediums)? {
        codes::queue_message(tx, user, destination, "Your temporary password", &body).await?;
    }
    Ok(())
}

fn welcome_destinations<'u>(user: &'u User, mediums: &[String]) -> CognitoResult<Vec<&'u str>> {
    if mediums.is_empty() {
        return Ok(user.email().or_else(|| user.attribute("phone_number")).into_iter().collect());
    }
    mediums
        .iter()
        .map(|medium| {
            let attribute = match medium.as_str() {
                "EMAIL" => "email",
                "SMS" => "phone_number",
                other => {
                    return Err(CognitoError::invalid_parameter(format!(
                        "DesiredDeliveryMediums: {other} is neither EMAIL nor SMS."
                    )));
                }
            };
            user.attribute(attribute).ok_or_else(|| {
                CognitoError::invalid_parameter(format!(
                    "The user has no {attribute} to send the message to ({medium})."
                ))
            })
        })
        .collect()
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

/// Flags only an administrator may set directly; a user proves them with a code.
const VERIFIED_FLAGS: &[&str] = &["email_verified", "phone_number_verified"];

/// Checks attributes an admin supplies: those a user may set, plus the `*_verified` flags.
pub fn validate_admin_attributes(
    attributes: &[Attribute],
) -> CognitoResult<serde_json::Map<String, serde_json::Value>> {
    let (flags, others): (Vec<_>, Vec<_>) =
        attributes.iter().cloned().partition(|attribute| VERIFIED_FLAGS.contains(&attribute.name.as_str()));
    let mut map = validate_attributes(&others)?;
    for Attribute { name, value } in flags {
        if value != "true" && value != "false" {
            return Err(CognitoError::invalid_parameter(format!("{name} must be true or false.")));
        }
        map.insert(name, value.into());
    }
    Ok(map)
}

/// Cognito's username rule: 1 to 128 characters, no whitespace.
pub fn validate_username(username: &str) -> CognitoResult<()> {
    validate_name("username", username)
}

/// Cognito's rule for names (usernames, group names): 1 to 128 characters, no whitespace.
pub fn validate_name(member: &str, name: &str) -> CognitoResult<()> {
    let length = name.chars().count();
    if !(1..=128).contains(&length) || name.chars().any(char::is_whitespace) {
        return Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must satisfy \
             regular expression pattern: [\\p{{L}}\\p{{M}}\\p{{S}}\\p{{N}}\\p{{P}}]+"
        )));
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

/// What ListUsers can filter on, and the SQL expression each one reads. A fixed list: the filter's
/// text only ever reaches a query as a bound value.
struct Searchable {
    name: &'static str,
    sql: &'static str,
    case_insensitive: bool,
}

const SEARCHABLE: &[Searchable] = &[
    Searchable { name: "username", sql: "username", case_insensitive: false },
    Searchable { name: "sub", sql: "sub::text", case_insensitive: false },
    Searchable { name: "email", sql: "attributes ->> 'email'", case_insensitive: false },
    Searchable { name: "phone_number", sql: "attributes ->> 'phone_number'", case_insensitive: false },
    Searchable { name: "name", sql: "attributes ->> 'name'", case_insensitive: false },
    Searchable { name: "given_name", sql: "attributes ->> 'given_name'", case_insensitive: false },
    Searchable { name: "family_name", sql: "attributes ->> 'family_name'", case_insensitive: false },
    Searchable { name: "preferred_username", sql: "attributes ->> 'preferred_username'", case_insensitive: false },
    // The user's status (UNCONFIRMED, CONFIRMED, ...), which Cognito compares case-insensitively.
    Searchable { name: "cognito:user_status", sql: "upper(status)", case_insensitive: true },
    // Not the user's status: whether the user is enabled, as Cognito's console shows it.
    Searchable { name: "status", sql: "CASE WHEN enabled THEN 'Enabled' ELSE 'Disabled' END", case_insensitive: false },
];

/// A ListUsers filter: `name = "value"` (exact match) or `name ^= "value"` (prefix), with `\"`
/// and `\\` escaping a quote and a backslash in the value.
pub struct Filter {
    field: &'static Searchable,
    prefix: bool,
    value: String,
}

impl Filter {
    /// An empty filter is none, as in Cognito.
    pub fn parse(text: &str) -> CognitoResult<Option<Self>> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let malformed = || CognitoError::invalid_parameter(format!("Error while parsing filter: {text}"));
        let name_end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')).unwrap_or(text.len());
        let (name, rest) = text.split_at(name_end);
        let field = SEARCHABLE.iter().find(|field| field.name == name).ok_or_else(|| {
            CognitoError::invalid_parameter(format!("Filter: the attribute {name:?} cannot be searched."))
        })?;
        let rest = rest.trim_start();
        let (prefix, rest) = match rest.strip_prefix("^=") {
            Some(rest) => (true, rest),
            None => (false, rest.strip_prefix('=').ok_or_else(malformed)?),
        };
        let quoted = rest.trim_start().strip_prefix('"').ok_or_else(malformed)?;
        let (value, rest) = unquote(quoted).ok_or_else(malformed)?;
        if !rest.trim().is_empty() {
            return Err(malformed());
        }
        let value = if field.case_insensitive { value.to_uppercase() } else { value };
        Ok(Some(Self { field, prefix, value }))
    }

    fn push_condition(&self, query: &mut QueryBuilder<Postgres>) {
        match self.prefix {
            true => {
                query.push(" AND starts_with(").push(self.field.sql).push(", ").push_bind(self.value.clone()).push(")")
            }
            false => query.push(" AND ").push(self.field.sql).push(" = ").push_bind(self.value.clone()),
        };
    }
}

/// The value of a quoted string whose opening quote is already consumed, and what follows the
/// closing quote; None when it never closes.
fn unquote(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((value, &text[at + 1..])),
            '\\' => value.push(chars.next()?.1),
            c => value.push(c),
        }
    }
    None
}

/// Up to `take` users of the pool matching `filter`, in username order, starting after the username
/// `after`: the listing ListUsers pages.
pub async fn list(
    db: impl PgExecutor<'_>,
    pool_id: &str,
    filter: Option<&Filter>,
    after: Option<&str>,
    take: i64,
) -> CognitoResult<Vec<User>> {
    let mut query = QueryBuilder::new("SELECT * FROM users WHERE pool_id = ");
    query.push_bind(pool_id).push(" AND username > ").push_bind(after.unwrap_or_default());
    if let Some(filter) = filter {
        filter.push_condition(&mut query);
    }
    query.push(" ORDER BY username LIMIT ").push_bind(take);
    Ok(query.build_query_as().fetch_all(db).await?)
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
    fn filters_parse_cognitos_syntax() {
        let parsed = |text: &str| Filter::parse(text).unwrap().map(|f| (f.field.name, f.prefix, f.value));
        assert_eq!(parsed(r#"email ^= "al""#), Some(("email", true, "al".into())));
        assert_eq!(parsed(r#"  username="a b"  "#), Some(("username", false, "a b".into())));
        assert_eq!(parsed(r#"name = "say \"hi\" \\o/""#), Some(("name", false, r#"say "hi" \o/"#.into())));
        assert_eq!(
            parsed(r#"cognito:user_status = "confirmed""#),
            Some(("cognito:user_status", false, "CONFIRMED".into()))
        );
        assert_eq!(parsed("   "), None);
        for bad in [r#"email = al"#, r#"email "al""#, r#"email = "al"#, r#"email = "al" x"#, r#"email = "al\"#] {
            assert_eq!(Filter::parse(bad).err().map(|e| e.exception), Some(Exception::InvalidParameter), "{bad}");
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
