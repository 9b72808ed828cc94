//! A Cognito-compatible user-pools service: the real Cognito JSON protocol, so unmodified AWS SDKs
//! and Amplify-style clients work against it.
//!
//! - [`wire`]: the endpoint (`POST /cognito`), operation dispatch, Cognito's error shape ([`error`]).
//! - [`ops`]: one module per operation, short, calling the domain modules below.
//! - [`pools`], [`users`], [`groups`], [`password`], [`codes`], [`sign_in`], [`sessions`], [`mfa`], [`user_auth`], [`tokens`],
//!   [`keys`], [`srp`], [`verifiers`], [`triggers`]: the domain.

pub mod admin;
pub mod bootstrap;
pub mod codes;
pub mod delivery;
pub mod error;
pub mod groups;
pub mod keys;
pub mod mfa;
pub mod ops;
pub mod password;
pub mod pools;
pub mod sessions;
pub mod sign_in;
pub mod srp;
pub mod tokens;
pub mod triggers;
pub mod user_auth;
pub mod users;
pub mod verifiers;
pub mod wire;

use axum::{
    Router, middleware,
    routing::{get, post},
};

pub use keys::KeyRing;

use crate::AppState;

/// The SDK endpoint (`endpoint_url = <public base URL>/cognito`) and, under each pool's issuer URL
/// (`<public base URL>/<pool id>`), its JWKS and OpenID discovery document; in dev mode also the
/// mailbox.
pub fn routes(dev_mode: bool) -> Router<AppState> {
    let router =
        if dev_mode { Router::new().route(delivery::MAILBOX_PATH, get(delivery::mailbox)) } else { Router::new() };
    router
        .route("/cognito", post(wire::endpoint))
        .route("/cognito/", post(wire::endpoint))
        .route("/{pool_id}/.well-known/jwks.json", get(tokens::jwks))
        .route("/{pool_id}/.well-known/openid-configuration", get(tokens::openid_configuration))
        .route(crate::identity::openid::JWKS_PATH, get(crate::identity::openid::jwks))
        .layer(middleware::from_fn(wire::amzn_request_id))
}
