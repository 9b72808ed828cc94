//! The REST api under `/v1`: its routes with their OpenAPI document (generated from the handlers'
//! annotations, served at `/v1/openapi.json`), and its error shape, problem+json, on every error,
//! including those of the layers in front of it (body limit, timeout, a panic, a wrong method).

pub mod etag;
pub mod extract;
pub mod idempotency;
pub mod openapi;
pub mod problem;

use crate::{AppState, accounts, auth, cognito, organisations};
use axum::{
    Router,
    body::Bytes,
    extract::Request,
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, get},
};
use problem::Problem;

pub const PREFIX: &str = "/v1";

/// Every `/v1` route, and the document that describes them: one list, so neither can miss one.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    openapi::document(accounts::routes().merge(organisations::routes()).merge(auth::context::routes()))
}

/// The routes, unknown paths included (as API Gateway authorizes before it routes), behind the IAM
/// authorizer's middleware (which lets bearer requests through to the Cognito one, as configured),
/// every answer with `x-amzn-RequestId` as API Gateway's; the OpenAPI document is public.
pub fn routes(state: &AppState) -> Router<AppState> {
    let (router, openapi) = api();
    let document = Bytes::from(serde_json::to_vec(&openapi).expect("the OpenAPI document serializes"));
    router
        .route("/v1/{*rest}", any(|| async { Problem::not_found("There is no such endpoint.") }))
        .layer(middleware::from_fn_with_state(state.clone(), auth::iam::authorize))
        .layer(middleware::from_fn(cognito::wire::amzn_request_id))
        .route(
            "/v1/openapi.json",
            get(move || std::future::ready(([(header::CONTENT_TYPE, "application/json")], document.clone()))),
        )
}

/// Turns the bare error responses of layers and the router (405, 408, 413, a panic's 500) under
/// `/v1` into problems, keeping their status and headers; API Gateway's own refusals (the IAM
/// authorizer's, with `x-amzn-ErrorType`) keep their shape.
pub async fn problems_everywhere(request: Request, next: Next) -> Response {
    let under_api = request.uri().path().starts_with(PREFIX);
    let response = next.run(request).await;
    let status = response.status();
    if !under_api || !(status.is_client_error() || status.is_server_error()) || is_problem(&response) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let problem = Problem::from_status(status, status.canonical_reason().unwrap_or("The request failed."));
    let body = problem.into_response();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(problem::CONTENT_TYPE));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body.into_body())
}

fn is_problem(response: &Response) -> bool {
    response.headers().get(header::CONTENT_TYPE).is_some_and(|value| value == problem::CONTENT_TYPE)
        || response.headers().contains_key("x-amzn-errortype")
}
