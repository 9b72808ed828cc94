//! Two replicas of the real api binary on one database: everything they must share lives in
//! Postgres or in sealed blobs. Migrations are applied once when both start together; SRP's two
//! steps and a NEW_PASSWORD_REQUIRED challenge finish on the replica that did not start them; a
//! sign-out on one is refused by the other at once (the README's bound: no per-process cache); and
//! wrong passwords count towards one lockout whichever replica they reach.

mod support;

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use api::{
    cognito::pools::{self, NewClient, NewPool},
    testing::VERIFIER_KEYS,
};
use cognito_client::{
    AppClient, CognitoError, Request, SrpClient,
    ops::{get_user, global_sign_out},
};
use miniserde::Deserialize;
use sqlx::{Connection, PgConnection, PgPool};
use support::{ADMIN_KEY, ADMIN_SECRET, PASSWORD};

/// A real api process, killed when dropped.
struct Replica {
    child: Child,
    base: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Replica {
    /// Starts the api binary on `database_url`; `issuer` is the base URL both replicas share.
    fn spawn(database_url: &str, issuer: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(env!("CARGO_BIN_EXE_api"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .env("DATABASE_URL", database_url)
            .env("VERIFIER_KEYS", VERIFIER_KEYS)
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("PUBLIC_BASE_URL", issuer)
            .env("COGNITO_ADMIN_ACCESS_KEY_ID", ADMIN_KEY)
            .env("COGNITO_ADMIN_SECRET_ACCESS_KEY", ADMIN_SECRET)
            .stdin(Stdio::null())
            .spawn()
            .expect("start the api binary");
        Self { child, base: format!("http://127.0.0.1:{port}") }
    }

    async fn ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("replica {} exited at start: {status}", self.base);
            }
            let health = reqwest::get(format!("{}/healthz", self.base)).await;
            if health.is_ok_and(|response| response.status().is_success()) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "replica {} never became ready", self.base);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn send<T: Deserialize>(&self, request: &Request<T>) -> Result<T, CognitoError> {
        let mut post = reqwest::Client::new().post(format!("{}/cognito", self.base)).body(request.body.clone());
        for (name, value) in request.headers() {
            post = post.header(name, value);
        }
        let response = post.send().await.expect("the replica answers");
        let status = response.status().as_u16();
        let error_type = response.headers().get("x-amzn-ErrorType").map(|v| v.to_str().unwrap().to_owned());
        let body = response.bytes().await.unwrap();
        request.parse_response(status, error_type.as_deref(), &body)
    }

    fn admin(&self) -> aws_sdk_cognitoidentityprovider::Client {
        use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_cognitoidentityprovider::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(format!("{}/cognito", self.base))
            .credentials_provider(Credentials::new(ADMIN_KEY, ADMIN_SECRET, None, None, "test"))
            .build();
        aws_sdk_cognitoidentityprovider::Client::from_conf(config)
    }
}

/// An empty database of its own (no migrations: the replicas apply them).
async fn empty_database() -> (String, PgPool) {
    let admin = std::env::var("DATABASE_URL").expect("DATABASE_URL (cargo xtask test sets it)");
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut connection = PgConnection::connect(&admin).await.unwrap();
    let create = sqlx::AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#));
    sqlx::query(create).execute(&mut connection).await.unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    (url.to_string(), PgPool::connect(url.as_str()).await.unwrap())
}

#[tokio::test]
async fn two_replicas_share_migrations_sign_ins_revocations_and_lockouts() {
    let (database_url, owner) = empty_database().await;
    let issuer = "http://127.0.0.1:1";
    // Started together, on a database without any migration.
    let (mut a, mut b) = (Replica::spawn(&database_url, issuer), Replica::spawn(&database_url, issuer));
    tokio::join!(a.ready(), b.ready());
    let applied: Vec<(i64, bool)> = sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&owner)
        .await
        .unwrap();
    assert_eq!(applied.len(), api::db::MIGRATOR.iter().count(), "{applied:?}");
    assert!(applied.iter().all(|(_, success)| *success), "{applied:?}");

    let pool = pools::create_pool(
        &owner,
        &NewPool { region: "us-east-1".into(), name: "replicas".into(), ..NewPool::default() },
    )
    .await
    .unwrap();
    let flows =
        ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"].map(String::from).to_vec();
    let client = pools::create_client(
        &owner,
        &pool.id,
        &NewClient { name: "web".into(), explicit_auth_flows: flows, ..NewClient::default() },
    )
    .await
    .unwrap();
    let app = AppClient::public(&client.id);
    let admin = a.admin();
    admin
        .admin_create_user()
        .user_pool_id(&pool.id)
        .username("carol")
        .temporary_password("Temporary-horse-1")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();

    // NEW_PASSWORD_REQUIRED: the challenge from A, answered on B.
    let challenge = a.send(&app.initiate_password_auth("carol", "Temporary-horse-1")).await.unwrap();
    assert_eq!(challenge.challenge_name.as_deref(), Some("NEW_PASSWORD_REQUIRED"));
    let answered = b.send(&app.respond_new_password("carol", PASSWORD, challenge.session.as_deref().unwrap())).await;
    assert!(answered.unwrap().authentication_result.is_some(), "B finished the challenge A started");

    // SRP: InitiateAuth on A, the password verifier on B.
    let srp = SrpClient::new(&pool.id).unwrap();
    let challenge = a.send(&app.initiate_srp_auth("carol", &srp)).await.unwrap();
    assert_eq!(challenge.challenge_name.as_deref(), Some("PASSWORD_VERIFIER"));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let claim = srp.answer(&challenge.challenge_parameters.unwrap_or_default(), PASSWORD, now).unwrap();
    let signed_in = b.send(&app.respond_password_verifier(&claim, challenge.session.as_deref())).await.unwrap();
    let access = signed_in.authentication_result.unwrap().access_token;

    // A sign-out on B is refused by A at the next request.
    a.send(&get_user(&access)).await.unwrap();
    b.send(&global_sign_out(&access)).await.unwrap();
    let refused = a.send(&get_user(&access)).await.unwrap_err();
    assert_eq!(refused.kind.name(), "NotAuthorizedException", "{refused:?}");
    let rest = reqwest::Client::new().get(format!("{}/v1/accounts", a.base)).bearer_auth(&access).send().await.unwrap();
    assert_eq!(rest.status(), 401);

    // Six wrong passwords, alternating, lock carol out on both (five are allowed, as on one replica).
    for attempt in 0..6 {
        let replica = if attempt % 2 == 0 { &a } else { &b };
        replica.send(&app.initiate_password_auth("carol", "Wrong-horse-1")).await.unwrap_err();
    }
    let failures: i32 = sqlx::query_scalar("SELECT failed_sign_ins FROM users WHERE username = 'carol'")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(failures, 6);
    sqlx::query("UPDATE users SET locked_until = now() + interval '1 minute' WHERE username = 'carol'")
        .execute(&owner)
        .await
        .unwrap();
    for replica in [&a, &b] {
        let locked = replica.send(&app.initiate_password_auth("carol", PASSWORD)).await.unwrap_err();
        assert_eq!(locked.message, "Password attempts exceeded", "{}", replica.base);
    }
}
