//! Delivering the outbox. One relay claims each due message and hands it to every sink the
//! configuration asks for: in dev mode the log (codes included, for the developer), with SMTP
//! settings the mail server. A message is sent once every sink took it; otherwise it is tried again
//! later, waiting longer after each failure, and given up after [`MAX_ATTEMPTS`] or at once when the
//! server refuses it for good. In dev mode `GET /dev/mailbox?to=<address>` lists what was queued for
//! an address, for the UI and the end-to-end tests.

mod mailbox;
mod smtp;

use std::time::Duration;

use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

pub use self::mailbox::{MAILBOX_PATH, mailbox};
use self::smtp::SmtpSink;
use crate::Config;

/// How often the relay looks for due messages when there are none.
const IDLE_POLL: Duration = Duration::from_millis(500);

/// Attempts at a message before it is given up (about three hours of retries).
pub const MAX_ATTEMPTS: i32 = 10;

/// The wait after the first failure, doubled after each further one up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

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

/// Queues a message to `destination` in the outbox, which the caller's transaction commits along
/// with whatever the message is about; `recipient` is the user (pool and username) it is for, when
/// it is for one (an invitation goes to an address that may have none).
pub async fn queue(
    tx: &mut PgConnection,
    recipient: Option<(&str, &str)>,
    destination: &str,
    subject: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO outbox (pool_id, username, destination, subject, body) VALUES ($1, $2, $3, $4, $5)")
        .bind(recipient.map(|(pool, _)| pool))
        .bind(recipient.map(|(_, username)| username))
        .bind(destination)
        .bind(subject)
        .bind(body)
        .execute(tx)
        .await?;
    Ok(())
}

/// Where messages go.
pub enum Sink {
    /// Prints each message, body included: dev mode only.
    Log,
    Smtp(Box<SmtpSink>),
}

impl Sink {
    async fn deliver(&self, message: &Message) -> Result<(), Failure> {
        match self {
            Self::Log => {
                tracing::info!(id = message.id, to = %message.destination, subject = %message.subject, "dev mail: {}", message.body);
                Ok(())
            }
            Self::Smtp(smtp) => smtp.deliver(message).await,
        }
    }
}

/// Why a sink did not take a message, and whether trying again may help.
#[derive(Debug)]
pub struct Failure {
    reason: String,
    permanent: bool,
}

/// The sinks the configuration asks for; with none there is no relay.
pub fn sinks(config: &Config) -> Result<Vec<Sink>, lettre::transport::smtp::Error> {
    let mut sinks = Vec::new();
    if config.dev_mode {
        sinks.push(Sink::Log);
    }
    if let Some(settings) = &config.smtp {
        sinks.push(Sink::Smtp(Box::new(SmtpSink::new(settings)?)));
    }
    Ok(sinks)
}

/// Runs until the process ends: delivers each message as it falls due.
pub async fn relay(db: PgPool, sinks: Vec<Sink>) {
    loop {
        match deliver_next(&db, &sinks).await {
            Ok(true) => {}
            Ok(false) => tokio::time::sleep(IDLE_POLL).await,
            Err(error) => {
                tracing::error!(%error, "outbox relay");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}

#[derive(sqlx::FromRow)]
struct Claimed {
    #[sqlx(flatten)]
    message: Message,
    /// Attempts before this one.
    attempts: i32,
}

/// Claims the next due message, hands it to the sinks and records the outcome, in one transaction:
/// other instances skip the message while it is held, and a crash before the commit makes it due
/// again, so a message may go out twice but is never lost. Returns whether there was one.
async fn deliver_next(db: &PgPool, sinks: &[Sink]) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let Some(claimed) = claim_due(&mut tx).await? else { return Ok(false) };
    let attempts = claimed.attempts + 1;
    let outcome = outcome(attempts, deliver(sinks, &claimed.message).await);
    log_outcome(&claimed.message, attempts, &outcome);
    record(&mut tx, claimed.message.id, &outcome).await?;
    tx.commit().await?;
    Ok(true)
}

async fn claim_due(tx: &mut PgConnection) -> Result<Option<Claimed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, destination, subject, body, created_at, attempts FROM outbox \
         WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= now() \
         ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
    )
    .fetch_optional(tx)
    .await
}

