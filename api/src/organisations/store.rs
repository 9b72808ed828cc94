//! The organisations SQL. Every function runs in the request's transaction, so the row-level
//! security policies (migration 0012) decide what each one may see and change, by the caller's
//! role; the audit trail is written by the tables' triggers.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Role,
    model::{AuditEntry, Invitation, Member, Organisation, ReceivedInvitation, STATE_SQL},
};

const ORGANISATION: &str = "SELECT t.id, t.name, m.role, t.personal_of IS NOT NULL AS personal, t.created_at \
     FROM tenants t LEFT JOIN tenant_members m ON m.tenant_id = t.id AND m.user_id = $1";

/// The caller's organisations, oldest membership first (the order the api picks a default from).
pub async fn list(db: &mut PgConnection, caller: Uuid) -> sqlx::Result<Vec<Organisation>> {
    let query = format!("{ORGANISATION} WHERE m.user_id IS NOT NULL ORDER BY m.created_at, t.id");
    sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(caller).fetch_all(db).await
}

/// The organisation, with the caller's role in it if any; `None` if the caller cannot see it.
pub async fn get(db: &mut PgConnection, caller: Uuid, tenant: Uuid) -> sqlx::Result<Option<Organisation>> {
    let query = format!("{ORGANISATION} WHERE t.id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(caller).bind(tenant).fetch_optional(db).await
}

pub async fn create(db: &mut PgConnection, tenant: Uuid, name: &str) -> sqlx::Result<()> {
    sqlx::query("SELECT create_organisation($1, $2)").bind(tenant).bind(name).execute(db).await?;
    Ok(())
}

pub async fn rename(db: &mut PgConnection, tenant: Uuid, name: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE tenants SET name = $2 WHERE id = $1").bind(tenant).bind(name).execute(db).await?;
    Ok(())
}

/// Deletes the organisation with its members, invitations and accounts; answers whether it did.
pub async fn delete(db: &mut PgConnection, tenant: Uuid) -> sqlx::Result<bool> {
    let deleted = sqlx::query("DELETE FROM tenants WHERE id = $1").bind(tenant).execute(db).await?;
    Ok(deleted.rows_affected() == 1)
}

/// Serialises changes to one organisation's members until the transaction ends (the database's
/// owner check takes the same lock), so checks made before a change still hold when it is made.
pub async fn lock_members(db: &mut PgConnection, tenant: Uuid) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 1))").bind(tenant).execute(db).await?;
    Ok(())
}

const MEMBER: &str = "SELECT m.user_id, u.attributes ->> 'email' AS email, m.role, m.created_at AS joined_at \
     FROM tenant_members m LEFT JOIN users u ON u.sub = m.user_id";

pub async fn members(db: &mut PgConnection, tenant: Uuid) -> sqlx::Result<Vec<Member>> {
    let query = format!("{MEMBER} WHERE m.tenant_id = $1 ORDER BY m.created_at, m.user_id");
    sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(tenant).fetch_all(db).await
}

pub async fn member(db: &mut PgConnection, tenant: Uuid, user: Uuid) -> sqlx::Result<Option<Member>> {
    let query = format!("{MEMBER} WHERE m.tenant_id = $1 AND m.user_id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(tenant).bind(user).fetch_optional(db).await
}

pub async fn owners(db: &mut PgConnection, tenant: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM tenant_members WHERE tenant_id = $1 AND role = 'owner'")
        .bind(tenant)
        .fetch_one(db)
        .await
}

/// Whether someone whose email address is `email` (any case) is a member.
pub async fn has_member_with_email(db: &mut PgConnection, tenant: Uuid, email: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM tenant_members m JOIN users u ON u.sub = m.user_id \
         WHERE m.tenant_id = $1 AND lower(u.attributes ->> 'email') = $2)",
    )
    .bind(tenant)
    .bind(email)
    .fetch_one(db)
    .await
}

/// Adds the member; the policies refuse a row the caller may not add with an error.
pub async fn add_member(db: &mut PgConnection, tenant: Uuid, user: Uuid, role: Role) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO tenant_members (tenant_id, user_id, role) VALUES ($1, $2, $3)")
        .bind(tenant)
        .bind(user)
        .bind(role)
        .execute(db)
        .await?;
    Ok(())
}

/// Answers whether there was such a member for the policies to let the caller change.
pub async fn set_role(db: &mut PgConnection, tenant: Uuid, user: Uuid, role: Role) -> sqlx::Result<bool> {
    let changed = sqlx::query("UPDATE tenant_members SET role = $3 WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant)
        .bind(user)
        .bind(role)
        .execute(db)
        .await?;
    Ok(changed.rows_affected() == 1)
}

pub async fn remove_member(db: &mut PgConnection, tenant: Uuid, user: Uuid) -> sqlx::Result<bool> {
    let removed = sqlx::query("DELETE FROM tenant_members WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant)
        .bind(user)
        .execute(db)
        .await?;
    Ok(removed.rows_affected() == 1)
}

/// The caller's email address, if they have one and it is verified.
pub async fn verified_email(db: &mut PgConnection, user: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT lower(attributes ->> 'email') FROM users WHERE sub = $1 AND attributes ->> 'email_verified' = 'true'",
    )
    .bind(user)
    .fetch_optional(db)
    .await
    .map(Option::flatten)
}

pub async fn email_of(db: &mut PgConnection, user: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT attributes ->> 'email' FROM users WHERE sub = $1")
        .bind(user)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}

fn invitation_query(rest: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!(
        "SELECT id, tenant_id, email, role, {STATE_SQL} AS state, invited_by, created_at, expires_at \
         FROM invitations {rest}"
    ))
}

