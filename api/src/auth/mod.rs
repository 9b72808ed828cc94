//! Authorizers, as API Gateway has them in front of the seed's Lambdas: each turns a request's
//! credentials into a [`Principal`]; the database adds the caller's tenants, and handlers receive
//! an [`Authorized`] request: the [`Caller`] and the transaction that runs as them.
//!
//! Today the Cognito authorizer (bearer tokens); the IAM (SigV4) authorizer joins it behind the
//! same extractor, producing the same `Caller`.

pub mod caller;
pub mod cognito;
pub mod error;

use axum::{extract::FromRequestParts, http::request::Parts};

pub use caller::{Caller, Credentials, Principal};
use error::AuthError;

use crate::{
    AppState,
    db::{self, Identity, RequestTx},
    rest::problem::Problem,
};

/// A request that passed an authorizer.
pub struct Authorized {
    pub caller: Caller,
    /// The request's one transaction, with the caller's identity set for row-level security.
    /// Commit it to keep what the handler wrote.
    pub tx: RequestTx,
}

impl FromRequestParts<AppState> for Authorized {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let principal = cognito::authorize(&parts.headers, state).await?;
        let identity = Identity {
            user_id: principal.user_id,
            reads_all_tenants: principal.reads_all_tenants(),
            sign_in: principal.sign_in,
        };
        let (tx, tenants) =
            db::begin_request(&state.db, identity).await.map_err(AuthError::from)?.ok_or(AuthError::Revoked)?;
        Ok(Self { caller: principal.into_caller(tenants), tx })
    }
}
