//! Who may reach which accounts: the Cognito authorizer (missing, malformed, expired, forged,
//! wrong-use, foreign-pool and revoked tokens), tenant isolation through every endpoint, admins,
//! and row-level security that fails closed when the application forgets the identity.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;
use support::{PoolFixture, RestUser, forged, id};

async fn status_of(request: reqwest::RequestBuilder) -> StatusCode {
    request.send().await.unwrap().status()
}

async fn assert_unauthorized(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.starts_with("Bearer realm=\"ledgerline\""), "{challenge}");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
}

fn with_token(user: &RestUser, token: &str) -> reqwest::RequestBuilder {
    user.http.get(user.url("/v1/accounts")).bearer_auth(token)
}

#[tokio::test]
async fn requests_without_valid_credentials_get_401_with_a_challenge() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    assert_unauthorized(alice.http.get(alice.url("/v1/accounts")).send().await.unwrap()).await;
    for authorization in ["Basic YWxpY2U6cHc=", "Bearer", "Bearer not.a.jwt", "Bearer a.b.c"] {
        let response = alice.http.get(alice.url("/v1/accounts")).header("authorization", authorization).send().await;
        assert_unauthorized(response.unwrap()).await;
    }
}

#[tokio::test]
async fn expired_and_foreign_key_tokens_are_refused_but_a_faithful_copy_is_not() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    let pool = fixture.pool.id.clone();
    let copy = forged(&fixture, &alice.token, &pool, |_| {}).await;
    assert_eq!(status_of(with_token(&alice, &copy)).await, StatusCode::OK, "the forging itself is faithful");

    let expired = forged(&fixture, &alice.token, &pool, |claims| {
        claims["exp"] = json!(claims["iat"].as_i64().unwrap() - 1);
    })
    .await;
    assert_unauthorized(with_token(&alice, &expired).send().await.unwrap()).await;

    let other = PoolFixture::new().await;
    other.rest_user("mallory").await;
    let foreign_key = forged(&other, &alice.token, &other.pool.id, |_| {}).await;
    assert_unauthorized(with_token(&alice, &foreign_key).send().await.unwrap()).await;
}

#[tokio::test]
async fn only_the_configured_token_use_is_accepted() {
    let access_only = PoolFixture::new().await;
    let alice = access_only.rest_user("alice").await;
    assert_unauthorized(with_token(&alice, &alice.id_token).send().await.unwrap()).await;

    let id_only = PoolFixture::with_args(&["--api-token-use", "id"]).await;
    let bob = id_only.rest_user("bob").await;
    assert_eq!(status_of(with_token(&bob, &bob.id_token)).await, StatusCode::OK);
    assert_unauthorized(with_token(&bob, &bob.token).send().await.unwrap()).await;
}

#[tokio::test]
async fn tokens_of_pools_and_clients_not_configured_are_refused() {
    for args in [["--api-user-pool", "us-east-1_NotThis01"], ["--api-client", "someotherclient"]] {
        let fixture = PoolFixture::with_args(&args).await;
        let alice = fixture.rest_user("alice").await;
        assert_unauthorized(alice.get("/v1/accounts").send().await.unwrap()).await;
    }
}

#[tokio::test]
async fn revoked_sign_ins_and_disabled_users_are_refused() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    let second = fixture.signed_in("alice").await;
    // Children are read in one statement that checks the sign-in itself (request_children).
    let children = format!("/v1/accounts/{}/children", id(&alice.create("Alice's", "A1", None).await));
    assert_eq!(status_of(alice.get("/v1/accounts")).await, StatusCode::OK);
    assert_eq!(status_of(alice.get(&children)).await, StatusCode::OK);
    fixture.sdk.global_sign_out().access_token(&alice.token).send().await.unwrap();
    assert_unauthorized(alice.get("/v1/accounts").send().await.unwrap()).await;
    assert_unauthorized(second.get("/v1/accounts").send().await.unwrap()).await;
    assert_unauthorized(alice.get(&children).send().await.unwrap()).await;

    let bob = fixture.rest_user("bob").await;
    let children = format!("/v1/accounts/{}/children", id(&bob.create("Bob's", "B1", None).await));
    fixture.admin.admin_disable_user().user_pool_id(&fixture.pool.id).username("bob").send().await.unwrap();
    assert_unauthorized(bob.get("/v1/accounts").send().await.unwrap()).await;
    assert_unauthorized(bob.get(&children).send().await.unwrap()).await;
}

