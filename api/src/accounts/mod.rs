//! The Accounts REST api: a tenant-isolated tree of accounts (the seed's `/accounts` Lambda).
//!
//! - [`handlers`]: the endpoints under `/v1/accounts`; [`service`]: the tree's rules;
//!   [`store`]: the SQL; [`model`]: the shapes and input rules; [`cursor`], [`currency`].
//! - Storage and isolation: `api/migrations/0004_accounts.sql`.

pub mod currency;
pub mod cursor;
pub mod handlers;
pub mod model;
pub mod service;
pub mod store;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::list_roots, handlers::create_account))
        .routes(routes!(handlers::get_account, handlers::update_account, handlers::delete_account))
        .routes(routes!(handlers::list_children))
        .routes(routes!(handlers::get_subtree))
        .routes(routes!(handlers::move_account))
}
