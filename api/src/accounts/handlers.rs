//! The accounts endpoints: HTTP in and out, everything else in [`super::service`].

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{
    model::{
        Account, AccountChanges, DeleteParams, ListParams, Move, NewAccount, Page, RootParams, Subtree, SubtreeParams,
    },
    service,
};
use crate::{
    AppState,
    auth::{Authorized, Identified},
    db,
    rest::{
        etag::{IfMatch, etag},
        extract::{JsonBody, PathId, QueryParams},
        idempotency::{IdempotencyKey, Use},
        openapi::{
            BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired,
            UnsupportedMediaType,
        },
        problem::{Problem, RestResult},
    },
};

const TAG: &str = "accounts";

/// An account with its version as ETag.
fn tagged(status: StatusCode, account: Account) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, etag(account.version));
    (status, headers, Json(account)).into_response()
}

/// Root accounts of a tenant, in name order.
#[utoipa::path(get, path = "/v1/accounts", tag = TAG, params(RootParams),
    responses((status = 200, body = Page<Account>), (status = 400, response = BadRequest),
        (status = 403, response = Forbidden)))]
pub async fn list_roots(
    Authorized { caller, mut tx }: Authorized,
    QueryParams(params): QueryParams<RootParams>,
) -> RestResult<Json<Page<Account>>> {
    let page = service::roots(&mut tx, &caller, params).await?;
    db::end_reading(tx);
    Ok(Json(page))
}

/// One account; its ETag is its version.
#[utoipa::path(get, path = "/v1/accounts/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Account, headers(("ETag" = String, description = "The account's version.")), links(
            ("UpdateAccount" = (operation_id = "update_account",
                parameters(("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))),
            ("DeleteAccount" = (operation_id = "delete_account",
                parameters(("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))),
        )),
        (status = 404, response = NotFound)))]
pub async fn get_account(Authorized { mut tx, .. }: Authorized, PathId(id): PathId) -> RestResult<Response> {
    let account = service::get(&mut tx, id).await?;
    db::end_reading(tx);
    Ok(tagged(StatusCode::OK, account))
}

/// The children of an account, each with its child count and rolled-up balance, for lazy expansion.
#[utoipa::path(get, path = "/v1/accounts/{id}/children", tag = TAG, params(("id" = Uuid, Path), ListParams),
    responses((status = 200, body = Page<Account>), (status = 400, response = BadRequest),
        (status = 404, response = NotFound)))]
pub async fn list_children(
    Identified(identity): Identified,
    State(state): State<AppState>,
    PathId(id): PathId,
    QueryParams(params): QueryParams<ListParams>,
) -> RestResult<Json<Page<Account>>> {
    Ok(Json(service::children(&state.requests, identity, id, params).await?))
}

/// An account and the levels below it, to a bounded depth.
#[utoipa::path(get, path = "/v1/accounts/{id}/subtree", tag = TAG, params(("id" = Uuid, Path), SubtreeParams),
    responses((status = 200, body = Subtree), (status = 400, response = BadRequest),
        (status = 404, response = NotFound)))]
pub async fn get_subtree(
    Authorized { mut tx, .. }: Authorized,
    PathId(id): PathId,
    QueryParams(params): QueryParams<SubtreeParams>,
) -> RestResult<Json<Subtree>> {
    let subtree = service::subtree(&mut tx, id, params).await?;
    db::end_reading(tx);
    Ok(Json(subtree))
}