#[tokio::test]
async fn tenants_cannot_see_change_move_into_or_delete_each_others_accounts() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    let bob = fixture.rest_user("bob").await;
    let secret = alice.create("Alice's", "A1", None).await;
    let below = alice.create("Alice's child", "A2", Some(id(&secret))).await;
    let own = bob.create("Bob's", "B1", None).await;
    let path = format!("/v1/accounts/{}", id(&secret));

    for request in [
        bob.get(&path),
        bob.get(&format!("{path}/children")),
        bob.get(&format!("{path}/subtree")),
        bob.patch(&path, "\"1\"", json!({ "name": "Taken" })),
        bob.patch(&path, "*", json!({ "name": "Taken" })),
        bob.post(&format!("{path}/move"), json!({ "parentId": id(&own) })),
        bob.post(&format!("/v1/accounts/{}/move", id(&below)), json!({ "parentId": null })),
        bob.delete(&format!("{path}?subtree=true")),
    ] {
        let response = request.send().await.unwrap();
        let url = response.url().to_string();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{url}");
    }
    // Into Alice's tree: her account is as absent as one that never existed, her tenant as foreign as
    // one that never existed.
    let nowhere = json!(uuid::Uuid::new_v4());
    for parent in [json!(id(&secret)), nowhere.clone()] {
        let into = bob.post(&format!("/v1/accounts/{}/move", id(&own)), json!({ "parentId": parent }));
        assert_eq!(status_of(into).await, StatusCode::CONFLICT);
        let child = json!({ "name": "Cuckoo", "number": "X", "currency": "EUR", "parentId": parent });
        assert_eq!(status_of(bob.post("/v1/accounts", child)).await, StatusCode::CONFLICT);
    }
    for tenant in [json!(secret["tenantId"]), nowhere] {
        let root = json!({ "name": "Cuckoo", "number": "X", "currency": "EUR", "tenantId": tenant });
        assert_eq!(status_of(bob.post("/v1/accounts", root)).await, StatusCode::FORBIDDEN);
        let roots = bob.get(&format!("/v1/accounts?tenant={}", tenant.as_str().unwrap()));
        assert_eq!(status_of(roots).await, StatusCode::FORBIDDEN);
    }
    let bobs: Value = bob.get("/v1/accounts").send().await.unwrap().json().await.unwrap();
    assert_eq!(bobs["items"].as_array().unwrap().len(), 1);

    let unchanged: Value = alice.get(&path).send().await.unwrap().json().await.unwrap();
    assert_eq!((unchanged["name"].as_str(), unchanged["version"].as_i64()), (Some("Alice's"), Some(1)));
    assert_eq!(unchanged["childCount"], 1);
}

