//! `Idempotency-Key` on the REST api's POSTs (the IETF httpapi draft's semantics): a retry gets the
//! first answer and creates nothing twice, the key with other input is a 422 problem, concurrent
//! requests with one key make one row, and a request that failed leaves its key unused.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{PoolFixture, RestUser, id};

const KEY: &str = "8e03978e-40d5-43e8-bc93-6894a57f9324";

fn account(number: &str) -> Value {
    json!({ "name": "Operating", "number": number, "currency": "EUR", "balanceMinor": 1250 })
}

async fn create(user: &RestUser, key: &str, body: Value) -> reqwest::Response {
    user.post("/v1/accounts", body).header("idempotency-key", key).send().await.unwrap()
}

async fn accounts(fixture: &PoolFixture) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM accounts").fetch_one(&fixture.app.db).await.unwrap()
}

#[tokio::test]
async fn a_retry_gets_the_first_answer_and_creates_nothing_twice() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    let first = create(&alice, KEY, account("OP-1")).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let (etag, location) = (first.headers()["etag"].clone(), first.headers()["location"].clone());
    let first: Value = first.json().await.unwrap();
    // The draft sends the key as a Structured Field string: the same key.
    let again = create(&alice, &format!("\"{KEY}\""), account("OP-1")).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!((&again.headers()["etag"], &again.headers()["location"]), (&etag, &location));
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(accounts(&fixture).await, 1);
    // Without a key the same request is another create (here refused: the number is taken).
    let unkeyed = alice.post("/v1/accounts", account("OP-1")).send().await.unwrap();
    assert_eq!(unkeyed.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_key_with_other_input_is_a_422_problem() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    assert_eq!(create(&alice, KEY, account("OP-1")).await.status(), StatusCode::CREATED);
    let other = create(&alice, KEY, account("OP-2")).await;
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.headers()["content-type"], "application/problem+json");
    let problem: Value = other.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    assert!(problem["detail"].as_str().unwrap().contains(KEY), "{problem}");
    // Another endpoint is other input too.
    let root = alice.get("/v1/accounts").send().await.unwrap().json::<Value>().await.unwrap();
    let moved = alice
        .post(&format!("/v1/accounts/{}/move", id(&root["items"][0])), json!({ "parentId": null }))
        .header("idempotency-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(accounts(&fixture).await, 1);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_make_one_row() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    let answers = futures_util::future::join_all((0..8).map(|_| create(&alice, KEY, account("OP-1")))).await;
    let mut ids = Vec::new();
    for answer in answers {
        assert_eq!(answer.status(), StatusCode::CREATED);
        ids.push(answer.json::<Value>().await.unwrap()["id"].clone());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(accounts(&fixture).await, 1);
}

#[tokio::test]
async fn a_failed_request_leaves_its_key_unused_and_keys_are_the_callers_own() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    alice.create("Taken", "OP-1", None).await;
    assert_eq!(create(&alice, KEY, account("OP-1")).await.status(), StatusCode::CONFLICT);
    assert_eq!(create(&alice, KEY, account("OP-2")).await.status(), StatusCode::CREATED);
    let bob = fixture.rest_user("bob").await;
    assert_eq!(create(&bob, KEY, account("OP-9")).await.status(), StatusCode::CREATED);
    assert_eq!(accounts(&fixture).await, 3);
}

#[tokio::test]
async fn a_repeated_move_answers_as_the_first_did() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    let (parent, child) = (alice.create("Parent", "P", None).await, alice.create("Child", "C", None).await);
    let path = format!("/v1/accounts/{}/move", id(&child));
    let mut answers = Vec::new();
    for _ in 0..2 {
        let response = alice
            .post(&path, json!({ "parentId": id(&parent) }))
            .header("if-match", "\"1\"")
            .header("idempotency-key", "move-1")
            .send()
            .await
            .unwrap();
        // Without the key the second would be a 412: the child's version is no longer 1.
        assert_eq!(response.status(), StatusCode::OK);
        answers.push(response.json::<Value>().await.unwrap());
    }
    assert_eq!(answers[0], answers[1]);
    let parent: Value = alice.get(&format!("/v1/accounts/{}", id(&parent))).send().await.unwrap().json().await.unwrap();
    assert_eq!(parent["childCount"], 1);
}

#[tokio::test]
async fn malformed_keys_are_400_problems() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    for key in ["", &"k".repeat(256)] {
        let response = create(&alice, key, account("OP-1")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{key:?}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    }
    assert_eq!(accounts(&fixture).await, 0);
}
