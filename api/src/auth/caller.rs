//! The one type every authorizer produces and every handler receives.

use std::sync::Arc;

use uuid::Uuid;

use super::iam::IamIdentity;
use crate::{db::Identity, organisations::Role};

/// The group whose members read every tenant (as the seed's admins did).
pub const ADMIN_GROUP: &str = "Admin";

#[derive(Debug, Clone)]
pub struct Caller {
    /// The user's `sub`: stable across renames, what memberships refer to.
    pub user_id: Uuid,
    pub groups: Vec<String>,
    /// The tenants the caller belongs to with their role in each, oldest membership first (the
    /// personal tenant, usually): the same the database's policies see for this request.
    pub memberships: Vec<(Uuid, Role)>,
    /// The identity-pool credentials the request was signed with, when the IAM authorizer let it in.
    pub iam: Option<Arc<IamIdentity>>,
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        in_admin_group(&self.groups)
    }

    pub fn is_member_of(&self, tenant: Uuid) -> bool {
        self.role_in(tenant).is_some()
    }

    pub fn role_in(&self, tenant: Uuid) -> Option<Role> {
        self.memberships.iter().find(|(id, _)| *id == tenant).map(|(_, role)| *role)
    }

    /// Where new things go when the request does not say: the caller's first tenant.
    pub fn home_tenant(&self) -> Option<Uuid> {
        self.memberships.first().map(|(tenant, _)| *tenant)
    }
}

/// What an authorizer established, before the database adds the caller's tenants.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: Uuid,
    pub groups: Vec<String>,
    /// The sign-in the credentials descend from, checked for revocation on every request.
    pub sign_in: Option<Uuid>,
    pub iam: Option<Arc<IamIdentity>>,
}

impl Principal {
    /// The user behind identity-pool credentials (none for a guest). Like AWS's, the credentials
    /// are not tied to the sign-in: they outlive a sign-out until they expire.
    pub fn of_identity(identity: Arc<IamIdentity>) -> Option<Self> {
        let user = identity.session.user.as_ref()?;
        Some(Self { user_id: user.sub, groups: user.groups.clone(), sign_in: None, iam: Some(identity.clone()) })
    }

    /// Admins read every tenant.
    pub fn reads_all_tenants(&self) -> bool {
        in_admin_group(&self.groups)
    }

    /// Who the database's policies should see for this principal.
    pub fn identity(&self) -> Identity {
        Identity { user_id: self.user_id, reads_all_tenants: self.reads_all_tenants(), sign_in: self.sign_in }
    }

    pub fn into_caller(self, memberships: Vec<(Uuid, Role)>) -> Caller {
        Caller { user_id: self.user_id, groups: self.groups, memberships, iam: self.iam }
    }
}

fn in_admin_group(groups: &[String]) -> bool {
    groups.iter().any(|group| group == ADMIN_GROUP)
}
