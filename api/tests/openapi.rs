//! The OpenAPI document as a contract: it is committed (`api/openapi.json`), so a change to it shows
//! in review, and Schemathesis, a property-based fuzzer nobody here wrote, holds the api to it.

mod support;

use std::{path::Path, process::Stdio, time::Instant};

use serde_json::{Value, json};
use support::{PoolFixture, RestUser};

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");

async fn served_document(fixture: &PoolFixture) -> Value {
    reqwest::get(fixture.app.url("/v1/openapi.json")).await.unwrap().json().await.unwrap()
}

/// With `UPDATE_OPENAPI=1`, writes the served document to `api/openapi.json` instead.
#[tokio::test]
async fn the_served_document_is_the_committed_one() {
    let fixture = PoolFixture::new().await;
    let served = served_document(&fixture).await;
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, serde_json::to_string_pretty(&served).unwrap() + "\n").unwrap();
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    let committed: Value = serde_json::from_str(&committed).unwrap_or(Value::Null);
    if let Some(at) = first_difference(&served, &committed, String::new()) {
        panic!(
            "The served OpenAPI document differs from api/openapi.json at {at:?}: the contract changed. \
             Regenerate the file with `UPDATE_OPENAPI=1 cargo test -p api --test openapi` and review the change."
        );
    }
}

/// Every POST takes an `Idempotency-Key` and states its 422 (a key reused with another request).
#[tokio::test]
async fn every_post_takes_an_idempotency_key() {
    let fixture = PoolFixture::new().await;
    let served = served_document(&fixture).await;
    let posts: Vec<_> = served["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(path, item)| Some((path, item.get("post")?)))
        .collect();
    assert!(posts.len() >= 6, "{posts:?}");
    for (path, post) in posts {
        let parameters = post["parameters"].as_array().unwrap();
        let key = parameters.iter().find(|p| p["name"] == "Idempotency-Key" && p["in"] == "header");
        assert!(key.is_some_and(|key| key["required"] == false), "POST {path} lacks Idempotency-Key");
        assert!(post["responses"].get("422").is_some(), "POST {path} lacks its 422");
    }
}

/// The JSON pointer of the first place where `a` and `b` differ.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys = a.keys().chain(b.keys().filter(|key| !a.contains_key(*key)));
            keys.find_map(|key| {
                let (a, b) = (a.get(key).unwrap_or(&Value::Null), b.get(key).unwrap_or(&Value::Null));
                first_difference(a, b, format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")))
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            a.iter().zip(b).enumerate().find_map(|(i, (a, b))| first_difference(a, b, format!("{at}/{i}")))
        }
        _ => (a != b).then_some(at),
    }
}

/// Schemathesis (SCHEMATHESIS_PYTHON, which `cargo xtask test` installs) with every check, against the
/// api as a signed-in user with a tree of accounts: examples, boundary values, random requests (valid
/// and invalid) and stateful sequences along the document's links (create, read, change with the
/// ETag, delete). A fixed seed and an example budget keep it repeatable and bounded; settings are in
/// `tests/schemathesis.toml`.
#[tokio::test]
async fn schemathesis_finds_no_failures() {
    let python = std::env::var("SCHEMATHESIS_PYTHON")
        .expect("SCHEMATHESIS_PYTHON is not set: run the tests with `cargo xtask test`, which installs Schemathesis");
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    seed_tree(&alice).await;
    let seeds = seed_organisations(&fixture, &alice).await;
    // Its own directory, for whatever it leaves behind.
    let workdir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = tokio::process::Command::new(python)
        .current_dir(workdir.path())
        .args(["-m", "schemathesis.cli", "--config-file"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis.toml"))
        .args(["run", "--no-color"])
        .arg(fixture.app.url("/v1/openapi.json"))
        .env("SCHEMATHESIS_TOKEN", &alice.token)
        .envs(seeds)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run Schemathesis");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("Schemathesis took {:.1} s", started.elapsed().as_secs_f64());
    // Its report lists each failure with the curl command that reproduces it.
    assert!(output.status.success(), "Schemathesis failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
}

/// What the organisations' operations need to reach their rules, as environment variables for
/// `tests/schemathesis.toml`: an invitation to alice (its token is only ever mailed), and an
/// organisation of hers with a pending invitation, and her own id.
async fn seed_organisations(fixture: &PoolFixture, alice: &RestUser) -> Vec<(&'static str, String)> {
    let olga = fixture.rest_user("olga").await;
    let olgas = organisation(&olga, "Olga's").await;
    invite(&olga, &olgas, "alice@example.com").await;
    let token = mailed_token(fixture, "alice@example.com").await;

    let ours = organisation(alice, "Alice & co").await;
    let pending = invite(alice, &ours, "walt@example.com").await;
    let members: Value = alice.get(&format!("/v1/tenants/{ours}/members")).send().await.unwrap().json().await.unwrap();
    vec![
        ("SCHEMATHESIS_INVITATION", token),
        ("SCHEMATHESIS_TENANT", ours),
        ("SCHEMATHESIS_USER", members[0]["userId"].as_str().unwrap().to_owned()),
        ("SCHEMATHESIS_INVITATION_ID", pending["id"].as_str().unwrap().to_owned()),
    ]
}

async fn organisation(owner: &RestUser, name: &str) -> String {
    let created: Value = owner.post("/v1/tenants", json!({ "name": name })).send().await.unwrap().json().await.unwrap();
    created["id"].as_str().unwrap().to_owned()
}

async fn invite(owner: &RestUser, tenant: &str, email: &str) -> Value {
    let invite = owner.post(&format!("/v1/tenants/{tenant}/invitations"), json!({ "email": email, "role": "viewer" }));
    let response = invite.send().await.unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// The token in the link of the newest message to `email`.
async fn mailed_token(fixture: &PoolFixture, email: &str) -> String {
    let body: String = sqlx::query_scalar("SELECT body FROM outbox WHERE destination = $1 ORDER BY id DESC LIMIT 1")
        .bind(email)
        .fetch_one(&fixture.app.db)
        .await
        .unwrap();
    let link = body.split_whitespace().find(|word| word.contains("/invitations/")).unwrap();
    link.rsplit('/').next().unwrap().to_owned()
}

/// Roots with children and grandchildren, in two currencies, so lists, pages and subtrees have content.
async fn seed_tree(user: &RestUser) {
    let group = user.create("Group", "G-1", None).await;
    let europe = user.create("Europe", "EU-1", Some(group["id"].as_str().unwrap())).await;
    for (name, number) in [("Paris", "FR-1"), ("Zürich \"ops\"", "CH-1")] {
        user.create(name, number, Some(europe["id"].as_str().unwrap())).await;
    }
    let body = json!({ "name": "Dollar", "number": "US-1", "currency": "USD", "balanceMinor": 700 });
    assert_eq!(user.post("/v1/accounts", body).send().await.unwrap().status(), 201);
    user.create("Petty cash", "PC-1", None).await;
}
