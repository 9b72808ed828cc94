//! `Logins` as Cognito Identity checks them: the key names a user pool, either as AWS spells it
//! (`cognito-idp.<region>.amazonaws.com/<pool id>`, what SDK users write) or as the issuer of our
//! tokens without its scheme (what Amplify derives from the ID token's `iss`); the value must be a
//! genuine, unexpired ID token of that pool from an app client the identity pool lists, and with
//! `ServerSideTokenCheck` its sign-in must still be live. Refusals carry AWS's messages.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{pools::IdentityPool, roles};
use crate::{
    AppState,
    cognito::{
        error::{CognitoError, CognitoResult, Exception},
        tokens::{self, TokenError, TokenUse},
    },
};

/// A login that passed every check.
#[derive(Debug, Clone)]
pub struct Login {
    /// The provider as DescribeIdentity names it: `cognito-idp.<region>.amazonaws.com/<pool id>`.
    pub provider: String,
    pub client_id: String,
    pub sub: Uuid,
    pub groups: Vec<String>,
    /// The ID token's claims, with the group-role claims AWS adds (`cognito:roles`,
    /// `cognito:preferred_role`): what role mappings look at.
    pub claims: Map<String, Value>,
}

/// The login among `logins` (an identity pool takes one user-pool login at a time), or `None` for a
/// guest (no logins).
pub async fn check(
    state: &AppState,
    pool: &IdentityPool,
    logins: &BTreeMap<String, String>,
) -> CognitoResult<Option<Login>> {
    let mut entries = logins.iter();
    let Some((key, token)) = entries.next() else { return Ok(None) };
    if entries.next().is_some() {
        return Err(CognitoError::new(
            Exception::ResourceConflict,
            "Only one login per identity is supported: this identity pool accepts one user pool.",
        ));
    }
    let user_pool_id = user_pool_named(state, key).ok_or_else(unsupported)?;
    let claims = tokens::payload(token).ok_or_else(|| invalid("Not a Cognito token."))?;
    if claims.get("token_use").and_then(Value::as_str) == Some("access") {
        return Err(invalid("Missing a required claim: aud"));
    }
    let issuer_pool = claims.get("iss").and_then(Value::as_str).and_then(|iss| iss.rsplit('/').next());
    if issuer_pool != Some(user_pool_id.as_str()) {
        return Err(invalid("Issuer doesn't match providerName"));
    }
    let verified = tokens::verify(state, token, TokenUse::Id).await.map_err(|error| match error {
        TokenError::Invalid => invalid("Couldn't verify signed token."),
        TokenError::Expired => {
            let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or_default();
            invalid(&format!("Token expired: {} >= {exp}", OffsetDateTime::now_utc().unix_timestamp()))
        }
        TokenError::Internal(error) => error,
    })?;
    let provider = pool
        .settings
        .cognito_identity_providers
        .iter()
        .find(|p| {
            p.client_id == verified.client_id
                && user_pool_named(state, &p.provider_name).as_ref() == Some(&user_pool_id)
        })
        .ok_or_else(unsupported)?;
    if provider.server_side_token_check {
        tokens::current_user(&state.statements, &verified)
            .await
            .map_err(|_| invalid("The user was signed out, disabled or deleted (ServerSideTokenCheck)."))?;
    }
    let mut claims = claims;
    roles::group_role_claims(&group_roles(state, &user_pool_id, &verified.username).await?, &mut claims);
    Ok(Some(Login {
        provider: aws_provider_name(&user_pool_id),
        client_id: verified.client_id,
        sub: verified.sub,
        groups: verified.groups,
        claims,
    }))
}

/// `cognito-idp.<region>.amazonaws.com/<pool id>`, the region being the pool id's prefix.
pub fn aws_provider_name(user_pool_id: &str) -> String {
    let region = user_pool_id.split('_').next().unwrap_or_default();
    format!("cognito-idp.{region}.amazonaws.com/{user_pool_id}")
}

/// The user pool a provider name means, in either accepted form.
pub fn user_pool_named(state: &AppState, provider_name: &str) -> Option<String> {
    let (prefix, pool_id) = provider_name.rsplit_once('/')?;
    let region = pool_id.split_once('_')?.0;
    let base = state.config.public_base_url.as_str().trim_end_matches('/');
    let issuer_prefix = base.split_once("://").map_or(base, |(_, rest)| rest);
    (prefix == format!("cognito-idp.{region}.amazonaws.com") || prefix == issuer_prefix).then(|| pool_id.to_owned())
}

/// (precedence, role) of the user's groups that name a role, by precedence.
async fn group_roles(state: &AppState, pool_id: &str, username: &str) -> CognitoResult<Vec<(Option<i32>, String)>> {
    Ok(sqlx::query_as(
        "SELECT g.precedence, g.role_arn FROM user_group_members m \
         JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name \
         WHERE m.pool_id = $1 AND m.username = $2 AND g.role_arn IS NOT NULL ORDER BY g.precedence NULLS LAST, g.name",
    )
    .bind(pool_id)
    .bind(username)
    .fetch_all(&state.db)
    .await?)
}

fn invalid(reason: &str) -> CognitoError {
    CognitoError::not_authorized(format!("Invalid login token. {reason}"))
}

fn unsupported() -> CognitoError {
    CognitoError::not_authorized("Token is not from a supported provider of this identity pool.")
}
