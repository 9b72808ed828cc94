//! The organisations endpoints: HTTP in and out, everything else in [`super::service`].

use axum::{
    Json,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{
    model::{
        AuditEntry, AuditParams, Invitation, Member, Naming, NewInvitation, Organisation, ReceivedInvitation,
        RoleChange, Transfer,
    },
    service,
    token::PathToken,
};
use crate::{
    AppState,
    accounts::model::Page,
    auth::Authorized,
    db,
    rest::{
        extract::{JsonBody, PathId, PathIds, QueryParams},
        idempotency::{IdempotencyKey, Use},
        openapi::{BadRequest, Conflict, Forbidden, Gone, NotFound, PayloadTooLarge, UnsupportedMediaType},
        problem::{Problem, RestResult},
    },
};

const TAG: &str = "organisations";

/// The caller's organisations (their personal one from sign-up on), oldest membership first (the
/// order the api picks a default from).
#[utoipa::path(get, path = "/v1/tenants", tag = TAG, responses((status = 200, body = Vec<Organisation>)))]
pub async fn list_tenants(Authorized { caller, mut tx }: Authorized) -> RestResult<Json<Vec<Organisation>>> {
    let organisations = service::list(&mut tx, &caller).await?;
    db::end_reading(tx);
    Ok(Json(organisations))
}

/// Creates an organisation; the caller is its owner.
#[utoipa::path(post, path = "/v1/tenants", tag = TAG, request_body = Naming,
    responses(
        (status = 201, body = Organisation, headers(("Location" = String, description = "The organisation's path.")),
            links(
                ("GetTenant" = (operation_id = "get_tenant", parameters(("id" = "$response.body#/id")))),
                ("ListMembers" = (operation_id = "list_members", parameters(("id" = "$response.body#/id")))),
                ("ListInvitations" = (operation_id = "list_invitations", parameters(("id" = "$response.body#/id")))),
                ("GetAudit" = (operation_id = "get_audit", parameters(("id" = "$response.body#/id")))),
                ("RenameTenant" = (operation_id = "rename_tenant", parameters(("id" = "$response.body#/id")))),
                ("Invite" = (operation_id = "invite", parameters(("id" = "$response.body#/id")))),
                ("TransferOwnership" = (operation_id = "transfer_ownership", parameters(("id" = "$response.body#/id")))),
                ("DeleteTenant" = (operation_id = "delete_tenant", parameters(("id" = "$response.body#/id")))),
            )),
        (status = 400, response = BadRequest), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType)))]
pub async fn create_tenant(
    Authorized { caller, mut tx }: Authorized,
    key: IdempotencyKey,
    JsonBody(naming): JsonBody<Naming>,
) -> RestResult<Response> {
    let claim = match key.of(&naming).claim(&mut tx, &caller).await? {
        Use::First(claim) => claim,
        Use::Repeat(answer) => return Ok(answer),
    };
    let organisation = service::create(&mut tx, &caller, naming).await?;
    let location =
        format!("/v1/tenants/{}", organisation.id).parse::<HeaderValue>().map_err(|_| Problem::internal())?;
    claim.commit(tx, (StatusCode::CREATED, [(header::LOCATION, location)], Json(organisation)).into_response()).await
}

/// One organisation, with the caller's role in it.
#[utoipa::path(get, path = "/v1/tenants/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Organisation), (status = 404, response = NotFound)))]
pub async fn get_tenant(
    Authorized { caller, mut tx }: Authorized,
    PathId(id): PathId,
) -> RestResult<Json<Organisation>> {
    let organisation = service::get(&mut tx, &caller, id).await?;
    db::end_reading(tx);
    Ok(Json(organisation))
}

/// Renames the organisation (owners).
#[utoipa::path(patch, path = "/v1/tenants/{id}", tag = TAG, params(("id" = Uuid, Path)), request_body = Naming,
    responses((status = 200, body = Organisation), (status = 400, response = BadRequest),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType)))]
pub async fn rename_tenant(
    Authorized { caller, mut tx }: Authorized,
    PathId(id): PathId,
    JsonBody(naming): JsonBody<Naming>,
) -> RestResult<Json<Organisation>> {
    let organisation = service::rename(&mut tx, &caller, id, naming).await?;
    tx.commit().await?;
    Ok(Json(organisation))
}

