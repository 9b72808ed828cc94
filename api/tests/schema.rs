//! The schema stays ready for sharding by tenant (Citus, Aurora Limitless): every table with a
//! `tenant_id` keeps it in its primary key, in every unique constraint or index and in every foreign
//! key, and is isolated by row-level security (enabled and forced). Read from the catalog after
//! every migration, so a new table is held to it without being named here.

use api::testing::TestDatabase;

/// What breaks the rules, one line per table and key; empty when the schema keeps them.
const VIOLATIONS: &str = "
    WITH scoped AS (
        SELECT c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity, a.attnum AS tenant_column
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p')
    )
    SELECT s.relname || ': ' || CASE WHEN i.indisprimary THEN 'primary key ' ELSE 'unique index ' END
           || x.relname || ' lacks tenant_id'
    FROM scoped s
    JOIN pg_index i ON i.indrelid = s.oid AND i.indisunique
    JOIN pg_class x ON x.oid = i.indexrelid
    WHERE NOT s.tenant_column = ANY (i.indkey::int2[])
    UNION ALL
    SELECT s.relname || ': foreign key ' || k.conname || ' lacks tenant_id'
    FROM scoped s JOIN pg_constraint k ON k.conrelid = s.oid AND k.contype = 'f'
    WHERE NOT s.tenant_column = ANY (k.conkey)
    UNION ALL
    SELECT s.relname || ': no primary key' FROM scoped s
    WHERE NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = s.oid AND i.indisprimary)
    UNION ALL
    SELECT s.relname || ': row-level security is not enabled and forced' FROM scoped s
    WHERE NOT (s.relrowsecurity AND s.relforcerowsecurity)
    ORDER BY 1";

#[tokio::test]
async fn every_tenant_scoped_table_keys_by_tenant() {
    let database = TestDatabase::create().await;
    let scoped: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1",
    )
    .fetch_all(&database.pool)
    .await
    .unwrap();
    // The catalog query finds the tables it must hold to the rules.
    for table in ["accounts", "payments", "ledger_entries", "tenant_members", "invitations"] {
        assert!(scoped.iter().any(|t| t == table), "{table} is not among the tenant-scoped tables {scoped:?}");
    }
    let violations: Vec<String> = sqlx::query_scalar(VIOLATIONS).fetch_all(&database.pool).await.unwrap();
    assert!(violations.is_empty(), "tables not ready for sharding by tenant:\n{}", violations.join("\n"));
}
