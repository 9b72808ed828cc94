//! Payments' changes as they happen, for the subscriptions: the database announces each committed
//! change on the channel [`CHANNEL`] (migration 0017), so a change made through any api instance
//! reaches the subscribers of all of them. Each instance keeps one listening connection
//! ([`listen`]) and fans the events out to its subscribers through a [`Hub`]; each subscriber then
//! reads the payment as themselves ([`PaymentEvent::payment`]), so row-level security decides what
//! they see.
//!
//! Events are live, not durable: those announced while the listening connection is down (it is
//! reconnected at once) or while a subscriber lags more than [`CAPACITY`] behind are not delivered.

use std::{convert::Infallible, sync::Arc, time::Duration};

use serde::Deserialize;
use sqlx::{PgConnection, PgPool, postgres::PgListener};
use tokio::sync::broadcast;
use uuid::Uuid;

use super::{model::Payment, store};

/// The notification channel of `notify_payment_event()`.
pub const CHANNEL: &str = "payment_events";
/// Events a slow subscriber may fall behind by before it misses some.
pub const CAPACITY: usize = 4096;
/// The pause before listening again after the connection failed.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Insert,
    Update,
    Delete,
}

/// A committed change of a payment, as announced.
#[derive(Debug, Deserialize)]
pub struct PaymentEvent {
    pub kind: ChangeKind,
    pub tenant: Uuid,
    pub id: Uuid,
    /// The deleted row, for a delete (it can no longer be read).
    row: Option<serde_json::Value>,
}

impl PaymentEvent {
    /// The payment as the caller of `db`'s transaction may see it: as it is now (none if it is gone
    /// since), or as it was deleted.
    pub async fn payment(&self, db: &mut PgConnection) -> sqlx::Result<Option<Payment>> {
        match &self.row {
            Some(row) => store::deleted(db, row).await,
            None => store::get(db, self.id).await,
        }
    }
}

/// This instance's events, for any number of subscribers.
#[derive(Clone)]
pub struct Hub(broadcast::Sender<Arc<PaymentEvent>>);

impl Default for Hub {
    fn default() -> Self {
        Self(broadcast::channel(CAPACITY).0)
    }
}

impl Hub {
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<PaymentEvent>> {
        self.0.subscribe()
    }

    /// How many subscriptions follow this instance's events.
    pub fn subscriptions(&self) -> usize {
        self.0.receiver_count()
    }
}

/// Relays the database's announcements to `hub` until the process ends, listening again whenever
/// the connection fails.
pub async fn listen(db: PgPool, hub: Hub) {
    loop {
        let Err(error) = relay(&db, &hub).await;
        tracing::warn!(%error, "payment events: listening again");
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

async fn relay(db: &PgPool, hub: &Hub) -> sqlx::Result<Infallible> {
    let mut listener = PgListener::connect_with(db).await?;
    listener.listen(CHANNEL).await?;
    loop {
        let Some(notification) = listener.try_recv().await? else {
            tracing::warn!("payment events: the connection was lost and made again; changes meanwhile were missed");
            continue;
        };
        match serde_json::from_str::<PaymentEvent>(notification.payload()) {
            // No subscriber at the moment is not an error.
            Ok(event) => drop(hub.0.send(Arc::new(event))),
            Err(error) => tracing::error!(%error, payload = notification.payload(), "payment events: unreadable"),
        }
    }
}
