//! The payments' GraphQL fields: the seed's `getPayment`, `listPayments`, `createPayment`,
//! `updatePayment` and `deletePayment`, plus the decisions of a payment's life. Each resolver
//! hands its arguments to [`super::service`] and its failure to [`crate::graphql::error`].

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::{
    filter::PaymentFilter,
    model::{ApprovalPolicy, Payment, PaymentStatus, PaymentType},
    service::{self, Decision, Draft, PaymentError},
};
use crate::graphql::{
    Session, error,
    scalars::{AwsDate, AwsDateTime, Decimal, Long},
};

fn session<'a>(ctx: &'a Context<'_>) -> &'a Arc<Session> {
    ctx.data_unchecked::<Arc<Session>>()
}

/// An amount of money: exact, in the currency's minor units.
#[derive(SimpleObject)]
pub struct Money {
    /// In major units, with the currency's decimals: "12.34" EUR, "1200" JPY, "1.234" BHD.
    pub amount: Decimal,
    /// In minor units (cents for EUR).
    pub minor_units: Long,
    /// ISO 4217 code.
    pub currency: String,
}

/// An amount in a currency, as `amount: "12.34"` (the currency's decimals at most) and `currency: "EUR"`.
#[derive(InputObject)]
pub struct MoneyInput {
    pub amount: Decimal,
    pub currency: String,
}

/// Where an outgoing payment goes outside the tenant.
#[derive(SimpleObject)]
pub struct Counterparty {
    pub name: String,
    pub iban: String,
}

#[derive(InputObject)]
pub struct CounterpartyInput {
    pub name: String,
    /// An IBAN with valid check digits; spaces are allowed.
    pub iban: String,
}

/// A payment. Its tenant is an organisation of the caller's; `version` grows with every change.
#[Object]
impl Payment {
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }
    async fn amount(&self) -> Money {
        let money = self.money();
        Money { amount: Decimal(money.decimal()), minor_units: Long(money.minor), currency: money.currency }
    }
    async fn due_date(&self) -> AwsDate {
        AwsDate(self.due_date)
    }
    async fn from_account(&self) -> ID {
        ID(self.from_account_id.to_string())
    }
    /// Another account of the tenant; null for a payment to a counterparty.
    async fn to_account(&self) -> Option<ID> {
        self.to_account_id.map(|id| ID(id.to_string()))
    }
    /// Outside the tenant; null for a payment between the tenant's accounts.
    async fn counterparty(&self) -> Option<Counterparty> {
        Some(Counterparty { name: self.counterparty_name.clone()?, iban: self.counterparty_iban.clone()? })
    }
    async fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    #[graphql(name = "type")]
    async fn kind(&self) -> PaymentType {
        self.kind
    }
    async fn status(&self) -> PaymentStatus {
        self.status
    }
    /// The payer's reference, at most 35 characters.
    async fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }
    /// Why settlement failed, for a FAILED payment.
    async fn failure_reason(&self) -> Option<&str> {
        self.failure_reason.as_deref()
    }
    async fn tenant_id(&self) -> ID {
        ID(self.tenant_id.to_string())
    }
    async fn created_by(&self) -> ID {
        ID(self.created_by.to_string())
    }
    /// Who approved it; null while pending, and when the policy approved it as it was created.
    async fn approved_by(&self) -> Option<ID> {
        self.approved_by.map(|id| ID(id.to_string()))
    }
    async fn created_at(&self) -> AwsDateTime {
        AwsDateTime(self.created_at)
    }
    async fn updated_at(&self) -> AwsDateTime {
        AwsDateTime(self.updated_at)
    }
    /// Grows by one with every change; `expectedVersion` of the mutations.
    async fn version(&self) -> i32 {
        i32::try_from(self.version).unwrap_or(i32::MAX)
    }
}

/// Dual control: payments at or above `threshold` need the approval of an admin or owner other than
/// their creator; below it (or where nobody else may approve) they are approved when created.
/// Without a policy for a currency, every payment in it needs a second person.
#[Object]
impl ApprovalPolicy {
    async fn tenant_id(&self) -> ID {
        ID(self.tenant_id.to_string())
    }
    async fn threshold(&self) -> Money {
        let exponent = crate::accounts::currency::exponent(&self.currency).unwrap_or(2);
        let money = super::money::Money { minor: self.threshold_minor, currency: self.currency.clone(), exponent };
        Money { amount: Decimal(money.decimal()), minor_units: Long(money.minor), currency: money.currency }
    }
    async fn updated_by(&self) -> ID {
        ID(self.updated_by.to_string())
    }
    async fn updated_at(&self) -> AwsDateTime {
        AwsDateTime(self.updated_at)
    }
}

