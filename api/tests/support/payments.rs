//! Test support for the payments' GraphQL api: an organisation with one person of each role, its
//! accounts, an outsider with a tenant of their own, a member of the `Admin` group, and a GraphQL
//! client speaking as any of them.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{PoolFixture, RestUser, id};

pub const PAYMENT_FIELDS: &str = "id tenantId status version type message reference dueDate createdBy approvedBy \
    fromAccount toAccount counterparty { name iban } amount { amount minorUnits currency } failureReason";

/// Who acts, in the organisation under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum As {
    /// A member of another tenant only.
    Outsider,
    /// In the user pool's `Admin` group, a member of no organisation but their own.
    AdminGroup,
    Viewer,
    Member,
    Admin,
    Owner,
}

pub const EVERYONE: [As; 6] = [As::Owner, As::Admin, As::Member, As::Viewer, As::Outsider, As::AdminGroup];

/// The user's `sub`, from their token.
pub fn sub(user: &RestUser) -> Uuid {
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(&user.token).unwrap().claims;
    claims["sub"].as_str().unwrap().parse().unwrap()
}

/// An answer of the GraphQL endpoint.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    pub fn data(&self, field: &str) -> &Value {
        &self.body["data"][field]
    }

    /// The first error's `errorType`, checking AppSync's shape: the same at the top and in `extensions`.
    pub fn error_type(&self) -> Option<&str> {
        let error = self.body["errors"].get(0)?;
        assert_eq!(error["errorType"], error["extensions"]["errorType"], "{}", self.body);
        error["errorType"].as_str()
    }

    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap_or_default()
    }

    /// The field's value, after checking there was no error.
    pub fn ok(&self, field: &str) -> &Value {
        assert!(self.body.get("errors").is_none(), "{}", self.body);
        self.data(field)
    }
}

pub async fn graphql(user: &RestUser, query: &str, variables: Value) -> Answer {
    let body = json!({ "query": query, "variables": variables });
    let response = user.http.post(user.url("/graphql")).bearer_auth(&user.token).json(&body).send().await.unwrap();
    let status = response.status();
    Answer { status, body: response.json().await.unwrap() }
}

/// An organisation ("Acme") with a person of each role, two EUR accounts and accounts in other
/// currencies, an outsider with an account of their own, and a member of the Admin group.
pub struct Org {
    pub fixture: PoolFixture,
    pub tenant: Uuid,
    pub people: BTreeMap<As, RestUser>,
    /// Account number -> id, Acme's.
    pub accounts: BTreeMap<&'static str, String>,
    /// The outsider's own tenant and an account in it.
    pub outsider_tenant: Uuid,
    pub outsider_account: String,
}

impl Org {
    pub async fn new() -> Self {
        Self::with_args(&[]).await
    }

    pub async fn with_args(args: &[&str]) -> Self {
        let fixture = PoolFixture::with_args(args).await;
        let owner = fixture.rest_user("olga").await;
        let tenant = create_organisation(&owner, "Acme").await;
        let mut people = BTreeMap::new();
        for (who, name, role) in
            [(As::Admin, "adam", "admin"), (As::Member, "mia", "member"), (As::Viewer, "vic", "viewer")]
        {
            let user = fixture.rest_user(name).await;
            add_member(&fixture, tenant, sub(&user), role).await;
            people.insert(who, user);
        }
        let outsider = fixture.rest_user("xena").await;
        let outsider_tenant = personal_tenant(&fixture, sub(&outsider)).await;
        let outsider_account = id(&outsider.create("Xena's", "X-1", None).await).to_owned();
        fixture.rest_user("root").await;
        fixture.admin.create_group().user_pool_id(&fixture.pool.id).group_name("Admin").send().await.unwrap();
        let add = fixture.admin.admin_add_user_to_group().user_pool_id(&fixture.pool.id);
        add.username("root").group_name("Admin").send().await.unwrap();
        people.insert(As::AdminGroup, fixture.signed_in("root").await);
        people.insert(As::Outsider, outsider);
        let mut accounts = BTreeMap::new();
        for (number, currency) in
            [("A-1", "EUR"), ("A-2", "EUR"), ("J-1", "JPY"), ("J-2", "JPY"), ("B-1", "BHD"), ("B-2", "BHD")]
        {
            let body = json!({ "name": number, "number": number, "currency": currency, "tenantId": tenant });
            let response = owner.post("/v1/accounts", body).send().await.unwrap();
            assert_eq!(response.status(), 201);
            accounts.insert(number, id(&response.json().await.unwrap()).to_owned());
        }
        people.insert(As::Owner, owner);
        Self { fixture, tenant, people, accounts, outsider_tenant, outsider_account }
    }

    pub fn person(&self, who: As) -> &RestUser {
        &self.people[&who]
    }

    pub fn account(&self, number: &str) -> &str {
        &self.accounts[number]
    }

    pub async fn graphql(&self, who: As, query: &str, variables: Value) -> Answer {
        graphql(self.person(who), query, variables).await
    }

    /// createPayment of `amount` EUR from as `who`.
    pub async fn pay(&self, who: As, amount: &str) -> Answer {
        let input = json!({
            "amount": { "amount": amount, "currency": "EUR" }, "dueDate": "2020-01-01",
            "fromAccount": self.account("A-1"), "toAccount": self.account("A-2"), "message": "rent"
        });
        self.create(who, input).await
    }

    pub async fn create(&self, who: As, input: Value) -> Answer {
        let query =
            format!("mutation($input: CreatePaymentInput!) {{ createPayment(input: $input) {{ {PAYMENT_FIELDS} }} }}");
        self.graphql(who, &query, json!({ "input": input })).await
    }
}

pub async fn create_organisation(owner: &RestUser, name: &str) -> Uuid {
    let response = owner.post("/v1/tenants", json!({ "name": name })).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let organisation: Value = response.json().await.unwrap();
    organisation["id"].as_str().unwrap().parse().unwrap()
}

/// A membership made past the api (as the database's owner).
pub async fn add_member(fixture: &PoolFixture, tenant: Uuid, user: Uuid, role: &str) {
    sqlx::query("INSERT INTO tenant_members (tenant_id, user_id, role) VALUES ($1, $2, $3)")
        .bind(tenant)
        .bind(user)
        .bind(role)
        .execute(&fixture.app.db)
        .await
        .unwrap();
}

pub async fn personal_tenant(fixture: &PoolFixture, user: Uuid) -> Uuid {
    sqlx::query_scalar("SELECT id FROM tenants WHERE personal_of = $1")
        .bind(user)
        .fetch_one(&fixture.app.db)
        .await
        .unwrap()
}
