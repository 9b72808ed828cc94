//! Codes mailed by SMTP: the outbox relay sends each message through a mail server (here one in the
//! test), marks it sent once the server accepted it, and retries refused messages later.

mod support;

use std::{net::SocketAddr, time::Duration};

use api::cognito::delivery::MAX_ATTEMPTS;
use support::{PoolFixture, smtp::MailServer};

const FROM: &str = "Ledgerline <no-reply@ledgerline.test>";

/// The fixture's app mailing through the server at `addr`.
async fn mailing_to(addr: SocketAddr) -> PoolFixture {
    let port = addr.port().to_string();
    PoolFixture::with_args(&[
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
        "--smtp-from",
        FROM,
    ])
    .await
}

/// The outbox's record of the message to `to`.
#[derive(Debug, sqlx::FromRow)]
struct Delivery {
    attempts: i32,
    sent: bool,
    given_up: bool,
    last_error: Option<String>,
    /// Seconds from the last attempt to the next one: the wait the relay chose.
    wait: f64,
}

impl PoolFixture {
    async fn delivery(&self, to: &str) -> Delivery {
        sqlx::query_as(
            "SELECT attempts, sent_at IS NOT NULL AS sent, given_up_at IS NOT NULL AS given_up, last_error, \
             coalesce(extract(epoch FROM next_attempt_at - last_attempt_at)::float8, 0) AS wait \
             FROM outbox WHERE destination = $1",
        )
        .bind(to)
        .fetch_one(&self.app.db)
        .await
        .unwrap()
    }

    /// The delivery to `to` once `done` holds for it (within ten seconds).
    async fn delivery_when(&self, to: &str, done: impl Fn(&Delivery) -> bool) -> Delivery {
        for _ in 0..200 {
            let delivery = self.delivery(to).await;
            if done(&delivery) {
                return delivery;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the delivery to {to} stayed {:?}", self.delivery(to).await);
    }

    /// As if the wait before the next attempt at every message had passed.
    async fn skip_backoff(&self) {
        sqlx::query("UPDATE outbox SET next_attempt_at = now()").execute(&self.app.db).await.unwrap();
    }
}

#[tokio::test]
async fn the_sign_up_code_is_mailed_and_confirms_the_user() {
    let server = MailServer::start().await;
    let fixture = mailing_to(server.addr).await;
    fixture.signed_up_user("alice").await;

    let mail = server.first_mail().await;
    assert_eq!(mail.from, "no-reply@ledgerline.test");
    assert_eq!(mail.to, ["alice@example.com"]);
    assert!(mail.data.contains("From: Ledgerline <no-reply@ledgerline.test>\n"), "{}", mail.data);
    assert!(mail.data.contains("To: alice@example.com\n"), "{}", mail.data);
    assert!(mail.data.contains("Subject: Your verification code\n"), "{}", mail.data);
    let code = mail.data.trim_end().rsplit(' ').next().unwrap();
    assert_eq!(code, fixture.last_code("alice").await);

    let delivery = fixture.delivery_when("alice@example.com", |d| d.sent).await;
    assert_eq!((delivery.attempts, delivery.given_up), (1, false));
    assert_eq!(server.mails().len(), 1);
    fixture.confirm("alice", code).await;
}

#[tokio::test]
async fn a_refused_mail_is_retried_after_a_growing_wait() {
    let server = MailServer::start().await;
    server.refuse(Some("451 4.3.0 Try again later"));
    let fixture = mailing_to(server.addr).await;
    fixture.signed_up_user("bob").await;

    let first = fixture.delivery_when("bob@example.com", |d| d.attempts == 1).await;
    assert!(!first.sent && !first.given_up, "{first:?}");
    assert!(first.last_error.as_deref().unwrap().contains("451"), "{first:?}");
    assert!((20.0..=30.0).contains(&first.wait), "{first:?}");
    fixture.skip_backoff().await;
    let second = fixture.delivery_when("bob@example.com", |d| d.attempts == 2).await;
    assert!(!second.sent && (50.0..=60.0).contains(&second.wait), "{second:?}");
    assert!(server.mails().is_empty());

    server.refuse(None);
    fixture.skip_backoff().await;
    let delivered = fixture.delivery_when("bob@example.com", |d| d.sent).await;
    assert_eq!(delivered.attempts, 3);
    assert_eq!(server.mails().len(), 1);
    assert!(server.mails()[0].data.contains(&fixture.last_code("bob").await));
}

#[tokio::test]
async fn mail_waits_for_a_server_that_is_down() {
    let addr = MailServer::unused_addr().await;
    let fixture = mailing_to(addr).await;
    fixture.signed_up_user("carol").await;
    let failed = fixture.delivery_when("carol@example.com", |d| d.attempts == 1).await;
    assert!(!failed.sent && !failed.given_up && failed.last_error.is_some(), "{failed:?}");

    let server = MailServer::start_on(addr).await;
    fixture.skip_backoff().await;
    assert_eq!(server.first_mail().await.to, ["carol@example.com"]);
    fixture.delivery_when("carol@example.com", |d| d.sent).await;
}

#[tokio::test]
async fn mail_is_given_up_when_refused_for_good_or_too_often() {
    let server = MailServer::start().await;
    server.refuse(Some("550 5.7.1 Rejected"));
    let fixture = mailing_to(server.addr).await;
    fixture.signed_up_user("dave").await;
    let refused = fixture.delivery_when("dave@example.com", |d| d.given_up).await;
    assert_eq!((refused.attempts, refused.sent), (1, false));
    assert!(refused.last_error.as_deref().unwrap().contains("550"), "{refused:?}");

    server.refuse(Some("451 4.3.0 Try again later"));
    fixture.signed_up_user("erin").await;
    fixture.delivery_when("erin@example.com", |d| d.attempts == 1).await;
    sqlx::query("UPDATE outbox SET attempts = $1 - 1, next_attempt_at = now() WHERE destination = 'erin@example.com'")
        .bind(MAX_ATTEMPTS)
        .execute(&fixture.app.db)
        .await
        .unwrap();
    let exhausted = fixture.delivery_when("erin@example.com", |d| d.given_up).await;
    assert_eq!((exhausted.attempts, exhausted.sent), (MAX_ATTEMPTS, false));
    assert!(server.mails().is_empty());
}
