//! Connections, migrations, and the one way request handlers reach tenant data: a transaction that
//! carries the caller's identity for the row-level security policies.

use std::time::Duration;

use sqlx::{
    ConnectOptions, Connection, PgConnection, PgPool, Postgres, Transaction,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use uuid::Uuid;

use crate::{
    Config,
    config::{DatabaseUrl, Secret},
    organisations::Role,
};

/// Every file of `api/migrations`, applied in order at start (a server) or by `api migrate`.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// The role the api's queries run as (made by the migrations): not superuser, owner of nothing,
/// subject to row-level security.
pub const API_ROLE: &str = "ledgerline_api";

/// The owner's connection (`DATABASE_URL`), used only to migrate. Connects eagerly so a wrong URL
/// stops the server at start, not at the first request.
pub async fn connect_owner(url: &DatabaseUrl) -> Result<PgPool, sqlx::Error> {
    // No statement logged: one carries the api role's password.
    let options = url.connect_options().disable_statement_logging();
    PgPoolOptions::new().max_connections(1).acquire_timeout(Duration::from_secs(5)).connect_with(options).await
}

/// Gives [`API_ROLE`] the password the api connects with. The statement is built by Postgres
/// (`format`'s `%L` quotes the literal): ALTER ROLE takes no parameters.
pub async fn set_api_password(owner: &PgPool, password: &Secret) -> Result<(), sqlx::Error> {
    let statement: String = sqlx::query_scalar("SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text)")
        .bind(API_ROLE)
        .bind(password.expose())
        .fetch_one(owner)
        .await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement)).execute(owner).await.map(drop)
}

/// The api's pool: the same database, as [`API_ROLE`], straight to Postgres (`DATABASE_URL`).
pub async fn connect_api(config: &Config) -> Result<PgPool, sqlx::Error> {
    api_pool(config, config.database_url.connect_options()).await
}

