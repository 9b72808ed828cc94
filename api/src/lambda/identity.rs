//! The caller as API Gateway's authorizers established them, for `API_GATEWAY_IDENTITY=trust`: read
//! from the event's request context, which lambda_http keeps in the request's extensions (not a
//! header: no client can set it). The Cognito authorizer's claims (a REST api) or the JWT
//! authorizer's (an HTTP API) name the user and their groups; the IAM authorizer's Cognito identity
//! gives the identity-pool session, and its user comes from the authentication provider
//! (`…:CognitoSignIn:<sub>`). Both become the [`Principal`] the api's own authorizers produce. A
//! request with neither is refused.

use std::sync::Arc;

use axum::http::request::Parts;
use lambda_http::{
    aws_lambda_events::apigw::{ApiGatewayProxyRequestContext, ApiGatewayV2httpRequestContext},
    request::RequestContext,
};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    Config,
    auth::{AuthError, Principal, iam::IamIdentity},
    identity::credentials::{Session, SessionUser},
};

/// The principal of the request's API Gateway context.
pub fn principal(parts: &Parts, config: &Config) -> Result<Principal, AuthError> {
    let established = match parts.extensions.get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV1(context)) => of_rest_api(context),
        Some(RequestContext::ApiGatewayV2(context)) => of_http_api(context),
        _ => None,
    };
    match established.ok_or(AuthError::Missing)? {
        Established::Claims(claims) => of_claims(&claims, config),
        Established::Identity(identity) => {
            let account_id = identity.account_id.clone().unwrap_or_else(|| config.aws_account_id.clone());
            let identity = IamIdentity { session: identity.session(), account_id };
            Principal::of_identity(Arc::new(identity)).ok_or(AuthError::Guest)
        }
    }
}

/// What an authorizer left in the context.
enum Established {
    /// A user pool token's claims, as strings.
    Claims(Vec<(String, String)>),
    Identity(GatewayIdentity),
}

/// The IAM authorizer's caller: identity-pool credentials.
struct GatewayIdentity {
    identity_id: String,
    identity_pool_id: String,
    access_key: String,
    /// `arn:aws:sts::<account>:assumed-role/<role>/CognitoIdentityCredentials`.
    user_arn: String,
    account_id: Option<String>,
    /// The identity's providers: `cognito-idp.<region>.amazonaws.com/<pool>:CognitoSignIn:<sub>` among them
    /// for a signed-in user.
    providers: Vec<String>,
}

impl GatewayIdentity {
    fn session(&self) -> Session {
        let user = self.providers.iter().find_map(|provider| {
            let (provider, sub) = provider.split_once(":CognitoSignIn:")?;
            let sub = Uuid::parse_str(sub).ok()?;
            // API Gateway's context does not carry the user's groups.
            Some(SessionUser { provider: provider.to_owned(), sub, groups: Vec::new() })
        });
        Session {
            access_key_id: self.access_key.clone(),
            identity_id: self.identity_id.clone(),
            identity_pool_id: self.identity_pool_id.clone(),
            role_arn: role_arn(&self.user_arn),
            // API Gateway checked the credentials' expiry.
            expires: 0,
            user,
        }
    }
}

/// A REST api's (payload 1.0): `authorizer.claims` from a Cognito authorizer, else `identity`'s
/// Cognito fields from AWS_IAM.
fn of_rest_api(context: &ApiGatewayProxyRequestContext) -> Option<Established> {
    if let Some(Value::Object(claims)) = context.authorizer.fields.get("claims") {
        let text = |value: &Value| value.as_str().map_or_else(|| value.to_string(), str::to_owned);
        return Some(Established::Claims(claims.iter().map(|(name, value)| (name.clone(), text(value))).collect()));
    }
    let identity = &context.identity;
    Some(Established::Identity(GatewayIdentity {
        identity_id: identity.cognito_identity_id.clone()?,
        identity_pool_id: identity.cognito_identity_pool_id.clone()?,
        access_key: identity.access_key.clone().unwrap_or_default(),
        user_arn: identity.user_arn.clone().unwrap_or_default(),
        account_id: identity.account_id.clone(),
        providers: identity
            .cognito_authentication_provider
            .as_deref()
            .map(|providers| providers.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
    }))
}

/// An HTTP API's (payload 2.0): `authorizer.jwt.claims` from a JWT authorizer, else
/// `authorizer.iam.cognitoIdentity` from AWS_IAM.
fn of_http_api(context: &ApiGatewayV2httpRequestContext) -> Option<Established> {
    let authorizer = context.authorizer.as_ref()?;
    if let Some(jwt) = &authorizer.jwt {
        return Some(Established::Claims(jwt.claims.iter().map(|(n, v)| (n.clone(), v.clone())).collect()));
    }
    let iam = authorizer.iam.as_ref()?;
    let cognito = iam.cognito_identity.as_ref()?;
    Some(Established::Identity(GatewayIdentity {
        identity_id: cognito.identity_id.clone()?,
        identity_pool_id: cognito.identity_pool_id.clone()?,
        access_key: iam.access_key.clone().unwrap_or_default(),
        user_arn: iam.user_arn.clone().unwrap_or_default(),
        account_id: iam.account_id.clone(),
        providers: cognito.amr.clone(),
    }))
}

/// The user and groups of a user pool token's claims, from a pool the api accepts
/// (`API_USER_POOL_IDS`, when set).
fn of_claims(claims: &[(String, String)], config: &Config) -> Result<Principal, AuthError> {
    let claim = |name: &str| claims.iter().find(|(n, _)| n == name).map(|(_, value)| value.as_str());
    let user_id = claim("sub")
        .and_then(|sub| Uuid::parse_str(sub).ok())
        .ok_or(AuthError::InvalidToken("The authorizer's claims name no user."))?;
    let pool = claim("iss").and_then(|issuer| issuer.rsplit('/').next()).unwrap_or_default();
    if !config.api_user_pool_ids.is_empty() && !config.api_user_pool_ids.iter().any(|accepted| accepted == pool) {
        return Err(AuthError::InvalidToken("The token is not valid here."));
    }
    let groups = claim("cognito:groups").map(groups).unwrap_or_default();
    Ok(Principal { user_id, groups, sign_in: None, iam: None })
}

/// `cognito:groups` as API Gateway renders it: `Admin,Staff` (REST), `[Admin Staff]` (HTTP API),
/// or a JSON array.
fn groups(value: &str) -> Vec<String> {
    value
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split([',', ' '])
        .map(|group| group.trim_matches('"'))
        .filter(|group| !group.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `arn:aws:iam::<account>:role/<role>` from the assumed role's session ARN.
fn role_arn(user_arn: &str) -> String {
    let account = user_arn.split(':').nth(4).unwrap_or_default();
    let role = user_arn.split('/').nth(1).unwrap_or_default();
    format!("arn:aws:iam::{account}:role/{role}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_in_each_rendering() {
        for rendered in ["Admin,Staff", "[Admin Staff]", r#"["Admin","Staff"]"#] {
            assert_eq!(groups(rendered), ["Admin", "Staff"], "{rendered}");
        }
        assert!(groups("").is_empty());
    }

    #[test]
    fn the_role_of_an_assumed_role_session() {
        let arn = "arn:aws:sts::123456789012:assumed-role/ledgerline-authenticated/CognitoIdentityCredentials";
        assert_eq!(role_arn(arn), "arn:aws:iam::123456789012:role/ledgerline-authenticated");
    }
}
