//! listPayments' filters (AppSync's operators, `and`/`or`/`not`) and paging by `nextToken`, against
//! real rows; and what guards the GraphQL endpoint itself: the depth and complexity limits, and
//! introspection when it is turned off.

mod support;

use serde_json::{Value, json};
use support::payments::{As, Org};

const LIST: &str = "query($filter: ModelPaymentFilterInput, $limit: Int, $next: String) { \
    listPayments(filter: $filter, limit: $limit, nextToken: $next) { items { id message amount { amount } } nextToken } }";

/// Acme's payments, each as (amount, due date, message), made by the member, in this order.
const MADE: [(&str, &str, &str); 5] = [
    ("1.00", "2020-01-01", "coffee"),
    ("5.00", "2020-01-02", "rent march"),
    ("10.00", "2020-01-03", "rent april"),
    ("50.00", "2020-01-04", "100% fun"),
    ("100.00", "2020-01-05", "books"),
];

async fn org_with_payments() -> Org {
    let org = Org::new().await;
    for (amount, due, message) in MADE {
        let input = json!({ "amount": { "amount": amount, "currency": "EUR" }, "dueDate": due, "message": message,
                            "fromAccount": org.account("A-1"), "toAccount": org.account("A-2") });
        org.create(As::Member, input).await.ok("createPayment");
    }
    org
}

/// The messages of the payments `filter` selects, sorted.
async fn messages(org: &Org, filter: Value) -> Vec<String> {
    let answer = org.graphql(As::Viewer, LIST, json!({ "filter": filter })).await;
    let items = answer.ok("listPayments")["items"].as_array().unwrap_or_else(|| panic!("{:?}", answer.body)).clone();
    let mut messages: Vec<String> = items.iter().map(|p| p["message"].as_str().unwrap().to_owned()).collect();
    messages.sort();
    messages
}

#[tokio::test]
async fn filters_select_as_appsyncs_operators_say() {
    let org = org_with_payments().await;
    let cases = [
        (json!({ "amount": { "ge": "10" } }), vec!["100% fun", "books", "rent april"]),
        (json!({ "amount": { "between": ["5", "50.00"] } }), vec!["100% fun", "rent april", "rent march"]),
        (json!({ "amount": { "ne": "1" }, "dueDate": { "lt": "2020-01-04" } }), vec!["rent april", "rent march"]),
        (json!({ "dueDate": { "le": "2020-01-01" } }), vec!["coffee"]),
        (json!({ "message": { "beginsWith": "rent" } }), vec!["rent april", "rent march"]),
        (json!({ "message": { "contains": "apr" } }), vec!["rent april"]),
        // LIKE's wildcards are text here.
        (json!({ "message": { "contains": "0%" } }), vec!["100% fun"]),
        (json!({ "message": { "beginsWith": "_" } }), vec![]),
        (json!({ "or": [{ "amount": { "eq": "1" } }, { "amount": { "gt": "99.99" } }] }), vec!["books", "coffee"]),
        (json!({ "not": { "message": { "beginsWith": "rent" } } }), vec!["100% fun", "books", "coffee"]),
        (
            json!({ "and": [{ "message": { "beginsWith": "rent" } }, { "not": { "amount": { "lt": "10" } } }] }),
            vec!["rent april"],
        ),
        (
            json!({ "status": { "eq": "PENDING" }, "fromAccount": { "eq": org.account("A-1") } }),
            vec!["100% fun", "books", "coffee", "rent april", "rent march"],
        ),
        (json!({ "status": { "ne": "PENDING" } }), vec![]),
        (json!({ "toAccount": { "eq": org.account("J-1") } }), vec![]),
    ];
    for (filter, expected) in cases {
        assert_eq!(messages(&org, filter.clone()).await, expected, "{filter}");
    }

    // A filter that cannot be read is refused, naming the field.
    for (filter, field) in [
        (json!({ "amount": { "between": ["1"] } }), "filter.amount.between"),
        (json!({ "fromAccount": { "eq": "not-an-id" } }), "filter.fromAccount.eq"),
    ] {
        let answer = org.graphql(As::Viewer, LIST, json!({ "filter": filter })).await;
        assert_eq!(answer.error_type(), Some("ValidationError"), "{filter}: {:?}", answer.body);
        assert_eq!(answer.body["errors"][0]["extensions"]["field"], field, "{:?}", answer.body);
    }
}