/// A page of payments; `nextToken` is null on the last one.
#[derive(SimpleObject)]
pub struct ModelPaymentConnection {
    pub items: Vec<Payment>,
    pub next_token: Option<String>,
}

#[derive(InputObject)]
pub struct CreatePaymentInput {
    /// One of the caller's organisations; by default, that of `fromAccount`.
    pub tenant_id: Option<ID>,
    pub amount: MoneyInput,
    pub due_date: AwsDate,
    pub from_account: ID,
    /// Another account of the tenant, or else `counterparty`.
    pub to_account: Option<ID>,
    pub counterparty: Option<CounterpartyInput>,
    pub message: Option<String>,
    #[graphql(name = "type", default_with = "PaymentType::Domestic")]
    pub kind: PaymentType,
    pub reference: Option<String>,
}

/// A pending payment's new content; what is left out stays.
#[derive(InputObject)]
pub struct UpdatePaymentInput {
    pub id: ID,
    pub amount: Option<MoneyInput>,
    pub due_date: Option<AwsDate>,
    pub from_account: Option<ID>,
    pub to_account: Option<ID>,
    pub counterparty: Option<CounterpartyInput>,
    pub message: Option<String>,
    #[graphql(name = "type")]
    pub kind: Option<PaymentType>,
    pub reference: Option<String>,
}

#[derive(InputObject)]
pub struct DeletePaymentInput {
    pub id: ID,
}

impl From<CreatePaymentInput> for Draft {
    fn from(input: CreatePaymentInput) -> Self {
        Self {
            amount: Some((input.amount.amount.0, input.amount.currency)),
            due_date: Some(input.due_date.0),
            from_account: Some(input.from_account.0),
            to_account: input.to_account.map(|id| id.0),
            counterparty: input.counterparty.map(|c| (c.name, c.iban)),
            message: input.message,
            kind: Some(input.kind),
            reference: input.reference,
        }
    }
}

impl From<UpdatePaymentInput> for Draft {
    fn from(input: UpdatePaymentInput) -> Self {
        Self {
            amount: input.amount.map(|m| (m.amount.0, m.currency)),
            due_date: input.due_date.map(|d| d.0),
            from_account: input.from_account.map(|id| id.0),
            to_account: input.to_account.map(|id| id.0),
            counterparty: input.counterparty.map(|c| (c.name, c.iban)),
            message: input.message,
            kind: input.kind,
            reference: input.reference,
        }
    }
}

#[derive(Default)]
pub struct PaymentsQuery;

#[Object]
impl PaymentsQuery {
    /// A payment of one of the caller's organisations (any, for the Admin group); null if there is
    /// none the caller can see.
    async fn get_payment(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Payment>> {
        let mut db = session(ctx).db().await;
        service::get(db.connection(), &id).await.map_err(|e| error::payment(e, "getPayment", "Query"))
    }

    /// Payments, newest first: of `tenantId` (one of the caller's organisations), or of all the
    /// caller may read. `limit` defaults to 100 (at most 1000).
    #[graphql(complexity = "limit.unwrap_or(100).clamp(1, 1000) as usize * child_complexity")]
    async fn list_payments(
        &self,
        ctx: &Context<'_>,
        tenant_id: Option<ID>,
        filter: Option<PaymentFilter>,
        limit: Option<i32>,
        next_token: Option<String>,
    ) -> Result<ModelPaymentConnection> {
        let session = session(ctx);
        let mut db = session.db().await;
        let page = service::list(
            db.connection(),
            &session.caller,
            tenant_id.as_ref().map(|id| id.as_str()),
            filter.as_ref(),
            limit,
            next_token.as_deref(),
        )
        .await
        .map_err(|e| error::payment(e, "listPayments", "Query"))?;
        Ok(ModelPaymentConnection { items: page.items, next_token: page.next_token })
    }

    /// The organisation's approval thresholds, one per currency that has one.
    async fn approval_policies(&self, ctx: &Context<'_>, tenant_id: ID) -> Result<Vec<ApprovalPolicy>> {
        let session = session(ctx);
        let mut db = session.db().await;
        service::approval_policies(db.connection(), &session.caller, &tenant_id)
            .await
            .map_err(|e| error::payment(e, "approvalPolicies", "Query"))
    }
}

#[derive(Default)]
pub struct PaymentsMutation;

/// `expectedVersion` as the store takes it.
fn version(expected: Option<i32>) -> Option<i64> {
    expected.map(i64::from)
}

#[Object]
impl PaymentsMutation {
    /// A payment between two accounts of an organisation, or out of one to a counterparty: approved
    /// at once when below the organisation's threshold (or when nobody else may approve), pending
    /// otherwise.
    ///
    /// With `idempotencyKey` (at most 255 characters, per organisation, kept at least 24 hours): the
    /// same key with the same input answers the payment the first request made, without making
    /// another; with other input, an `IdempotencyError`.
    async fn create_payment(
        &self,
        ctx: &Context<'_>,
        input: CreatePaymentInput,
        idempotency_key: Option<String>,
    ) -> Result<Payment> {
        let session = session(ctx);
        let tenant = input.tenant_id.clone();
        let created = session
            .write(async |db| {
                service::create(
                    db,
                    &session.caller,
                    tenant.as_ref().map(|id| id.as_str()),
                    input.into(),
                    idempotency_key.as_deref(),
                )
                .await
            })
            .await;
        created.map_err(|e: PaymentError| error::payment(e, "createPayment", "Mutation"))
    }

