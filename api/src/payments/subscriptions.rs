//! The seed's subscriptions, `onCreatePayment`, `onUpdatePayment` and `onDeletePayment`, over the
//! WebSocket endpoint (`graphql::ws`). Each yields the payments of the subscriber's organisations
//! (or of `tenantId`, which must be one of them; any for the `Admin` group) as [`events`] announce
//! their changes, each read as the subscriber through row-level security. A change of status
//! (approval, rejection, cancellation, settlement, failure) is an update.

use std::sync::Arc;

use async_graphql::{
    Context, ID, Result, Subscription,
    futures_util::{Stream, stream},
};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::{
    events::{ChangeKind, Hub, PaymentEvent},
    model::{Invalid, Payment},
};
use crate::{
    auth::Caller,
    graphql::{Subscriber, error},
};

#[derive(Default)]
pub struct PaymentsSubscription;

#[Subscription]
impl PaymentsSubscription {
    /// Payments as they are created.
    async fn on_create_payment(&self, ctx: &Context<'_>, tenant_id: Option<ID>) -> Result<impl Stream<Item = Payment>> {
        changes(ctx, ChangeKind::Insert, tenant_id, "onCreatePayment")
    }

    /// Payments as they change: edits and every change of status.
    async fn on_update_payment(&self, ctx: &Context<'_>, tenant_id: Option<ID>) -> Result<impl Stream<Item = Payment>> {
        changes(ctx, ChangeKind::Update, tenant_id, "onUpdatePayment")
    }

    /// Payments as they are deleted, as they were.
    async fn on_delete_payment(&self, ctx: &Context<'_>, tenant_id: Option<ID>) -> Result<impl Stream<Item = Payment>> {
        changes(ctx, ChangeKind::Delete, tenant_id, "onDeletePayment")
    }
}

/// The payments that `kind` of change reaches, of `tenant` or of every tenant the subscriber reads.
fn changes(
    ctx: &Context<'_>,
    kind: ChangeKind,
    tenant: Option<ID>,
    field: &str,
) -> Result<impl Stream<Item = Payment> + use<>> {
    let subscriber = ctx.data_unchecked::<Arc<Subscriber>>().clone();
    let tenant = match tenant {
        None => None,
        Some(tenant) => {
            let tenant: Uuid = tenant.parse().map_err(|_| error::invalid(Invalid::new("tenantId", "is not an id")))?;
            if !subscriber.caller.is_member_of(tenant) && !subscriber.caller.is_admin() {
                return Err(error::unauthorized(field, "Subscription"));
            }
            Some(tenant)
        }
    };
    let events = ctx.data_unchecked::<Hub>().subscribe();
    Ok(stream::unfold(events, move |mut events| {
        let subscriber = subscriber.clone();
        async move {
            loop {
                let event = match events.recv().await {
                    Ok(event) => event,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "payment events: a subscriber fell behind");
                        continue;
                    }
                    Err(RecvError::Closed) => return None,
                };
                if !wanted(&event, kind, tenant, &subscriber.caller) {
                    continue;
                }
                match subscriber.read(async |db| event.payment(db).await).await {
                    Ok(Some(Some(payment))) => return Some((payment, events)),
                    // Gone since, or not the subscriber's to see (any more).
                    Ok(_) => {}
                    Err(failure) => tracing::error!(error = %failure, "payment events: reading a payment"),
                }
            }
        }
    }))
}

/// Whether `event` is for this subscription: its kind, its tenant, and (before row-level security
/// has its say) a tenant the caller reads.
fn wanted(event: &PaymentEvent, kind: ChangeKind, tenant: Option<Uuid>, caller: &Caller) -> bool {
    event.kind == kind
        && tenant.is_none_or(|tenant| tenant == event.tenant)
        && (caller.is_member_of(event.tenant) || caller.is_admin())
}