pub async fn invitations(db: &mut PgConnection, tenant: Uuid) -> sqlx::Result<Vec<Invitation>> {
    sqlx::query_as(invitation_query("WHERE tenant_id = $1 ORDER BY created_at DESC, id"))
        .bind(tenant)
        .fetch_all(db)
        .await
}

pub async fn invitation(db: &mut PgConnection, tenant: Uuid, id: Uuid) -> sqlx::Result<Option<Invitation>> {
    sqlx::query_as(invitation_query("WHERE tenant_id = $1 AND id = $2")).bind(tenant).bind(id).fetch_optional(db).await
}

/// The invitation to `email` that can still be accepted, if any.
pub async fn pending_invitation(db: &mut PgConnection, tenant: Uuid, email: &str) -> sqlx::Result<Option<Invitation>> {
    let rest = format!("WHERE tenant_id = $1 AND email = $2 AND ({STATE_SQL}) = 'pending'");
    sqlx::query_as(invitation_query(&rest)).bind(tenant).bind(email).fetch_optional(db).await
}

pub struct NewInvitation<'a> {
    pub tenant: Uuid,
    pub id: Uuid,
    pub email: &'a str,
    pub role: Role,
    pub token_hash: &'a [u8],
    pub invited_by: Uuid,
    pub expires_at: OffsetDateTime,
}

pub async fn insert_invitation(db: &mut PgConnection, new: &NewInvitation<'_>) -> sqlx::Result<Invitation> {
    let query = format!(
        "INSERT INTO invitations (tenant_id, id, email, role, token_hash, invited_by, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         RETURNING id, tenant_id, email, role, {STATE_SQL} AS state, invited_by, created_at, expires_at"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(new.tenant)
        .bind(new.id)
        .bind(new.email)
        .bind(new.role)
        .bind(new.token_hash)
        .bind(new.invited_by)
        .bind(new.expires_at)
        .fetch_one(db)
        .await
}

/// Marks the invitation revoked by `caller`; answers whether it was there to revoke.
pub async fn revoke_invitation(db: &mut PgConnection, tenant: Uuid, id: Uuid, caller: Uuid) -> sqlx::Result<bool> {
    let revoked =
        sqlx::query("UPDATE invitations SET revoked_at = now(), revoked_by = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .bind(caller)
            .execute(db)
            .await?;
    Ok(revoked.rows_affected() == 1)
}

/// Shows the policies the token the caller holds, for the rest of the transaction: they then let
/// the caller see that invitation and accept it.
pub async fn present_token(db: &mut PgConnection, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("SELECT set_config('app.invitation', $1, true)").bind(hex::encode(token_hash)).execute(db).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
pub struct Presented {
    pub id: Uuid,
    #[sqlx(flatten)]
    pub received: ReceivedInvitation,
}

/// The invitation whose token was presented.
pub async fn presented(db: &mut PgConnection, tenant: Uuid, token_hash: &[u8]) -> sqlx::Result<Option<Presented>> {
    let query = format!(
        "SELECT i.id, i.tenant_id, t.name AS organisation, i.email, i.role, {STATE_SQL} AS state, i.expires_at \
         FROM invitations i JOIN tenants t ON t.id = i.tenant_id \
         WHERE i.tenant_id = $1 AND i.token_hash = $2"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(tenant).bind(token_hash).fetch_optional(db).await
}

pub async fn mark_accepted(db: &mut PgConnection, tenant: Uuid, id: Uuid, caller: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE invitations SET accepted_at = now(), accepted_by = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .bind(caller)
        .execute(db)
        .await?;
    Ok(())
}

/// Up to `limit` entries, newest first, below `before` if given.
pub async fn audit(
    db: &mut PgConnection,
    tenant: Uuid,
    before: Option<i64>,
    limit: u32,
) -> sqlx::Result<Vec<AuditEntry>> {
    sqlx::query_as(
        "SELECT a.seq, a.at, a.actor, actor.attributes ->> 'email' AS actor_email, a.action, a.subject, \
         subject.attributes ->> 'email' AS subject_email, a.details, a.request_id \
         FROM tenant_audit a LEFT JOIN users actor ON actor.sub = a.actor LEFT JOIN users subject ON subject.sub = a.subject \
         WHERE a.tenant_id = $1 AND ($2::bigint IS NULL OR a.seq < $2) ORDER BY a.seq DESC LIMIT $3",
    )
    .bind(tenant)
    .bind(before)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await
}
