//! The GraphQL api at `/graphql` (POST, and GET for queries), as AppSync serves the seed's schema:
//! the same authorizers as the REST api produce the same [`Caller`]; each request is one
//! transaction as that caller (each mutation in a savepoint of it, so one that fails leaves no
//! trace while the others keep theirs); errors in AppSync's shape ([`error`]); depth and
//! complexity limits and introspection as configured. GraphiQL at `GET /graphql` in dev mode.
//! Subscriptions over WebSocket at `/graphql/ws` ([`ws`]), each event read as the [`Subscriber`].
//!
//! The resolvers live with their domain (`payments::resolvers`); this module assembles the schema
//! and speaks the wire.

pub mod error;
pub mod scalars;
pub mod ws;

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use async_graphql::{
    MergedObject, MergedSubscription, Schema,
    http::GraphiQLSource,
    parser::types::{DocumentOperations, Selection},
};
use axum::{
    Json, Router,
    extract::{Request, State},
    http::{StatusCode, header},
    middleware,
    response::{Html, IntoResponse, Response},
    routing::get,
};
use serde_json::{Value, json};
use sqlx::{PgConnection, PgPool};
use tokio::sync::{Mutex, MutexGuard};

use crate::{
    AppState,
    auth::{self, AuthError, Authorized, Caller},
    config::Config,
    db::{self, Identity, RequestTx},
    payments::{
        events,
        resolvers::{PaymentsMutation, PaymentsQuery},
        subscriptions::PaymentsSubscription,
    },
};

pub const PATH: &str = "/graphql";

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct Query(PaymentsQuery);

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct Mutation(PaymentsMutation);

#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct Subscription(PaymentsSubscription);

pub type ApiSchema = Schema<Query, Mutation, Subscription>;

/// The schema with the configured limits; its subscriptions follow this instance's `payment_events`.
pub fn schema(config: &Config, payment_events: events::Hub) -> ApiSchema {
    Schema::build(Query::default(), Mutation::default(), Subscription::default())
        .limit_depth(config.graphql_depth_limit)
        .limit_complexity(config.graphql_complexity_limit)
        .data(payment_events)
        .finish()
}

/// The schema's SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), Subscription::default()).finish().sdl()
}

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(PATH, get(get_request).post(post_request))
        // Requests signed with identity-pool credentials are authorized as on the REST api.
        .layer(middleware::from_fn_with_state(state.clone(), auth::iam::authorize))
        // Authorized by its `connection_init` message instead.
        .route(ws::PATH, get(ws::upgrade))
}

/// What every resolver of one request shares: the caller, and the request's transaction.
pub struct Session {
    pub caller: Caller,
    tx: Mutex<Option<RequestTx>>,
    wrote: AtomicBool,
    /// The request runs one root field: a mutation that fails leaves nothing else to keep, the
    /// whole transaction is rolled back, so it needs no savepoint (two round trips fewer).
    single_field: bool,
}

impl Session {
    fn new(Authorized { caller, tx }: Authorized, single_field: bool) -> Self {
        Self { caller, tx: Mutex::new(Some(tx)), wrote: AtomicBool::new(false), single_field }
    }

    /// The request's transaction, for one resolver at a time.
    pub async fn db(&self) -> SessionDb<'_> {
        SessionDb(self.tx.lock().await)
    }

    /// Runs a mutation in a savepoint: kept when it succeeds, undone when it fails.
    pub async fn write<T, E: From<sqlx::Error>>(
        &self,
        mutation: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut db = self.db().await;
        if self.single_field {
            let result = mutation(db.connection()).await;
            self.wrote.store(result.is_ok(), Ordering::Relaxed);
            return result;
        }
        sqlx::query("SAVEPOINT mutation").execute(db.connection()).await?;
        let result = mutation(db.connection()).await;
        let end = if result.is_ok() { "RELEASE SAVEPOINT mutation" } else { "ROLLBACK TO SAVEPOINT mutation" };
        sqlx::query(end).execute(db.connection()).await?;
        if result.is_ok() {
            self.wrote.store(true, Ordering::Relaxed);
        }
        result
    }

    /// Commits what the mutations kept (and wakes settlement: a payment may be due now); a request
    /// that only read is rolled back.
    async fn finish(&self, settlement: &tokio::sync::Notify) -> Result<(), sqlx::Error> {
        let Some(tx) = self.tx.lock().await.take() else { return Ok(()) };
        match self.wrote.load(Ordering::Relaxed) {
            true => {
                tx.commit().await?;
                settlement.notify_one();
                Ok(())
            }
            false => {
                crate::db::end_reading(tx);
                Ok(())
            }
        }
    }
}

/// Who a subscription acts for: the caller its WebSocket's `connection_init` authorized. Each event
/// is read in a transaction of its own as them, so a sign-in that ended or a membership that did
/// shows at once.
pub struct Subscriber {
    pub caller: Caller,
    identity: Identity,
    db: PgPool,
}

impl Subscriber {
    /// Runs `read` as the subscriber; `None` once their sign-in has ended.
    pub async fn read<T>(
        &self,
        read: impl AsyncFnOnce(&mut PgConnection) -> sqlx::Result<T>,
    ) -> sqlx::Result<Option<T>> {
        let Some((mut tx, _)) = db::begin_request(&self.db, self.identity, None).await? else { return Ok(None) };
        let value = read(&mut tx).await?;
        db::end_reading(tx);
        Ok(Some(value))
    }
}

