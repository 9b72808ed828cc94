//! The endpoint SDKs talk to: `POST /cognito` with `X-Amz-Target:
//! AWSCognitoIdentityProviderService.<Operation>` (user pools) or
//! `AWSCognitoIdentityService.<Operation>` (identity pools, [`crate::identity`]) and a JSON body
//! (`application/x-amz-json-1.1`). Every reply, error or not, carries `x-amzn-RequestId`.

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
use crate::{AppState, identity};

/// The two services this endpoint answers, told apart by their `X-Amz-Target` prefix, each with the
/// SigV4 service name its admin operations are signed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Service {
    UserPools,
    IdentityPools,
}

impl Service {
    const ALL: [(Self, &'static str); 2] =
        [(Self::UserPools, "AWSCognitoIdentityProviderService."), (Self::IdentityPools, "AWSCognitoIdentityService.")];

    fn operations(self) -> &'static [(&'static str, Access)] {
        match self {
            Self::UserPools => OPERATIONS,
            Self::IdentityPools => identity::wire::OPERATIONS,
        }
    }

    fn signing_name(self) -> &'static str {
        match self {
            Self::UserPools => "cognito-idp",
            Self::IdentityPools => "cognito-identity",
        }
    }

    async fn dispatch(self, state: &AppState, operation: &str, body: &[u8]) -> CognitoResult<Vec<u8>> {
        match self {
            Self::UserPools => dispatch(state, operation, body).await,
            Self::IdentityPools => identity::wire::dispatch(state, operation, body).await,
        }
    }
}

/// Who may call an operation: anyone (the request itself proves who it acts for, with tokens, codes
/// or a password), or only the configured IAM credentials (SigV4-signed, as AWS's admin API).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Public,
    Admin,
}

