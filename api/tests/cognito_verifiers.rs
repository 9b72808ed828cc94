//! Passwords at rest: sealed SRP verifiers (see api/src/cognito/verifiers.rs). Users from before sealing sign
//! in and are sealed; a sealed verifier opens only in its own row and under the key its id names; keys rotate
//! on sign-in.

mod support;

use api::{
    cognito::{
        pools::{self, Client, NewClient},
        srp,
        verifiers::{Owner, VerifierKeys},
    },
    testing::VERIFIER_KEYS,
};
use argon2::{
    Argon2, PasswordHasher,
    password_hash::{SaltString, rand_core::OsRng},
};
use aws_lc_rs::rand;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use base64::{Engine, prelude::BASE64_STANDARD};
use cognito_client::AppClient;
use support::{PASSWORD, PoolFixture, exception, srp_sign_in};

const OTHER_PASSWORD: &str = "Other-horse-2";

/// A `VERIFIER_KEYS` entry with a fresh random key.
fn key(id: &str) -> String {
    let mut bytes = [0; 32];
    rand::fill(&mut bytes).unwrap();
    format!("{id}:{}", BASE64_STANDARD.encode(bytes))
}

/// What a user's row keeps of their password.
#[derive(Debug, PartialEq, Eq)]
struct Kept {
    key_id: Option<String>,
    sealed: bool,
    /// Any of the argon2id hash and the clear salt and verifier of the form from before sealing.
    legacy: bool,
}

impl Kept {
    fn sealed_under(key_id: &str) -> Self {
        Self { key_id: Some(key_id.into()), sealed: true, legacy: false }
    }

    const LEGACY: Self = Self { key_id: None, sealed: false, legacy: true };
}

async fn kept(fixture: &PoolFixture, pool_id: &str, username: &str) -> Kept {
    let (key_id, sealed, legacy) = sqlx::query_as(
        "SELECT verifier_key_id, sealed_verifier IS NOT NULL, \
         password_hash IS NOT NULL OR srp_salt IS NOT NULL OR srp_verifier IS NOT NULL \
         FROM users WHERE pool_id = $1 AND username = $2",
    )
    .bind(pool_id)
    .bind(username)
    .fetch_one(&fixture.app.db)
    .await
    .unwrap();
    Kept { key_id, sealed, legacy }
}

/// A confirmed user inserted as the api stored them before verifiers were sealed (migration 0002's columns,
/// written as `users::insert` and `password::hash` did): an argon2id hash with the default parameters and a
/// random salt, and the SRP salt and verifier in the clear.
async fn legacy_user(fixture: &PoolFixture, username: &str, password: &str) -> srp::Verifier {
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default().hash_password(password.as_bytes(), &salt).unwrap().to_string();
    let verifier = srp::make_verifier(&fixture.pool.id, username, password);
    sqlx::query(
        "INSERT INTO users (pool_id, username, sub, status, password_hash, srp_salt, srp_verifier, attributes) \
         VALUES ($1, $2, gen_random_uuid(), 'CONFIRMED', $3, $4, $5, $6)",
    )
    .bind(&fixture.pool.id)
    .bind(username)
    .bind(hash)
    .bind(&verifier.salt)
    .bind(&verifier.verifier)
    .bind(serde_json::json!({ "email": format!("{username}@example.com"), "email_verified": "true" }))
    .execute(&fixture.app.db)
    .await
    .unwrap();
    verifier
}

