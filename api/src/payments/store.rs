//! The payments SQL. Every function runs in the request's transaction, so row-level security limits
//! it to the caller's tenants and roles; the triggers of migration 0015 decide approval and guard
//! each change of status.

use sqlx::{PgConnection, Postgres, QueryBuilder};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    filter::{self, PaymentFilter},
    model::{ApprovalPolicy, Content, Destination, Invalid, Payment, PaymentStatus},
};

pub const COLUMNS: &str = "tenant_id, id, amount_minor, currency, exponent, due_date, from_account_id, to_account_id, \
     counterparty_name, counterparty_iban, message, type, status, reference, failure_reason, created_by, approved_by, \
     created_at, updated_at, version";

pub async fn get(db: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Payment>> {
    let query = format!("SELECT {COLUMNS} FROM payments WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(id).fetch_optional(db).await
}

/// A deleted payment (its row as announced, `payment_events`), if the caller could read it: the
/// condition of the `payments_read` policy (migration 0015), which no longer has a row to apply to.
pub async fn deleted(db: &mut PgConnection, row: &serde_json::Value) -> sqlx::Result<Option<Payment>> {
    let query = format!(
        "SELECT {COLUMNS} FROM jsonb_populate_record(NULL::payments, $1) \
         WHERE tenant_id = ANY ((SELECT app_tenant_ids())::uuid[]) OR (SELECT app_reads_all_tenants())"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(row).fetch_optional(db).await
}

/// Where the next page starts: after this payment in the listing's order (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    pub created_at: OffsetDateTime,
    pub id: Uuid,
}

/// Up to `limit` payments of `tenants` (every tenant the caller can read when `None`) matching
/// `filter`, newest first, after `after`.
pub async fn list(
    db: &mut PgConnection,
    tenants: Option<&[Uuid]>,
    filter: Option<&PaymentFilter>,
    after: Option<After>,
    limit: i64,
) -> Result<sqlx::Result<Vec<Payment>>, Invalid> {
    let mut sql = QueryBuilder::<Postgres>::new(format!("SELECT {COLUMNS} FROM payments WHERE true"));
    match tenants {
        // Equality, not `ANY`, for one tenant: only then do the indexes give rows in the page's order.
        Some([tenant]) => {
            sql.push(" AND tenant_id = ").push_bind(*tenant);
        }
        Some(tenants) => {
            sql.push(" AND tenant_id = ANY(").push_bind(tenants.to_vec()).push(")");
        }
        None => {}
    }
    if let Some(after) = after {
        sql.push(" AND (created_at, id) < (").push_bind(after.created_at).push(", ").push_bind(after.id).push(")");
    }
    if let Some(filter) = filter {
        sql.push(" AND ");
        filter::push(&mut sql, filter)?;
    }
    sql.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(limit);
    Ok(sql.build_query_as().fetch_all(db).await)
}

/// The id, tenant and currency of each of `ids` the caller can see (one round trip for a payment's two).
pub async fn accounts(db: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<(Uuid, Uuid, String)>> {
    sqlx::query_as("SELECT id, tenant_id, currency FROM accounts WHERE id = ANY($1)").bind(ids).fetch_all(db).await
}

pub async fn approval_policies(db: &mut PgConnection, tenant: Uuid) -> sqlx::Result<Vec<ApprovalPolicy>> {
    sqlx::query_as(
        "SELECT tenant_id, currency, threshold_minor, updated_by, updated_at FROM payment_approval_policies \
         WHERE tenant_id = $1 ORDER BY currency",
    )
    .bind(tenant)
    .fetch_all(db)
    .await
}

pub async fn set_approval_threshold(
    db: &mut PgConnection,
    tenant: Uuid,
    currency: &str,
    threshold_minor: i64,
    by: Uuid,
) -> sqlx::Result<ApprovalPolicy> {
    sqlx::query_as(
        "INSERT INTO payment_approval_policies (tenant_id, currency, threshold_minor, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (tenant_id, currency) DO UPDATE SET threshold_minor = excluded.threshold_minor, \
         updated_by = excluded.updated_by, updated_at = now() \
         RETURNING tenant_id, currency, threshold_minor, updated_by, updated_at",
    )
    .bind(tenant)
    .bind(currency)
    .bind(threshold_minor)
    .bind(by)
    .fetch_one(db)
    .await
}

/// The first use of an idempotency key.
#[derive(sqlx::FromRow)]
pub struct KeyUse {
    pub request_hash: Vec<u8>,
    pub payment_id: Uuid,
}

/// The payments INSERT, less its values ($1 to $14: [`bind_new`]).
const INSERT: &str = "INSERT INTO payments (tenant_id, id, amount_minor, currency, exponent, due_date, from_account_id, \
     to_account_id, counterparty_name, counterparty_iban, message, type, reference, created_by)";
const VALUES: &str = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14";

pub async fn insert(
    db: &mut PgConnection,
    tenant: Uuid,
    id: Uuid,
    content: &Content,
    created_by: Uuid,
) -> sqlx::Result<Payment> {
    let query = format!("{INSERT} VALUES ({VALUES}) RETURNING {COLUMNS}");
    bind_new(sqlx::query_as(sqlx::AssertSqlSafe(query)), tenant, id, content, created_by).fetch_one(db).await
}

/// Claims `key` for the payment `id` and makes the payment, in one statement; `None`, making nothing,
/// when the key was used before ([`key_use`] answers how). A concurrent request with the same key
/// waits here until the first one's transaction ends, then sees the key taken (or, if the first
/// failed, claims it itself).
pub async fn insert_with_key(
    db: &mut PgConnection,
    tenant: Uuid,
    id: Uuid,
    content: &Content,
    created_by: Uuid,
    key: &str,
    fingerprint: &[u8],
) -> sqlx::Result<Option<Payment>> {
    let query = format!(
        "WITH claimed AS (INSERT INTO payment_idempotency_keys (tenant_id, key, request_hash, payment_id) \
         VALUES ($1, $15, $16, $2) ON CONFLICT DO NOTHING RETURNING 1) \
         {INSERT} SELECT {VALUES} WHERE EXISTS (SELECT FROM claimed) RETURNING {COLUMNS}"
    );
    bind_new(sqlx::query_as(sqlx::AssertSqlSafe(query)), tenant, id, content, created_by)
        .bind(key)
        .bind(fingerprint)
        .fetch_optional(db)
        .await
}

/// The first use of `key`, which [`insert_with_key`] found taken.
pub async fn key_use(db: &mut PgConnection, tenant: Uuid, key: &str) -> sqlx::Result<KeyUse> {
    sqlx::query_as("SELECT request_hash, payment_id FROM payment_idempotency_keys WHERE tenant_id = $1 AND key = $2")
        .bind(tenant)
        .bind(key)
        .fetch_one(db)
        .await
}

fn bind_new<'q>(
    query: sqlx::query::QueryAs<'q, Postgres, Payment, sqlx::postgres::PgArguments>,
    tenant: Uuid,
    id: Uuid,
    content: &'q Content,
    created_by: Uuid,
) -> sqlx::query::QueryAs<'q, Postgres, Payment, sqlx::postgres::PgArguments> {
    let (to_account, counterparty) = destination(&content.destination);
    query
        .bind(tenant)
        .bind(id)
        .bind(content.amount_minor)
        .bind(&content.currency)
        .bind(content.exponent as i16)
        .bind(content.due_date)
        .bind(content.from_account)
        .bind(to_account)
        .bind(counterparty.map(|(name, _)| name))
        .bind(counterparty.map(|(_, iban)| iban))
        .bind(&content.message)
        .bind(content.kind)
        .bind(&content.reference)
        .bind(created_by)
}

fn destination(destination: &Destination) -> (Option<Uuid>, Option<(&str, &str)>) {
    match destination {
        Destination::Account(id) => (Some(*id), None),
        Destination::External { name, iban } => (None, Some((name.as_str(), iban.as_str()))),
    }
}

/// Replaces the content of the payment if it is at `version`; `None` when it is not (or not there).
pub async fn update(db: &mut PgConnection, id: Uuid, content: &Content, version: i64) -> sqlx::Result<Option<Payment>> {
    let (to_account, counterparty) = destination(&content.destination);
    let query = format!(
        "UPDATE payments SET amount_minor = $3, currency = $4, exponent = $5, due_date = $6, from_account_id = $7, \
         to_account_id = $8, counterparty_name = $9, counterparty_iban = $10, message = $11, type = $12, reference = $13 \
         WHERE id = $1 AND version = $2 RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(id)
        .bind(version)
        .bind(content.amount_minor)
        .bind(&content.currency)
        .bind(content.exponent as i16)
        .bind(content.due_date)
        .bind(content.from_account)
        .bind(to_account)
        .bind(counterparty.map(|(name, _)| name))
        .bind(counterparty.map(|(_, iban)| iban))
        .bind(&content.message)
        .bind(content.kind)
        .bind(&content.reference)
        .fetch_optional(db)
        .await
}

/// Moves the payment to `status` (the trigger refuses a move its life does not allow), if it is at
/// `version` (any, when `None`).
pub async fn set_status(
    db: &mut PgConnection,
    id: Uuid,
    status: PaymentStatus,
    version: Option<i64>,
) -> sqlx::Result<Option<Payment>> {
    let query = format!(
        "UPDATE payments SET status = $2 WHERE id = $1 AND ($3::bigint IS NULL OR version = $3) RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(id).bind(status).bind(version).fetch_optional(db).await
}

/// Deletes the payment (the policy lets only pending ones go) if it is at `version` (any, when `None`).
pub async fn delete(db: &mut PgConnection, id: Uuid, version: Option<i64>) -> sqlx::Result<Option<Payment>> {
    let query =
        format!("DELETE FROM payments WHERE id = $1 AND ($2::bigint IS NULL OR version = $2) RETURNING {COLUMNS}");
    sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(id).bind(version).fetch_optional(db).await
}
