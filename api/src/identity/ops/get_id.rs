//! GetId (unsigned): the identity of the user whose login is given (the same one every time), or a
//! new guest identity when no login is given and the pool admits guests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::guests_refused;
use crate::{
    AppState,
    cognito::error::CognitoResult,
    identity::{identities, logins, pools},
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    #[allow(dead_code)] // AWS accounts are not modelled: one account serves every pool
    account_id: Option<String>,
    identity_pool_id: String,
    #[serde(default)]
    logins: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    identity_id: String,
}

pub async fn run(state: &AppState, request: Request) -> CognitoResult<Response> {
    let pool = pools::load(&state.db, &request.identity_pool_id).await?;
    let region = region_of(&pool.id);
    let identity = match logins::check(state, &pool, &request.logins).await? {
        Some(login) => identities::of_login(&state.db, &pool.id, region, &login).await?,
        None if pool.settings.allow_unauthenticated_identities => {
            identities::new_guest(&state.db, &pool.id, region).await?
        }
        None => return Err(guests_refused()),
    };
    Ok(Response { identity_id: identity.id })
}

/// The region an id (`<region>:<uuid>`) was made in.
fn region_of(id: &str) -> &str {
    id.split(':').next().unwrap_or_default()
}