#[tokio::test]
async fn a_parent_must_be_in_the_same_tenant_even_for_a_member_of_both() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    let personal = alice.create("Personal", "P1", None).await;
    let shared_tenant = uuid::Uuid::new_v4();
    let sub = jsonwebtoken::dangerous::insecure_decode::<Value>(&alice.token).unwrap().claims["sub"].clone();
    sqlx::query("INSERT INTO tenants (id, name) VALUES ($1, 'Shared')")
        .bind(shared_tenant)
        .execute(&fixture.app.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO tenant_members (tenant_id, user_id) VALUES ($1, $2::uuid)")
        .bind(shared_tenant)
        .bind(sub.as_str().unwrap())
        .execute(&fixture.app.db)
        .await
        .unwrap();
    let root = json!({ "name": "Shared root", "number": "S1", "currency": "EUR", "tenantId": shared_tenant });
    let shared: Value = alice.post("/v1/accounts", root).send().await.unwrap().json().await.unwrap();
    assert_eq!(shared["tenantId"], json!(shared_tenant));

    let across = alice.post(&format!("/v1/accounts/{}/move", id(&personal)), json!({ "parentId": id(&shared) }));
    let response = across.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(response.json::<Value>().await.unwrap()["type"], "/problems/cross-tenant");
    let mismatch =
        json!({ "name": "X", "number": "X", "currency": "EUR", "tenantId": shared_tenant, "parentId": id(&personal) });
    assert_eq!(status_of(alice.post("/v1/accounts", mismatch)).await, StatusCode::CONFLICT);
}

#[tokio::test]
async fn admins_read_every_tenant_and_change_only_their_own() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    let account = alice.create("Alice's", "A1", None).await;
    fixture.rest_user("root").await;
    fixture.admin.create_group().user_pool_id(&fixture.pool.id).group_name("Admin").send().await.unwrap();
    let add = fixture.admin.admin_add_user_to_group().user_pool_id(&fixture.pool.id);
    add.username("root").group_name("Admin").send().await.unwrap();
    let admin = fixture.signed_in("root").await;

    let path = format!("/v1/accounts/{}", id(&account));
    assert_eq!(status_of(admin.get(&path)).await, StatusCode::OK);
    let tenant = account["tenantId"].as_str().unwrap();
    let roots: Value = admin.get(&format!("/v1/accounts?tenant={tenant}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(roots["items"][0]["id"], account["id"]);
    assert_eq!(
        status_of(admin.patch(&path, "\"1\"", json!({ "name": "Admin was here" }))).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(status_of(admin.delete(&path)).await, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_api_role_is_confined_and_row_security_fails_closed() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    alice.create("Alice's", "A1", None).await;

    let (is_super, bypasses, owns): (bool, bool, bool) = sqlx::query_as(
        "SELECT r.rolsuper, r.rolbypassrls, EXISTS (SELECT 1 FROM pg_tables WHERE tableowner = current_user) \
         FROM pg_roles r WHERE r.rolname = current_user",
    )
    .fetch_one(&fixture.app.api_db)
    .await
    .unwrap();
    assert_eq!((is_super, bypasses, owns), (false, false, false));

    // The application "forgets" to set the identity: nothing is visible, nothing can be written.
    let mut connection = fixture.app.api_db.acquire().await.unwrap();
    let visible: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts").fetch_one(&mut *connection).await.unwrap();
    assert_eq!(visible, 0);
    let tenant: uuid::Uuid = sqlx::query_scalar("SELECT id FROM tenants").fetch_one(&fixture.app.db).await.unwrap();
    let insert = sqlx::query(
        "INSERT INTO accounts (id, tenant_id, name, number, currency) VALUES (gen_random_uuid(), $1, 'X', 'X', 'EUR')",
    )
    .bind(tenant)
    .execute(&mut *connection)
    .await;
    assert!(insert.unwrap_err().to_string().contains("row-level security"));
    for table in ["tenants", "tenant_members"] {
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        assert_eq!(count, 0, "{table}");
    }

    // An identity set for one transaction does not outlive it on the pooled connection.
    let sub: uuid::Uuid =
        sqlx::query_scalar("SELECT user_id FROM tenant_members").fetch_one(&fixture.app.db).await.unwrap();
    let mut tx = connection.begin().await.unwrap();
    let tenants: Option<Vec<uuid::Uuid>> = sqlx::query_scalar("SELECT tenants FROM begin_request($1, false, NULL)")
        .bind(sub)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(tenants, Some(vec![tenant]));
    let inside: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(inside, 1);
    tx.commit().await.unwrap();
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts").fetch_one(&mut *connection).await.unwrap();
    assert_eq!(after, 0);
}
