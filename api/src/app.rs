//! The router: a function of the configuration and the shared state, so the server binary, the
//! tests and (later) the Lambda entry point build the very same application.

use std::sync::Arc;

use axum::{
    Router,
    http::{HeaderName, HeaderValue, Method, Request, StatusCode, header},
    routing::{get, post},
};
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    cors::{AllowOrigin, CorsLayer},
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::{Config, cognito, db, graphql, health, iam, payments, rest, site};

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The api's pool, straight to Postgres: for everything but requests' transactions.
    pub db: PgPool,
    /// Where requests' transactions run: `db` itself, or a transaction-mode pooler.
    pub requests: db::RequestPool,
    /// Beside `db`: for the single statements that serve a request on their own.
    pub statements: db::StatementPool,
    pub config: Arc<Config>,
    /// Token keys and server secrets of the Cognito service, cached after first use.
    pub cognito: Arc<cognito::KeyRing>,
    /// The user pool the shell signs people in to (from the bootstrap file).
    pub frontend_cognito: Option<mfe_contract::CognitoSettings>,
    /// The identity pool that accepts the shell's client (from the bootstrap file).
    pub frontend_identity_pool: Option<mfe_contract::IdentityPoolSettings>,
    /// For outgoing calls (the pools' webhooks); one pool of connections for the process.
    pub http: reqwest::Client,
    /// The built site to serve, if any.
    pub site: Option<Arc<site::Site>>,
    /// The latest Content-Security-Policy violations browsers reported to this instance.
    pub csp_reports: site::csp::Reports,
    /// IAM roles' parsed policies, as the IAM authorizer evaluates them.
    pub iam_policies: Arc<iam::roles::PolicyCache>,
    /// The GraphQL schema, with the configured limits.
    pub graphql: graphql::ApiSchema,
    /// Wakes this instance's settlement worker (a payment may have become due).
    pub settlement: Arc<tokio::sync::Notify>,
    /// Payments' changes, from the database, for this instance's subscribers.
    pub payment_events: payments::events::Hub,
    /// Turns true when the instance stops: its WebSockets then close (1012, service restart) so that
    /// their clients reconnect, to it once restarted or to another instance, and so that they do not
    /// hold the graceful shutdown open.
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

impl AppState {
    pub fn new(db: PgPool, config: Config) -> Self {
        // A webhook may not hold a confirmation (and its transaction) open for long.
        let http = reqwest::Client::builder().timeout(WEBHOOK_TIMEOUT).build().expect("an HTTP client");
        let payment_events = payments::events::Hub::default();
        let statements = db::StatementPool::beside(&db);
        Self {
            requests: db::RequestPool::direct(db.clone(), statements.clone()),
            statements,
            db,
            graphql: graphql::schema(&config, payment_events.clone()),
            settlement: Arc::default(),
            payment_events,
            config: Arc::new(config),
            cognito: Arc::default(),
            frontend_cognito: None,
            frontend_identity_pool: None,
            http,
            site: None,
            csp_reports: site::csp::Reports::default(),
            iam_policies: Arc::default(),
            stopping: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }

    /// The endpoint SDKs are given as `endpoint_url`.
    pub fn cognito_endpoint(&self) -> String {
        format!("{}/cognito", self.config.public_base_url.as_str().trim_end_matches('/'))
    }
}

const WEBHOOK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// Every request's id: the caller's, or a new UUID.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let config = &state.config;
    let mut app = Router::new()
        .route("/healthz", get(health::healthz))
        .route(mfe_contract::RuntimeConfig::PATH, get(site::runtime_config))
        .route(site::csp::REPORT_PATH, post(site::csp::receive))
        .merge(cognito::routes(config.dev_mode))
        .merge(iam::routes())
        .merge(rest::routes(&state))
        .merge(graphql::routes(&state));
    if config.dev_mode {
        app = app.route(site::csp::DEV_REPORTS_PATH, get(site::csp::dev_list));
    }
    if let Some(site) = &state.site {
        app = app.merge(site::static_files(site));
    }
    app.layer(
        // Outermost first: every response, errors from inner layers included, carries the request
        // id and the CORS headers.
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_response(DefaultOnResponse::new().level(Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            // No content-type sniffing (a JSON body never runs as a script); no page address (which
            // can name an account) sent to other sites.
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
            .layer(cors(config))
            .layer(axum::middleware::from_fn(rest::problems_everywhere))
            // A bug in a handler answers 500 instead of dropping the connection.
            .layer(CatchPanicLayer::new())
            .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.request_timeout()))
            .layer(RequestBodyLimitLayer::new(usize::try_from(config.body_limit_bytes).unwrap_or(usize::MAX)))
            .layer(CompressionLayer::new()),
    )
    .with_state(state)
}

/// One span per request, named by its id so every log line of the request can be found.
fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
}

/// Browsers on the allowed origins may call the api; any other origin gets no CORS headers.
fn cors(config: &Config) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(config.cors_allowed_origins.iter().cloned()))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            HeaderName::from_static("x-amz-date"),
            HeaderName::from_static("x-amz-security-token"),
            HeaderName::from_static("x-amz-target"),
            HeaderName::from_static("x-amz-user-agent"),
            HeaderName::from_static("x-amz-content-sha256"),
            HeaderName::from_static("amz-sdk-invocation-id"),
            HeaderName::from_static("amz-sdk-request"),
            header::CACHE_CONTROL,
        ])
        // AWS clients read the error type, and correct their clock from Date (SigV4's ±5 minutes).
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            REQUEST_ID,
            HeaderName::from_static("x-amzn-requestid"),
            HeaderName::from_static("x-amzn-errortype"),
            header::DATE,
            HeaderName::from_static("deleted-count"),
        ])
        .max_age(std::time::Duration::from_secs(600))
}