pub struct SessionDb<'a>(MutexGuard<'a, Option<RequestTx>>);

impl SessionDb<'_> {
    pub fn connection(&mut self) -> &mut PgConnection {
        self.0.as_mut().expect("the request's transaction is open while resolvers run")
    }
}

async fn post_request(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let limit = usize::try_from(state.config.body_limit_bytes).unwrap_or(usize::MAX);
    let Ok(body) = axum::body::to_bytes(body, limit).await else {
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, "BadRequestException", "The request is too large.");
    };
    let authorized = match auth::authorize(&parts, &state).await {
        Ok(authorized) => authorized,
        Err(error) => return unauthorized(error),
    };
    match serde_json::from_slice::<async_graphql::Request>(&body) {
        Ok(request) => execute(&state, authorized, request).await,
        Err(error) => refusal(
            StatusCode::BAD_REQUEST,
            "BadRequestException",
            &format!("The body is not a GraphQL request: {error}"),
        ),
    }
}

/// Queries by GET (`?query=...&variables=...`); GraphiQL in dev mode when there is no query.
async fn get_request(State(state): State<AppState>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let query = parts.uri.query().unwrap_or_default();
    if state.config.dev_mode && !query.contains("query=") {
        return Html(GraphiQLSource::build().endpoint(PATH).finish()).into_response();
    }
    let mut request = match async_graphql::http::parse_query_string(query) {
        Ok(request) => request,
        Err(error) => return refusal(StatusCode::BAD_REQUEST, "BadRequestException", &error.to_string()),
    };
    let mutates = request.parsed_query().is_ok_and(|document| {
        document.operations.iter().any(|(_, op)| op.node.ty == async_graphql::parser::types::OperationType::Mutation)
    });
    if mutates {
        return refusal(StatusCode::METHOD_NOT_ALLOWED, "BadRequestException", "Mutations are sent with POST.");
    }
    let authorized = match auth::authorize(&parts, &state).await {
        Ok(authorized) => authorized,
        Err(error) => return unauthorized(error),
    };
    execute(&state, authorized, request).await
}

async fn execute(state: &AppState, authorized: Authorized, mut request: async_graphql::Request) -> Response {
    if !state.config.graphql_introspection {
        if asks_introspection(&mut request) {
            return refusal(
                StatusCode::BAD_REQUEST,
                "ValidationError",
                "GraphQL introspection is not allowed on this api.",
            );
        }
        request = request.disable_introspection();
    }
    let session = Arc::new(Session::new(authorized, single_root_field(&mut request)));
    let response = state.graphql.execute(request.data(session.clone())).await;
    if let Err(error) = session.finish(&state.settlement).await {
        tracing::error!(%error, "committing a GraphQL request");
        return refusal(StatusCode::INTERNAL_SERVER_ERROR, "InternalFailure", "The server failed; try again.");
    }
    let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
    appsync_errors(&mut body);
    Json(body).into_response()
}

/// Whether the request's document is one operation selecting one field (no fragment at the root).
fn single_root_field(request: &mut async_graphql::Request) -> bool {
    request.parsed_query().is_ok_and(|document| match &document.operations {
        DocumentOperations::Single(operation) => {
            matches!(operation.node.selection_set.node.items.as_slice(), [only] if matches!(only.node, Selection::Field(_)))
        }
        DocumentOperations::Multiple(_) => false,
    })
}

/// Whether an operation of the request selects `__schema` or `__type` at its root: refused, rather
/// than answered with nulls, when introspection is off.
fn asks_introspection(request: &mut async_graphql::Request) -> bool {
    request.parsed_query().is_ok_and(|document| {
        document.operations.iter().any(|(_, operation)| {
            operation.node.selection_set.node.items.iter().any(|item| match &item.node {
                Selection::Field(field) => matches!(field.node.name.node.as_str(), "__schema" | "__type"),
                _ => false,
            })
        })
    })
}

/// AppSync puts `errorType` on the error itself, beside (not only in) `extensions`.
fn appsync_errors(body: &mut Value) {
    let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) else { return };
    for error in errors {
        let error_type = error.pointer("/extensions/errorType").cloned();
        if let (Some(error), Some(error_type)) = (error.as_object_mut(), error_type) {
            error.insert("errorType".into(), error_type);
        }
    }
}

/// A request the authorizer refused, as AppSync answers it: 401 `UnauthorizedException`.
fn unauthorized(error: AuthError) -> Response {
    let message = match error {
        AuthError::Missing => "Valid authorization header not provided.",
        AuthError::InvalidToken(_) => "Valid authorization header not provided.",
        AuthError::Revoked => "Token has been revoked.",
        AuthError::Guest => "Guest identities have no user to act for.",
        AuthError::Unavailable => {
            return refusal(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailableException", "Try again in a moment.");
        }
    };
    refusal(StatusCode::UNAUTHORIZED, "UnauthorizedException", message)
}

fn refusal(status: StatusCode, error_type: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "errorType": error_type, "message": message, "extensions": { "errorType": error_type } }] });
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}
