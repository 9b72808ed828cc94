//! Idempotency keys as Stripe's: the same key with the same input answers the first payment and
//! makes no other; with other input it is an `IdempotencyError` that changes nothing; twenty
//! concurrent calls with one key make one payment; keys are per organisation.

mod support;

use serde_json::{Value, json};
use support::payments::{As, Org, PAYMENT_FIELDS};

fn input(org: &Org, amount: &str) -> Value {
    json!({ "amount": { "amount": amount, "currency": "EUR" }, "dueDate": "2030-01-01",
            "fromAccount": org.account("A-1"), "toAccount": org.account("A-2") })
}

async fn create(org: &Org, who: As, input: Value, key: &str) -> support::payments::Answer {
    let query = format!(
        "mutation($input: CreatePaymentInput!, $key: String) {{ createPayment(input: $input, idempotencyKey: $key) {{ {PAYMENT_FIELDS} }} }}"
    );
    org.graphql(who, &query, json!({ "input": input, "key": key })).await
}

async fn payments(org: &Org) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM payments").fetch_one(&org.fixture.app.db).await.unwrap()
}

async fn created_entries(org: &Org) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM tenant_audit WHERE action = 'payment.created'")
        .fetch_one(&org.fixture.app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_same_key_with_the_same_input_answers_the_first_payment() {
    let org = Org::new().await;
    let first = create(&org, As::Member, input(&org, "10.00"), "key-1").await;
    let first = first.ok("createPayment").clone();
    // The same amount written otherwise is the same input; so is naming the tenant it is in anyway.
    let mut again = input(&org, "10");
    again["tenantId"] = json!(org.tenant);
    let second = create(&org, As::Member, again, "key-1").await;
    assert_eq!(second.ok("createPayment"), &first);
    assert_eq!((payments(&org).await, created_entries(&org).await), (1, 1));

    // Another key, or none, makes another payment.
    create(&org, As::Member, input(&org, "10.00"), "key-2").await.ok("createPayment");
    let query = "mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }";
    org.graphql(As::Member, query, json!({ "input": input(&org, "10.00") })).await.ok("createPayment");
    assert_eq!(payments(&org).await, 3);
}

#[tokio::test]
async fn the_same_key_with_other_input_is_an_error_that_changes_nothing() {
    let org = Org::new().await;
    create(&org, As::Member, input(&org, "10.00"), "key-1").await.ok("createPayment");
    let other = create(&org, As::Member, input(&org, "10.01"), "key-1").await;
    assert_eq!(other.error_type(), Some("IdempotencyError"), "{:?}", other.body);
    assert!(other.message().contains("'key-1'"), "{}", other.message());
    assert_eq!(payments(&org).await, 1);
    // An invalid request is not remembered: fixed, it may use the key.
    let invalid = create(&org, As::Member, input(&org, "1.234"), "key-3").await;
    assert_eq!(invalid.error_type(), Some("ValidationError"));
    create(&org, As::Member, input(&org, "5.00"), "key-3").await.ok("createPayment");
    let long = create(&org, As::Member, input(&org, "5.00"), &"k".repeat(256)).await;
    assert_eq!(long.body["errors"][0]["extensions"]["field"], "idempotencyKey");
}

#[tokio::test]
async fn twenty_concurrent_calls_with_one_key_make_one_payment() {
    let org = Org::new().await;
    let calls = (0..20).map(|_| create(&org, As::Member, input(&org, "7.00"), "concurrent"));
    let answers = futures_util::future::join_all(calls).await;
    let ids: Vec<&str> = answers.iter().map(|a| a.ok("createPayment")["id"].as_str().unwrap()).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!((payments(&org).await, created_entries(&org).await), (1, 1));
}

#[tokio::test]
async fn keys_belong_to_one_organisation() {
    let org = Org::new().await;
    let acme = create(&org, As::Member, input(&org, "1.00"), "shared").await;
    let theirs = json!({ "amount": { "amount": "1.00", "currency": "EUR" }, "dueDate": "2030-01-01",
                         "fromAccount": org.outsider_account, "counterparty": { "name": "Bob", "iban": "GB82WEST12345698765432" } });
    let other = create(&org, As::Outsider, theirs, "shared").await;
    assert_ne!(acme.ok("createPayment")["id"], other.ok("createPayment")["id"]);
}
