//! `GET /v1/tenants`: the organisations the caller belongs to (a personal one from sign-up on).

use axum::Json;
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{AppState, auth::Authorized, db, rest::problem::RestResult};

#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub id: Uuid,
    pub name: String,
    /// `owner` or `member`.
    pub role: String,
    pub personal: bool,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_tenants))
}

/// The caller's tenants, oldest membership first (the order the api picks a default from).
#[utoipa::path(get, path = "/v1/tenants", tag = "tenants", responses((status = 200, body = Vec<Membership>)))]
pub async fn list_tenants(Authorized { caller, mut tx }: Authorized) -> RestResult<Json<Vec<Membership>>> {
    let tenants = memberships(&mut tx, caller.user_id).await?;
    db::end_reading(tx);
    Ok(Json(tenants))
}

async fn memberships(db: &mut PgConnection, user: Uuid) -> sqlx::Result<Vec<Membership>> {
    sqlx::query_as(
        "SELECT t.id, t.name, m.role, t.personal_of IS NOT NULL AS personal \
         FROM tenant_members m JOIN tenants t ON t.id = m.tenant_id \
         WHERE m.user_id = $1 ORDER BY m.created_at, t.id",
    )
    .bind(user)
    .fetch_all(db)
    .await
}
