//! The organisations api (`/v1/tenants`, `/v1/invitations`), called through the session the shell
//! handed over (see `docs/organisations.md` for who may do what).

use js_sys::encode_uri_component;
use mfe_contract::Role;
use mfe_guest::{
    Props,
    rest::{Answer, get, object, text},
};
use wasm_bindgen::{JsCast, JsValue};

/// An organisation as the person sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    /// The person's role; `None` only for the `Admin` group reading one they are not in.
    pub role: Option<Role>,
    /// Everyone's own, made at sign-up: never shared, renamed only.
    pub personal: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub user_id: String,
    pub email: String,
    pub role: Role,
    /// ISO 8601.
    pub joined_at: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub role: Role,
    /// `pending`, `accepted`, `revoked` or `expired`.
    pub state: String,
    /// ISO 8601.
    pub expires_at: String,
}

/// An invitation as the person holding its link sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    pub tenant_id: String,
    pub organisation: String,
    /// The address it was sent to: only a sign-in with it accepts it.
    pub email: String,
    pub role: Role,
    pub state: String,
}

#[derive(Clone, Copy)]
pub struct Api(pub Props);

impl Api {
    pub async fn organisation(self, id: &str) -> Answer<Organisation> {
        self.0.call("GET", &tenant_path(id, ""), &[], None).await.map(|json| Organisation::from_json(&json))
    }

    /// A new organisation, the person its owner.
    pub async fn create(self, name: &str) -> Answer<Organisation> {
        let body = object(&[("name", name.into())]);
        self.0.call("POST", "/v1/tenants", &[], Some(&body)).await.map(|json| Organisation::from_json(&json))
    }

    pub async fn rename(self, id: &str, name: &str) -> Answer<Organisation> {
        let body = object(&[("name", name.into())]);
        self.0.call("PATCH", &tenant_path(id, ""), &[], Some(&body)).await.map(|json| Organisation::from_json(&json))
    }

    pub async fn members(self, id: &str) -> Answer<Vec<Member>> {
        let json = self.0.call("GET", &tenant_path(id, "/members"), &[], None).await?;
        Ok(items(&json).map(|member| Member::from_json(&member)).collect())
    }

    pub async fn change_role(self, id: &str, user_id: &str, role: Role) -> Answer<()> {
        let body = object(&[("role", role.name().into())]);
        let path = tenant_path(id, &["/members/", user_id].concat());
        self.0.call("PATCH", &path, &[], Some(&body)).await.map(drop)
    }

    /// Removes a member, or the person themselves: they leave.
    pub async fn remove(self, id: &str, user_id: &str) -> Answer<()> {
        self.0.call("DELETE", &tenant_path(id, &["/members/", user_id].concat()), &[], None).await.map(drop)
    }

    pub async fn invitations(self, id: &str) -> Answer<Vec<Invitation>> {
        let json = self.0.call("GET", &tenant_path(id, "/invitations"), &[], None).await?;
        Ok(items(&json).map(|invitation| Invitation::from_json(&invitation)).collect())
    }

    /// Mails an invitation to `email` with its link.
    pub async fn invite(self, id: &str, email: &str, role: Role) -> Answer<()> {
        let body = object(&[("email", email.into()), ("role", role.name().into())]);
        self.0.call("POST", &tenant_path(id, "/invitations"), &[], Some(&body)).await.map(drop)
    }

    pub async fn revoke(self, id: &str, invitation_id: &str) -> Answer<()> {
        let path = tenant_path(id, &["/invitations/", invitation_id].concat());
        self.0.call("DELETE", &path, &[], None).await.map(drop)
    }

    pub async fn received(self, token: &str) -> Answer<Received> {
        self.0.call("GET", &invitation_path(token, ""), &[], None).await.map(|json| Received::from_json(&json))
    }

    /// Joins the invitation's organisation with its role.
    pub async fn accept(self, token: &str) -> Answer<()> {
        self.0.call("POST", &invitation_path(token, "/accept"), &[], None).await.map(drop)
    }
}

fn tenant_path(id: &str, below: &str) -> String {
    ["/v1/tenants/", id, below].concat()
}

/// The token comes from the address bar: escaped, it stays one path segment.
fn invitation_path(token: &str, below: &str) -> String {
    ["/v1/invitations/", &String::from(encode_uri_component(token)), below].concat()
}

/// The items of a JSON array.
fn items(json: &JsValue) -> impl Iterator<Item = JsValue> {
    json.clone().dyn_into::<js_sys::Array>().ok().into_iter().flat_map(|array| array.to_vec())
}

fn role(json: &JsValue) -> Role {
    Role::parse(&text(json, "role")).unwrap_or(Role::Viewer)
}

impl Organisation {
    fn from_json(json: &JsValue) -> Self {
        Self {
            id: text(json, "id"),
            name: text(json, "name"),
            role: Role::parse(&text(json, "role")),
            personal: get(json, "personal").as_bool().unwrap_or_default(),
        }
    }
}

impl Member {
    fn from_json(json: &JsValue) -> Self {
        Self {
            user_id: text(json, "userId"),
            email: text(json, "email"),
            role: role(json),
            joined_at: text(json, "joinedAt"),
        }
    }
}

impl Invitation {
    fn from_json(json: &JsValue) -> Self {
        Self {
            id: text(json, "id"),
            email: text(json, "email"),
            role: role(json),
            state: text(json, "state"),
            expires_at: text(json, "expiresAt"),
        }
    }
}

impl Received {
    fn from_json(json: &JsValue) -> Self {
        Self {
            tenant_id: text(json, "tenantId"),
            organisation: text(json, "organisation"),
            email: text(json, "email"),
            role: role(json),
            state: text(json, "state"),
        }
    }
}
