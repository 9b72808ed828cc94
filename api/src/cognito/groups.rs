//! Groups of a pool and their members (Cognito's CreateGroup, ListGroups, AdminAddUserToGroup, ...).
//! Group names end up in tokens' `cognito:groups`.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use super::{
    error::{CognitoError, CognitoResult, Exception},
    users::{self, User},
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Group {
    pub pool_id: String,
    pub name: String,
    pub description: Option<String>,
    pub precedence: Option<i32>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// What CreateGroup makes a group of.
pub struct NewGroup<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub precedence: Option<i32>,
}

/// Creates a group; a taken name answers GroupExistsException.
pub async fn create(db: impl PgExecutor<'_>, pool_id: &str, new: &NewGroup<'_>) -> CognitoResult<Group> {
    users::validate_name("groupName", new.name)?;
    if new.precedence.is_some_and(|precedence| precedence < 0) {
        return Err(CognitoError::invalid_parameter("Precedence must be 0 or more."));
    }
    if new.description.is_some_and(|description| description.chars().count() > 2048) {
        return Err(CognitoError::invalid_parameter("Description must not be longer than 2048 characters."));
    }
    let inserted = sqlx::query_as(
        "INSERT INTO user_groups (pool_id, name, description, precedence) VALUES ($1, $2, $3, $4) RETURNING *",
    )
    .bind(pool_id)
    .bind(new.name)
    .bind(new.description)
    .bind(new.precedence)
    .fetch_one(db)
    .await;
    inserted.map_err(|error| match error.as_database_error().and_then(|e| e.constraint()) {
        Some("user_groups_pkey") => {
            CognitoError::new(Exception::GroupExists, format!("A group with the name {} already exists.", new.name))
        }
        _ => error.into(),
    })
}

pub async fn load(db: impl PgExecutor<'_>, pool_id: &str, name: &str) -> CognitoResult<Group> {
    sqlx::query_as("SELECT * FROM user_groups WHERE pool_id = $1 AND name = $2")
        .bind(pool_id)
        .bind(name)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| CognitoError::new(Exception::ResourceNotFound, "Group not found."))
}

/// Up to `take` groups of the pool in name order, starting after the name `after`.
pub async fn list(db: impl PgExecutor<'_>, pool_id: &str, after: Option<&str>, take: i64) -> CognitoResult<Vec<Group>> {
    let groups = sqlx::query_as(
        "SELECT * FROM user_groups WHERE pool_id = $1 AND name > coalesce($2, '') ORDER BY name LIMIT $3",
    )
    .bind(pool_id)
    .bind(after)
    .bind(take)
    .fetch_all(db)
    .await?;
    Ok(groups)
}

/// Up to `take` groups the user is in, in name order, starting after the name `after`.
pub async fn of_user(
    db: impl PgExecutor<'_>,
    user: &User,
    after: Option<&str>,
    take: i64,
) -> CognitoResult<Vec<Group>> {
    let groups = sqlx::query_as(
        "SELECT g.* FROM user_groups g JOIN user_group_members m ON m.pool_id = g.pool_id AND m.group_name = g.name \
         WHERE m.pool_id = $1 AND m.username = $2 AND g.name > coalesce($3, '') ORDER BY g.name LIMIT $4",
    )
    .bind(&user.pool_id)
    .bind(&user.username)
    .bind(after)
    .bind(take)
    .fetch_all(db)
    .await?;
    Ok(groups)
}

/// Up to `take` members of the group in username order, starting after the username `after`.
pub async fn members(
    db: impl PgExecutor<'_>,
    group: &Group,
    after: Option<&str>,
    take: i64,
) -> CognitoResult<Vec<User>> {
    let members = sqlx::query_as(
        "SELECT u.* FROM users u JOIN user_group_members m ON m.pool_id = u.pool_id AND m.username = u.username \
         WHERE m.pool_id = $1 AND m.group_name = $2 AND u.username > coalesce($3, '') ORDER BY u.username LIMIT $4",
    )
    .bind(&group.pool_id)
    .bind(&group.name)
    .bind(after)
    .bind(take)
    .fetch_all(db)
    .await?;
    Ok(members)
}

/// Adds the user to the group; adding a member again changes nothing, as in Cognito.
pub async fn add_member(db: impl PgExecutor<'_>, user: &User, group: &Group) -> CognitoResult<()> {
    sqlx::query(
        "INSERT INTO user_group_members (pool_id, group_name, username) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(&group.pool_id)
    .bind(&group.name)
    .bind(&user.username)
    .execute(db)
    .await?;
    Ok(())
}

/// Removes the user from the group, if they were in it.
pub async fn remove_member(db: impl PgExecutor<'_>, user: &User, group: &Group) -> CognitoResult<()> {
    sqlx::query("DELETE FROM user_group_members WHERE pool_id = $1 AND group_name = $2 AND username = $3")
        .bind(&group.pool_id)
        .bind(&group.name)
        .bind(&user.username)
        .execute(db)
        .await?;
    Ok(())
}
