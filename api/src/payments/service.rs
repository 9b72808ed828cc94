//! The rules of payments, over the store: which tenant a request acts in (from the caller's
//! memberships, never from an argument alone), which role may do what, input checked against the
//! accounts it names, optimistic concurrency, idempotency keys, and pages.

use base64::{Engine, prelude::BASE64_URL_SAFE_NO_PAD};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    filter::PaymentFilter,
    model::{self, ApprovalPolicy, Content, Destination, Invalid, Payment, PaymentStatus, PaymentType},
    store::{self, After},
};
use crate::{auth::Caller, db, idempotency, organisations::Role};

/// Why a payments operation did not happen. The GraphQL layer gives each its AppSync shape.
#[derive(Debug)]
pub enum PaymentError {
    /// The caller's role (or lack of one) does not allow the operation.
    Unauthorized,
    Invalid(Invalid),
    /// No payment with this id that the caller can see.
    NotFound,
    /// `expectedVersion` is not the payment's version: the current payment.
    Stale(Box<Payment>),
    /// The payment's status does not allow the change.
    Conflict(String),
    /// An idempotency key used before with other input.
    Idempotency(String),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for PaymentError {
    fn from(error: sqlx::Error) -> Self {
        match db::sqlstate(&error).as_deref() {
            Some(db::sqlstate::CONFLICT) => {
                Self::Conflict(error.as_database_error().map(|e| e.message().to_owned()).unwrap_or_default())
            }
            Some(INSUFFICIENT_PRIVILEGE) => Self::Unauthorized,
            _ => Self::Database(error),
        }
    }
}

impl From<Invalid> for PaymentError {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

const INSUFFICIENT_PRIVILEGE: &str = "42501";

pub type PaymentResult<T> = Result<T, PaymentError>;

/// What `createPayment` and `updatePayment` are given, before any check.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub amount: Option<(String, String)>,
    pub due_date: Option<time::Date>,
    pub from_account: Option<String>,
    pub to_account: Option<String>,
    pub counterparty: Option<(String, String)>,
    pub message: Option<String>,
    pub kind: Option<PaymentType>,
    pub reference: Option<String>,
}

/// A page of payments and where the next one starts.
pub struct Page {
    pub items: Vec<Payment>,
    pub next_token: Option<String>,
}

pub async fn get(db: &mut PgConnection, id: &str) -> PaymentResult<Option<Payment>> {
    let Ok(id) = id.parse() else { return Ok(None) };
    Ok(store::get(db, id).await?)
}

/// Payments the caller can read, of `tenant` (one of theirs, or any for the Admin group) or of all
/// their tenants, newest first.
pub async fn list(
    db: &mut PgConnection,
    caller: &Caller,
    tenant: Option<&str>,
    filter: Option<&PaymentFilter>,
    limit: Option<i32>,
    next_token: Option<&str>,
) -> PaymentResult<Page> {
    let limit = model::page_size(limit)?;
    let after = next_token.map(parse_token).transpose()?;
    let tenants = match tenant {
        // Row-level security would filter the same rows; naming the tenants lets an index find them.
        None if !caller.is_admin() => Some(caller.memberships.iter().map(|(tenant, _)| *tenant).collect()),
        None => None,
        Some(tenant) => {
            let tenant = tenant.parse().map_err(|_| Invalid::new("tenantId", "is not an id"))?;
            if !caller.is_member_of(tenant) && !caller.is_admin() {
                return Err(PaymentError::Unauthorized);
            }
            Some(vec![tenant])
        }
    };
    let mut items = store::list(db, tenants.as_deref(), filter, after, limit + 1).await??;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_token = match more {
        true => items.last().map(|last| token(After { created_at: last.created_at, id: last.id })),
        false => None,
    };
    Ok(Page { items, next_token })
}

fn token(after: After) -> String {
    BASE64_URL_SAFE_NO_PAD.encode(format!("{}:{}", after.created_at.unix_timestamp_nanos(), after.id))
}

fn parse_token(text: &str) -> Result<After, Invalid> {
    let invalid = || Invalid::new("nextToken", "is not a token from a previous page");
    let decoded = BASE64_URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
    let decoded = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (nanos, id) = decoded.split_once(':').ok_or_else(invalid)?;
    let nanos: i128 = nanos.parse().map_err(|_| invalid())?;
    let created_at = OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| invalid())?;
    Ok(After { created_at, id: id.parse().map_err(|_| invalid())? })
}