async fn api_pool(config: &Config, options: PgConnectOptions) -> Result<PgPool, sqlx::Error> {
    let mut options = options.username(API_ROLE);
    if let Some(password) = &config.database_api_password {
        options = options.password(password.expose());
    }
    PgPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        // The pool checks every connection as it comes back (a round trip that also flushes a dropped
        // transaction's ROLLBACK). Checking it again when it is taken saves nothing for a connection
        // that came back moments ago, and costs every query a round trip under load: only those idle
        // for a while are checked.
        .test_before_acquire(false)
        .before_acquire(|connection, meta| {
            Box::pin(async move {
                if meta.idle_for > RECHECK_AFTER_IDLE {
                    connection.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await
}

/// Where requests' transactions run: the api's pool, or a transaction-mode pooler's
/// (`DATABASE_POOLER_URL`).
#[derive(Clone)]
pub struct RequestPool {
    pool: PgPool,
    /// Beside a direct `pool`, for the statements that serve a request on their own; none through a
    /// pooler, which may hand the server connection to another client whenever no transaction is open.
    statements: Option<StatementPool>,
}

impl RequestPool {
    pub fn direct(pool: PgPool, statements: StatementPool) -> Self {
        Self { pool, statements: Some(statements) }
    }

    /// Through the transaction-mode pooler at `url`, with sqlx's statement cache off: sqlx then sends
    /// unnamed statements (sqlx >= 0.9.1), where named ones would be prepared on one server connection
    /// and used on another (Debian's PgBouncer 1.18 cannot track them; 1.21's `max_prepared_statements`
    /// can).
    pub async fn through_pooler(config: &Config, url: &DatabaseUrl) -> Result<Self, sqlx::Error> {
        let pool = api_pool(config, url.connect_options().statement_cache_capacity(0)).await?;
        Ok(Self { pool, statements: None })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Runs one statement that opens the request itself (`request_children`): on the
    /// [`StatementPool`], or through a pooler in a transaction. sqlx parses a statement in one round
    /// trip and binds it in the next; only an open transaction keeps the pooler from giving the server
    /// connection to another client in between. The transaction ends as [`end_reading`] ends one.
    pub async fn one_statement<T>(
        &self,
        statement: impl AsyncFnOnce(&mut PgConnection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        match &self.statements {
            Some(statements) => statements.run(statement).await,
            None => {
                let mut tx = self.pool.begin().await?;
                let outcome = statement(&mut tx).await;
                end_reading(tx);
                outcome
            }
        }
    }
}

/// How long a pooled connection may sit idle before it is checked again before use.
const RECHECK_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Connections for the single statements that serve a request on their own (the Cognito token holder's
/// user, on every GetUser; an account's children): straight to Postgres as the api's role, like the api's
/// pool, and as many. sqlx's pool checks each connection that comes back with a round trip (which also
/// flushes a dropped transaction's ROLLBACK); a statement that ran to completion leaves nothing to flush,
/// so these go back unchecked, and a one-statement request makes one round trip instead of two. A
/// connection whose statement did not complete (the request timed out, the connection broke) is in no
/// known state: it is closed, never reused.
#[derive(Clone)]
pub struct StatementPool(deadpool::managed::Pool<Connector>);

/// Opens the [`StatementPool`]'s connections, and checks one before use when it has been idle for a while.
pub struct Connector(PgConnectOptions);

impl deadpool::managed::Manager for Connector {
    type Type = PgConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<PgConnection, sqlx::Error> {
        self.0.connect().await
    }

    async fn recycle(
        &self,
        connection: &mut PgConnection,
        metrics: &deadpool::managed::Metrics,
    ) -> deadpool::managed::RecycleResult<sqlx::Error> {
        if metrics.last_used() > RECHECK_AFTER_IDLE {
            connection.ping().await?;
        }
        Ok(())
    }
}

impl StatementPool {
    /// Beside the api's pool `db`: the same database, role and size.
    pub fn beside(db: &PgPool) -> Self {
        let connector = Connector(db.connect_options().as_ref().clone());
        let timeout = Some(db.options().get_acquire_timeout());
        let pool = deadpool::managed::Pool::builder(connector)
            .max_size(db.options().get_max_connections() as usize)
            .runtime(deadpool::Runtime::Tokio1)
            .wait_timeout(timeout)
            .create_timeout(timeout)
            .build()
            .expect("a runtime for the timeouts");
        Self(pool)
    }

    /// Closes the pool when the server stops, as the api's pool is closed: idle connections end their
    /// sessions, and a statement run after this fails with [`sqlx::Error::PoolClosed`].
    pub async fn close(&self) {
        let idle = self.0.retain(|_, _| false).removed;
        self.0.close();
        for connection in idle {
            let _ = connection.close().await;
        }
    }

    /// Runs `statement` (one statement) on a connection of the pool.
    pub async fn run<T>(
        &self,
        statement: impl AsyncFnOnce(&mut PgConnection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let mut connection = Unfinished(Some(self.0.get().await.map_err(pool_error)?));
        let outcome = statement(connection.0.as_mut().expect("taken only below")).await;
        // An error Postgres answered leaves the connection in step; any other may not.
        if matches!(outcome, Ok(_) | Err(sqlx::Error::Database(_))) {
            drop(connection.0.take()); // back to the pool, unchecked
        }
        outcome
    }
}

/// A [`StatementPool`] connection until its statement completes; dropped before then, it is closed.
struct Unfinished(Option<deadpool::managed::Object<Connector>>);

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Some(connection) = self.0.take() {
            tokio::spawn(deadpool::managed::Object::take(connection).close_hard());
        }
    }
}

fn pool_error(error: deadpool::managed::PoolError<sqlx::Error>) -> sqlx::Error {
    match error {
        deadpool::managed::PoolError::Backend(error) => error,
        deadpool::managed::PoolError::Timeout(_) => sqlx::Error::PoolTimedOut,
        _ => sqlx::Error::PoolClosed,
    }
}

/// The newest migration applied to the database.
pub async fn schema_version(db: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success").fetch_one(db).await
}

/// Makes `user`'s personal tenant (they own it) unless they have one already.
pub async fn ensure_personal_tenant(db: &PgPool, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT create_personal_tenant($1, $2, 'Personal')")
        .bind(user)
        .bind(Uuid::new_v4())
        .execute(db)
        .await?;
    Ok(())
}

/// A request's transaction, its identity set transaction-locally so that it ends with it.
pub type RequestTx = Transaction<'static, Postgres>;

/// Ends a request's transaction that only read. There is nothing to keep, so it is rolled back, without
/// waiting: sqlx sends the ROLLBACK along with the check it makes of every connection that comes back to
/// the pool, after the response has gone, where a COMMIT would cost the request a round trip.
pub fn end_reading(tx: RequestTx) {
    drop(tx);
}

/// The SQLSTATEs the database's own functions and triggers raise: those that serve a request in one
/// statement, which opens the request itself (migration 0005, `request_children`), and the
/// organisations' invariants (migration 0012).
pub mod sqlstate {
    /// The sign-in behind the credentials has ended (revoked, or the user disabled or deleted).
    pub const SIGN_IN_ENDED: &str = "LL401";
    /// What the request names is not there for the caller.
    pub const NOT_FOUND: &str = "LL404";
    /// The change would break an invariant of the data (an organisation without an owner).
    pub const CONFLICT: &str = "LL409";
    /// What the request names was there and is no more (an invitation already used or revoked).
    pub const GONE: &str = "LL410";
}

/// The SQLSTATE of `error`, when the database raised it.
pub fn sqlstate(error: &sqlx::Error) -> Option<std::borrow::Cow<'_, str>> {
    error.as_database_error()?.code()
}

/// Who the policies should see: set by [`begin_request`].
#[derive(Debug, Clone, Copy)]
pub struct Identity {
    pub user_id: Uuid,
    pub reads_all_tenants: bool,
    /// The sign-in the credentials descend from; `None` when they are not revocable tokens.
    pub sign_in: Option<Uuid>,
}

/// Begins the request's transaction as `identity`, the request's id noted for the audit trail.
/// Answers the caller's tenants with their roles, or `None` when the sign-in was revoked (or the
/// user deleted or disabled) since the credentials were issued.
pub async fn begin_request(
    db: &PgPool,
    identity: Identity,
    request_id: Option<&str>,
) -> Result<Option<(RequestTx, Vec<(Uuid, Role)>)>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let (tenants, roles): (Option<Vec<Uuid>>, Option<Vec<String>>) =
        sqlx::query_as("SELECT tenants, roles FROM begin_request($1, $2, $3, $4)")
            .bind(identity.user_id)
            .bind(identity.reads_all_tenants)
            .bind(identity.sign_in)
            .bind(request_id)
            .fetch_one(&mut *tx)
            .await?;
    let (Some(tenants), Some(roles)) = (tenants, roles) else { return Ok(None) };
    let roles = roles.iter().map(|role| Role::parse(role).ok_or_else(|| unknown_role(role)));
    let memberships = tenants.into_iter().zip(roles).map(|(tenant, role)| Ok((tenant, role?)));
    Ok(Some((tx, memberships.collect::<Result<_, sqlx::Error>>()?)))
}

fn unknown_role(role: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown role {role:?}").into())
}
