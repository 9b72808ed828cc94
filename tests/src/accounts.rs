//! The Accounts api as a test calls it, beside the browser: as the person signed in to the shell
//! (with the access token the shell keeps), and straight into Postgres for large trees.

use serde_json::{Value, json};

use crate::Stack;

/// An account's id, as the api writes it.
pub fn id(account: &Value) -> &str {
    account["id"].as_str().expect("an id")
}

pub struct Accounts {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Accounts {
    /// As whoever is signed in to the shell in the stack's browser.
    pub async fn of_signed_in(stack: &Stack) -> Self {
        let token = stack.browser.access_token().await;
        Self { http: reqwest::Client::new(), base: stack.app.url(""), token }
    }

    /// Creates an account (a root when `parent` is `None`) with an opening balance in cents.
    pub async fn create(&self, parent: Option<&Value>, name: &str, number: &str, balance_minor: i64) -> Value {
        let body = json!({ "parentId": parent.map(|p| p["id"].clone()), "name": name, "number": number,
            "currency": "EUR", "balanceMinor": balance_minor });
        let response =
            self.http.post(format!("{}/v1/accounts", self.base)).bearer_auth(&self.token).json(&body).send().await;
        let response = response.expect("the api answers");
        assert_eq!(response.status(), 201, "create {name}");
        response.json().await.expect("an account")
    }

    /// The account as the api has it now; `None` when it is gone (404). Any other answer fails the test.
    pub async fn get(&self, id: &str) -> Option<Value> {
        let response = self.http.get(format!("{}/v1/accounts/{id}", self.base)).bearer_auth(&self.token).send().await;
        let response = response.expect("the api answers");
        match response.status().as_u16() {
            200 => Some(response.json().await.expect("an account")),
            404 => None,
            status => panic!("GET account {id}: {status} {}", response.text().await.unwrap_or_default()),
        }
    }

    /// The person's organisations (`GET /v1/tenants`), oldest membership first.
    pub async fn tenants(&self) -> Vec<Value> {
        self.list("/v1/tenants").await.as_array().expect("a list").clone()
    }

    /// The root accounts of the organisation `tenant`.
    pub async fn roots(&self, tenant: &str) -> Vec<Value> {
        self.list(&format!("/v1/accounts?tenant={tenant}")).await["items"].as_array().expect("a page").clone()
    }

    async fn list(&self, path: &str) -> Value {
        let response = self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await;
        let response = response.expect("the api answers");
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("JSON")
    }

    /// Renames as someone else would, in another tab: with the current ETag.
    pub async fn rename(&self, id: &str, name: &str) {
        let version = self.get(id).await.expect("the account exists")["version"].to_string();
        let response = self
            .http
            .patch(format!("{}/v1/accounts/{id}", self.base))
            .bearer_auth(&self.token)
            .header("If-Match", format!("\"{version}\""))
            .json(&json!({ "name": name }))
            .send()
            .await
            .expect("the api answers");
        assert_eq!(response.status(), 200, "rename {id}");
    }

    /// Deletes an account with everything below it, as someone else would, in another tab.
    pub async fn delete(&self, id: &str) {
        let url = format!("{}/v1/accounts/{id}?subtree=true", self.base);
        let response = self.http.delete(url).bearer_auth(&self.token).send().await.expect("the api answers");
        assert!(response.status().is_success(), "delete {id}: {}", response.status());
    }
}

/// Writes `count` children under `parent` straight into Postgres ("Child 00001", ...), as a large
/// tree would have grown; the api's triggers keep the counts and totals.
pub async fn seed_children(stack: &Stack, parent: &Value, count: i32) {
    sqlx::query(
        "INSERT INTO accounts (id, tenant_id, parent_id, name, number, currency, balance_minor) \
         SELECT gen_random_uuid(), $1::uuid, $2::uuid, 'Child ' || lpad(n::text, 5, '0'), 'C-' || $3 || '-' || n, 'EUR', n \
         FROM generate_series(1, $4) n",
    )
    .bind(parent["tenantId"].as_str().expect("a tenant"))
    .bind(id(parent))
    .bind(parent["number"].as_str().expect("a number"))
    .bind(count)
    .execute(&stack.app.db)
    .await
    .expect("seeding children");
}
