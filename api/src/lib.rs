//! The api: one axum application that serves the product's HTTP surface.
//!
//! - [`config`]: typed configuration from the environment and the command line.
//! - [`app`]: the router, a function of the configuration and the shared state.
//! - [`server`]: binding, migrations at start and graceful shutdown.
//! - [`db`], [`health`], [`site`], [`telemetry`]: one concern each.

pub mod app;
pub mod cognito;
pub mod config;
pub mod db;
pub mod health;
pub mod server;
pub mod sigv4;
pub mod site;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

pub use app::{AppState, router};
pub use config::Config;