/// Deletes the organisation with its members, invitations and accounts (owners; not a personal one).
/// Its audit trail is kept.
#[utoipa::path(delete, path = "/v1/tenants/{id}", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict)))]
pub async fn delete_tenant(Authorized { caller, mut tx }: Authorized, PathId(id): PathId) -> RestResult<StatusCode> {
    service::delete(&mut tx, &caller, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The organisation's members with their roles, oldest first.
#[utoipa::path(get, path = "/v1/tenants/{id}/members", tag = TAG, params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Vec<Member>, links(
            ("ChangeRole" = (operation_id = "change_role",
                parameters(("id" = "$request.path.id"), ("userId" = "$response.body#/0/userId")))),
            ("RemoveMember" = (operation_id = "remove_member",
                parameters(("id" = "$request.path.id"), ("userId" = "$response.body#/0/userId")))),
        )),
        (status = 404, response = NotFound)))]
pub async fn list_members(
    Authorized { caller, mut tx }: Authorized,
    PathId(id): PathId,
) -> RestResult<Json<Vec<Member>>> {
    let members = service::members(&mut tx, &caller, id).await?;
    db::end_reading(tx);
    Ok(Json(members))
}

/// Changes a member's role: owners any, admins those below theirs to roles below theirs, anyone
/// their own to a lower one. The last owner stays an owner (409).
#[utoipa::path(patch, path = "/v1/tenants/{id}/members/{userId}", tag = TAG,
    params(("id" = Uuid, Path), ("userId" = Uuid, Path)), request_body = RoleChange,
    responses((status = 200, body = Member), (status = 400, response = BadRequest),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType)))]
pub async fn change_role(
    Authorized { caller, mut tx }: Authorized,
    PathIds(id, user): PathIds,
    JsonBody(change): JsonBody<RoleChange>,
) -> RestResult<Json<Member>> {
    let member = service::change_role(&mut tx, &caller, id, user, change).await?;
    tx.commit().await?;
    Ok(Json(member))
}

/// Removes a member (owners any, admins those below them), or, for the caller's own id, leaves the
/// organisation. The last owner cannot leave (409).
#[utoipa::path(delete, path = "/v1/tenants/{id}/members/{userId}", tag = TAG,
    params(("id" = Uuid, Path), ("userId" = Uuid, Path)),
    responses((status = 204), (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict)))]
pub async fn remove_member(
    Authorized { caller, mut tx }: Authorized,
    PathIds(id, user): PathIds,
) -> RestResult<StatusCode> {
    service::remove(&mut tx, &caller, id, user).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes a member an owner, and the caller (an owner) an admin.
#[utoipa::path(post, path = "/v1/tenants/{id}/transfer", tag = TAG, params(("id" = Uuid, Path)),
    request_body = Transfer,
    responses((status = 204), (status = 400, response = BadRequest), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType)))]
pub async fn transfer_ownership(
    Authorized { caller, mut tx }: Authorized,
    key: IdempotencyKey,
    PathId(id): PathId,
    JsonBody(transfer): JsonBody<Transfer>,
) -> RestResult<Response> {
    let claim = match key.of(&transfer).claim(&mut tx, &caller).await? {
        Use::First(claim) => claim,
        Use::Repeat(answer) => return Ok(answer),
    };
    service::transfer(&mut tx, &caller, id, transfer).await?;
    claim.commit(tx, StatusCode::NO_CONTENT.into_response()).await
}

/// The organisation's invitations, newest first, with their state (owners and admins).
#[utoipa::path(get, path = "/v1/tenants/{id}/invitations", tag = TAG, params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Invitation>), (status = 403, response = Forbidden),
        (status = 404, response = NotFound)))]
pub async fn list_invitations(
    Authorized { caller, mut tx }: Authorized,
    PathId(id): PathId,
) -> RestResult<Json<Vec<Invitation>>> {
    let invitations = service::invitations(&mut tx, &caller, id).await?;
    db::end_reading(tx);
    Ok(Json(invitations))
}

