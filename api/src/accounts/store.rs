//! The accounts SQL. Every function runs in the request's transaction (or, for [`children`], is that
//! transaction), so row-level security limits each one to the caller's tenants; nothing here checks
//! tenancy itself.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::Identity;

use super::{
    cursor::Cursor,
    model::{Account, AccountChanges, NewAccount},
};

const COLUMNS: &str = "id, tenant_id, parent_id, name, number, currency, balance_minor, status, allow_overdraft, child_count, \
     child_count > 0 AS has_children, rollup AS rolled_up_balance, created_at, updated_at, version";

fn select(rest: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM accounts {rest}"))
}

pub async fn get(db: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Account>> {
    sqlx::query_as(select("WHERE id = $1")).bind(id).fetch_optional(db).await
}

/// Up to `limit` roots of `tenant` after `after`, in name order, optionally those whose name
/// contains `search`.
pub async fn roots(
    db: &mut PgConnection,
    tenant: Uuid,
    search: Option<&str>,
    after: Option<&Cursor>,
    limit: u32,
) -> sqlx::Result<Vec<Account>> {
    sqlx::query_as(select(
        "WHERE tenant_id = $1 AND parent_id IS NULL \
         AND ($2::text IS NULL OR name ILIKE '%' || $2 || '%' ESCAPE '\\') \
         AND ($3::text IS NULL OR (name, id) > ($3, $4)) \
         ORDER BY name, id LIMIT $5",
    ))
    .bind(tenant)
    .bind(search.map(escape_like))
    .bind(after.map(|c| &c.name))
    .bind(after.map(|c| c.id))
    .bind(i64::from(limit))
    .fetch_all(db)
    .await
}

/// Up to `limit` children of `parent` after `after`, in name order, read as `identity` in one statement
/// that opens the request too (`request_children`, which raises [`sqlstate`](crate::db::sqlstate)s).
pub async fn children(
    db: &mut PgConnection,
    identity: Identity,
    parent: Uuid,
    after: Option<&Cursor>,
    limit: u32,
) -> sqlx::Result<Vec<Account>> {
    let query = format!("SELECT {COLUMNS} FROM request_children($1, $2, $3, $4, $5, $6, $7) ORDER BY name, id");
    sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(identity.user_id)
        .bind(identity.reads_all_tenants)
        .bind(identity.sign_in)
        .bind(parent)
        .bind(after.map(|c| &c.name))
        .bind(after.map(|c| c.id))
        .bind(i64::from(limit))
        .fetch_all(db)
        .await
}

#[derive(sqlx::FromRow)]
pub struct SubtreeRow {
    #[sqlx(flatten)]
    pub account: Account,
    pub depth: i32,
}

/// The account and up to `depth` levels below it, level by level in name order, at most `limit` rows.
pub async fn subtree(db: &mut PgConnection, root: Uuid, depth: u32, limit: u32) -> sqlx::Result<Vec<SubtreeRow>> {
    let query = format!(
        "WITH RECURSIVE tree AS ( \
             SELECT id, 0 AS depth FROM accounts WHERE id = $1 \
             UNION ALL \
             SELECT a.id, tree.depth + 1 FROM accounts a JOIN tree ON a.parent_id = tree.id WHERE tree.depth < $2 \
         ) \
         SELECT {COLUMNS}, tree.depth FROM tree JOIN accounts USING (id) ORDER BY tree.depth, name, id LIMIT $3"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(root)
        .bind(i32::try_from(depth).unwrap_or(i32::MAX))
        .bind(i64::from(limit))
        .fetch_all(db)
        .await
}

/// Serialises the writers of one tenant's tree until the transaction ends: moves cannot race
/// into a cycle, and the triggers that keep ancestors' totals never deadlock.
pub async fn lock_tree(db: &mut PgConnection, tenant: Uuid) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))").bind(tenant).execute(db).await?;
    Ok(())
}

pub async fn insert(db: &mut PgConnection, id: Uuid, tenant: Uuid, new: &NewAccount) -> sqlx::Result<Account> {
    let query = format!(
        "INSERT INTO accounts (id, tenant_id, parent_id, name, number, currency, balance_minor, status, allow_overdraft) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(id)
        .bind(tenant)
        .bind(new.parent_id)
        .bind(&new.name)
        .bind(&new.number)
        .bind(&new.currency)
        .bind(new.balance_minor)
        .bind(new.status)
        .bind(new.allow_overdraft)
        .fetch_one(db)
        .await
}

/// Applies `changes` if the account is at one of `versions` (any version when `None`).
pub async fn update(
    db: &mut PgConnection,
    id: Uuid,
    changes: &AccountChanges,
    versions: Option<&[i64]>,
) -> sqlx::Result<Option<Account>> {
    let query = format!(
        "UPDATE accounts SET name = coalesce($2, name), number = coalesce($3, number), status = coalesce($4, status), \
         allow_overdraft = coalesce($6, allow_overdraft) \
         WHERE id = $1 AND ($5::bigint[] IS NULL OR version = ANY($5)) RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(id)
        .bind(&changes.name)
        .bind(&changes.number)
        .bind(changes.status)
        .bind(versions)
        .bind(changes.allow_overdraft)
        .fetch_optional(db)
        .await
}

pub async fn set_parent(
    db: &mut PgConnection,
    id: Uuid,
    parent: Option<Uuid>,
    versions: Option<&[i64]>,
) -> sqlx::Result<Option<Account>> {
    let query = format!(
        "UPDATE accounts SET parent_id = $2 WHERE id = $1 AND ($3::bigint[] IS NULL OR version = ANY($3)) \
         RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(id).bind(parent).bind(versions).fetch_optional(db).await
}

/// Whether `candidate` is `root` or lies below it (walking up from `candidate`: a path to the root
/// is short, a subtree may be huge).
pub async fn is_within(db: &mut PgConnection, root: Uuid, candidate: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "WITH RECURSIVE up AS ( \
             SELECT id, parent_id FROM accounts WHERE id = $2 \
             UNION ALL \
             SELECT a.id, a.parent_id FROM accounts a JOIN up ON a.id = up.parent_id \
         ) SELECT EXISTS (SELECT 1 FROM up WHERE id = $1)",
    )
    .bind(root)
    .bind(candidate)
    .fetch_one(db)
    .await
}

/// How many accounts lie below `root`.
pub async fn descendants(db: &mut PgConnection, root: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "WITH RECURSIVE below AS ( \
             SELECT id FROM accounts WHERE parent_id = $1 \
             UNION ALL \
             SELECT a.id FROM accounts a JOIN below ON a.parent_id = below.id \
         ) SELECT count(*) FROM below",
    )
    .bind(root)
    .fetch_one(db)
    .await
}

/// Deletes `root` and everything below it, in one statement; answers how many accounts went.
pub async fn delete_subtree(db: &mut PgConnection, root: Uuid, versions: Option<&[i64]>) -> sqlx::Result<u64> {
    let result = sqlx::query(
        "WITH RECURSIVE doomed AS ( \
             SELECT id FROM accounts WHERE id = $1 AND ($2::bigint[] IS NULL OR version = ANY($2)) \
             UNION ALL \
             SELECT a.id FROM accounts a JOIN doomed ON a.parent_id = doomed.id \
         ) DELETE FROM accounts WHERE id IN (SELECT id FROM doomed)",
    )
    .bind(root)
    .bind(versions)
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// `%`, `_` and `\` in a search are literal characters, not patterns.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_in_searches_are_literal() {
        assert_eq!(super::escape_like(r"50%_off\"), r"50\%\_off\\");
    }
}
