//! The roles a member has in an organisation, from least to most. The row-level security policies
//! (`api/migrations/0014_organisations.sql`) hold the same rules; these give the api's answers.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `viewer` reads; `member` also writes the organisation's accounts (and payments); `admin` also
/// manages members and invitations below their own role; `owner` does everything, deleting the
/// organisation and granting ownership included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Member,
    Admin,
    Owner,
}

impl Role {
    /// Whether someone with this role may grant, change or take away `role` (in someone else).
    pub fn manages(self, role: Role) -> bool {
        match self {
            Self::Owner => true,
            Self::Admin => role < Self::Admin,
            Self::Member | Self::Viewer => false,
        }
    }

    pub fn writes_data(self) -> bool {
        self >= Self::Member
    }

    /// As the database writes it.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "viewer" => Some(Self::Viewer),
            "member" => Some(Self::Member),
            "admin" => Some(Self::Admin),
            "owner" => Some(Self::Owner),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Member => "member",
            Self::Admin => "admin",
            Self::Owner => "owner",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Role::{self, *};

    #[test]
    fn owners_manage_every_role_admins_those_below_them_others_none() {
        let all = [Viewer, Member, Admin, Owner];
        let managed = |by: Role| all.into_iter().filter(|role| by.manages(*role)).collect::<Vec<_>>();
        assert_eq!(managed(Owner), all);
        assert_eq!(managed(Admin), [Viewer, Member]);
        assert!(managed(Member).is_empty() && managed(Viewer).is_empty());
    }

    #[test]
    fn names_round_trip() {
        for role in [Viewer, Member, Admin, Owner] {
            assert_eq!(Role::parse(role.name()), Some(role));
        }
        assert_eq!(Role::parse("Owner"), None);
    }
}