/// USER_PASSWORD_AUTH through `client`: Ok, or AWS's exception name.
async fn password_sign_in(
    fixture: &PoolFixture,
    client: &Client,
    username: &str,
    password: &str,
) -> Result<(), String> {
    let signed_in = fixture
        .sdk
        .initiate_auth()
        .client_id(&client.id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await;
    match signed_in.map_err(exception) {
        Ok(out) => out.authentication_result().map(drop).ok_or_else(|| "a challenge instead of tokens".into()),
        Err((code, _)) => Err(code),
    }
}

/// USER_SRP_AUTH through `client` of `pool_id`: Ok, or the exception name.
async fn srp(
    fixture: &PoolFixture,
    pool_id: &str,
    client: &Client,
    username: &str,
    password: &str,
) -> Result<(), String> {
    let signed_in = srp_sign_in(&fixture.app, pool_id, &AppClient::public(&client.id), username, password).await;
    match signed_in {
        Ok(answer) => answer.authentication_result.map(drop).ok_or_else(|| "a challenge instead of tokens".into()),
        Err(error) => Err(format!("{:?}", error.kind)),
    }
}

/// Both flows with the right password: Ok only if both sign in.
async fn both_flows(fixture: &PoolFixture, username: &str, password: &str) -> Result<(), String> {
    password_sign_in(fixture, &fixture.client, username, password).await?;
    srp(fixture, &fixture.pool.id, &fixture.client, username, password).await
}

const REFUSED: Result<(), String> = Err(String::new());

/// Only whether it was refused as a wrong password is: NotAuthorizedException, whichever flow.
fn refused(outcome: Result<(), String>) -> Result<(), String> {
    match outcome {
        Err(code) if code.starts_with("NotAuthorized") => REFUSED,
        other => other,
    }
}

#[tokio::test]
async fn a_user_from_before_sealing_signs_in_with_the_password_and_is_sealed() {
    let fixture = PoolFixture::new().await;
    legacy_user(&fixture, "olga", PASSWORD).await;

    assert_eq!(refused(password_sign_in(&fixture, &fixture.client, "olga", OTHER_PASSWORD).await), REFUSED);
    assert_eq!(kept(&fixture, &fixture.pool.id, "olga").await, Kept::LEGACY, "a wrong password changes nothing");

    password_sign_in(&fixture, &fixture.client, "olga", PASSWORD).await.unwrap();
    assert_eq!(kept(&fixture, &fixture.pool.id, "olga").await, Kept::sealed_under("test"));
    both_flows(&fixture, "olga", PASSWORD).await.unwrap();
    assert_eq!(refused(password_sign_in(&fixture, &fixture.client, "olga", OTHER_PASSWORD).await), REFUSED);
    assert_eq!(refused(srp(&fixture, &fixture.pool.id, &fixture.client, "olga", OTHER_PASSWORD).await), REFUSED);
}

#[tokio::test]
async fn a_user_from_before_sealing_signs_in_with_srp_and_is_sealed_with_the_same_verifier() {
    let fixture = PoolFixture::new().await;
    let verifier = legacy_user(&fixture, "sven", PASSWORD).await;

    srp(&fixture, &fixture.pool.id, &fixture.client, "sven", PASSWORD).await.unwrap();
    assert_eq!(kept(&fixture, &fixture.pool.id, "sven").await, Kept::sealed_under("test"));
    let blob: Vec<u8> = sqlx::query_scalar("SELECT sealed_verifier FROM users WHERE username = 'sven'")
        .fetch_one(&fixture.app.db)
        .await
        .unwrap();
    let keys: VerifierKeys = VERIFIER_KEYS.parse().unwrap();
    let owner = Owner { pool_id: &fixture.pool.id, username: "sven" };
    let sealed = api::cognito::verifiers::Sealed { key_id: "test".into(), blob };
    assert_eq!(keys.open(owner, &sealed).unwrap(), verifier, "SRP knows no password: it seals what was there");
    both_flows(&fixture, "sven", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn swapped_sealed_verifiers_open_for_neither_user() {
    let fixture = PoolFixture::new().await;
    // alice and bob in the fixture's pool, and another alice in a pool whose id differs only before the `_`.
    // SRP hashes the pool id's part after the `_` and the username into x, so nothing but the sealing tells
    // the two alices' verifiers apart.
    let twin_pool = format!("eu-west-1_{}", fixture.pool.id.split_once('_').unwrap().1);
    sqlx::query("INSERT INTO user_pools (id, name, password_policy) SELECT $2, name, password_policy FROM user_pools WHERE id = $1")
        .bind(&fixture.pool.id)
        .bind(&twin_pool)
        .execute(&fixture.app.db)
        .await
        .unwrap();
    let flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"].map(String::from).to_vec();
    let new_client = NewClient { name: "twin".into(), explicit_auth_flows: flows, ..NewClient::default() };
    let twin_client = pools::create_client(&fixture.app.db, &twin_pool, &new_client).await.unwrap();
    fixture.confirmed_user("alice").await;
    fixture.confirmed_user("bob").await;
    admin_user(&fixture, &twin_pool, "alice", OTHER_PASSWORD).await;
    password_sign_in(&fixture, &twin_client, "alice", OTHER_PASSWORD).await.unwrap();

    swap(&fixture, (&fixture.pool.id, "alice"), (&fixture.pool.id, "bob")).await;
    for (username, password) in [("alice", PASSWORD), ("bob", PASSWORD)] {
        assert_eq!(
            refused(password_sign_in(&fixture, &fixture.client, username, password).await),
            REFUSED,
            "{username}"
        );
        assert_eq!(
            refused(srp(&fixture, &fixture.pool.id, &fixture.client, username, password).await),
            REFUSED,
            "{username}"
        );
    }
    swap(&fixture, (&fixture.pool.id, "alice"), (&fixture.pool.id, "bob")).await;
    both_flows(&fixture, "alice", PASSWORD).await.unwrap();

    swap(&fixture, (&fixture.pool.id, "alice"), (&twin_pool, "alice")).await;
    let (home, twin) = (&fixture.client, &twin_client);
    for (pool_id, client, password) in [
        (&fixture.pool.id, home, PASSWORD),
        (&fixture.pool.id, home, OTHER_PASSWORD),
        (&twin_pool, twin, PASSWORD),
        (&twin_pool, twin, OTHER_PASSWORD),
    ] {
        let context = format!("alice of {pool_id} with {password}");
        assert_eq!(refused(password_sign_in(&fixture, client, "alice", password).await), REFUSED, "{context}");
        assert_eq!(refused(srp(&fixture, pool_id, client, "alice", password).await), REFUSED, "{context}");
    }
}

/// A confirmed user of `pool_id` made through the admin operations.
async fn admin_user(fixture: &PoolFixture, pool_id: &str, username: &str, password: &str) {
    let create = fixture.admin.admin_create_user().user_pool_id(pool_id).username(username);
    create.message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress).send().await.unwrap();
    let set = fixture.admin.admin_set_user_password().user_pool_id(pool_id).username(username);
    set.password(password).permanent(true).send().await.unwrap();
}

/// Swaps two users' sealed verifiers in the database.
async fn swap(fixture: &PoolFixture, (pool_a, user_a): (&str, &str), (pool_b, user_b): (&str, &str)) {
    let swapped = sqlx::query(
        "UPDATE users u SET sealed_verifier = o.sealed_verifier, verifier_key_id = o.verifier_key_id \
         FROM users o WHERE (u.pool_id, u.username, o.pool_id, o.username) IN (($1, $2, $3, $4), ($3, $4, $1, $2))",
    )
    .bind(pool_a)
    .bind(user_a)
    .bind(pool_b)
    .bind(user_b)
    .execute(&fixture.app.db)
    .await
    .unwrap();
    assert_eq!(swapped.rows_affected(), 2);
}

#[tokio::test]
async fn a_verifier_opens_only_under_the_key_its_id_names() {
    let (current, other) = (key("current"), key("other"));
    let fixture = PoolFixture::with_args(&["--verifier-keys", &format!("{current},{other}")]).await;
    fixture.confirmed_user("alice").await;
    assert_eq!(kept(&fixture, &fixture.pool.id, "alice").await, Kept::sealed_under("current"));

    let relabel = |key_id: &'static str| {
        sqlx::query("UPDATE users SET verifier_key_id = $1 WHERE username = 'alice'")
            .bind(key_id)
            .execute(&fixture.app.db)
    };
    for key_id in ["other", "unlisted"] {
        relabel(key_id).await.unwrap();
        assert_eq!(refused(password_sign_in(&fixture, &fixture.client, "alice", PASSWORD).await), REFUSED, "{key_id}");
        assert_eq!(
            refused(srp(&fixture, &fixture.pool.id, &fixture.client, "alice", PASSWORD).await),
            REFUSED,
            "{key_id}"
        );
    }
    relabel("current").await.unwrap();
    both_flows(&fixture, "alice", PASSWORD).await.unwrap();

    // The same id, another key: what a mistyped or regenerated key looks like.
    let fixture = fixture.restart_with(&["--verifier-keys", &key("current")]).await;
    assert_eq!(refused(password_sign_in(&fixture, &fixture.client, "alice", PASSWORD).await), REFUSED);
    assert_eq!(refused(srp(&fixture, &fixture.pool.id, &fixture.client, "alice", PASSWORD).await), REFUSED);
}

#[tokio::test]
async fn a_new_key_seals_at_the_next_sign_in_and_the_old_one_opens_until_then() {
    let (old, new) = (key("2026-05"), key("2026-11"));
    let fixture = PoolFixture::with_args(&["--verifier-keys", &old]).await;
    for username in ["alice", "bob", "carol"] {
        fixture.confirmed_user(username).await;
    }

    let fixture = fixture.restart_with(&["--verifier-keys", &format!("{new},{old}")]).await;
    fixture.signed_up_user("dave").await;
    assert_eq!(
        kept(&fixture, &fixture.pool.id, "dave").await,
        Kept::sealed_under("2026-11"),
        "new passwords: the new key"
    );
    password_sign_in(&fixture, &fixture.client, "alice", PASSWORD).await.unwrap();
    srp(&fixture, &fixture.pool.id, &fixture.client, "bob", PASSWORD).await.unwrap();
    for username in ["alice", "bob"] {
        assert_eq!(kept(&fixture, &fixture.pool.id, username).await, Kept::sealed_under("2026-11"), "{username}");
    }
    assert_eq!(kept(&fixture, &fixture.pool.id, "carol").await, Kept::sealed_under("2026-05"));
    assert_eq!(refused(password_sign_in(&fixture, &fixture.client, "carol", OTHER_PASSWORD).await), REFUSED);
    assert_eq!(
        kept(&fixture, &fixture.pool.id, "carol").await,
        Kept::sealed_under("2026-05"),
        "a wrong password moves nothing"
    );

    let fixture = fixture.restart_with(&["--verifier-keys", &new]).await;
    for username in ["alice", "bob"] {
        both_flows(&fixture, username, PASSWORD).await.unwrap_or_else(|error| panic!("{username}: {error}"));
    }
    assert_eq!(
        refused(password_sign_in(&fixture, &fixture.client, "carol", PASSWORD).await),
        REFUSED,
        "her key is gone"
    );
}