/// An operation missing from its service's table is unknown, whatever its name looks like.
fn access(service: Service, operation: &str) -> Option<Access> {
    service.operations().iter().find(|(name, _)| *name == operation).map(|(_, access)| *access)
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
        Ok((service, operation)) => match access(service, operation) {
            Some(Access::Admin) => {
                match admin::authorize(&state, service.signing_name(), &method, &uri, &headers, &body) {
                    Ok(()) => service.dispatch(&state, operation, &body).await,
                    Err(error) => Err(error),
                }
            }
            Some(Access::Public) => service.dispatch(&state, operation, &body).await,
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

fn operation(headers: &HeaderMap) -> CognitoResult<(Service, &str)> {
    let target = headers.get("x-amz-target").and_then(|value| value.to_str().ok()).unwrap_or_default();
    Service::ALL
        .iter()
        .find_map(|(service, prefix)| Some((*service, target.strip_prefix(prefix)?)))
        .ok_or_else(|| CognitoError::new(Exception::UnknownOperation, "Missing or unknown X-Amz-Target."))
}

/// Declares every operation once: its name, who may call it, and the function that runs it. The
/// table of who may call what and the dispatcher are both generated from it, so an operation cannot
/// be dispatched without being classified.
macro_rules! operations {
    ($($name:literal: $access:ident => $($path:ident)::+,)*) => {
        /// Every operation the endpoint answers for this service, and who may call it.
        pub const OPERATIONS: &[(&str, $crate::cognito::wire::Access)] =
            &[$(($name, $crate::cognito::wire::Access::$access)),*];

        pub(crate) async fn dispatch(
            state: &$crate::AppState,
            operation: &str,
            body: &[u8],
        ) -> $crate::cognito::error::CognitoResult<Vec<u8>> {
            match operation {
                $($name => $crate::cognito::wire::call(body, |request| ops::$($path)::+(state, request)).await,)*
                other => Err($crate::cognito::wire::unknown_operation(other)),
            }
        }
    };
}
pub(crate) use operations;

operations! {
    "SignUp": Public => sign_up::run,
    "ConfirmSignUp": Public => confirm_sign_up::run,
    "ResendConfirmationCode": Public => resend_confirmation_code::run,
    "InitiateAuth": Public => initiate_auth::run,
    "RespondToAuthChallenge": Public => respond_to_auth_challenge::run,
    "GetUser": Public => get_user::run,
    "UpdateUserAttributes": Public => update_user_attributes::run,
    "ChangePassword": Public => change_password::run,
    "ForgotPassword": Public => forgot_password::run,
    "ConfirmForgotPassword": Public => forgot_password::confirm,
    "GlobalSignOut": Public => global_sign_out::run,
    "RevokeToken": Public => revoke_token::run,
    "GetTokensFromRefreshToken": Public => get_tokens_from_refresh_token::run,
    "AssociateSoftwareToken": Public => associate_software_token::run,
    "VerifySoftwareToken": Public => verify_software_token::run,
    "SetUserMFAPreference": Public => set_user_mfa_preference::run,
    "DeleteUser": Public => delete_user::run,
    "CreateUserPool": Admin => create_user_pool::run,
    "CreateUserPoolClient": Admin => create_user_pool_client::run,
    "DescribeUserPool": Admin => describe_user_pool::run,
    "ListUserPools": Admin => list_user_pools::run,
    "DescribeUserPoolClient": Admin => describe_user_pool_client::run,
    "AdminCreateUser": Admin => admin_create_user::run,
    "AdminGetUser": Admin => admin_get_user::run,
    "AdminConfirmSignUp": Admin => admin_confirm_sign_up::run,
    "AdminDeleteUser": Admin => admin_delete_user::run,
    "AdminDisableUser": Admin => admin_disable_user::run,
    "AdminEnableUser": Admin => admin_enable_user::run,
    "AdminSetUserPassword": Admin => admin_set_user_password::run,
    "AdminInitiateAuth": Admin => admin_initiate_auth::run,
    "ListUsers": Admin => list_users::run,
    "CreateGroup": Admin => create_group::run,
    "ListGroups": Admin => list_groups::run,
    "AdminAddUserToGroup": Admin => admin_add_user_to_group::run,
    "AdminRemoveUserFromGroup": Admin => admin_remove_user_from_group::run,
    "AdminListGroupsForUser": Admin => admin_list_groups_for_user::run,
    "ListUsersInGroup": Admin => list_users_in_group::run,
    "UpdateUserPool": Admin => update_user_pool::run,
    "DeleteUserPool": Admin => delete_user_pool::run,
    "UpdateUserPoolClient": Admin => update_user_pool_client::run,
    "ListUserPoolClients": Admin => list_user_pool_clients::run,
    "DeleteUserPoolClient": Admin => delete_user_pool_client::run,
    "AdminUpdateUserAttributes": Admin => admin_update_user_attributes::run,
    "AdminResetUserPassword": Admin => admin_reset_user_password::run,
    "AdminUserGlobalSignOut": Admin => admin_user_global_sign_out::run,
    "GetGroup": Admin => get_group::run,
    "UpdateGroup": Admin => update_group::run,
    "DeleteGroup": Admin => delete_group::run,
    "AdminSetUserMFAPreference": Admin => admin_set_user_mfa_preference::run,
    "AdminRespondToAuthChallenge": Admin => admin_respond_to_auth_challenge::run,
    "GetUserPoolMfaConfig": Admin => get_user_pool_mfa_config::run,
    "SetUserPoolMfaConfig": Admin => set_user_pool_mfa_config::run,
}

pub(crate) fn unknown_operation(operation: &str) -> CognitoError {
    CognitoError::new(Exception::UnknownOperation, format!("Unknown operation {operation}."))
}

/// Parses the request, runs the operation, serialises its answer.
pub(crate) async fn call<Req, Res, Fut>(body: &[u8], operation: impl FnOnce(Req) -> Fut) -> CognitoResult<Vec<u8>>
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
