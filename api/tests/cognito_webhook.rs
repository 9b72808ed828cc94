//! A pool's PostConfirmation webhook: it receives Cognito's event, and when it fails the
//! confirmation fails and nothing of it is kept.

mod support;

use std::sync::{Arc, Mutex};

use axum::{Json, Router, http::StatusCode, routing::post};
use serde_json::Value;
use support::{PASSWORD, PoolFixture, attribute, exception};

/// A webhook receiver on a free port: `/ok` records each event, `/fail` answers 500.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let recorded = events.clone();
    let app = Router::new()
        .route("/ok", post(move |Json(event): Json<Value>| async move { recorded.lock().unwrap().push(event) }))
        .route("/fail", post(|| async { StatusCode::INTERNAL_SERVER_ERROR }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, events)
}

async fn set_webhook(fixture: &PoolFixture, url: &str) {
    sqlx::query("UPDATE user_pools SET post_confirmation_webhook = $2 WHERE id = $1")
        .bind(&fixture.pool.id)
        .bind(url)
        .execute(&fixture.app.db)
        .await
        .unwrap();
}

async fn sign_up(fixture: &PoolFixture, username: &str) -> String {
    fixture
        .sdk
        .sign_up()
        .client_id(&fixture.client.id)
        .username(username)
        .password(PASSWORD)
        .user_attributes(attribute("email", &format!("{username}@example.com")))
        .send()
        .await
        .unwrap();
    fixture.last_code(username).await
}

#[tokio::test]
async fn the_webhook_receives_cognitos_post_confirmation_event() {
    let fixture = PoolFixture::new().await;
    let (base, events) = receiver().await;
    set_webhook(&fixture, &format!("{base}/ok")).await;
    let code = sign_up(&fixture, "alice").await;
    fixture.confirm("alice", &code).await;

    let events = events.lock().unwrap().clone();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(event["userPoolId"], fixture.pool.id.as_str());
    assert_eq!(event["userName"], "alice");
    assert_eq!(event["callerContext"]["clientId"], fixture.client.id.as_str());
    let attributes = &event["request"]["userAttributes"];
    assert_eq!(attributes["email"], "alice@example.com");
    assert_eq!(attributes["email_verified"], "true");
    assert_eq!(attributes["cognito:user_status"], "CONFIRMED");
    assert!(attributes["sub"].is_string());
}

#[tokio::test]
async fn a_failing_webhook_fails_the_confirmation_and_keeps_nothing() {
    let fixture = PoolFixture::new().await;
    let (base, _) = receiver().await;
    set_webhook(&fixture, &format!("{base}/fail")).await;
    let code = sign_up(&fixture, "bob").await;
    let confirm =
        || fixture.sdk.confirm_sign_up().client_id(&fixture.client.id).username("bob").confirmation_code(&code).send();
    let (name, message) = exception(confirm().await.unwrap_err());
    assert_eq!(name, "UnexpectedLambdaException");
    assert!(message.starts_with("PostConfirmation failed with error"), "{message}");

    let (status, profiles): (String, i64) = sqlx::query_as(
        "SELECT status, (SELECT count(*) FROM user_profiles) FROM users WHERE pool_id = $1 AND username = 'bob'",
    )
    .bind(&fixture.pool.id)
    .fetch_one(&fixture.app.db)
    .await
    .unwrap();
    assert_eq!((status.as_str(), profiles), ("UNCONFIRMED", 0));

    // Once the webhook works again, the same code still confirms.
    set_webhook(&fixture, &format!("{base}/ok")).await;
    confirm().await.unwrap();
}