#[tokio::test]
async fn pages_follow_next_token_newest_first_and_a_forged_token_is_refused() {
    let org = org_with_payments().await;
    let mut seen = Vec::new();
    let mut next = Value::Null;
    let mut pages = 0;
    loop {
        let answer = org.graphql(As::Member, LIST, json!({ "limit": 2, "next": next })).await;
        let page = answer.ok("listPayments").clone();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2, "{page}");
        seen.extend(items.iter().map(|p| p["message"].as_str().unwrap().to_owned()));
        pages += 1;
        next = page["nextToken"].clone();
        if next.is_null() {
            break;
        }
        assert!(pages < 10, "paging does not end");
    }
    let newest_first: Vec<String> = MADE.iter().rev().map(|(_, _, message)| (*message).to_owned()).collect();
    assert_eq!((seen, pages), (newest_first, 3));

    for forged in ["not a token", "MTIzOmFiYw"] {
        let answer = org.graphql(As::Member, LIST, json!({ "limit": 2, "next": forged })).await;
        assert_eq!(answer.error_type(), Some("ValidationError"), "{forged}: {:?}", answer.body);
        assert_eq!(answer.body["errors"][0]["extensions"]["field"], "nextToken");
    }
    for limit in [0, 1001] {
        let query = "query($limit: Int) { listPayments(limit: $limit) { nextToken } }";
        let answer = org.graphql(As::Member, query, json!({ "limit": limit })).await;
        assert_eq!(answer.error_type(), Some("ValidationError"), "limit {limit}: {:?}", answer.body);
    }
}

#[tokio::test]
async fn operations_too_deep_or_too_complex_are_refused_before_they_run() {
    let org = Org::with_args(&["--graphql-depth-limit", "3", "--graphql-complexity-limit", "60"]).await;
    let shallow = "{ listPayments(limit: 10) { items { id } } }";
    assert!(org.graphql(As::Member, shallow, json!({})).await.body["errors"].is_null());

    let deep = "{ listPayments(limit: 10) { items { amount { amount } } } }";
    let answer = org.graphql(As::Member, deep, json!({})).await;
    assert_eq!(answer.message(), "Query is nested too deep.", "{:?}", answer.body);

    let complex = "{ listPayments(limit: 100) { items { id } } }";
    let answer = org.graphql(As::Member, complex, json!({})).await;
    assert_eq!(answer.message(), "Query is too complex.", "{:?}", answer.body);
}

#[tokio::test]
async fn introspection_answers_unless_it_is_turned_off() {
    let introspect = "{ __schema { queryType { name } } }";
    let on = Org::new().await;
    let answer = on.graphql(As::Member, introspect, json!({})).await;
    assert_eq!(answer.body["data"]["__schema"]["queryType"]["name"], "Query", "{:?}", answer.body);

    let off = Org::with_args(&["--graphql-introspection", "false"]).await;
    for query in [introspect, "{ __type(name: \"Payment\") { name } }"] {
        let answer = off.graphql(As::Member, query, json!({})).await;
        assert!(answer.body["data"].is_null(), "{:?}", answer.body);
        assert_eq!(answer.error_type(), Some("ValidationError"), "{:?}", answer.body);
        assert_eq!(answer.message(), "GraphQL introspection is not allowed on this api.");
    }
    // The api itself still answers.
    let list = off.graphql(As::Member, "{ listPayments { nextToken } }", json!({})).await;
    assert!(list.ok("listPayments").is_object());
}
