//! IAM roles and their inline policies, in Postgres; the policies of a role, parsed, as the
//! authorizer needs them on every request, cached for at most [`CACHE_TTL`].

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use sqlx::{PgExecutor, PgPool};
use time::OffsetDateTime;

use super::{error::IamError, policy::Policy};
use crate::cognito::pools::random_string;

/// How long a change of a role's policies may take to reach every instance.
pub const CACHE_TTL: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Role {
    pub name: String,
    pub role_id: String,
    pub path: String,
    pub assume_role_policy_document: String,
    pub description: Option<String>,
    pub max_session_duration: i32,
    pub created_at: OffsetDateTime,
}

impl Role {
    pub fn arn(&self, account: &str) -> String {
        format!("arn:aws:iam::{account}:role{}{}", self.path, self.name)
    }
}

pub struct NewRole<'a> {
    pub name: &'a str,
    pub path: &'a str,
    pub assume_role_policy_document: &'a str,
    pub description: Option<&'a str>,
    pub max_session_duration: Option<i32>,
}

pub async fn create(db: impl PgExecutor<'_>, new: &NewRole<'_>) -> Result<Role, IamError> {
    validate_name("roleName", new.name, 64)?;
    if !(new.path.starts_with('/') && new.path.ends_with('/') && new.path.len() <= 512) {
        return Err(IamError::validation(format!(
            "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters: {}",
            new.path
        )));
    }
    serde_json::from_str::<serde_json::Value>(new.assume_role_policy_document)
        .map_err(|_| IamError::malformed("Syntax errors in policy."))?;
    let duration = new.max_session_duration.unwrap_or(3600);
    if !(3600..=43_200).contains(&duration) {
        return Err(IamError::validation(format!(
            "1 validation error detected: Value '{duration}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200"
        )));
    }
    let role_id = format!("AROA{}", random_string(17, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
    sqlx::query_as(
        "INSERT INTO iam_roles (name, role_id, path, assume_role_policy_document, description, max_session_duration) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING *",
    )
    .bind(new.name)
    .bind(role_id)
    .bind(new.path)
    .bind(new.assume_role_policy_document)
    .bind(new.description)
    .bind(duration)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| IamError::already_exists(format!("Role with name {} already exists.", new.name)))
}

pub async fn load(db: impl PgExecutor<'_>, name: &str) -> Result<Role, IamError> {
    sqlx::query_as("SELECT * FROM iam_roles WHERE name = $1")
        .bind(name)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| no_role(name))
}

/// Roles by name after `after`, with a path under `prefix`.
pub async fn list(
    db: impl PgExecutor<'_>,
    prefix: &str,
    after: Option<&str>,
    take: i64,
) -> Result<Vec<Role>, IamError> {
    Ok(sqlx::query_as(
        "SELECT * FROM iam_roles WHERE starts_with(path, $1) AND name > coalesce($2, '') ORDER BY name LIMIT $3",
    )
    .bind(prefix)
    .bind(after)
    .bind(take)
    .fetch_all(db)
    .await?)
}

/// As IAM: a role with inline policies is not deleted.
pub async fn delete(db: &PgPool, name: &str) -> Result<(), IamError> {
    load(db, name).await?;
    let policies: i64 = sqlx::query_scalar("SELECT count(*) FROM iam_role_policies WHERE role_name = $1")
        .bind(name)
        .fetch_one(db)
        .await?;
    if policies > 0 {
        return Err(IamError::delete_conflict("Cannot delete entity, must delete policies first."));
    }
    sqlx::query("DELETE FROM iam_roles WHERE name = $1").bind(name).execute(db).await?;
    Ok(())
}

pub async fn put_policy(db: &PgPool, role: &str, policy: &str, document: &str) -> Result<(), IamError> {
    validate_name("policyName", policy, 128)?;
    Policy::parse(document).map_err(|error| IamError::malformed(error.0))?;
    load(db, role).await?;
    sqlx::query(
        "INSERT INTO iam_role_policies (role_name, policy_name, document) VALUES ($1, $2, $3) \
         ON CONFLICT (role_name, policy_name) DO UPDATE SET document = excluded.document",
    )
    .bind(role)
    .bind(policy)
    .bind(document)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get_policy(db: &PgPool, role: &str, policy: &str) -> Result<String, IamError> {
    load(db, role).await?;
    sqlx::query_scalar("SELECT document FROM iam_role_policies WHERE role_name = $1 AND policy_name = $2")
        .bind(role)
        .bind(policy)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| IamError::no_such_entity(format!("The role policy with name {policy} cannot be found.")))
}

pub async fn delete_policy(db: &PgPool, role: &str, policy: &str) -> Result<(), IamError> {
    load(db, role).await?;
    let deleted = sqlx::query("DELETE FROM iam_role_policies WHERE role_name = $1 AND policy_name = $2")
        .bind(role)
        .bind(policy)
        .execute(db)
        .await?;
    match deleted.rows_affected() {
        0 => Err(IamError::no_such_entity(format!("The role policy with name {policy} cannot be found."))),
        _ => Ok(()),
    }
}

pub async fn policy_names(db: &PgPool, role: &str, after: Option<&str>, take: i64) -> Result<Vec<String>, IamError> {
    load(db, role).await?;
    Ok(sqlx::query_scalar(
        "SELECT policy_name FROM iam_role_policies WHERE role_name = $1 AND policy_name > coalesce($2, '') \
         ORDER BY policy_name LIMIT $3",
    )
    .bind(role)
    .bind(after)
    .bind(take)
    .fetch_all(db)
    .await?)
}

/// A role's inline policies, parsed, by role name: read at most [`CACHE_TTL`] ago. A role that does
/// not exist has none (everything is implicitly denied).
#[derive(Default)]
pub struct PolicyCache(RwLock<HashMap<String, CachedPolicies>>);

/// When a role's policies were read, and what they were.
type CachedPolicies = (Instant, Arc<[Policy]>);

impl PolicyCache {
    pub async fn policies(&self, db: &PgPool, role: &str) -> Result<Arc<[Policy]>, sqlx::Error> {
        if let Some((read, policies)) = self.0.read().ok().and_then(|cache| cache.get(role).cloned())
            && read.elapsed() < CACHE_TTL
        {
            return Ok(policies);
        }
        let documents: Vec<String> = sqlx::query_scalar("SELECT document FROM iam_role_policies WHERE role_name = $1")
            .bind(role)
            .fetch_all(db)
            .await?;
        // Stored documents were parsed when put; one that no longer parses allows nothing.
        let policies: Arc<[Policy]> = documents.iter().filter_map(|d| Policy::parse(d).ok()).collect();
        if let Ok(mut cache) = self.0.write() {
            cache.insert(role.to_owned(), (Instant::now(), policies.clone()));
        }
        Ok(policies)
    }

    /// After a change of the role's policies on this instance; other instances see it within
    /// [`CACHE_TTL`].
    pub fn forget(&self, role: &str) {
        if let Ok(mut cache) = self.0.write() {
            cache.remove(role);
        }
    }
}

fn validate_name(member: &str, name: &str, max: usize) -> Result<(), IamError> {
    let valid =
        (1..=max).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if valid {
        return Ok(());
    }
    Err(IamError::validation(format!(
        "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
    )))
}

fn no_role(name: &str) -> IamError {
    IamError::no_such_entity(format!("The role with name {name} cannot be found."))
}