    /// Changes a pending payment that is at `expectedVersion`.
    async fn update_payment(
        &self,
        ctx: &Context<'_>,
        input: UpdatePaymentInput,
        expected_version: i32,
    ) -> Result<Payment> {
        let session = session(ctx);
        let id = input.id.clone();
        let updated = session
            .write(async |db| {
                service::update(db, &session.caller, &id, input.into(), i64::from(expected_version)).await
            })
            .await;
        updated.map_err(|e: PaymentError| error::payment(e, "updatePayment", "Mutation"))
    }

    /// Cancels a pending or approved (not yet settled) payment.
    async fn cancel_payment(&self, ctx: &Context<'_>, id: ID, expected_version: Option<i32>) -> Result<Payment> {
        decide(ctx, &id, Decision::Cancel, version(expected_version), "cancelPayment").await
    }

    /// Approves a pending payment: admins and owners, never its creator.
    async fn approve_payment(&self, ctx: &Context<'_>, id: ID, expected_version: Option<i32>) -> Result<Payment> {
        decide(ctx, &id, Decision::Approve, version(expected_version), "approvePayment").await
    }

    /// Rejects a pending payment: admins and owners, never its creator.
    async fn reject_payment(&self, ctx: &Context<'_>, id: ID, expected_version: Option<i32>) -> Result<Payment> {
        decide(ctx, &id, Decision::Reject, version(expected_version), "rejectPayment").await
    }

    /// Deletes a pending payment; answers it as it was.
    async fn delete_payment(
        &self,
        ctx: &Context<'_>,
        input: DeletePaymentInput,
        expected_version: Option<i32>,
    ) -> Result<Payment> {
        let session = session(ctx);
        let deleted = session
            .write(async |db| service::delete(db, &session.caller, &input.id, version(expected_version)).await)
            .await;
        deleted.map_err(|e: PaymentError| error::payment(e, "deletePayment", "Mutation"))
    }

    /// Sets the organisation's approval threshold in `threshold`'s currency: admins and owners.
    async fn set_approval_threshold(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
        threshold: MoneyInput,
    ) -> Result<ApprovalPolicy> {
        let session = session(ctx);
        let set = session
            .write(async |db| {
                service::set_approval_threshold(
                    db,
                    &session.caller,
                    &tenant_id,
                    &threshold.amount.0,
                    &threshold.currency,
                )
                .await
            })
            .await;
        set.map_err(|e: PaymentError| error::payment(e, "setApprovalThreshold", "Mutation"))
    }
}

async fn decide(ctx: &Context<'_>, id: &str, decision: Decision, version: Option<i64>, field: &str) -> Result<Payment> {
    let session = session(ctx);
    let decided = session.write(async |db| service::decide(db, &session.caller, id, decision, version).await).await;
    decided.map_err(|e: PaymentError| error::payment(e, field, "Mutation"))
}
