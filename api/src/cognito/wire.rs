//! The endpoint SDKs talk to: `POST /cognito` with `X-Amz-Target:
//! AWSCognitoIdentityProviderService.<Operation>` and a JSON body (`application/x-amz-json-1.1`).
//! Every reply, error or not, carries `x-amzn-RequestId`.

use std::future::Future;

use axum::{
    body::Bytes,
    extract::{OriginalUri, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::{Serialize, de::DeserializeOwned};

use super::{
    admin,
    error::{CognitoError, CognitoResult, Exception},
    ops,
};
use crate::AppState;

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// Who may call an operation: anyone (the request itself proves who it acts for, with tokens, codes
/// or a password), or only the configured IAM credentials (SigV4-signed, as AWS's admin API).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Public,
    Admin,
}

/// Every operation the endpoint answers, and who may call it. One missing here is unknown, whatever
/// [`dispatch`] could do: a new operation is refused until it is classified.
pub const OPERATIONS: [(&str, Access); 33] = [
    ("SignUp", Access::Public),
    ("ConfirmSignUp", Access::Public),
    ("ResendConfirmationCode", Access::Public),
    ("InitiateAuth", Access::Public),
    ("RespondToAuthChallenge", Access::Public),
    ("GetUser", Access::Public),
    ("UpdateUserAttributes", Access::Public),
    ("ChangePassword", Access::Public),
    ("ForgotPassword", Access::Public),
    ("ConfirmForgotPassword", Access::Public),
    ("GlobalSignOut", Access::Public),
    ("RevokeToken", Access::Public),
    ("DeleteUser", Access::Public),
    ("CreateUserPool", Access::Admin),
    ("CreateUserPoolClient", Access::Admin),
    ("DescribeUserPool", Access::Admin),
    ("ListUserPools", Access::Admin),
    ("DescribeUserPoolClient", Access::Admin),
    ("AdminCreateUser", Access::Admin),
    ("AdminGetUser", Access::Admin),
    ("AdminConfirmSignUp", Access::Admin),
    ("AdminDeleteUser", Access::Admin),
    ("AdminDisableUser", Access::Admin),
    ("AdminEnableUser", Access::Admin),
    ("AdminSetUserPassword", Access::Admin),
    ("AdminInitiateAuth", Access::Admin),
    ("ListUsers", Access::Admin),
    ("CreateGroup", Access::Admin),
    ("ListGroups", Access::Admin),
    ("AdminAddUserToGroup", Access::Admin),
    ("AdminRemoveUserFromGroup", Access::Admin),
    ("AdminListGroupsForUser", Access::Admin),
    ("ListUsersInGroup", Access::Admin),
];

fn access(operation: &str) -> Option<Access> {
    OPERATIONS.iter().find(|(name, _)| *name == operation).map(|(_, access)| *access)
}
const AMZ_JSON: HeaderValue = HeaderValue::from_static("application/x-amz-json-1.1");

pub async fn endpoint(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let outcome = match operation(&headers) {
        Ok(operation) => match access(operation) {
            Some(Access::Admin) => match admin::authorize(&state, &method, &uri, &headers, &body) {
                Ok(()) => dispatch(&state, operation, &body).await,
                Err(error) => Err(error),
            },
            Some(Access::Public) => dispatch(&state, operation, &body).await,
            None => Err(unknown_operation(operation)),
        },
        Err(error) => Err(error),
    };
    let mut response = match outcome {
        Ok(json) => (StatusCode::OK, json).into_response(),
        Err(error) => error.into_response(),
    };
    response.headers_mut().insert(header::CONTENT_TYPE, AMZ_JSON);
    response
}

fn operation(headers: &HeaderMap) -> CognitoResult<&str> {
    headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .and_then(|target| target.strip_prefix(TARGET_PREFIX))
        .ok_or_else(|| CognitoError::new(Exception::UnknownOperation, "Missing or unknown X-Amz-Target."))
}

async fn dispatch(state: &AppState, operation: &str, body: &[u8]) -> CognitoResult<Vec<u8>> {
    match operation {
        "SignUp" => call(body, |request| ops::sign_up::run(state, request)).await,
        "ConfirmSignUp" => call(body, |request| ops::confirm_sign_up::run(state, request)).await,
        "ResendConfirmationCode" => call(body, |request| ops::resend_confirmation_code::run(state, request)).await,
        "InitiateAuth" => call(body, |request| ops::initiate_auth::run(state, request)).await,
        "RespondToAuthChallenge" => call(body, |request| ops::respond_to_auth_challenge::run(state, request)).await,
        "GetUser" => call(body, |request| ops::get_user::run(state, request)).await,
        "UpdateUserAttributes" => call(body, |request| ops::update_user_attributes::run(state, request)).await,
        "ChangePassword" => call(body, |request| ops::change_password::run(state, request)).await,
        "ForgotPassword" => call(body, |request| ops::forgot_password::run(state, request)).await,
        "ConfirmForgotPassword" => call(body, |request| ops::forgot_password::confirm(state, request)).await,
        "GlobalSignOut" => call(body, |request| ops::global_sign_out::run(state, request)).await,
        "RevokeToken" => call(body, |request| ops::revoke_token::run(state, request)).await,
        "DeleteUser" => call(body, |request| ops::delete_user::run(state, request)).await,
        "CreateUserPool" => call(body, |request| ops::create_user_pool::run(state, request)).await,
        "CreateUserPoolClient" => call(body, |request| ops::create_user_pool_client::run(state, request)).await,
        "DescribeUserPool" => call(body, |request| ops::describe_user_pool::run(state, request)).await,
        "ListUserPools" => call(body, |request| ops::list_user_pools::run(state, request)).await,
        "DescribeUserPoolClient" => call(body, |request| ops::describe_user_pool_client::run(state, request)).await,
        "AdminCreateUser" => call(body, |request| ops::admin_create_user::run(state, request)).await,
        "AdminGetUser" => call(body, |request| ops::admin_get_user::run(state, request)).await,
        "AdminConfirmSignUp" => call(body, |request| ops::admin_confirm_sign_up::run(state, request)).await,
        "AdminDeleteUser" => call(body, |request| ops::admin_delete_user::run(state, request)).await,
        "AdminDisableUser" => call(body, |request| ops::admin_disable_user::run(state, request)).await,
        "AdminEnableUser" => call(body, |request| ops::admin_enable_user::run(state, request)).await,
        "AdminSetUserPassword" => call(body, |request| ops::admin_set_user_password::run(state, request)).await,
        "AdminInitiateAuth" => call(body, |request| ops::admin_initiate_auth::run(state, request)).await,
        "ListUsers" => call(body, |request| ops::list_users::run(state, request)).await,
        "CreateGroup" => call(body, |request| ops::create_group::run(state, request)).await,
        "ListGroups" => call(body, |request| ops::list_groups::run(state, request)).await,
        "AdminAddUserToGroup" => call(body, |request| ops::admin_add_user_to_group::run(state, request)).await,
        "AdminRemoveUserFromGroup" => {
            call(body, |request| ops::admin_remove_user_from_group::run(state, request)).await
        }
        "AdminListGroupsForUser" => call(body, |request| ops::admin_list_groups_for_user::run(state, request)).await,
        "ListUsersInGroup" => call(body, |request| ops::list_users_in_group::run(state, request)).await,
        other => Err(unknown_operation(other)),
    }
}

fn unknown_operation(operation: &str) -> CognitoError {
    CognitoError::new(Exception::UnknownOperation, format!("Unknown operation {operation}."))
}

/// Parses the request, runs the operation, serialises its answer.
async fn call<Req, Res, Fut>(body: &[u8], operation: impl FnOnce(Req) -> Fut) -> CognitoResult<Vec<u8>>
where
    Req: DeserializeOwned,
    Res: Serialize,
    Fut: Future<Output = CognitoResult<Res>>,
{
    let request = serde_json::from_slice(body).map_err(|error| parse_error(&error))?;
    let response = operation(request).await?;
    serde_json::to_vec(&response).map_err(|_| CognitoError::new(Exception::Internal, "An internal error occurred."))
}

/// Malformed JSON is a SerializationException; JSON of the wrong shape (a missing member, a wrong
/// type) is an InvalidParameterException naming the member, as Cognito's validation says it.
fn parse_error(error: &serde_json::Error) -> CognitoError {
    match error.classify() {
        serde_json::error::Category::Data => {
            CognitoError::invalid_parameter(format!("1 validation error detected: {}", data_error_text(error)))
        }
        _ => CognitoError::new(Exception::Serialization, "Request body is not valid JSON."),
    }
}

/// serde says "missing field `Username` at line 1 column 20": keep the part before the position.
fn data_error_text(error: &serde_json::Error) -> String {
    let text = error.to_string();
    text.split(" at line ").next().unwrap_or(&text).replace("missing field", "Value null at").replace('`', "'")
}

/// Adds `x-amzn-RequestId` (the request's id) to every Cognito reply, as AWS does.
pub async fn amzn_request_id(request: Request, next: Next) -> Response {
    let id = request.headers().get("x-request-id").cloned();
    let mut response = next.run(request).await;
    if let Some(id) = id {
        response.headers_mut().insert("x-amzn-requestid", id);
    }
    response
}
