//! `GET /healthz`: whether this instance can serve, which includes reaching its database.

use std::time::Duration;

use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;

use crate::{AppState, db};

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
    /// The newest migration applied, when the database answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<i64>,
    pub version: &'static str,
}

/// Load balancers poll this often: a short timeout keeps a stuck database from piling up probes.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let version = env!("CARGO_PKG_VERSION");
    let outcome = match tokio::time::timeout(DATABASE_TIMEOUT, db::schema_version(&state.db)).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err("timed out".to_owned()),
    };
    match outcome {
        Ok(schema_version) => (
            StatusCode::OK,
            Json(Health { status: "ok", database: "ok", schema_version: Some(schema_version), version }),
        ),
        Err(error) => {
            tracing::warn!(%error, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health { status: "unavailable", database: "unavailable", schema_version: None, version }),
            )
        }
    }
}
