//! The REST api's OpenAPI document, served at `/v1/openapi.json` and committed as `api/openapi.json`:
//! the security scheme, the problems operations answer (shared responses, each the one [`Problem`]
//! schema as `application/problem+json`), and what every operation has in common, added here once:
//! the authorizer's 401, the layers' 408, 500 and 503, and the headers every response carries.

use utoipa::{
    OpenApi, ToResponse,
    openapi::{
        Header, HeaderBuilder, ObjectBuilder, PathItem, Ref, RefOr, Required, Response, SecurityRequirement, Type,
        path::{Operation, ParameterBuilder, ParameterIn},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};
use utoipa_axum::router::OpenApiRouter;

use super::problem::Problem;
use crate::idempotency::KEY_MAX;

/// The document of `routes`' operations, completed with what they have in common.
pub fn document<S: Clone + Send + Sync + 'static>(
    routes: OpenApiRouter<S>,
) -> (axum::Router<S>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(routes).split_for_parts();
    add_security(&mut document);
    add_common(&mut document);
    (router, document)
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Ledgerline api", description = "Accounts and organisations, for callers signed in with Cognito."),
    components(
        schemas(Problem),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            RequestTimeout,
            Conflict,
            Gone,
            PreconditionFailed,
            PayloadTooLarge,
            UnprocessableContent,
            UnsupportedMediaType,
            PreconditionRequired,
            Internal,
            Unavailable
        )
    )
)]
struct ApiDoc;

/// The Cognito authorizer, required by every operation. The IAM (SigV4) authorizer adds its scheme
/// here, an `apiKey` on `Authorization` described in words (a signature has no OpenAPI scheme), as a
/// second requirement: either one authorizes.
fn add_security(document: &mut utoipa::openapi::OpenApi) {
    const COGNITO: &str = "cognito";
    let cognito = HttpBuilder::new()
        .scheme(HttpAuthScheme::Bearer)
        .bearer_format("JWT")
        .description(Some("A Cognito user pool's access token (or ID token, as the api is configured)."))
        .build();
    document.components.get_or_insert_default().add_security_scheme(COGNITO, SecurityScheme::Http(cognito));
    document.security = Some(vec![SecurityRequirement::new(COGNITO, Vec::<String>::new())]);
}

/// The request is malformed, or fields are invalid (`errors` names each).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BadRequest(pub Problem);

/// No credentials, or credentials that prove nothing (malformed, expired, of an ended sign-in).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "RFC 6750's challenge: `Bearer realm=\"ledgerline\"`, with `error=\"invalid_token\"` for credentials that prove nothing."))
)]
pub struct Unauthorized(pub Problem);

/// The caller may read this but not change it (their role is too low), or belongs to no tenant yet.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Forbidden(pub Problem);

/// There is no such resource, or the caller cannot see it.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(pub Problem);

/// The request took longer than the server allows.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct RequestTimeout(pub Problem);

/// The change conflicts with the current state (`type` says how).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Conflict(pub Problem);

/// What the request names is no longer usable (`type` says why: used, revoked, expired).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Gone(pub Problem);

/// `If-Match` names a version other than the current one, which `ETag` gives.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("ETag" = String, description = "The current version."))
)]
pub struct PreconditionFailed(pub Problem);

/// The body is larger than the server accepts.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PayloadTooLarge(pub Problem);

/// The `Idempotency-Key` was used before with another request.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct UnprocessableContent(pub Problem);

/// The body is not sent as JSON (`Content-Type: application/json`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct UnsupportedMediaType(pub Problem);

/// The change must name the version it changes, in `If-Match`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PreconditionRequired(pub Problem);

/// The server failed; nothing was changed.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Internal(pub Problem);

/// The database cannot be reached now; the request may succeed if repeated.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unavailable(pub Problem);

/// What every operation has in common: responses and headers.
fn add_common(document: &mut utoipa::openapi::OpenApi) {
    let secured_by_default = document.security.as_ref().is_some_and(|requirements| !requirements.is_empty());
    for item in document.paths.paths.values_mut() {
        for operation in operations(item) {
            let secured = operation.security.as_ref().map_or(secured_by_default, |own| !own.is_empty());
            add_common_responses(operation, secured);
            operation.responses.responses.values_mut().for_each(add_common_headers);
        }
        if let Some(post) = item.post.as_mut() {
            add_idempotency_key(post);
        }
    }
    let components = document.components.get_or_insert_default();
    components.responses.values_mut().for_each(add_common_headers);
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    let PathItem { get, put, post, delete, options, head, patch, trace, query, .. } = item;
    [get, put, post, delete, options, head, patch, trace, query].into_iter().filter_map(Option::as_mut)
}

/// The authorizer's 401 (for secured operations), the timeout's 408, and the 500 and 503 any
/// request can meet.
fn add_common_responses(operation: &mut Operation, secured: bool) {
    let mut common = vec![
        ("408", <RequestTimeout as ToResponse>::response().0),
        ("500", <Internal as ToResponse>::response().0),
        ("503", <Unavailable as ToResponse>::response().0),
    ];
    if secured {
        common.push(("401", <Unauthorized as ToResponse>::response().0));
    }
    for (status, name) in common {
        operation.responses.responses.insert(status.into(), Ref::from_response_name(name).into());
    }
}

/// Every POST takes an `Idempotency-Key` ([`super::idempotency`]): a malformed one is a 400, one
/// reused with another request a 422.
fn add_idempotency_key(operation: &mut Operation) {
    let key = ParameterBuilder::new()
        .name(super::idempotency::HEADER)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes the request safe to repeat (IETF draft-ietf-httpapi-idempotency-key-header): a request \
             repeated with the same key, by the same caller, within 24 hours gets the first one's answer and \
             changes nothing again; the key with another request is a 422. A Structured Field string \
             (`\"...\"`) or a bare value, 1 to 255 printable ASCII characters.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(KEY_MAX))
                // Printable ASCII, not starting or ending with a space (HTTP trims those).
                .pattern(Some("^[!-~]([ -~]*[!-~])?$")),
        ))
        .build();
    operation.parameters.get_or_insert_default().push(key.into());
    let responses = &mut operation.responses.responses;
    for (status, name) in
        [("400", <BadRequest as ToResponse>::response().0), ("422", <UnprocessableContent as ToResponse>::response().0)]
    {
        responses.entry(status.into()).or_insert_with(|| Ref::from_response_name(name).into());
    }
}

/// Every response carries the request's id, and every header the document names is always sent.
fn add_common_headers(response: &mut RefOr<Response>) {
    let RefOr::T(response) = response else { return };
    let request_id = HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .description(Some("The request's id (the caller's, or a new UUID): the server's logs name it."))
        .build();
    response.headers.insert("x-request-id".into(), request_id.into());
    response.headers.values_mut().for_each(required);
}

/// OpenAPI's header `required`, which utoipa's `Header` lacks: set as an extension, which serializes
/// in place.
fn required(header: &mut RefOr<Header>) {
    if let RefOr::T(header) = header {
        header.extensions.get_or_insert_default().insert("required".into(), true.into());
    }
}
