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
    pub role_arn: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// What CreateGroup makes a group of, and what UpdateGroup changes (what it leaves out stays as it was).
pub struct NewGroup<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub precedence: Option<i32>,
    pub role_arn: Option<&'a str>,
}

impl NewGroup<'_> {
    fn validate(&self) -> CognitoResult<()> {
        users::validate_name("groupName", self.name)?;
        if self.precedence.is_some_and(|precedence| precedence < 0) {
            return Err(CognitoError::invalid_parameter("Precedence must be 0 or more."));
        }
        if self.description.is_some_and(|description| description.chars().count() > 2048) {
            return Err(CognitoError::invalid_parameter("Description must not be longer than 2048 characters."));
        }
        if self.role_arn.is_some_and(|arn| !is_role_arn(arn)) {
            return Err(CognitoError::invalid_parameter(
                "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must be an \
                 IAM role ARN (arn:<partition>:iam::<account>:role/<name>)",
            ));
        }
        Ok(())
    }
}

/// Cognito's pattern for a RoleArn: `arn:<partition>:<service>:<region>:<account>:<resource>`.
pub fn is_role_arn(arn: &str) -> bool {
    let word = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || "_+=/,.@-".contains(c));
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    (20..=2048).contains(&arn.len())
        && matches!(parts.as_slice(), ["arn", partition, service, region, account, resource]
            if word(partition) && word(service) && (region.is_empty() || word(region))
                && !account.is_empty() && account.bytes().all(|b| b.is_ascii_digit())
                && resource.split(':').all(word))
}

/// Creates a group; a taken name answers GroupExistsException.
pub async fn create(db: impl PgExecutor<'_>, pool_id: &str, new: &NewGroup<'_>) -> CognitoResult<Group> {
    new.validate()?;
    let inserted = sqlx::query_as(
        "INSERT INTO user_groups (pool_id, name, description, precedence, role_arn) VALUES ($1, $2, $3, $4, $5) \
         RETURNING *",
    )
    .bind(pool_id)
    .bind(new.name)
    .bind(new.description)
    .bind(new.precedence)
    .bind(new.role_arn)
    .fetch_one(db)
    .await;
    inserted.map_err(|error| match error.as_database_error().and_then(|e| e.constraint()) {
        Some("user_groups_pkey") => {
            CognitoError::new(Exception::GroupExists, format!("A group with the name {} already exists.", new.name))
        }
        _ => error.into(),
    })
}

/// UpdateGroup: the description, precedence and role given replace the group's; those left out stay.
pub async fn update(db: impl PgExecutor<'_>, pool_id: &str, change: &NewGroup<'_>) -> CognitoResult<Group> {
    change.validate()?;
    sqlx::query_as(
        "UPDATE user_groups SET description = coalesce($3, description), precedence = coalesce($4, precedence), \
         role_arn = coalesce($5, role_arn) WHERE pool_id = $1 AND name = $2 RETURNING *",
    )
    .bind(pool_id)
    .bind(change.name)
    .bind(change.description)
    .bind(change.precedence)
    .bind(change.role_arn)
    .fetch_optional(db)
    .await?
    .ok_or_else(group_not_found)
}

/// Deletes the group; its members stay in the pool, and its name leaves their next tokens.
pub async fn delete(db: impl PgExecutor<'_>, pool_id: &str, name: &str) -> CognitoResult<()> {
    let deleted = sqlx::query("DELETE FROM user_groups WHERE pool_id = $1 AND name = $2")
        .bind(pool_id)
        .bind(name)
        .execute(db)
        .await?;
    match deleted.rows_affected() {
        0 => Err(group_not_found()),
        _ => Ok(()),
    }
}

fn group_not_found() -> CognitoError {
    CognitoError::new(Exception::ResourceNotFound, "Group not found.")
}

pub async fn load(db: impl PgExecutor<'_>, pool_id: &str, name: &str) -> CognitoResult<Group> {
    sqlx::query_as("SELECT * FROM user_groups WHERE pool_id = $1 AND name = $2")
        .bind(pool_id)
        .bind(name)
        .fetch_optional(db)
        .await?
        .ok_or_else(group_not_found)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_have_iams_shape() {
        assert!(is_role_arn("arn:aws:iam::123456789012:role/ledgerline-admins"));
        assert!(is_role_arn("arn:aws:iam::123456789012:role/path/to/Role_1"));
        for bad in
            ["role/admins", "arn:aws:iam::acct:role/x", "arn:aws:iam::123456789012:", "arn::iam::123456789012:role/x"]
        {
            assert!(!is_role_arn(bad), "{bad}");
        }
    }
}
