//! The Payments GraphQL api (`POST /graphql`, the operations in [`ops`](crate::ops)) and the REST
//! reads the pages need beside it (the organisation's accounts and members, its audit trail), all
//! through the session the shell handed over. JSON through the browser's own `JSON` and `Reflect`,
//! as the other micro-frontends do, for wasm size.

use js_sys::JSON;
use mfe_guest::{
    Props,
    rest::{get, list, object, text},
};
use reactive_graph::prelude::*;
use ui_kit::form::Refusal;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A payment as the api answers it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Payment {
    pub id: String,
    /// In major units, as the api writes it ("12.34").
    pub amount: String,
    pub minor_units: f64,
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    pub from_account: String,
    pub to_account: Option<String>,
    /// Name and IBAN, for a payment out of the organisation.
    pub counterparty: Option<(String, String)>,
    pub message: String,
    pub kind: String,
    pub status: String,
    pub reference: String,
    pub failure_reason: String,
    pub tenant_id: String,
    pub created_by: String,
    pub approved_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i32,
}

impl Payment {
    pub fn from_json(json: &JsValue) -> Self {
        let amount = get(json, "amount");
        let counterparty = get(json, "counterparty");
        Self {
            id: text(json, "id"),
            amount: text(&amount, "amount"),
            // Integers parse without the float parser's tables (wasm size); below 2^53 they are exact.
            minor_units: text(&amount, "minorUnits").parse::<i64>().unwrap_or_default() as f64,
            currency: text(&amount, "currency"),
            due_date: text(json, "dueDate"),
            from_account: text(json, "fromAccount"),
            to_account: get(json, "toAccount").as_string(),
            counterparty: counterparty.is_object().then(|| (text(&counterparty, "name"), text(&counterparty, "iban"))),
            message: text(json, "message"),
            kind: text(json, "type"),
            status: text(json, "status"),
            reference: text(json, "reference"),
            failure_reason: text(json, "failureReason"),
            tenant_id: text(json, "tenantId"),
            created_by: text(json, "createdBy"),
            approved_by: get(json, "approvedBy").as_string(),
            created_at: text(json, "createdAt"),
            updated_at: text(json, "updatedAt"),
            version: get(json, "version").as_f64().unwrap_or_default() as i32,
        }
    }

    /// Still to be decided on, changed or withdrawn.
    pub fn is_pending(&self) -> bool {
        self.status == "PENDING"
    }
}

/// Why the api did not do what was asked: its `errorType` (empty when it could not be reached),
/// its message, and the input field it named.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Failure {
    pub kind: String,
    pub message: String,
    pub field: Option<String>,
}

impl Failure {
    fn unreachable(message: String) -> Self {
        Self { message, ..Self::default() }
    }

    /// No answer came: the request may or may not have been carried out.
    pub fn is_unreachable(&self) -> bool {
        self.kind.is_empty()
    }

    /// Someone else changed the payment since it was read (a stale `expectedVersion`).
    pub fn is_stale(&self) -> bool {
        self.kind == "ConflictUnhandled"
    }

    fn from_json(error: &JsValue) -> Self {
        let extensions = get(error, "extensions");
        let kind = get(error, "errorType").as_string().unwrap_or_else(|| text(&extensions, "errorType"));
        let field = get(&extensions, "field").as_string();
        let mut message = text(error, "message");
        // A field's error reads "input.amount.amount: must ..."; next to the field, the rest says it.
        if let Some(rest) = field.as_deref().and_then(|field| message.strip_prefix(field)?.strip_prefix(": ")) {
            let mut chars = rest.chars();
            message = chars
                .next()
                .map(|first| [first.to_ascii_uppercase().encode_utf8(&mut [0; 4]), chars.as_str(), "."].concat())
                .unwrap_or_default();
        }
        Self { kind: if kind.is_empty() { "InternalFailure".into() } else { kind }, message, field }
    }
}

/// The api's refusal as a form shows it: under the field it names (the form's fields are named as
/// the input's, see [`form_field`]), or above the form.
impl From<Failure> for Refusal {
    fn from(failure: Failure) -> Self {
        let fields =
            failure.field.as_deref().map(|field| vec![(form_field(field).to_owned(), failure.message.clone())]);
        Self { message: failure.message, fields: fields.unwrap_or_default() }
    }
}