/// Creates a payment in the tenant of its `fromAccount` (which `tenant`, if given, must name: one
/// of the caller's), approved at once or pending as the organisation's policy says. With an
/// idempotency key (per tenant, as Stripe's): the same key with the same input answers the payment
/// the first request made; with other input, an error.
pub async fn create(
    db: &mut PgConnection,
    caller: &Caller,
    tenant: Option<&str>,
    draft: Draft,
    idempotency_key: Option<&str>,
) -> PaymentResult<Payment> {
    let named =
        tenant.map(|t| t.parse::<Uuid>().map_err(|_| Invalid::new("input.tenantId", "is not an id"))).transpose()?;
    if named.is_some_and(|tenant| !caller.is_member_of(tenant)) {
        return Err(PaymentError::Unauthorized);
    }
    let (tenant, content) = checked(db, caller, "input", draft).await?;
    if named.is_some_and(|named| named != tenant) {
        return Err(Invalid::new("input.fromAccount", "is not an account of tenantId").into());
    }
    let id = Uuid::new_v4();
    let Some(key) = idempotency_key else {
        return Ok(store::insert(db, tenant, id, &content, caller.user_id).await?);
    };
    let key = idempotency::Key::new(key).map_err(|message| Invalid::new("idempotencyKey", message))?;
    let fingerprint = content.fingerprint(tenant);
    match store::insert_with_key(db, tenant, id, &content, caller.user_id, key.as_str(), &fingerprint).await? {
        Some(payment) => Ok(payment),
        None => {
            let first = store::key_use(db, tenant, key.as_str()).await?;
            replay(db, &key, &fingerprint, first).await
        }
    }
}

/// The answer to a key used before: the payment it made, if the input is the same.
async fn replay(
    db: &mut PgConnection,
    key: &idempotency::Key,
    fingerprint: &[u8],
    first: store::KeyUse,
) -> PaymentResult<Payment> {
    if first.request_hash != fingerprint {
        return Err(PaymentError::Idempotency(idempotency::mismatch(key)));
    }
    store::get(db, first.payment_id).await?.ok_or(PaymentError::NotFound)
}

/// Changes a pending payment at `version`; what the draft leaves out stays.
pub async fn update(
    db: &mut PgConnection,
    caller: &Caller,
    id: &str,
    draft: Draft,
    version: i64,
) -> PaymentResult<Payment> {
    let current = visible(db, id).await?;
    writable(caller, current.tenant_id)?;
    if current.status != PaymentStatus::Pending {
        return Err(only_pending(&current));
    }
    let merged = merge(&current, draft);
    let (tenant, content) = checked(db, caller, "input", merged).await?;
    if tenant != current.tenant_id {
        return Err(Invalid::new("input.fromAccount", "is not an account of the payment's tenant").into());
    }
    match store::update(db, current.id, &content, version).await? {
        Some(payment) => Ok(payment),
        None => Err(stale_or_gone(db, current.id).await),
    }
}

/// The draft with the payment's current content where it gives none.
fn merge(current: &Payment, draft: Draft) -> Draft {
    let keeps_destination = draft.to_account.is_none() && draft.counterparty.is_none();
    Draft {
        amount: draft.amount.or_else(|| Some((current.money().decimal(), current.currency.clone()))),
        due_date: draft.due_date.or(Some(current.due_date)),
        from_account: draft.from_account.or_else(|| Some(current.from_account_id.to_string())),
        to_account: match keeps_destination {
            true => current.to_account_id.map(|id| id.to_string()),
            false => draft.to_account,
        },
        counterparty: match keeps_destination {
            true => current.counterparty_name.clone().zip(current.counterparty_iban.clone()),
            false => draft.counterparty,
        },
        message: draft.message.or_else(|| current.message.clone()),
        kind: draft.kind.or(Some(current.kind)),
        reference: draft.reference.or_else(|| current.reference.clone()),
    }
}

