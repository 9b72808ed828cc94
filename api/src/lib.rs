//! The api: one axum application that serves the product's HTTP surface.
//!
//! - [`config`]: typed configuration from the environment and the command line.
//! - [`app`]: the router, a function of the configuration and the shared state.
//! - [`server`]: binding, migrations at start and graceful shutdown; [`lambda`]: the same app on AWS
//!   Lambda behind API Gateway.
//! - [`cognito`]: the Cognito-compatible user pools; [`sigv4`]: AWS request signatures.
//! - [`rest`]: the REST api under `/v1` ([`accounts`], [`organisations`]), behind the [`auth`] authorizers.
//! - [`graphql`]: the GraphQL api at `/graphql` ([`payments`]), behind the same authorizers.
//! - [`rules`]: input rules that the server checks and the OpenAPI document states.
//! - [`db`], [`health`], [`idempotency`], [`site`], [`telemetry`]: one concern each.

pub mod accounts;
pub mod app;
pub mod auth;
pub mod cognito;
pub mod config;
pub mod db;
pub mod graphql;
pub mod health;
pub mod iam;
pub mod idempotency;
pub mod identity;
pub mod lambda;
pub mod organisations;
pub mod payments;
pub mod rest;
pub mod rules;
pub mod server;
pub mod sigv4;
pub mod site;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

pub use app::{AppState, router};
pub use config::Config;
