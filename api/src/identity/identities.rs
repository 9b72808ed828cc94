//! Identities: a guest's (new at every GetId without logins), or a user's, the same one every time
//! the same user of the same user pool asks the same identity pool.

use sqlx::PgExecutor;
use time::OffsetDateTime;
use uuid::Uuid;

use super::logins::Login;
use crate::cognito::error::{CognitoError, CognitoResult, Exception};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Identity {
    pub id: String,
    pub pool_id: String,
    /// The login's provider, `None` for a guest.
    pub provider: Option<String>,
    pub subject: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub last_modified_at: OffsetDateTime,
}

/// `<region>:<uuid>`, the form of identity and identity pool ids; clients read the region from it.
pub fn new_id(region: &str) -> String {
    format!("{region}:{}", Uuid::new_v4())
}

/// The user's identity in the pool, made on their first GetId.
pub async fn of_login(
    db: impl PgExecutor<'_> + Copy,
    pool_id: &str,
    region: &str,
    login: &Login,
) -> CognitoResult<Identity> {
    sqlx::query(
        "INSERT INTO identities (id, pool_id, provider, subject) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (pool_id, provider, subject) DO NOTHING",
    )
    .bind(new_id(region))
    .bind(pool_id)
    .bind(&login.provider)
    .bind(login.sub)
    .execute(db)
    .await?;
    Ok(sqlx::query_as("SELECT * FROM identities WHERE pool_id = $1 AND provider = $2 AND subject = $3")
        .bind(pool_id)
        .bind(&login.provider)
        .bind(login.sub)
        .fetch_one(db)
        .await?)
}

pub async fn new_guest(db: impl PgExecutor<'_>, pool_id: &str, region: &str) -> CognitoResult<Identity> {
    Ok(sqlx::query_as("INSERT INTO identities (id, pool_id) VALUES ($1, $2) RETURNING *")
        .bind(new_id(region))
        .bind(pool_id)
        .fetch_one(db)
        .await?)
}

/// The identity, or AWS's ResourceNotFoundException.
pub async fn load(db: impl PgExecutor<'_>, id: &str) -> CognitoResult<Identity> {
    sqlx::query_as("SELECT * FROM identities WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| CognitoError::new(Exception::ResourceNotFound, format!("Identity '{id}' not found.")))
}

/// A pool's identities ordered by id, after `after`.
pub async fn list(
    db: impl PgExecutor<'_>,
    pool_id: &str,
    after: Option<&str>,
    take: i64,
) -> CognitoResult<Vec<Identity>> {
    Ok(sqlx::query_as("SELECT * FROM identities WHERE pool_id = $1 AND id > coalesce($2, '') ORDER BY id LIMIT $3")
        .bind(pool_id)
        .bind(after)
        .bind(take)
        .fetch_all(db)
        .await?)
}