/// The form field for an input path the api names, e.g. `input.counterparty.iban` → `iban`.
fn form_field(path: &str) -> &str {
    let path = path.strip_prefix("input.").unwrap_or(path);
    match path {
        "counterparty.iban" => "iban",
        "counterparty.name" => "counterpartyName",
        _ => path.split('.').next().unwrap_or(path),
    }
}

pub type Answer<T> = Result<T, Failure>;

/// An account of the organisation, as the pickers and the table name it.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub number: String,
    pub currency: String,
}

/// A change in the organisation's audit trail that concerns a payment.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// `payment.created`, `payment.approved`, ...
    pub action: String,
    pub at: String,
    pub by: String,
}

/// A page of payments; `next_token` is `None` on the last.
pub struct Page {
    pub items: Vec<Payment>,
    pub next_token: Option<String>,
}

/// The page the table loads at a time.
pub const TABLE_PAGE: u32 = 100;

#[derive(Clone, Copy)]
pub struct Api(pub Props);

impl Api {
    /// The micro-frontend left the page (its session went with it): a read of several requests
    /// stops rather than make the next.
    fn gone(self) -> Answer<()> {
        match self.0.session.try_with_untracked(|_| ()) {
            Some(()) => Ok(()),
            None => Err(Failure { kind: "Gone".into(), ..Failure::default() }),
        }
    }

    /// A page of the organisation's payments that pass `filter` (a `ModelPaymentFilterInput`).
    pub async fn list(self, filter: &JsValue, limit: u32, next_token: Option<&str>) -> Answer<Page> {
        let variables = object(&[
            ("tenantId", self.0.tenant_id().map_or(JsValue::NULL, JsValue::from)),
            ("filter", filter.clone()),
            ("limit", limit.into()),
            ("nextToken", next_token.map_or(JsValue::NULL, JsValue::from)),
        ]);
        let connection = self.graphql(crate::ops::LIST, variables).await?;
        let connection = get(&connection, "listPayments");
        let items = list(&connection, "items").map(|item| Payment::from_json(&item)).collect();
        Ok(Page { items, next_token: get(&connection, "nextToken").as_string() })
    }

    /// The payment, if the person may see it and it is of the organisation they work in.
    pub async fn get(self, id: &str) -> Answer<Option<Payment>> {
        let data = self.graphql(crate::ops::GET, object(&[("id", id.into())])).await?;
        let payment = get(&data, "getPayment");
        let tenant = self.0.tenant_id();
        Ok(payment
            .is_object()
            .then(|| Payment::from_json(&payment))
            .filter(|payment| tenant.as_ref().is_none_or(|tenant| *tenant == payment.tenant_id)))
    }

    /// Creates a payment from `input` (a `CreatePaymentInput`); the same `key` with the same input
    /// answers the payment the first request made, without making another.
    pub async fn create(self, input: JsValue, key: &str) -> Answer<Payment> {
        let variables = object(&[("input", input), ("idempotencyKey", key.into())]);
        self.mutate(crate::ops::CREATE, variables, "createPayment").await
    }

    /// Changes a pending payment (`input` is an `UpdatePaymentInput`) that is still at `version`.
    pub async fn update(self, input: JsValue, version: i32) -> Answer<Payment> {
        let variables = object(&[("input", input), ("expectedVersion", version.into())]);
        self.mutate(crate::ops::UPDATE, variables, "updatePayment").await
    }

    /// A decision (approve, reject, cancel, delete) on the payment at `version`.
    pub async fn decide(self, decision: Decision, payment: &Payment) -> Answer<Payment> {
        let variables = object(&[("id", payment.id.as_str().into()), ("expectedVersion", payment.version.into())]);
        self.mutate(decision.operation(), variables, decision.field()).await
    }

    async fn mutate(self, operation: &str, variables: JsValue, field: &str) -> Answer<Payment> {
        self.graphql(operation, variables).await.map(|data| Payment::from_json(&get(&data, field)))
    }

