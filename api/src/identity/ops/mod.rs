//! The identity-pool operations, grouped by what they act on: their request and response shapes
//! (botocore's `cognito-identity` model) and short functions calling the domain modules.

pub mod get_credentials_for_identity;
pub mod get_id;
pub mod get_open_id_token;
pub mod identities;
pub mod pools;
pub mod roles;

use std::collections::BTreeMap;

use super::{
    identities::{self as store, Identity},
    logins::{self, Login},
    pools::{self as pool_store, IdentityPool},
};
use crate::{
    AppState,
    cognito::error::{CognitoError, CognitoResult},
};

/// An identity whose caller proved they may act for it: with the login it belongs to, or as a
/// guest of a pool that admits guests.
pub struct Proven {
    pub identity: Identity,
    pub pool: IdentityPool,
    pub login: Option<Login>,
}

/// What GetCredentialsForIdentity and GetOpenIdToken require of the identity and `logins`.
pub async fn prove(state: &AppState, identity_id: &str, logins: &BTreeMap<String, String>) -> CognitoResult<Proven> {
    let identity = store::load(&state.db, identity_id).await?;
    let pool = pool_store::load(&state.db, &identity.pool_id).await?;
    let login = logins::check(state, &pool, logins).await?;
    let mismatch = || {
        CognitoError::not_authorized(
            "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        )
    };
    match (&identity.provider, &login) {
        (Some(_), None) => {
            return Err(CognitoError::not_authorized(format!("Access to Identity '{identity_id}' is forbidden.")));
        }
        (Some(provider), Some(login)) if *provider != login.provider || identity.subject != Some(login.sub) => {
            return Err(mismatch());
        }
        (None, Some(_)) => return Err(mismatch()),
        (None, None) if !pool.settings.allow_unauthenticated_identities => return Err(guests_refused()),
        _ => {}
    }
    Ok(Proven { identity, pool, login })
}

pub fn guests_refused() -> CognitoError {
    CognitoError::not_authorized("Unauthenticated access is not supported for this identity pool.")
}
