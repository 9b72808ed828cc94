//! The connection pool and the schema migrations embedded in the binary.

use std::time::Duration;

use sqlx::{PgPool, migrate::Migrator, postgres::PgPoolOptions};

use crate::Config;

/// Every file of `api/migrations`, applied in order at start.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Connects eagerly so a wrong `DATABASE_URL` stops the server at start, not at the first request.
pub async fn connect(config: &Config) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(config.database_url.connect_options())
        .await
}

/// The newest migration applied to the database.
pub async fn schema_version(db: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success").fetch_one(db).await
}