    /// The answer's `data`, or its first error.
    async fn graphql(self, query: &str, variables: JsValue) -> Answer<JsValue> {
        let body = object(&[("query", query.into()), ("variables", variables)]);
        let body = JSON::stringify(&body).map(JsValue::from).unwrap_or(JsValue::NULL);
        let response = self.0.request("POST", "/graphql", &[], Some(&body)).await.map_err(Failure::unreachable)?;
        let json = match response.json() {
            Ok(promise) => JsFuture::from(promise).await.unwrap_or(JsValue::NULL),
            Err(_) => JsValue::NULL,
        };
        match list(&json, "errors").next() {
            Some(error) => Err(Failure::from_json(&error)),
            None if response.ok() => Ok(get(&json, "data")),
            None => Err(Failure {
                kind: "InternalFailure".into(),
                message: ["The api answered ", &maud::Render::render(&response.status()).0, "."].concat(),
                field: None,
            }),
        }
    }

    /// Every account of the organisation: its roots, and the subtree of each.
    pub async fn accounts(self) -> Answer<Vec<Account>> {
        let tenant = self.0.tenant_id().map(|tenant| ["&tenant=", &tenant].concat()).unwrap_or_default();
        let roots = self.rest(&["/v1/accounts?limit=200", &tenant].concat()).await?;
        let mut accounts = Vec::new();
        for root in list(&roots, "items") {
            self.gone()?;
            let path = ["/v1/accounts/", &text(&root, "id"), "/subtree?depth=5"].concat();
            collect(&get(&self.rest(&path).await?, "root"), &mut accounts);
        }
        Ok(accounts)
    }

    /// The organisation's members: user id and email address.
    pub async fn members(self) -> Answer<Vec<(String, String)>> {
        let Some(tenant) = self.0.tenant_id() else { return Ok(Vec::new()) };
        let members = self.rest(&["/v1/tenants/", &tenant, "/members"].concat()).await?;
        let items = members.dyn_into::<js_sys::Array>().map(|array| array.to_vec()).unwrap_or_default();
        Ok(items.iter().map(|member| (text(member, "userId"), text(member, "email"))).collect())
    }

    /// The payment's changes from the organisation's audit trail (admins and owners read it),
    /// oldest first: its pages are read, newest first, back to the payment's creation.
    pub async fn history(self, payment: &Payment) -> Answer<Vec<Event>> {
        let Some(tenant) = self.0.tenant_id() else { return Ok(Vec::new()) };
        let mut events = Vec::new();
        let mut cursor = String::new();
        loop {
            self.gone()?;
            let path = ["/v1/tenants/", &tenant, "/audit?limit=200", &cursor].concat();
            let page = self.rest(&path).await?;
            let mut older = false;
            for entry in list(&page, "items") {
                let at = text(&entry, "at");
                older |= at < payment.created_at;
                if text(&get(&entry, "details"), "payment") == payment.id {
                    events.push(Event { action: text(&entry, "action"), at, by: text(&entry, "actorEmail") });
                }
            }
            match get(&page, "nextCursor").as_string() {
                Some(next) if !older => cursor = ["&cursor=", &next].concat(),
                _ => break,
            }
        }
        events.reverse();
        Ok(events)
    }

    async fn rest(self, path: &str) -> Answer<JsValue> {
        self.0.call("GET", path, &[], None).await.map_err(|problem| Failure {
            kind: if problem.status == 0 { String::new() } else { "Rest".into() },
            message: problem.detail,
            field: None,
        })
    }
}

/// The account in a subtree node and every account below it.
fn collect(node: &JsValue, into: &mut Vec<Account>) {
    into.push(Account {
        id: text(node, "id"),
        name: text(node, "name"),
        number: text(node, "number"),
        currency: text(node, "currency"),
    });
    for child in list(node, "children") {
        collect(&child, into);
    }
}

/// What a person may decide about a payment, each a mutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    Cancel,
    Delete,
}

impl Decision {
    fn operation(self) -> &'static str {
        match self {
            Self::Approve => crate::ops::APPROVE,
            Self::Reject => crate::ops::REJECT,
            Self::Cancel => crate::ops::CANCEL,
            Self::Delete => crate::ops::DELETE,
        }
    }

    fn field(self) -> &'static str {
        match self {
            Self::Approve => "approvePayment",
            Self::Reject => "rejectPayment",
            Self::Cancel => "cancelPayment",
            Self::Delete => "deletePayment",
        }
    }
}