/// Every sink in turn; a sink that failed is tried again with the others, so in dev mode a retried
/// message is printed again.
async fn deliver(sinks: &[Sink], message: &Message) -> Result<(), Failure> {
    for sink in sinks {
        sink.deliver(message).await?;
    }
    Ok(())
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Sent,
    Retry { after: Duration, error: String },
    GiveUp { error: String },
}

/// What becomes of a message after its `attempts`-th attempt.
fn outcome(attempts: i32, delivered: Result<(), Failure>) -> Outcome {
    match delivered {
        Ok(()) => Outcome::Sent,
        Err(failure) if failure.permanent || attempts >= MAX_ATTEMPTS => Outcome::GiveUp { error: failure.reason },
        Err(failure) => Outcome::Retry { after: backoff(attempts), error: failure.reason },
    }
}

/// The wait after the `attempts`-th failed attempt.
fn backoff(attempts: i32) -> Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 16) as u32;
    FIRST_BACKOFF.saturating_mul(1 << doublings).min(MAX_BACKOFF)
}

/// Never the body: outside dev mode it must not reach the log (it holds codes).
fn log_outcome(message: &Message, attempts: i32, outcome: &Outcome) {
    let (id, to, subject) = (message.id, &message.destination, &message.subject);
    match outcome {
        Outcome::Sent => tracing::info!(id, %to, %subject, attempts, "message delivered"),
        Outcome::Retry { after, error } => {
            tracing::warn!(id, %to, %subject, attempts, %error, retry_in = ?after, "message not delivered; will retry")
        }
        Outcome::GiveUp { error } => tracing::error!(id, %to, %subject, attempts, %error, "message given up"),
    }
}

/// Times are the clock's, not the transaction's start: the attempt may have taken a while.
async fn record(tx: &mut PgConnection, id: i64, outcome: &Outcome) -> Result<(), sqlx::Error> {
    let (error, sent, given_up, wait) = match outcome {
        Outcome::Sent => (None, true, false, Duration::ZERO),
        Outcome::Retry { after, error } => (Some(error), false, false, *after),
        Outcome::GiveUp { error } => (Some(error), false, true, Duration::ZERO),
    };
    sqlx::query(
        "WITH attempt AS (SELECT clock_timestamp() AS at) \
         UPDATE outbox SET attempts = attempts + 1, last_error = coalesce($2, last_error), last_attempt_at = at, \
         sent_at = CASE WHEN $3 THEN at END, given_up_at = CASE WHEN $4 THEN at END, \
         next_attempt_at = at + make_interval(secs => $5) FROM attempt WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(sent)
    .bind(given_up)
    .bind(wait.as_secs_f64())
    .execute(tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(permanent: bool) -> Result<(), Failure> {
        Err(Failure { reason: "451 try later".into(), permanent })
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(4), Duration::from_secs(240));
        assert_eq!(backoff(MAX_ATTEMPTS), MAX_BACKOFF);
        assert_eq!(backoff(i32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn failures_are_retried_until_the_last_attempt_unless_permanent() {
        assert_eq!(outcome(1, Ok(())), Outcome::Sent);
        let retry = Outcome::Retry { after: backoff(3), error: "451 try later".into() };
        assert_eq!(outcome(3, failure(false)), retry);
        assert_eq!(outcome(MAX_ATTEMPTS, failure(false)), Outcome::GiveUp { error: "451 try later".into() });
        assert_eq!(outcome(1, failure(true)), Outcome::GiveUp { error: "451 try later".into() });
    }
}
