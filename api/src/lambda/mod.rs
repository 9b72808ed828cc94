//! The api on AWS Lambda behind API Gateway: the same router, fed API Gateway's events (a REST
//! API's payload 1.0, an HTTP API's 2.0) through `lambda_http`, which turns each event into an HTTP
//! request (a base64 body decoded) and the answer into the event's response (a binary body encoded).
//! Chosen when the Lambda runtime starts the binary (`AWS_LAMBDA_RUNTIME_API` is set).
//!
//! Unlike a server, it never migrates (a cold start must not race others over the schema) and
//! follows no payment events (they feed WebSocket subscriptions, which an API Gateway REST api does
//! not carry). A deployment migrates once, by `api migrate` or by invoking a function of the same
//! code whose handler is `migrate` ([`answer_migrations`]), which reaches a database in a VPC.

pub mod identity;

use std::sync::Arc;

use lambda_http::{LambdaEvent, lambda_runtime, service_fn};
use serde_json::{Value, json};

use crate::{
    Config,
    config::MigrateConfig,
    db, router,
    server::{self, StartError},
};

/// Set by the Lambda runtime: where to poll for events.
const RUNTIME_API: &str = "AWS_LAMBDA_RUNTIME_API";
/// lambda_http's switch: without it, a REST api's paths arrive prefixed with the stage (`/prod/v1/...`).
const IGNORE_STAGE: &str = "AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH";

/// Whether the Lambda runtime started this process.
pub fn invoked() -> bool {
    std::env::var_os(RUNTIME_API).is_some()
}

/// Answers API Gateway's events until the runtime stops the process.
pub async fn run(config: Config) -> Result<(), StartError> {
    if std::env::var_os(IGNORE_STAGE).is_none() {
        return Err(StartError::Lambda(format!(
            "set {IGNORE_STAGE}=true in the function's environment: the api's paths do not start with API Gateway's stage"
        )));
    }
    tracing::info!(?config, "starting on Lambda");
    let db = db::connect_api(&config).await.map_err(StartError::Database)?;
    let state = server::prepare(db, config).await?;
    // The worker runs while the function is thawed, that is while it answers.
    let _settlement = server::start_workers(&state)?;
    lambda_http::run(router(state)).await.map_err(|error| StartError::Lambda(error.to_string()))
}

/// The migration function: each invocation (whatever its event) applies the migrations, and
/// answers `{"schemaVersion": <the newest applied>}`.
pub async fn answer_migrations(config: MigrateConfig) -> Result<(), StartError> {
    let config = Arc::new(config);
    let migrate = service_fn(move |_: LambdaEvent<Value>| {
        let config = config.clone();
        async move {
            let version = server::migrate(&config).await.map_err(|error| error.to_string())?;
            Ok::<_, String>(json!({ "schemaVersion": version }))
        }
    });
    lambda_runtime::run(migrate).await.map_err(|error| StartError::Lambda(error.to_string()))
}