/// Creates a root account, or a child under a parent of the same tenant.
#[utoipa::path(post, path = "/v1/accounts", tag = TAG, request_body = NewAccount,
    responses(
        (status = 201, body = Account,
            headers(("ETag" = String, description = "The account's version."),
                ("Location" = String, description = "The account's path.")),
            links(
                ("GetAccount" = (operation_id = "get_account", parameters(("id" = "$response.body#/id")))),
                ("UpdateAccount" = (operation_id = "update_account",
                    parameters(("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))),
                ("MoveAccount" = (operation_id = "move_account",
                    parameters(("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))),
                ("DeleteAccount" = (operation_id = "delete_account",
                    parameters(("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))),
                ("ListChildren" = (operation_id = "list_children", parameters(("id" = "$response.body#/id")))),
                ("GetSubtree" = (operation_id = "get_subtree", parameters(("id" = "$response.body#/id")))),
                ("CreateChild" = (operation_id = "create_account",
                    request_body = json!({ "parentId": "$response.body#/id" }))),
            )),
        (status = 400, response = BadRequest), (status = 403, response = Forbidden),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType)))]
pub async fn create_account(
    Authorized { caller, mut tx }: Authorized,
    key: IdempotencyKey,
    JsonBody(new): JsonBody<NewAccount>,
) -> RestResult<Response> {
    let claim = match key.of(&new).claim(&mut tx, &caller).await? {
        Use::First(claim) => claim,
        Use::Repeat(answer) => return Ok(answer),
    };
    let account = service::create(&mut tx, &caller, new).await?;
    let location = format!("/v1/accounts/{}", account.id);
    let mut response = tagged(StatusCode::CREATED, account);
    response.headers_mut().insert(header::LOCATION, location.parse().map_err(|_| Problem::internal())?);
    claim.commit(tx, response).await
}

/// Changes name, number or status. `If-Match` with the account's ETag is required.
#[utoipa::path(patch, path = "/v1/accounts/{id}", tag = TAG, request_body = AccountChanges,
    params(("id" = Uuid, Path), ("If-Match" = inline(IfMatch), Header, description = "The account's ETag.")),
    responses(
        (status = 200, body = Account, headers(("ETag" = String, description = "The account's new version.")),
            links(("DeleteAccount" = (operation_id = "delete_account",
                parameters(("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))))),
        (status = 400, response = BadRequest), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 428, response = PreconditionRequired)))]
pub async fn update_account(
    Authorized { caller, mut tx }: Authorized,
    PathId(id): PathId,
    if_match: IfMatch,
    JsonBody(changes): JsonBody<AccountChanges>,
) -> RestResult<Response> {
    let account = service::update(&mut tx, &caller, id, changes, if_match).await?;
    tx.commit().await?;
    Ok(tagged(StatusCode::OK, account))
}

/// Moves an account (with its subtree) under another parent of its tenant, or to the roots.
#[utoipa::path(post, path = "/v1/accounts/{id}/move", tag = TAG, request_body = Move,
    params(("id" = Uuid, Path),
        ("If-Match" = inline(Option<IfMatch>), Header, nullable = false, description = "The account's ETag.")),
    responses((status = 200, body = Account, headers(("ETag" = String, description = "The account's new version."))),
        (status = 400, response = BadRequest), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType)))]
pub async fn move_account(
    Authorized { caller, mut tx }: Authorized,
    key: IdempotencyKey,
    PathId(id): PathId,
    if_match: IfMatch,
    JsonBody(target): JsonBody<Move>,
) -> RestResult<Response> {
    let claim = match key.of(&target).claim(&mut tx, &caller).await? {
        Use::First(claim) => claim,
        Use::Repeat(answer) => return Ok(answer),
    };
    let account = service::move_to(&mut tx, &caller, id, target.parent_id, if_match).await?;
    claim.commit(tx, tagged(StatusCode::OK, account)).await
}

/// Deletes an account; one with children only with `subtree=true`, which deletes them too.
#[utoipa::path(delete, path = "/v1/accounts/{id}", tag = TAG,
    params(("id" = Uuid, Path), DeleteParams,
        ("If-Match" = inline(Option<IfMatch>), Header, nullable = false, description = "The account's ETag.")),
    responses((status = 204, headers(("Deleted-Count" = u64, description = "How many accounts were deleted."))),
        (status = 400, response = BadRequest), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed)))]
pub async fn delete_account(
    Authorized { caller, mut tx }: Authorized,
    PathId(id): PathId,
    if_match: IfMatch,
    QueryParams(params): QueryParams<DeleteParams>,
) -> RestResult<Response> {
    let deleted = service::delete(&mut tx, &caller, id, params.subtree, if_match).await?;
    tx.commit().await?;
    Ok((StatusCode::NO_CONTENT, [("deleted-count", deleted.to_string())]).into_response())
}