/// The draft checked, against the accounts it names too: the tenant it belongs in and its content.
async fn checked(db: &mut PgConnection, caller: &Caller, prefix: &str, draft: Draft) -> PaymentResult<(Uuid, Content)> {
    let field = |name: &str| format!("{prefix}.{name}");
    let (amount, currency) = draft.amount.ok_or_else(|| Invalid::new(field("amount"), "is required"))?;
    let money = model::money(prefix, &amount, &currency)?;
    let due_date = draft.due_date.ok_or_else(|| Invalid::new(field("dueDate"), "is required"))?;
    let from_text = draft.from_account.ok_or_else(|| Invalid::new(field("fromAccount"), "is required"))?;
    let from = account_id(&field("fromAccount"), &from_text)?;
    let to = draft.to_account.as_deref().map(|to| account_id(&field("toAccount"), to)).transpose()?;
    let counterparty = draft.counterparty.as_ref().map(|(name, iban)| (name.as_str(), iban.as_str()));
    let destination = model::destination(prefix, from, to, counterparty)?;
    let to_account = match &destination {
        Destination::Account(to) => Some(*to),
        Destination::External { .. } => None,
    };
    let found = store::accounts(db, &[Some(from), to_account].into_iter().flatten().collect::<Vec<_>>()).await?;
    let account =
        |id: Uuid| found.iter().find(|(found, ..)| *found == id).map(|(_, tenant, currency)| (*tenant, currency));
    let (tenant, from_currency) =
        account(from).ok_or_else(|| Invalid::new(field("fromAccount"), "there is no such account"))?;
    writable(caller, tenant)?;
    if *from_currency != money.currency {
        return Err(Invalid::new(field("amount.currency"), format!("fromAccount holds {from_currency}")).into());
    }
    if let Some(to) = to_account {
        let (to_tenant, to_currency) =
            account(to).ok_or_else(|| Invalid::new(field("toAccount"), "there is no such account"))?;
        if to_tenant != tenant {
            return Err(Invalid::new(field("toAccount"), "is not an account of fromAccount's tenant").into());
        }
        if *to_currency != money.currency {
            return Err(Invalid::new(
                field("toAccount"),
                format!("holds {to_currency}, the payment is in {}", money.currency),
            )
            .into());
        }
    }
    let content = Content {
        amount_minor: money.minor,
        currency: money.currency,
        exponent: money.exponent,
        due_date,
        from_account: from,
        destination,
        message: model::text(&field("message"), draft.message.as_deref(), model::MESSAGE_MAX)?,
        kind: draft.kind.unwrap_or(PaymentType::Domestic),
        reference: model::text(&field("reference"), draft.reference.as_deref(), model::REFERENCE_MAX)?,
    };
    Ok((tenant, content))
}

fn account_id(field: &str, text: &str) -> Result<Uuid, Invalid> {
    text.parse().map_err(|_| Invalid::new(field, "there is no such account"))
}

/// A change of status the caller asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Cancel,
    Approve,
    Reject,
}

/// Cancels (members and above), approves or rejects (admins and owners, never the payment's
/// creator) the payment, at `version` when given.
pub async fn decide(
    db: &mut PgConnection,
    caller: &Caller,
    id: &str,
    decision: Decision,
    version: Option<i64>,
) -> PaymentResult<Payment> {
    let current = visible(db, id).await?;
    let allowed = match decision {
        Decision::Cancel => caller.role_in(current.tenant_id).is_some_and(Role::writes_data),
        Decision::Approve | Decision::Reject => {
            caller.role_in(current.tenant_id).is_some_and(|role| role >= Role::Admin)
                && caller.user_id != current.created_by
        }
    };
    if !allowed {
        return Err(PaymentError::Unauthorized);
    }
    let status = match decision {
        Decision::Cancel => PaymentStatus::Cancelled,
        Decision::Approve => PaymentStatus::Approved,
        Decision::Reject => PaymentStatus::Rejected,
    };
    match store::set_status(db, current.id, status, version).await? {
        Some(payment) => Ok(payment),
        None => Err(stale_or_gone(db, current.id).await),
    }
}

