//! Start-up and shutdown: connect, migrate, bind, serve until SIGINT or SIGTERM, then let the
//! requests in flight finish.

use std::{future::Future, io, net::SocketAddr, sync::Arc};

use tokio::net::TcpListener;

use sqlx::PgPool;

use crate::{
    AppState, Config,
    cognito::{
        bootstrap::{Bootstrap, BootstrapError},
        delivery,
        error::CognitoError,
        users,
        verifiers::VerifierKeys,
    },
    config::{IdentitySource, MigrateConfig},
    db, payments, router,
    site::Site,
};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot connect to the database (DATABASE_URL): {0}")]
    Database(#[source] sqlx::Error),
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot set the password of the api's role (DATABASE_API_PASSWORD): {0}")]
    ApiPassword(#[source] sqlx::Error),
    #[error("API_GATEWAY_IDENTITY=trust is for Lambda mode: a server has no API Gateway in front to trust")]
    TrustWithoutGateway,
    #[error("Lambda mode: {0}")]
    Lambda(String),
    #[error("cannot listen on {addr} (LISTEN_ADDR): {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error("server failed: {0}")]
    Serve(#[source] io::Error),
    #[error("COGNITO_BOOTSTRAP: {0}")]
    Bootstrap(#[from] BootstrapError),
    #[error("cannot set up SMTP delivery (SMTP_HOST, SMTP_TLS): {0}")]
    Smtp(#[source] lettre::transport::smtp::Error),
    #[error("COGNITO_BOOTSTRAP could not be applied: {}", .0.message)]
    ApplyBootstrap(CognitoError),
    #[error("cannot read the site (STATIC_DIR): {0}")]
    Site(#[source] io::Error),
    #[error("cannot count the users' password verifiers by key (VERIFIER_KEYS): {}", .0.message)]
    VerifierKeys(CognitoError),
}

/// A server: migrates, then listens until SIGINT or SIGTERM.
pub async fn run(config: Config) -> Result<(), StartError> {
    if config.api_gateway_identity == IdentitySource::Trust {
        return Err(StartError::TrustWithoutGateway);
    }
    tracing::info!(?config, "starting");
    let owner = db::connect_owner(&config.database_url).await.map_err(StartError::Database)?;
    db::MIGRATOR.run(&owner).await?;
    owner.close().await;
    let db = db::connect_api(&config).await.map_err(StartError::Database)?;
    let state = prepare(db.clone(), config).await?;
    let addr = state.config.listen_addr;
    let listener = TcpListener::bind(addr).await.map_err(|source| StartError::Bind { addr, source })?;
    tracing::info!(addr = %listener.local_addr().map_err(StartError::Serve)?, "listening");
    let statements = state.statements.clone();
    serve(listener, state, shutdown_signal()).await?;
    statements.close().await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// `api migrate`: applies the migrations (and sets the api role's password, if given); answers the
/// schema's version.
pub async fn migrate(config: &MigrateConfig) -> Result<i64, StartError> {
    let owner = db::connect_owner(&config.database_url).await.map_err(StartError::Database)?;
    db::MIGRATOR.run(&owner).await?;
    if let Some(password) = &config.database_api_password {
        db::set_api_password(&owner, password).await.map_err(StartError::ApiPassword)?;
    }
    let version = db::schema_version(&owner).await.map_err(StartError::Database)?;
    owner.close().await;
    tracing::info!(version, "migrated");
    Ok(version)
}

/// The state the app runs with (`db` connects as [`db::API_ROLE`]), once the bootstrap file (if any)
/// is applied to the database.
pub async fn prepare(db: PgPool, config: Config) -> Result<AppState, StartError> {
    let bootstrap = config.cognito_bootstrap.as_deref().map(Bootstrap::load).transpose()?;
    let site = load_site(&config)?;
    report_verifier_keys(&db, &config.verifier_keys).await?;
    let pooler = config.database_pooler_url.clone();
    let mut state = AppState::new(db, config);
    if let Some(url) = &pooler {
        state.requests = db::RequestPool::through_pooler(&state.config, url).await.map_err(StartError::Database)?;
    }
    state.site = site.map(Arc::new);
    if let Some(bootstrap) = bootstrap {
        bootstrap.apply(&state.db).await.map_err(StartError::ApplyBootstrap)?;
        state.frontend_cognito = bootstrap.frontend(&state.cognito_endpoint());
        state.frontend_identity_pool = bootstrap.frontend_identity_pool(&state.cognito_endpoint());
    }
    Ok(state)
}

/// Logs how many users' passwords each key keeps: what tells an operator when a key dropped from VERIFIER_KEYS
/// is no longer needed (none left under it), and when the columns of the form from before sealing can go
/// (none left in it). A user under a key that is no longer listed cannot sign in: that is an error.
async fn report_verifier_keys(db: &PgPool, keys: &VerifierKeys) -> Result<(), StartError> {
    let counts = users::count_by_verifier_key(db).await.map_err(StartError::VerifierKeys)?;
    tracing::info!(sealing = keys.sealing_id(), "password verifiers: new ones are sealed under this key");
    for (key_id, users) in counts {
        match key_id {
            None => tracing::info!(
                users,
                "password verifiers: users still in the form from before sealing, until their next sign-in"
            ),
            Some(key) if keys.lists(&key) => tracing::info!(users, key, "password verifiers: users under this key"),
            Some(key) => tracing::error!(
                users,
                key,
                "password verifiers: users under a key VERIFIER_KEYS does not list: they cannot sign in until it is listed again"
            ),
        }
    }
    Ok(())
}

/// The built site of STATIC_DIR, if one is configured.
pub fn load_site(config: &Config) -> Result<Option<Site>, StartError> {
    let site = config.static_dir.as_deref().map(|dir| Site::load(dir, &config.micro_frontends));
    site.transpose().map_err(StartError::Site)
}

/// Serves until `shutdown` completes; requests already being handled then run to completion.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let settlement = start_workers(&state)?;
    let events = tokio::spawn(payments::events::listen(state.db.clone(), state.payment_events.clone()));
    let stopping = state.stopping.clone();
    let shutdown = async move {
        shutdown.await;
        stopping.send_replace(true);
    };
    let served = axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await;
    // A batch in flight rolls back: its payments stay approved for the next instance or start.
    settlement.abort();
    events.abort();
    served.map_err(StartError::Serve)
}

/// The work an instance does besides answering: mailing outgoing messages, settling payments.
/// Answers the settlement worker, to stop at shutdown.
pub fn start_workers(state: &AppState) -> Result<tokio::task::JoinHandle<()>, StartError> {
    let sinks = delivery::sinks(&state.config).map_err(StartError::Smtp)?;
    if state.config.dev_mode {
        tracing::warn!("dev mode: outgoing messages are printed in this log and listed at /dev/mailbox");
    }
    if let Some(smtp) = &state.config.smtp {
        tracing::info!(host = %smtp.host, port = smtp.port(), tls = ?smtp.tls, "mailing outgoing messages by SMTP");
    }
    if !sinks.is_empty() {
        tokio::spawn(delivery::relay(state.db.clone(), sinks));
    }
    Ok(tokio::spawn(payments::settlement::run(state.db.clone(), state.settlement.clone())))
}

/// Completes on the first SIGINT (Ctrl-C) or SIGTERM (what process managers and Lambda send).
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
    tracing::info!("shutdown signal received: finishing requests in flight");
}
