//! `/healthz` against the real database, and the server-wide behaviour every route shares:
//! request ids, body limit, CORS and graceful shutdown.

use std::time::Duration;

use api::testing::TestApp;
use reqwest::{StatusCode, header};

#[tokio::test]
async fn healthz_reports_the_database_and_schema() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    let newest = api::db::MIGRATOR.iter().map(|m| m.version).max().unwrap();
    assert_eq!(body["schema_version"], newest);
}

#[tokio::test]
async fn healthz_is_unavailable_without_the_database() {
    let app = TestApp::spawn().await;
    app.api_db.close().await;
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let generated = client.get(app.url("/healthz")).send().await.unwrap();
    let id = generated.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let given = client.get(app.url("/nowhere")).header("x-request-id", "trace-me-1").send().await.unwrap();
    assert_eq!(given.status(), StatusCode::NOT_FOUND);
    assert_eq!(given.headers()["x-request-id"], "trace-me-1");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let app = TestApp::spawn_with(&["--body-limit-bytes", "1024"]).await;
    let response = reqwest::Client::new().post(app.url("/healthz")).body(vec![b'x'; 2048]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn cors_answers_allowed_origins_only() {
    let app = TestApp::spawn_with(&["--cors-allowed-origin", "http://localhost:8080"]).await;
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, app.url("/healthz"))
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
            .send()
    };
    let allowed = preflight("http://localhost:8080").await.unwrap();
    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "http://localhost:8080");
    assert!(allowed.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().contains("authorization"));
    // Answered like any preflight, without the headers that would let the browser go on.
    let refused = preflight("http://evil.example").await.unwrap();
    assert_eq!(refused.status(), 200);
    assert!(!refused.headers().contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
}

#[tokio::test]
async fn slow_requests_time_out_with_408() {
    let app = TestApp::spawn_with(&["--request-timeout-secs", "1"]).await;
    // /healthz waits up to 2 s for this lock: longer than the request may take.
    let mut blocker = app.db.begin().await.unwrap();
    sqlx::query("LOCK TABLE _sqlx_migrations IN ACCESS EXCLUSIVE MODE").execute(&mut *blocker).await.unwrap();
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(response.headers().contains_key("x-request-id"));
}

/// Returns once one of the api's queries waits for a lock (a request is in flight, blocked).
async fn wait_until_waiting_for_a_lock(app: &TestApp) {
    let waiting =
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
    for _ in 0..1000 {
        if sqlx::query_scalar::<_, i64>(waiting).fetch_one(&app.db).await.unwrap() > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no query of the api ever waited for the lock");
}

/// A request in flight when shutdown begins still gets its answer.
#[tokio::test]
async fn shutdown_lets_requests_in_flight_finish() {
    let app = TestApp::spawn().await;
    // Hold a lock that makes /healthz wait, so the request is in flight when shutdown starts.
    let mut blocker = app.db.begin().await.unwrap();
    sqlx::query("LOCK TABLE _sqlx_migrations IN ACCESS EXCLUSIVE MODE").execute(&mut *blocker).await.unwrap();
    let request = tokio::spawn(reqwest::get(app.url("/healthz")));
    wait_until_waiting_for_a_lock(&app).await;
    let addr = app.addr;
    let stopping = tokio::spawn(app.stop());
    // Shutdown has begun once new connections are refused; the request in flight keeps it waiting.
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!stopping.is_finished(), "shutdown waits for the request in flight");
    blocker.rollback().await.unwrap();
    let response = request.await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    stopping.await.unwrap();
}
