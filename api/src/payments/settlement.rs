//! The settlement worker, inside every api instance: it settles approved payments as they fall due
//! (`settle_due_payments`, migrations 0016 and 0018: one statement, so one transaction, per batch). Instances
//! claim different payments (SKIP LOCKED); a crash or restart before a batch commits leaves its
//! payments approved, to be settled once by whichever instance comes next. A batch the database
//! aborts for a deadlock or a serialization failure is run again.

use std::{sync::Arc, time::Duration};

use sqlx::PgPool;
use tokio::sync::Notify;

use crate::db;

/// Payments settled per transaction.
const BATCH: i32 = 100;
/// How often an idle worker looks for payments that fell due (e.g. approved on another instance).
const IDLE_POLL: Duration = Duration::from_millis(250);
/// SQLSTATEs worth a retry: serialization_failure, deadlock_detected.
const RETRYABLE: [&str; 2] = ["40001", "40P01"];

/// Runs until the process ends. `wake` cuts an idle wait short (a payment approved on this instance).
pub async fn run(db: PgPool, wake: Arc<Notify>) {
    let mut idle_rounds = 0u32;
    loop {
        match settle_batch(&db).await {
            Ok(0) => {
                idle_rounds = idle_rounds.wrapping_add(1);
                // Now and then, while idle, forget idempotency keys older than a day.
                if idle_rounds.is_multiple_of(240) {
                    forget_old_keys(&db).await;
                }
                tokio::select! {
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    _ = wake.notified() => {}
                }
            }
            Ok(_) => {}
            Err(error) if db::sqlstate(&error).is_some_and(|state| RETRYABLE.contains(&state.as_ref())) => {
                tracing::info!(%error, "settlement: retrying a batch");
            }
            Err(error) => {
                tracing::error!(%error, "settlement");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}

/// Settles (or fails) up to a batch of due payments; answers how many.
pub async fn settle_batch(db: &PgPool) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar("SELECT settle_due_payments($1)").bind(BATCH).fetch_one(db).await
}

async fn forget_old_keys(db: &PgPool) {
    if let Err(error) = sqlx::query("SELECT forget_idempotency_keys(1000)").execute(db).await {
        tracing::error!(%error, "settlement: forgetting old idempotency keys");
    }
}
