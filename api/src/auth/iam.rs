//! The IAM authorizer, as API Gateway's AWS_IAM authorization: a request SigV4-signed for
//! `execute-api` with an identity pool's credentials is verified (scope, ±5 minutes, the session
//! token issued with the key), then the role's policies must allow `execute-api:Invoke` on
//! `arn:aws:execute-api:{region}:{account}:{api id}/{stage}/{METHOD}/{path}` (the stage being the
//! path's first segment, `v1`). Refusals are API Gateway's own: 403, `x-amzn-ErrorType`, and
//! `{"message": …}` (`{"Message": …}` for AccessDenied).
//!
//! A middleware, because the signature covers the body: it buffers the body of signed requests only,
//! and hands the identity on in the request's extensions, where the [`super::Authorized`] extractor
//! finds it.

use std::{collections::BTreeMap, sync::Arc};

use axum::{
    Json,
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde_json::json;
use time::OffsetDateTime;

use crate::{
    AppState,
    config::{Authorizer, IdentitySource},
    iam::policy::{self, Decision},
    identity::credentials::{self, Refusal, Session},
    sigv4::{self, Expectation, SigV4Error, SignedRequest},
};

/// The IAM action API Gateway authorizes.
const INVOKE: &str = "execute-api:Invoke";
/// The session name Cognito Identity gives the roles it assumes.
const SESSION_NAME: &str = "CognitoIdentityCredentials";

/// Who signed the request: an identity pool's session, as API Gateway's request context shows it.
#[derive(Debug, Clone)]
pub struct IamIdentity {
    pub session: Session,
    pub account_id: String,
}

impl IamIdentity {
    /// `arn:aws:sts::<account>:assumed-role/<role>/CognitoIdentityCredentials`.
    pub fn user_arn(&self) -> String {
        format!("arn:aws:sts::{}:assumed-role/{}/{SESSION_NAME}", self.account_id, self.session.role_name())
    }

    pub fn authentication_type(&self) -> &'static str {
        if self.session.user.is_some() { "authenticated" } else { "unauthenticated" }
    }

    /// `<provider>,<provider>:CognitoSignIn:<sub>`, for a signed-in user.
    pub fn authentication_provider(&self) -> Option<String> {
        let user = self.session.user.as_ref()?;
        Some(format!("{0},{0}:CognitoSignIn:{1}", user.provider, user.sub))
    }

    /// The policy variables and condition keys of the session.
    fn context(&self) -> BTreeMap<String, Vec<String>> {
        let mut amr = vec![self.authentication_type().to_owned()];
        if let Some(user) = &self.session.user {
            amr.extend([user.provider.clone(), format!("{}:CognitoSignIn:{}", user.provider, user.sub)]);
        }
        BTreeMap::from([
            ("cognito-identity.amazonaws.com:sub".to_owned(), vec![self.session.identity_id.clone()]),
            ("cognito-identity.amazonaws.com:aud".to_owned(), vec![self.session.identity_pool_id.clone()]),
            ("cognito-identity.amazonaws.com:amr".to_owned(), amr),
        ])
    }
}

/// Whether the request is signed with SigV4 (header or presigned URL): the IAM authorizer's.
pub fn is_signed(request: &Request) -> bool {
    let header = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    header.starts_with("AWS4-") || request.uri().query().is_some_and(|q| q.contains("X-Amz-Algorithm="))
}

/// The middleware in front of the `/v1` routes: signed requests are authorized here (or refused);
/// the others go on to the Cognito authorizer, or, when only IAM is configured, are refused as
/// API Gateway refuses them.
pub async fn authorize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let authorizers = &state.config.api_authorizers;
    // Behind API Gateway's AWS_IAM, the signature was checked there (with a secret only AWS has).
    if !authorizers.contains(&Authorizer::Iam) || state.config.api_gateway_identity == IdentitySource::Trust {
        return next.run(request).await;
    }
    let signed = is_signed(&request);
    if !signed && authorizers.contains(&Authorizer::Cognito) {
        return next.run(request).await;
    }
    let request_id = request.headers().get("x-request-id").cloned();
    let outcome = match signed {
        true => verify(&state, request).await,
        false => Err(unsigned(&request)),
    };
    match outcome {
        Ok(request) => next.run(request).await,
        Err(refusal) => refusal.into_response(request_id),
    }
}