/// Invites an email address with a role (owners any, admins those below theirs): the invitation is
/// mailed with its link, and can be accepted for 7 days. 409 when the address belongs to a member
/// or has an invitation waiting.
#[utoipa::path(post, path = "/v1/tenants/{id}/invitations", tag = TAG, params(("id" = Uuid, Path)),
    request_body = NewInvitation,
    responses(
        (status = 201, body = Invitation, links(("RevokeInvitation" = (operation_id = "revoke_invitation",
                parameters(("id" = "$response.body#/tenantId"), ("invitationId" = "$response.body#/id")))))),
        (status = 400, response = BadRequest), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType)))]
pub async fn invite(
    Authorized { caller, mut tx }: Authorized,
    key: IdempotencyKey,
    State(state): State<AppState>,
    PathId(id): PathId,
    JsonBody(new): JsonBody<NewInvitation>,
) -> RestResult<Response> {
    let claim = match key.of(&new).claim(&mut tx, &caller).await? {
        Use::First(claim) => claim,
        Use::Repeat(answer) => return Ok(answer),
    };
    let invitation = service::invite(&mut tx, &state.config, &caller, id, new).await?;
    claim.commit(tx, (StatusCode::CREATED, Json(invitation)).into_response()).await
}

/// Revokes an invitation that has not been accepted.
#[utoipa::path(delete, path = "/v1/tenants/{id}/invitations/{invitationId}", tag = TAG,
    params(("id" = Uuid, Path), ("invitationId" = Uuid, Path)),
    responses((status = 204), (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 410, response = Gone)))]
pub async fn revoke_invitation(
    Authorized { caller, mut tx }: Authorized,
    PathIds(id, invitation): PathIds,
) -> RestResult<StatusCode> {
    service::revoke(&mut tx, &caller, id, invitation).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The organisation's audit trail, newest first: every change to its membership, its invitations
/// and itself, with who made it, when and in which request (owners and admins).
#[utoipa::path(get, path = "/v1/tenants/{id}/audit", tag = TAG, params(("id" = Uuid, Path), AuditParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 400, response = BadRequest),
        (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn get_audit(
    Authorized { caller, mut tx }: Authorized,
    PathId(id): PathId,
    QueryParams(params): QueryParams<AuditParams>,
) -> RestResult<Json<Page<AuditEntry>>> {
    let page = service::audit(&mut tx, &caller, id, params).await?;
    db::end_reading(tx);
    Ok(Json(page))
}

/// The invitation of a link, for the person who followed it.
#[utoipa::path(get, path = "/v1/invitations/{token}", tag = TAG,
    params(("token" = inline(PathToken), Path, description = "The token of the invitation's link.")),
    responses((status = 200, body = ReceivedInvitation), (status = 404, response = NotFound)))]
pub async fn get_invitation(
    Authorized { mut tx, .. }: Authorized,
    PathToken(token): PathToken,
) -> RestResult<Json<ReceivedInvitation>> {
    let invitation = service::received(&mut tx, &token).await?;
    db::end_reading(tx);
    Ok(Json(invitation))
}

/// Accepts the invitation: the caller, signed in with the verified email address it was sent to,
/// becomes a member with its role. 410 when it was used, revoked or has expired.
#[utoipa::path(post, path = "/v1/invitations/{token}/accept", tag = TAG,
    params(("token" = inline(PathToken), Path, description = "The token of the invitation's link.")),
    responses((status = 200, body = Organisation), (status = 403, response = Forbidden),
        (status = 404, response = NotFound), (status = 409, response = Conflict), (status = 410, response = Gone)))]
pub async fn accept_invitation(
    Authorized { caller, mut tx }: Authorized,
    key: IdempotencyKey,
    PathToken(token): PathToken,
) -> RestResult<Response> {
    let claim = match key.of(&()).claim(&mut tx, &caller).await? {
        Use::First(claim) => claim,
        Use::Repeat(answer) => return Ok(answer),
    };
    let organisation = service::accept(&mut tx, &caller, &token).await?;
    claim.commit(tx, Json(organisation).into_response()).await
}
