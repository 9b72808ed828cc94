//! The Accounts REST api (`/v1/accounts`), called through the session the shell handed over, in the
//! organisation the person works in.

use js_sys::{Array, Object};
pub use mfe_guest::rest::{Answer, Problem};
use mfe_guest::{
    Props,
    rest::{get, list, object, text},
};
use wasm_bindgen::{JsCast, JsValue};

/// Children and roots come in pages of the api's largest size.
const PAGE: &str = "limit=200";
/// The deepest subtree the api reads at once.
const SUBTREE_DEPTH: &str = "depth=5";

#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub number: String,
    pub currency: String,
    pub closed: bool,
    pub child_count: u32,
    /// The subtree's balances: currency and minor units.
    pub rolled_up: Vec<(String, f64)>,
    /// The ETag that changes must send back.
    pub version: i64,
}

/// Name, number and status: what a person edits.
#[derive(Clone, Debug, PartialEq)]
pub struct Changes {
    pub name: String,
    pub number: String,
    pub closed: bool,
}

pub struct Page {
    pub items: Vec<Account>,
    pub next_cursor: Option<String>,
}

/// How many accounts lie below one, as far as one subtree read reaches.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Descendants {
    pub counted: u32,
    /// The read stopped short (the api's node or depth limit): there are more than `counted`.
    pub more: bool,
}

impl Descendants {
    pub fn any(self) -> bool {
        self.counted > 0 || self.more
    }
}

#[derive(Clone, Copy)]
pub struct Api(pub Props);

impl Api {
    /// The organisation's roots (the api's default, the person's first, in a shell that chose none).
    pub async fn roots(self, cursor: Option<&str>) -> Answer<Page> {
        let tenant = self.0.tenant_id().map(|tenant| ["&tenant=", &tenant].concat()).unwrap_or_default();
        self.page(format!("/v1/accounts?{PAGE}{tenant}"), cursor).await
    }

    pub async fn children(self, id: &str, cursor: Option<&str>) -> Answer<Page> {
        self.page(format!("/v1/accounts/{id}/children?{PAGE}"), cursor).await
    }

    pub async fn get(self, id: &str) -> Answer<Account> {
        self.0.call("GET", &account_path(id), &[], None).await.map(|json| Account::from_json(&json))
    }

    pub async fn create(self, parent_id: Option<&str>, name: &str, number: &str, currency: &str) -> Answer<Account> {
        // A root goes to the organisation; a child to its parent's.
        let tenant = parent_id.is_none().then(|| self.0.tenant_id()).flatten();
        let body = object(&[
            ("tenantId", tenant.map_or(JsValue::NULL, JsValue::from)),
            ("parentId", parent_id.map_or(JsValue::NULL, JsValue::from)),
            ("name", name.into()),
            ("number", number.into()),
            ("currency", currency.into()),
        ]);
        self.0.call("POST", "/v1/accounts", &[], Some(&body)).await.map(|json| Account::from_json(&json))
    }

    /// Sends the changes with the version they were made to (`If-Match`): 412 when it is stale.
    pub async fn update(self, account: &Account, changes: &Changes) -> Answer<Account> {
        let status = if changes.closed { "closed" } else { "open" };
        let body = object(&[
            ("name", changes.name.as_str().into()),
            ("number", changes.number.as_str().into()),
            ("status", status.into()),
        ]);
        let etag = format!("\"{}\"", account.version);
        let answer = self.0.call("PATCH", &account_path(&account.id), &[("If-Match", &etag)], Some(&body)).await?;
        Ok(Account::from_json(&answer))
    }

    /// Moves the account with its subtree under `parent_id`, or to the roots.
    pub async fn move_to(self, id: &str, parent_id: Option<&str>) -> Answer<Account> {
        let body = object(&[("parentId", parent_id.map_or(JsValue::NULL, JsValue::from))]);
        let path = format!("{}/move", account_path(id));
        self.0.call("POST", &path, &[], Some(&body)).await.map(|json| Account::from_json(&json))
    }

    /// Counts the accounts below `id` with a read: nothing is deleted before the person confirms.
    pub async fn descendants(self, id: &str) -> Answer<Descendants> {
        let path = format!("{}/subtree?{SUBTREE_DEPTH}", account_path(id));
        let json = self.0.call("GET", &path, &[], None).await?;
        let mut found = Descendants { counted: 0, more: get(&json, "truncated").as_bool().unwrap_or_default() };
        count_below(&get(&json, "root"), &mut found);
        Ok(found)
    }

    /// Deletes the account; with `subtree`, every account below it too.
    pub async fn delete(self, id: &str, subtree: bool) -> Answer<()> {
        let path = format!("{}?subtree={subtree}", account_path(id));
        self.0.call("DELETE", &path, &[], None).await.map(drop)
    }

    async fn page(self, path: String, cursor: Option<&str>) -> Answer<Page> {
        let path = match cursor {
            Some(cursor) => format!("{path}&cursor={}", String::from(js_sys::encode_uri_component(cursor))),
            None => path,
        };
        let json = self.0.call("GET", &path, &[], None).await?;
        let items = list(&json, "items").map(|item| Account::from_json(&item)).collect();
        Ok(Page { items, next_cursor: get(&json, "nextCursor").as_string() })
    }
}

fn account_path(id: &str) -> String {
    format!("/v1/accounts/{id}")
}

impl Account {
    fn from_json(json: &JsValue) -> Self {
        let balances = get(json, "rolledUpBalance");
        let rolled_up = match balances.dyn_ref::<Object>() {
            Some(balances) => Object::entries(balances)
                .iter()
                .map(|entry| {
                    let pair: Array = entry.unchecked_into();
                    (pair.get(0).as_string().unwrap_or_default(), pair.get(1).as_f64().unwrap_or_default())
                })
                .collect(),
            None => Vec::new(),
        };
        Self {
            id: text(json, "id"),
            parent_id: get(json, "parentId").as_string(),
            name: text(json, "name"),
            number: text(json, "number"),
            currency: text(json, "currency"),
            closed: text(json, "status") == "closed",
            child_count: get(json, "childCount").as_f64().unwrap_or_default() as u32,
            rolled_up,
            version: get(json, "version").as_f64().unwrap_or_default() as i64,
        }
    }

    pub fn changes(&self) -> Changes {
        Changes { name: self.name.clone(), number: self.number.clone(), closed: self.closed }
    }

    /// The account as it looks once `changes` are made.
    pub fn with(&self, changes: &Changes) -> Self {
        Self { name: changes.name.clone(), number: changes.number.clone(), closed: changes.closed, ..self.clone() }
    }
}

/// Adds the subtree node's children, and theirs, to `found`; a node read without its children (below
/// the depth read) that has some means there are more.
fn count_below(node: &JsValue, found: &mut Descendants) {
    if get(node, "children").is_undefined() {
        found.more |= get(node, "childCount").as_f64().unwrap_or_default() > 0.0;
    }
    for child in list(node, "children") {
        found.counted += 1;
        count_below(&child, found);
    }
}
