//! Authorizers, as API Gateway has them in front of the seed's Lambdas: each turns a request's
//! credentials into a [`Principal`]; the database adds the caller's tenants, and handlers receive
//! an [`Authorized`] request: the [`Caller`] and the transaction that runs as them.
//!
//! Two authorizers, as configured (`API_AUTHORIZERS`): the Cognito one (bearer tokens) and the IAM
//! one (SigV4 with an identity pool's credentials, a middleware since it needs the body), producing
//! the same `Caller`. On Lambda they can instead trust API Gateway's authorizers
//! (`API_GATEWAY_IDENTITY=trust`, [`crate::lambda::identity`]): the same `Caller` again.

pub mod caller;
pub mod cognito;
pub mod context;
pub mod error;
pub mod iam;

use std::sync::Arc;

use axum::{extract::FromRequestParts, http::request::Parts};

pub use caller::{Caller, Principal};
pub use error::AuthError;

use crate::{
    AppState,
    app::REQUEST_ID,
    config::IdentitySource,
    db::{self, Identity, RequestTx},
    lambda,
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
        Ok(authorize(parts, state).await?)
    }
}

/// Runs the authorizers on a request and opens its transaction as the caller: what every api's
/// handlers start from (the REST api through [`Authorized`]'s extractor, GraphQL directly, as it
/// answers refusals in its own shape).
pub async fn authorize(parts: &Parts, state: &AppState) -> Result<Authorized, AuthError> {
    let principal = principal(parts, state).await?;
    let identity = principal.identity();
    // The audit trail keeps it: a caller's own id only within reason.
    let request_id = parts.headers.get(REQUEST_ID).and_then(|id| id.to_str().ok()).filter(|id| id.len() <= 200);
    let begin =
        || async { db::begin_request(state.requests.pool(), identity, request_id).await?.ok_or(AuthError::Revoked) };
    let (tx, memberships) = match begin().await? {
        // A user another service confirmed (real Cognito, behind API Gateway) gets the personal tenant
        // our own confirmation makes, on their first request.
        (tx, memberships) if memberships.is_empty() && state.config.api_gateway_identity == IdentitySource::Trust => {
            db::end_reading(tx);
            db::ensure_personal_tenant(&state.db, identity.user_id).await?;
            begin().await?
        }
        begun => begun,
    };
    Ok(Authorized { caller: principal.into_caller(memberships), tx })
}

/// A request that passed an authorizer, for a handler that reads in one statement which opens the
/// request itself (checks the sign-in, sets the identity), as `request_children` does: no transaction
/// is opened for it beforehand.
pub struct Identified(pub Identity);

impl FromRequestParts<AppState> for Identified {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        Ok(Self(principal(parts, state).await?.identity()))
    }
}

/// The principal API Gateway established, when trusted; else the one the IAM authorizer found (a
/// signed-in user's identity; a guest has no user here), or else the Cognito authorizer's.
async fn principal(parts: &Parts, state: &AppState) -> Result<Principal, AuthError> {
    if state.config.api_gateway_identity == IdentitySource::Trust {
        return lambda::identity::principal(parts, &state.config);
    }
    match parts.extensions.get::<Arc<iam::IamIdentity>>() {
        Some(identity) => Principal::of_identity(identity.clone()).ok_or(AuthError::Guest),
        None => cognito::authorize(&parts.headers, state).await,
    }
}
