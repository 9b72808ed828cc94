//! The account tree through the REST api, against the real database: every endpoint's success and
//! error paths, rolled-up balances, pagination, moves, deletes and optimistic concurrency.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{PoolFixture, RestUser, id};

async fn user() -> (PoolFixture, RestUser) {
    let fixture = PoolFixture::new().await;
    let user = fixture.rest_user("alice").await;
    (fixture, user)
}

async fn expect_problem(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_new_user_starts_with_a_personal_tenant_and_no_accounts() {
    let (_fixture, alice) = user().await;
    let tenants: Value = alice.get("/v1/tenants").send().await.unwrap().json().await.unwrap();
    assert_eq!(tenants.as_array().unwrap().len(), 1, "{tenants}");
    assert_eq!(tenants[0]["role"], "owner");
    assert_eq!(tenants[0]["personal"], true);
    let roots: Value = alice.get("/v1/accounts").send().await.unwrap().json().await.unwrap();
    assert_eq!(roots, json!({ "items": [], "nextCursor": null }));
}

#[tokio::test]
async fn create_then_read_with_etag_and_location() {
    let (_fixture, alice) = user().await;
    let body = json!({ "name": " Operating ", "number": " op-1 ", "currency": "EUR", "balanceMinor": 1250 });
    let response = alice.post("/v1/accounts", body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/v1/accounts/{}", id(&created)));
    assert_eq!(created["name"], "Operating");
    assert_eq!(created["number"], "OP-1");
    assert_eq!(created["currency"], "EUR");
    assert_eq!(created["status"], "open");
    assert_eq!(created["parentId"], Value::Null);
    assert_eq!(created["hasChildren"], false);
    assert_eq!(created["rolledUpBalance"], json!({ "EUR": 1250 }));

    let read = alice.get(&location).send().await.unwrap();
    assert_eq!(read.headers()["etag"], "\"1\"");
    assert_eq!(read.json::<Value>().await.unwrap(), created);
}

#[tokio::test]
async fn a_three_level_tree_expands_lazily_with_rolled_up_balances() {
    let (_fixture, alice) = user().await;
    let root = alice.create("Group", "G", None).await;
    let eu = alice.create("Europe", "EU", Some(id(&root))).await;
    let body =
        json!({ "name": "Dollar", "number": "US-1", "currency": "USD", "balanceMinor": 700, "parentId": id(&eu) });
    assert_eq!(alice.post("/v1/accounts", body).send().await.unwrap().status(), 201);
    let body = json!({ "name": "Euro", "number": "EU-1", "currency": "EUR", "balanceMinor": 300, "parentId": id(&eu) });
    assert_eq!(alice.post("/v1/accounts", body).send().await.unwrap().status(), 201);

    let roots: Value = alice.get("/v1/accounts").send().await.unwrap().json().await.unwrap();
    let group = &roots["items"][0];
    assert_eq!(group["childCount"], 1);
    assert_eq!(group["hasChildren"], true);
    assert_eq!(group["rolledUpBalance"], json!({ "EUR": 300, "USD": 700 }));

    let children: Value =
        alice.get(&format!("/v1/accounts/{}/children", id(&eu))).send().await.unwrap().json().await.unwrap();
    let names: Vec<_> = children["items"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Dollar", "Euro"]);
    assert!(children["items"].as_array().unwrap().iter().all(|a| a["hasChildren"] == false));

    let subtree: Value =
        alice.get(&format!("/v1/accounts/{}/subtree?depth=1", id(&root))).send().await.unwrap().json().await.unwrap();
    assert_eq!(subtree["truncated"], false);
    assert_eq!(subtree["root"]["name"], "Group");
    assert_eq!(subtree["root"]["children"][0]["name"], "Europe");
    assert!(subtree["root"]["children"][0].get("children").is_none(), "below the depth: not loaded");
    let deep: Value =
        alice.get(&format!("/v1/accounts/{}/subtree?depth=5", id(&root))).send().await.unwrap().json().await.unwrap();
    assert_eq!(deep["root"]["children"][0]["children"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn pages_follow_the_cursor_in_name_order() {
    let (_fixture, alice) = user().await;
    let parent = alice.create("Parent", "P", None).await;
    for n in (0..7).rev() {
        alice.create(&format!("Child {n}"), &format!("C{n}"), Some(id(&parent))).await;
    }
    let mut names = Vec::new();
    let mut path = format!("/v1/accounts/{}/children?limit=3", id(&parent));
    loop {
        let page: Value = alice.get(&path).send().await.unwrap().json().await.unwrap();
        names.extend(page["items"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_owned()));
        match page["nextCursor"].as_str() {
            Some(cursor) => path = format!("/v1/accounts/{}/children?limit=3&cursor={cursor}", id(&parent)),
            None => break,
        }
    }
    assert_eq!(names, (0..7).map(|n| format!("Child {n}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn roots_can_be_searched_by_name_with_patterns_taken_literally() {
    let (_fixture, alice) = user().await;
    for (name, number) in [("Payroll", "A"), ("Savings", "B"), ("100% reserve", "C")] {
        alice.create(name, number, None).await;
    }
    let search = |q: &'static str| {
        let alice = &alice;
        async move {
            let page: Value = alice.get(&format!("/v1/accounts?q={q}")).send().await.unwrap().json().await.unwrap();
            page["items"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(search("pay").await, ["Payroll"]);
    assert_eq!(search("%25").await, ["100% reserve"]);
    assert_eq!(search("_").await, Vec::<String>::new());
}

#[tokio::test]
async fn validation_errors_name_every_field() {
    let (_fixture, alice) = user().await;
    let body = json!({ "name": "", "number": "no spaces", "currency": "EURO", "balanceMinor": i64::MAX });
    let problem = expect_problem(alice.post("/v1/accounts", body).send().await.unwrap(), StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["type"], "/problems/validation");
    let fields: Vec<_> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "number", "currency", "balanceMinor"]);

    let unknown = json!({ "name": "A", "number": "A", "currency": "EUR", "colour": "red" });
    let problem =
        expect_problem(alice.post("/v1/accounts", unknown).send().await.unwrap(), StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["errors"][0]["field"], "colour");

    let wrong_type = json!({ "name": 5, "number": "A", "currency": "EUR" });
    let problem =
        expect_problem(alice.post("/v1/accounts", wrong_type).send().await.unwrap(), StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["errors"][0]["field"], "name");

    // Currency codes as ISO 4217 spells them, upper-case.
    let lower_case = json!({ "name": "A", "number": "A", "currency": "eur" });
    let problem =
        expect_problem(alice.post("/v1/accounts", lower_case).send().await.unwrap(), StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["errors"][0]["field"], "currency");

    let missing = json!({ "name": "A", "currency": "EUR" });
    let problem =
        expect_problem(alice.post("/v1/accounts", missing).send().await.unwrap(), StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["errors"][0]["field"], "number");

    for query in ["limit=0", "limit=201", "limit=ten", "cursor=garbage", "sort=name"] {
        let response = alice.get(&format!("/v1/accounts?{query}")).send().await.unwrap();
        let problem = expect_problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(problem["type"], "/problems/validation", "{query}: {problem}");
        assert!(!problem["errors"][0]["field"].as_str().unwrap().is_empty(), "{query}: {problem}");
    }
}

#[tokio::test]
async fn malformed_requests_get_problems_never_500() {
    let (fixture, alice) = user().await;
    let post = |body: &'static str, content_type: &'static str| {
        alice
            .http
            .post(alice.url("/v1/accounts"))
            .bearer_auth(&alice.token)
            .header("content-type", content_type)
            .body(body)
    };
    let malformed =
        expect_problem(post("{\"name\": ", "application/json").send().await.unwrap(), StatusCode::BAD_REQUEST).await;
    assert_eq!(malformed["type"], "/problems/malformed-json");
    expect_problem(
        post("name=A", "application/x-www-form-urlencoded").send().await.unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    expect_problem(post("[]", "application/json").send().await.unwrap(), StatusCode::BAD_REQUEST).await;
    expect_problem(alice.get("/v1/accounts/not-a-uuid").send().await.unwrap(), StatusCode::NOT_FOUND).await;
    expect_problem(alice.get("/v1/nothing-here").send().await.unwrap(), StatusCode::NOT_FOUND).await;
    expect_problem(alice.http.put(alice.url("/v1/accounts")).send().await.unwrap(), StatusCode::METHOD_NOT_ALLOWED)
        .await;
    let limit = fixture.app.config.body_limit_bytes as usize;
    let huge = json!({ "name": "x".repeat(limit), "number": "A", "currency": "EUR" });
    expect_problem(alice.post("/v1/accounts", huge).send().await.unwrap(), StatusCode::PAYLOAD_TOO_LARGE).await;
}

#[tokio::test]
async fn numbers_are_unique_within_a_tenant() {
    let (_fixture, alice) = user().await;
    alice.create("First", "SAME-1", None).await;
    let body = json!({ "name": "Second", "number": "same-1", "currency": "EUR" });
    let problem = expect_problem(alice.post("/v1/accounts", body).send().await.unwrap(), StatusCode::CONFLICT).await;
    assert_eq!(problem["type"], "/problems/number-taken");
}

#[tokio::test]
async fn updates_need_the_current_etag() {
    let (_fixture, alice) = user().await;
    let account = alice.create("Old name", "N1", None).await;
    let path = format!("/v1/accounts/{}", id(&account));

    let missing = alice.http.patch(alice.url(&path)).bearer_auth(&alice.token).json(&json!({ "name": "X" }));
    expect_problem(missing.send().await.unwrap(), StatusCode::PRECONDITION_REQUIRED).await;

    let updated = alice.patch(&path, "\"1\"", json!({ "name": "New name", "status": "closed" })).send().await.unwrap();
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(updated.headers()["etag"], "\"2\"");
    let updated: Value = updated.json().await.unwrap();
    assert_eq!((updated["name"].as_str(), updated["status"].as_str()), (Some("New name"), Some("closed")));

    let stale = alice.patch(&path, "\"1\"", json!({ "name": "Lost update" })).send().await.unwrap();
    assert_eq!(stale.headers()["etag"], "\"2\"", "the 412 says what is current");
    expect_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    expect_problem(alice.patch(&path, "\"2\"", json!({})).send().await.unwrap(), StatusCode::BAD_REQUEST).await;
    let read: Value = alice.get(&path).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["name"], "New name");
}

#[tokio::test]
async fn of_two_concurrent_updates_with_one_etag_exactly_one_wins() {
    let (_fixture, alice) = user().await;
    let account = alice.create("Contested", "C1", None).await;
    let path = format!("/v1/accounts/{}", id(&account));
    for round in 0..5 {
        let etag = format!("\"{}\"", round + 1);
        let (a, b) = tokio::join!(
            alice.patch(&path, &etag, json!({ "name": format!("A{round}") })).send(),
            alice.patch(&path, &etag, json!({ "name": format!("B{round}") })).send(),
        );
        let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 412], "round {round}");
    }
}

#[tokio::test]
async fn moves_carry_the_subtree_and_its_totals_and_refuse_cycles() {
    let (_fixture, alice) = user().await;
    let left = alice.create("Left", "L", None).await;
    let right = alice.create("Right", "R", None).await;
    let body =
        json!({ "name": "Leaf", "number": "LEAF", "currency": "EUR", "balanceMinor": 500, "parentId": id(&left) });
    let leaf: Value = alice.post("/v1/accounts", body).send().await.unwrap().json().await.unwrap();
    let child = alice.create("Below leaf", "BL", Some(id(&leaf))).await;

    let move_to = |account: &Value, parent: Value| {
        alice.post(&format!("/v1/accounts/{}/move", id(account)), json!({ "parentId": parent }))
    };
    let moved = move_to(&leaf, json!(id(&right))).send().await.unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    let get = |account: &Value| alice.get(&format!("/v1/accounts/{}", id(account)));
    let left_now: Value = get(&left).send().await.unwrap().json().await.unwrap();
    let right_now: Value = get(&right).send().await.unwrap().json().await.unwrap();
    assert_eq!((left_now["childCount"].as_i64(), &left_now["rolledUpBalance"]["EUR"]), (Some(0), &json!(0)));
    assert_eq!((right_now["childCount"].as_i64(), &right_now["rolledUpBalance"]["EUR"]), (Some(1), &json!(500)));

    for (account, target) in [(&leaf, &child), (&leaf, &leaf), (&right, &child)] {
        let problem =
            expect_problem(move_to(account, json!(id(target))).send().await.unwrap(), StatusCode::CONFLICT).await;
        assert_eq!(problem["type"], "/problems/cycle");
    }
    let to_root = move_to(&leaf, Value::Null).send().await.unwrap();
    assert_eq!(to_root.status(), StatusCode::OK);
    let leaf_now: Value = get(&leaf).send().await.unwrap().json().await.unwrap();
    assert_eq!((&leaf_now["id"], &leaf_now["parentId"]), (&leaf["id"], &Value::Null), "{leaf_now}");
    let right_now: Value = get(&right).send().await.unwrap().json().await.unwrap();
    assert_eq!(right_now["childCount"].as_i64(), Some(0), "{right_now}");
    let missing = move_to(&leaf, json!(uuid::Uuid::new_v4())).send().await.unwrap();
    let problem = expect_problem(missing, StatusCode::CONFLICT).await;
    assert_eq!((&problem["type"], &problem["field"]), (&json!("/problems/no-such-parent"), &json!("parentId")));
}

#[tokio::test]
async fn deleting_a_parent_needs_subtree_and_says_how_many_go() {
    let (_fixture, alice) = user().await;
    let root = alice.create("Root", "ROOT", None).await;
    let body = json!({ "name": "Mid", "number": "MID", "currency": "EUR", "balanceMinor": 40, "parentId": id(&root) });
    let mid: Value = alice.post("/v1/accounts", body).send().await.unwrap().json().await.unwrap();
    alice.create("Leaf", "LEAF", Some(id(&mid))).await;

    let path = format!("/v1/accounts/{}", id(&mid));
    let refused = expect_problem(alice.delete(&path).send().await.unwrap(), StatusCode::CONFLICT).await;
    assert_eq!((refused["type"].as_str(), refused["descendants"].as_i64()), (Some("/problems/has-children"), Some(1)));

    let stale = alice.delete(&format!("{path}?subtree=true")).header("if-match", "\"9\"").send().await.unwrap();
    expect_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let deleted = alice.delete(&format!("{path}?subtree=true")).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(deleted.headers()["deleted-count"], "2");
    expect_problem(alice.get(&path).send().await.unwrap(), StatusCode::NOT_FOUND).await;
    let root_now: Value = alice.get(&format!("/v1/accounts/{}", id(&root))).send().await.unwrap().json().await.unwrap();
    assert_eq!((root_now["childCount"].as_i64(), &root_now["rolledUpBalance"]), (Some(0), &json!({ "EUR": 0 })));
    expect_problem(alice.delete(&path).send().await.unwrap(), StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn children_of_a_missing_account_is_404_not_an_empty_page() {
    let (_fixture, alice) = user().await;
    let leaf = alice.create("Leaf", "L", None).await;
    let empty: Value =
        alice.get(&format!("/v1/accounts/{}/children", id(&leaf))).send().await.unwrap().json().await.unwrap();
    assert_eq!(empty["items"], json!([]));
    let missing = alice.get(&format!("/v1/accounts/{}/children", uuid::Uuid::new_v4())).send().await.unwrap();
    expect_problem(missing, StatusCode::NOT_FOUND).await;
    let missing = alice.get(&format!("/v1/accounts/{}/subtree", uuid::Uuid::new_v4())).send().await.unwrap();
    expect_problem(missing, StatusCode::NOT_FOUND).await;
}