/// Checks the signature and the policy; the request, with its body put back and the identity added.
async fn verify(state: &AppState, request: Request) -> Result<Request, GatewayError> {
    let (parts, body) = request.into_parts();
    let limit = usize::try_from(state.config.body_limit_bytes).unwrap_or(usize::MAX);
    let body = axum::body::to_bytes(body, limit).await.map_err(|_| GatewayError::too_large())?;
    let config = &state.config;
    let now = OffsetDateTime::now_utc();
    let signed = SignedRequest { method: &parts.method, uri: &parts.uri, headers: &parts.headers, body: &body };
    let parsed = sigv4::parse(&signed, &Expectation::new("execute-api", [config.cognito_region.clone()]), now)?;
    let token = parsed.session_token().ok_or(SigV4Error::UnknownAccessKey)?;
    let (session, secret) = match credentials::open(state, parsed.access_key_id(), token, now).await {
        Ok(Ok(opened)) => opened,
        Ok(Err(Refusal::Invalid)) => return Err(SigV4Error::UnknownAccessKey.into()),
        Ok(Err(Refusal::Expired)) => return Err(GatewayError::expired_token()),
        Err(_) => return Err(GatewayError::unavailable()),
    };
    parsed.verify(&secret, Some(token))?;
    let identity = IamIdentity { session, account_id: config.aws_account_id.clone() };
    let resource = resource_arn(state, parsed.region(), parts.method.as_str(), parts.uri.path());
    let policies = state.iam_policies.policies(&state.db, identity.session.role_name()).await.map_err(|error| {
        tracing::error!(%error, "reading a role's policies");
        GatewayError::unavailable()
    })?;
    let context = identity.context();
    let decision =
        policy::evaluate(policies.iter(), &policy::Request { action: INVOKE, resource: &resource, context: &context });
    if decision != Decision::Allow {
        return Err(GatewayError::access_denied(&identity, &resource));
    }
    let mut request = Request::from_parts(parts, Body::from(body));
    request.extensions_mut().insert(Arc::new(identity));
    Ok(request)
}

/// `arn:aws:execute-api:{region}:{account}:{api id}/{stage}/{METHOD}/{path}`, the path decoded, as
/// API Gateway builds it: `/v1/accounts/x` is stage `v1`, path `accounts/x`.
fn resource_arn(state: &AppState, region: &str, method: &str, path: &str) -> String {
    let path = percent_encoding::percent_decode_str(path.trim_start_matches('/')).decode_utf8_lossy();
    let (stage, rest) = path.split_once('/').unwrap_or((&path, ""));
    let config = &state.config;
    format!("arn:aws:execute-api:{region}:{}:{}/{stage}/{method}/{rest}", config.aws_account_id, config.api_gateway_id)
}

/// An unsigned request to an api that accepts only IAM: API Gateway's answers.
fn unsigned(request: &Request) -> GatewayError {
    match request.headers().get(header::AUTHORIZATION) {
        None => SigV4Error::MissingAuthentication.into(),
        Some(value) => GatewayError::new(
            StatusCode::FORBIDDEN,
            "IncompleteSignatureException",
            "message",
            format!(
                "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={}",
                value.to_str().unwrap_or_default()
            ),
        ),
    }
}

/// A refusal as API Gateway sends it.
#[derive(Debug)]
pub struct GatewayError {
    status: StatusCode,
    error_type: &'static str,
    /// `message`, except AccessDenied's `Message`.
    key: &'static str,
    message: String,
}

impl GatewayError {
    fn new(status: StatusCode, error_type: &'static str, key: &'static str, message: String) -> Self {
        Self { status, error_type, key, message }
    }

    fn expired_token() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "ExpiredTokenException",
            "message",
            "The security token included in the request is expired".into(),
        )
    }

    /// The account is masked but for its last four digits, as API Gateway shows it.
    fn access_denied(identity: &IamIdentity, resource: &str) -> Self {
        let account = &identity.account_id;
        let masked =
            format!("{}{}", "*".repeat(account.len().saturating_sub(4)), &account[account.len().saturating_sub(4)..]);
        let resource = resource.replacen(&format!(":{account}:"), &format!(":{masked}:"), 1);
        let message =
            format!("User: {} is not authorized to perform: {INVOKE} on resource: {resource}", identity.user_arn());
        Self::new(StatusCode::FORBIDDEN, "AccessDeniedException", "Message", message)
    }

    fn too_large() -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLargeException", "message", "Request Too Long".into())
    }

    fn unavailable() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerErrorException",
            "message",
            "Internal server error".into(),
        )
    }

    fn into_response(self, request_id: Option<HeaderValue>) -> Response {
        let mut response = (self.status, Json(json!({ self.key: self.message }))).into_response();
        let headers = response.headers_mut();
        headers.insert("x-amzn-errortype", HeaderValue::from_static(self.error_type));
        if let Some(id) = request_id {
            headers.insert("x-amzn-requestid", id);
        }
        response
    }
}

impl From<SigV4Error> for GatewayError {
    fn from(error: SigV4Error) -> Self {
        Self::new(StatusCode::FORBIDDEN, error.aws_error_type(), "message", error.to_string())
    }
}
