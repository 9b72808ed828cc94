//! The Accounts REST api (`/v1/accounts`), called through the session the shell handed over.
//! JSON is read and written through the browser's own `JSON` and `Reflect` rather than serde: it
//! keeps the micro-frontend's wasm small.

use js_sys::{Array, JSON, Object, Reflect};
use mfe_guest::Props;
use ui_kit::form::Refusal;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

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

/// The api's refusal (a problem+json answer), or no answer at all (`status` 0).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Problem {
    pub status: u16,
    pub detail: String,
    /// Field and message, from a validation problem or a conflict that names its field.
    pub errors: Vec<(String, String)>,
}

impl Problem {
    fn unreachable(detail: String) -> Self {
        Self { detail, ..Self::default() }
    }

    /// Someone else changed the account since it was read.
    pub fn is_stale(&self) -> bool {
        self.status == 412
    }

    /// The message for `field`, if the api named it.
    pub fn field(&self, field: &str) -> Option<String> {
        self.errors.iter().find(|(name, _)| name == field).map(|(_, message)| message.clone())
    }
}

/// The api's refusal as a form shows it: by field, or in its own words.
impl From<Problem> for Refusal {
    fn from(problem: Problem) -> Self {
        Self { message: problem.detail, fields: problem.errors }
    }
}

pub type Answer<T> = Result<T, Problem>;

#[derive(Clone, Copy)]
pub struct Api(pub Props);

impl Api {
    pub async fn roots(self, cursor: Option<&str>) -> Answer<Page> {
        self.page(format!("/v1/accounts?{PAGE}"), cursor).await
    }

    pub async fn children(self, id: &str, cursor: Option<&str>) -> Answer<Page> {
        self.page(format!("/v1/accounts/{id}/children?{PAGE}"), cursor).await
    }

    pub async fn get(self, id: &str) -> Answer<Account> {
        self.call("GET", &account_path(id), &[], None).await.map(|json| Account::from_json(&json))
    }

    pub async fn create(self, parent_id: Option<&str>, name: &str, number: &str, currency: &str) -> Answer<Account> {
        let body = object(&[
            ("parentId", parent_id.map_or(JsValue::NULL, JsValue::from)),
            ("name", name.into()),
            ("number", number.into()),
            ("currency", currency.into()),
        ]);
        self.call("POST", "/v1/accounts", &[], Some(&body)).await.map(|json| Account::from_json(&json))
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
        let answer = self.call("PATCH", &account_path(&account.id), &[("If-Match", &etag)], Some(&body)).await?;
        Ok(Account::from_json(&answer))
    }

    /// Moves the account with its subtree under `parent_id`, or to the roots.
    pub async fn move_to(self, id: &str, parent_id: Option<&str>) -> Answer<Account> {
        let body = object(&[("parentId", parent_id.map_or(JsValue::NULL, JsValue::from))]);
        let path = format!("{}/move", account_path(id));
        self.call("POST", &path, &[], Some(&body)).await.map(|json| Account::from_json(&json))
    }

    /// Counts the accounts below `id` with a read: nothing is deleted before the person confirms.
    pub async fn descendants(self, id: &str) -> Answer<Descendants> {
        let path = format!("{}/subtree?{SUBTREE_DEPTH}", account_path(id));
        let json = self.call("GET", &path, &[], None).await?;
        let mut found = Descendants { counted: 0, more: get(&json, "truncated").as_bool().unwrap_or_default() };
        count_below(&get(&json, "root"), &mut found);
        Ok(found)
    }

    /// Deletes the account; with `subtree`, every account below it too.
    pub async fn delete(self, id: &str, subtree: bool) -> Answer<()> {
        let path = format!("{}?subtree={subtree}", account_path(id));
        self.call("DELETE", &path, &[], None).await.map(drop)
    }

    async fn page(self, path: String, cursor: Option<&str>) -> Answer<Page> {
        let path = match cursor {
            Some(cursor) => format!("{path}&cursor={}", String::from(js_sys::encode_uri_component(cursor))),
            None => path,
        };
        let json = self.call("GET", &path, &[], None).await?;
        let items = list(&json, "items").map(|item| Account::from_json(&item)).collect();
        Ok(Page { items, next_cursor: get(&json, "nextCursor").as_string() })
    }

    /// The JSON answer (`null` when there is none), or the api's problem.
    async fn call(self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&JsValue>) -> Answer<JsValue> {
        let body = body.and_then(|body| JSON::stringify(body).ok()).map(String::from);
        let response = self.0.request(method, path, headers, body.as_deref()).await.map_err(Problem::unreachable)?;
        let json = match response.status() {
            204 => JsValue::NULL,
            _ => match response.json() {
                Ok(promise) => JsFuture::from(promise).await.unwrap_or(JsValue::NULL),
                Err(_) => JsValue::NULL,
            },
        };
        if response.ok() { Ok(json) } else { Err(problem(response.status(), &json)) }
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

fn problem(status: u16, json: &JsValue) -> Problem {
    let mut errors: Vec<(String, String)> =
        list(json, "errors").map(|error| (text(&error, "field"), text(&error, "message"))).collect();
    let detail = text(json, "detail");
    // A conflict such as a taken number names its field rather than listing errors.
    if let Some(field) = get(json, "field").as_string() {
        errors.push((field, detail.clone()));
    }
    Problem { status, detail: if detail.is_empty() { format!("The api answered {status}.") } else { detail }, errors }
}

fn get(json: &JsValue, key: &str) -> JsValue {
    if json.is_object() { Reflect::get(json, &key.into()).unwrap_or(JsValue::UNDEFINED) } else { JsValue::UNDEFINED }
}

/// The items of an array member; none when it is absent.
fn list(json: &JsValue, key: &str) -> impl Iterator<Item = JsValue> {
    get(json, key).dyn_into::<Array>().ok().into_iter().flat_map(|array| array.to_vec())
}

fn text(json: &JsValue, key: &str) -> String {
    get(json, key).as_string().unwrap_or_default()
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in fields {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}
