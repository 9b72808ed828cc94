//! Organisations: tenants that people share, with roles (owner, admin, member, viewer), invitations
//! by email, and an audit trail of every change to who belongs.
//!
//! - [`handlers`]: the endpoints under `/v1/tenants` and `/v1/invitations`; [`service`]: the rules
//!   by role; [`store`]: the SQL; [`model`]: the shapes and input rules; [`role`], [`token`].
//! - Storage, the policies that enforce the roles in Postgres, and the audit triggers:
//!   `api/migrations/0014_organisations.sql`. Guide: `docs/organisations.md`.

pub mod handlers;
pub mod model;
pub mod role;
pub mod service;
pub mod store;
pub mod token;

pub use role::Role;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::list_tenants, handlers::create_tenant))
        .routes(routes!(handlers::get_tenant, handlers::rename_tenant, handlers::delete_tenant))
        .routes(routes!(handlers::list_members))
        .routes(routes!(handlers::change_role, handlers::remove_member))
        .routes(routes!(handlers::transfer_ownership))
        .routes(routes!(handlers::list_invitations, handlers::invite))
        .routes(routes!(handlers::revoke_invitation))
        .routes(routes!(handlers::get_audit))
        .routes(routes!(handlers::get_invitation))
        .routes(routes!(handlers::accept_invitation))
}
