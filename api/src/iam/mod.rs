//! IAM, the part an identity pool's credentials need: roles with inline policies, managed over
//! IAM's own Query protocol ([`wire`], [`error`], [`xml`]) and kept in Postgres ([`roles`]), and
//! the evaluation of those policies ([`policy`]) for `execute-api:Invoke`.

pub mod error;
pub mod policy;
pub mod roles;
pub mod wire;
pub mod xml;

use axum::{Router, routing::post};

use crate::AppState;

/// `POST /iam` (boto3's `endpoint_url`; botocore adds a `/`).
pub fn routes() -> Router<AppState> {
    Router::new().route("/iam", post(wire::endpoint)).route("/iam/", post(wire::endpoint))
}
