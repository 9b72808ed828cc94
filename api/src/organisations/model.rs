//! What the organisations api reads and writes, and the rules its input follows.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema, openapi::Object};
use uuid::Uuid;

use super::Role;
use crate::{accounts::model::NAME, rest::problem::FieldError, rules::Text};

/// An address people sign up with: ASCII, stored lower-case (as Postgres and Rust lower-case it alike).
pub static EMAIL: Text = Text::new(
    3,
    254,
    "characters: an email address (ASCII letters, digits and `.!#$%&'*+/=?^_`{|}~-`, an `@`, a domain)",
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$",
);

/// An audit page's position: the `seq` of the last entry the previous page showed.
pub static AUDIT_CURSOR: Text = Text::new(1, 19, "digits: the previous page's `nextCursor`", "^[0-9]+$");

fn name_schema() -> Object {
    NAME.schema()
}
fn email_schema() -> Object {
    EMAIL.schema()
}
fn audit_cursor_schema() -> Object {
    AUDIT_CURSOR.schema()
}

/// An organisation (a tenant), as the caller sees it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    /// The caller's role in it; absent for members of the `Admin` group reading an organisation they
    /// do not belong to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The organisation every person gets when they sign up: never shared, never deleted.
    pub personal: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// `POST /v1/tenants` and `PATCH /v1/tenants/{id}`: the organisation's name.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Naming {
    #[schema(schema_with = name_schema)]
    pub name: String,
}

impl Naming {
    /// Without surrounding spaces.
    pub fn validated(self) -> Result<String, Vec<FieldError>> {
        match NAME.allows(&self.name) {
            true => Ok(self.name.trim().to_owned()),
            false => Err(vec![FieldError::new("name", NAME.message())]),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The person's `sub`.
    pub user_id: Uuid,
    /// Their email address, if they have one.
    pub email: Option<String>,
    pub role: Role,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub joined_at: OffsetDateTime,
}

/// `PATCH /v1/tenants/{id}/members/{userId}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: Role,
}

/// `POST /v1/tenants/{id}/transfer`: the member who becomes an owner; the caller becomes an admin.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Transfer {
    pub user_id: Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum InvitationState {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// SQL for an invitation's state, from the columns of `invitations`.
pub const STATE_SQL: &str = "CASE WHEN accepted_at IS NOT NULL THEN 'accepted' WHEN revoked_at IS NOT NULL THEN 'revoked' \
     WHEN expires_at <= now() THEN 'expired' ELSE 'pending' END";

/// An invitation, as the organisation's owners and admins see it (never its token).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// Lower-case.
    pub email: String,
    pub role: Role,
    pub state: InvitationState,
    pub invited_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}

/// `POST /v1/tenants/{id}/invitations`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    #[schema(schema_with = email_schema)]
    pub email: String,
    pub role: Role,
}

impl NewInvitation {
    /// The address, lower-case.
    pub fn validated(self) -> Result<(String, Role), Vec<FieldError>> {
        match EMAIL.allows(&self.email) {
            true => Ok((self.email.to_ascii_lowercase(), self.role)),
            false => Err(vec![FieldError::new("email", EMAIL.message())]),
        }
    }
}

/// An invitation as the person holding its link sees it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedInvitation {
    pub tenant_id: Uuid,
    pub organisation: String,
    /// The address it was sent to: accepting needs a sign-in with this address, verified.
    pub email: String,
    pub role: Role,
    pub state: InvitationState,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}

/// One change to an organisation's membership, its invitations or itself.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Increases with every entry.
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// Who made the change; null when it was not made through the api.
    pub actor: Option<Uuid>,
    pub actor_email: Option<String>,
    /// `organisation.created`, `organisation.renamed`, `organisation.deleted`, `member.added`,
    /// `member.role_changed`, `member.removed`, `member.left`, `invitation.sent`,
    /// `invitation.accepted` or `invitation.revoked`.
    pub action: String,
    /// The person concerned (the member added, changed or removed, who accepted).
    pub subject: Option<Uuid>,
    pub subject_email: Option<String>,
    /// What changed: `role`, `from` and `to`, the invitation's `email`, `role` and id, ...
    #[schema(value_type = Object)]
    pub details: sqlx::types::Json<serde_json::Map<String, serde_json::Value>>,
    /// The `x-request-id` of the request that made the change.
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    #[param(schema_with = crate::accounts::model::page_size_schema)]
    pub limit: Option<u32>,
    #[param(schema_with = audit_cursor_schema)]
    pub cursor: Option<String>,
}

impl AuditParams {
    /// The page size and the `seq` to continue below.
    pub fn validated(&self) -> Result<(u32, Option<i64>), Vec<FieldError>> {
        let limit = crate::accounts::model::page_size(self.limit).map_err(|e| vec![e])?;
        let cursor = match self.cursor.as_deref() {
            None => None,
            Some(text) => match text.parse() {
                Ok(seq) if AUDIT_CURSOR.allows(text) => Some(seq),
                _ => return Err(vec![FieldError::new("cursor", AUDIT_CURSOR.message())]),
            },
        };
        Ok((limit, cursor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_ascii_addresses_stored_lower_case() {
        let invite = |email: &str| NewInvitation { email: email.into(), role: Role::Member }.validated();
        assert_eq!(invite("Bob.Smith+x@Example.COM").unwrap().0, "bob.smith+x@example.com");
        for bad in ["", "bob", "@example.com", "bob@", "bob@@x", "bob @x.com", "bøb@x.com", "bob@x..com", "b@x."] {
            assert!(invite(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn audit_cursors_are_sequence_numbers() {
        let params = |cursor: &str| AuditParams { limit: None, cursor: Some(cursor.into()) }.validated();
        assert_eq!(params("42").unwrap(), (50, Some(42)));
        for bad in ["", "-1", "x", "99999999999999999999"] {
            assert!(params(bad).is_err(), "{bad:?}");
        }
    }
}
