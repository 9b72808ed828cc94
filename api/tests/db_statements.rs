//! The pool for single statements (GetUser's): a connection whose statement completed, or that
//! Postgres answered with an error, serves the next statement as it is; one whose statement was cut
//! short (the request timed out or was dropped) is closed, and the next statement gets a fresh one.

use std::time::Duration;

use api::{db::StatementPool, testing::TestApp};

/// The Postgres backend serving the pool's (only) connection.
async fn backend(statements: &StatementPool) -> i32 {
    statements
        .run(async |connection| sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(connection).await)
        .await
        .expect("a statement on the pool")
}

#[tokio::test]
async fn a_completed_or_refused_statement_leaves_its_connection_to_the_next() {
    let app = TestApp::spawn_with(&["--db-max-connections", "1"]).await;
    let statements = &app.state.statements;
    let first = backend(statements).await;
    assert_eq!(backend(statements).await, first, "a completed statement's connection is reused");

    let refused = statements.run(async |connection| sqlx::query("SELECT 1/0").execute(connection).await).await;
    assert!(matches!(refused, Err(sqlx::Error::Database(_))), "{refused:?}");
    assert_eq!(backend(statements).await, first, "Postgres's error leaves the connection in step");
}

#[tokio::test]
async fn a_statement_cut_short_closes_its_connection() {
    let app = TestApp::spawn_with(&["--db-max-connections", "1"]).await;
    let statements = &app.state.statements;
    let first = backend(statements).await;

    let sleep = statements.run(async |connection| sqlx::query("SELECT pg_sleep(10)").execute(connection).await);
    assert!(tokio::time::timeout(Duration::from_millis(200), sleep).await.is_err(), "the statement is cut short");

    // At once: the cut connection no longer holds the pool's only slot, and is not handed out again.
    let next = tokio::time::timeout(Duration::from_secs(2), backend(statements)).await.expect("a fresh connection");
    assert_ne!(next, first, "a connection in an unknown state is not reused");
    assert_eq!(backend(statements).await, next);
}