/// Deletes a pending payment (members and above); answers it as it was.
pub async fn delete(db: &mut PgConnection, caller: &Caller, id: &str, version: Option<i64>) -> PaymentResult<Payment> {
    let current = visible(db, id).await?;
    writable(caller, current.tenant_id)?;
    if current.status != PaymentStatus::Pending {
        return Err(only_pending(&current));
    }
    match store::delete(db, current.id, version).await? {
        Some(payment) => Ok(payment),
        None => Err(stale_or_gone(db, current.id).await),
    }
}

/// An organisation's approval thresholds, one per currency that has one (readers of the tenant).
pub async fn approval_policies(
    db: &mut PgConnection,
    caller: &Caller,
    tenant: &str,
) -> PaymentResult<Vec<ApprovalPolicy>> {
    let tenant = tenant.parse().map_err(|_| Invalid::new("tenantId", "is not an id"))?;
    if !caller.is_member_of(tenant) && !caller.is_admin() {
        return Err(PaymentError::Unauthorized);
    }
    Ok(store::approval_policies(db, tenant).await?)
}

/// Sets the organisation's threshold in a currency (admins and owners): payments at or above it
/// need the approval of someone other than their creator; below it they are approved at once.
pub async fn set_approval_threshold(
    db: &mut PgConnection,
    caller: &Caller,
    tenant: &str,
    amount: &str,
    currency: &str,
) -> PaymentResult<ApprovalPolicy> {
    let tenant = tenant.parse().map_err(|_| Invalid::new("tenantId", "is not an id"))?;
    if caller.role_in(tenant).is_none_or(|role| role < Role::Admin) {
        return Err(PaymentError::Unauthorized);
    }
    let exponent = crate::accounts::currency::exponent(currency).ok_or_else(|| {
        Invalid::new("threshold.currency", format!("{currency:?} {}", crate::accounts::currency::MESSAGE))
    })?;
    let minor = super::money::parse_minor(amount, exponent)
        .ok()
        .filter(|minor| (0..=super::money::MAX_MINOR).contains(minor))
        .ok_or_else(|| {
            Invalid::new("threshold.amount", format!("must be from 0 to 10^11 with at most {exponent} decimals"))
        })?;
    Ok(store::set_approval_threshold(db, tenant, currency, minor, caller.user_id).await?)
}

async fn visible(db: &mut PgConnection, id: &str) -> PaymentResult<Payment> {
    get(db, id).await?.ok_or(PaymentError::NotFound)
}

/// Members, admins and owners write their tenants' payments; viewers and the Admin group (in
/// tenants it does not belong to) only read them. The policies say the same.
fn writable(caller: &Caller, tenant: Uuid) -> PaymentResult<()> {
    match caller.role_in(tenant) {
        Some(role) if role.writes_data() => Ok(()),
        _ => Err(PaymentError::Unauthorized),
    }
}

fn only_pending(payment: &Payment) -> PaymentError {
    PaymentError::Conflict(format!(
        "The payment is {}: only a pending payment changes.",
        super::filter::status_name(payment.status)
    ))
}

/// A conditional write changed nothing: the payment is at another version, or gone.
async fn stale_or_gone(db: &mut PgConnection, id: Uuid) -> PaymentError {
    match store::get(db, id).await {
        Ok(Some(current)) => PaymentError::Stale(Box::new(current)),
        Ok(None) => PaymentError::NotFound,
        Err(error) => error.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_tampering_is_invalid() {
        let after = After {
            created_at: OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap(),
            id: Uuid::new_v4(),
        };
        assert_eq!(parse_token(&token(after)), Ok(after));
        for bad in ["", "x", &BASE64_URL_SAFE_NO_PAD.encode("12:not-a-uuid"), &BASE64_URL_SAFE_NO_PAD.encode("nope")] {
            assert_eq!(parse_token(bad).unwrap_err().field, "nextToken", "{bad}");
        }
    }
}
