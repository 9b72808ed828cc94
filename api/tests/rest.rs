//! The REST api's cross-cutting behaviour: CORS on every response (preflight, 401, 500) and none
//! for other origins, and an OpenAPI document that lists every route.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use support::PoolFixture;

const ORIGIN: &str = "http://localhost:8080";

async fn fixture() -> PoolFixture {
    PoolFixture::with_args(&["--cors-allowed-origin", ORIGIN]).await
}

fn assert_cors(response: &reqwest::Response) {
    assert_eq!(response.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap()), Some(ORIGIN));
    let exposed = response.headers()["access-control-expose-headers"].to_str().unwrap().to_lowercase();
    assert!(exposed.contains("etag"), "{exposed}");
}

#[tokio::test]
async fn preflight_allows_what_the_frontends_send() {
    let fixture = fixture().await;
    let http = reqwest::Client::new();
    let response = http
        .request(Method::OPTIONS, fixture.app.url("/v1/accounts/0b7d3f5e-3a51-4b7c-9a59-4a3d6c1e0c11"))
        .header("origin", ORIGIN)
        .header("access-control-request-method", "PATCH")
        .header(
            "access-control-request-headers",
            "authorization, content-type, if-match, x-amz-date, x-amz-security-token",
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
    let methods = response.headers()["access-control-allow-methods"].to_str().unwrap().to_owned();
    for method in ["GET", "POST", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let headers = response.headers()["access-control-allow-headers"].to_str().unwrap().to_lowercase();
    for header in ["authorization", "content-type", "if-match", "x-amz-date", "x-amz-security-token"] {
        assert!(headers.contains(header), "{headers}");
    }
}

#[tokio::test]
async fn cors_headers_are_on_successes_401s_and_500s() {
    let fixture = fixture().await;
    let alice = fixture.rest_user("alice").await;
    let ok = alice.get("/v1/accounts").header("origin", ORIGIN).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_cors(&ok);

    let unauthorized = alice.http.get(alice.url("/v1/accounts")).header("origin", ORIGIN).send().await.unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    assert_cors(&unauthorized);

    // A fault on the server's side: the table the query needs is gone.
    sqlx::query("DROP TABLE accounts CASCADE").execute(&fixture.app.db).await.unwrap();
    let failed = alice.get("/v1/accounts").header("origin", ORIGIN).send().await.unwrap();
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_cors(&failed);
    let problem: Value = failed.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/internal");
    assert!(!problem["detail"].as_str().unwrap().contains("accounts"), "no internals leak: {problem}");
}

#[tokio::test]
async fn an_unreachable_database_answers_503_from_handlers_as_from_the_authorizer() {
    let fixture = fixture().await;
    let alice = fixture.rest_user("alice").await;
    let root = alice.create("Root", "R1", None).await;
    // Both of the app's pools to Postgres.
    fixture.app.api_db.close().await;
    fixture.app.state.statements.close().await;
    // The children are read by the handler's one statement, after the token was found genuine.
    let path = format!("/v1/accounts/{}/children", root["id"].as_str().unwrap());
    let response = alice.get(&path).header("origin", ORIGIN).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_cors(&response);
    // Through the authorizer's transaction, the same answer.
    let response = alice.get("/v1/accounts").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn other_origins_get_no_cors_headers() {
    let fixture = fixture().await;
    let alice = fixture.rest_user("alice").await;
    // Served as to any client (a browser then keeps the answer from the page), without CORS headers.
    let response = alice.get("/v1/accounts").header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("access-control-allow-origin").is_none());
    let preflight = alice
        .http
        .request(Method::OPTIONS, alice.url("/v1/accounts"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    assert!(preflight.headers().get("access-control-allow-origin").is_none());
}

/// Every operation of the document answers (401 without a token, so the route exists), and the
/// document has exactly the operations the api is meant to have.
#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let fixture = fixture().await;
    let http = reqwest::Client::new();
    let document: Value = http.get(fixture.app.url("/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys().filter(|m| *m != "parameters") {
            operations.push(format!("{} {path}", method.to_uppercase()));
            let concrete = path.replace("{id}", "0b7d3f5e-3a51-4b7c-9a59-4a3d6c1e0c11");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = http.request(method.clone(), fixture.app.url(&concrete)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{method} {concrete}");
        }
    }
    operations.sort();
    assert_eq!(
        operations,
        [
            "DELETE /v1/accounts/{id}",
            "DELETE /v1/tenants/{id}",
            "DELETE /v1/tenants/{id}/invitations/{invitationId}",
            "DELETE /v1/tenants/{id}/members/{userId}",
            "GET /v1/accounts",
            "GET /v1/accounts/{id}",
            "GET /v1/accounts/{id}/children",
            "GET /v1/accounts/{id}/subtree",
            "GET /v1/caller",
            "GET /v1/invitations/{token}",
            "GET /v1/tenants",
            "GET /v1/tenants/{id}",
            "GET /v1/tenants/{id}/audit",
            "GET /v1/tenants/{id}/invitations",
            "GET /v1/tenants/{id}/members",
            "PATCH /v1/accounts/{id}",
            "PATCH /v1/tenants/{id}",
            "PATCH /v1/tenants/{id}/members/{userId}",
            "POST /v1/accounts",
            "POST /v1/accounts/{id}/move",
            "POST /v1/invitations/{token}/accept",
            "POST /v1/tenants",
            "POST /v1/tenants/{id}/invitations",
            "POST /v1/tenants/{id}/transfer",
        ]
    );
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for schema in ["Account", "NewAccount", "AccountChanges", "Problem", "Subtree"] {
        assert!(schemas.contains_key(schema), "{schema}");
    }
}
