//! Delivering the outbox. In dev mode a relay prints each message (codes included) in the log, and
//! `GET /dev/mailbox?to=<address>` lists what was sent to an address, for the UI and the end-to-end
//! tests. Neither exists unless dev mode is on.

use std::time::Duration;

use axum::{
    Json,
    extract::{Query, State},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::AppState;

/// How often the relay looks for new messages when the outbox is empty.
const IDLE_POLL: Duration = Duration::from_millis(500);

#[derive(Debug, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    #[serde(skip)]
    pub id: i64,
    #[serde(rename = "to")]
    pub destination: String,
    pub subject: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Runs until the process ends: claims unsent messages and prints them.
pub async fn relay(state: AppState) {
    loop {
        match deliver_batch(&state).await {
            Ok(0) => tokio::time::sleep(IDLE_POLL).await,
            Ok(_) => {}
            Err(error) => {
                tracing::error!(%error, "outbox relay");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}

/// Marks a batch as sent and prints it, in one transaction: a crash reprints, never loses.
async fn deliver_batch(state: &AppState) -> Result<usize, sqlx::Error> {
    let mut tx = state.db.begin().await?;
    let batch: Vec<Message> = sqlx::query_as(
        "UPDATE outbox SET sent_at = now() WHERE id IN \
         (SELECT id FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED) \
         RETURNING id, destination, subject, body, created_at",
    )
    .fetch_all(&mut *tx)
    .await?;
    for message in &batch {
        tracing::info!(id = message.id, to = %message.destination, subject = %message.subject, "dev mail: {}", message.body);
    }
    tx.commit().await?;
    Ok(batch.len())
}

#[derive(Debug, Deserialize)]
pub struct MailboxQuery {
    to: String,
}

/// `GET /dev/mailbox?to=<address>`: the newest messages to that address first.
pub async fn mailbox(
    State(state): State<AppState>,
    Query(query): Query<MailboxQuery>,
) -> Result<Json<Vec<Message>>, axum::http::StatusCode> {
    sqlx::query_as(
        "SELECT id, destination, subject, body, created_at FROM outbox WHERE lower(destination) = lower($1) \
         ORDER BY id DESC LIMIT 50",
    )
    .bind(&query.to)
    .fetch_all(&state.db)
    .await
    .map(Json)
    .map_err(|error| {
        tracing::error!(%error, "dev mailbox");
        axum::http::StatusCode::INTERNAL_SERVER_ERROR
    })
}
