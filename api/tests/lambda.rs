//! The real api binary in Lambda mode (`AWS_LAMBDA_RUNTIME_API` set), against a fake Lambda Runtime
//! API hosted here (`GET /2018-06-01/runtime/invocation/next` with the request id and deadline
//! headers, `POST …/invocation/{id}/response`), fed API Gateway's events (`tests/fixtures/api-gateway`:
//! a REST api's payload 1.0 and an HTTP API's 2.0, with the Cognito, JWT and AWS_IAM authorizers'
//! contexts, a base64 body): the answers, and the tenant each caller reached the handlers as. And the
//! migration function, the same binary with the handler `migrate`.

use std::{
    io::Read,
    path::Path,
    process::Stdio,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use api::testing::{TestDatabase, VERIFIER_KEYS};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path as UrlPath, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{get, post},
};
use base64::Engine;
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::{
    net::TcpListener,
    process::{Child, Command},
    sync::{Mutex, mpsc},
};
use url::Url;
use uuid::{Uuid, uuid};

/// The users the fixtures' authorizers name.
const ALICE: Uuid = uuid!("6f1c2a7e-3b1d-4c55-9e7a-2d8f0b4a1c01");
const BRUNO: Uuid = uuid!("9a4e7b20-5c3f-4d1e-8b6a-7e2c9d0f3b02");

#[tokio::test]
async fn api_gateway_events_reach_the_handlers_as_their_callers_tenant() {
    let database = TestDatabase::create().await;
    let alice_tenant = personal_tenant(&database.pool, ALICE).await;
    let bruno_tenant = personal_tenant(&database.pool, BRUNO).await;
    let mut lambda = Lambda::start(database.url.as_str(), &[("API_GATEWAY_IDENTITY", "trust")]).await;

    // A REST api with the Cognito authorizer; the body base64-encoded, as with binaryMediaTypes */*.
    let created = lambda.invoke(fixture("rest-cognito-create-account.json")).await;
    assert_eq!(created["statusCode"], 201, "{created}");
    assert_eq!(created["isBase64Encoded"], false, "JSON goes back as text");
    assert_eq!(header(&created, "content-type"), "application/json");
    let account = json_body(&created);
    assert_eq!(account["name"], "Operating");
    assert_eq!(account["tenantId"], alice_tenant.to_string(), "created in the caller's tenant");
    let id = account["id"].as_str().unwrap();
    assert_eq!(header(&created, "location"), format!("/v1/accounts/{id}"));

    // An HTTP API with a JWT authorizer: another tenant's caller sees none of it.
    let listed = lambda.invoke(fixture("http-jwt-list-accounts.json")).await;
    assert_eq!(listed["statusCode"], 200, "{listed}");
    assert_eq!(json_body(&listed), json!({ "items": [], "nextCursor": null }));
    let read = lambda.invoke(at_path(fixture("http-jwt-list-accounts.json"), &format!("/v1/accounts/{id}"))).await;
    assert_eq!(read["statusCode"], 404, "row-level security hides it: {read}");

    // A REST api's AWS_IAM route, signed with Alice's identity-pool credentials, gzip accepted: a
    // binary answer (base64), which lists her account.
    let listed = lambda.invoke(fixture("rest-iam-list-accounts.json")).await;
    assert_eq!(listed["statusCode"], 200, "{listed}");
    assert_eq!(listed["isBase64Encoded"], true, "{listed}");
    assert_eq!(header(&listed, "content-encoding"), "gzip");
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&body_bytes(&listed)[..]).read_to_string(&mut unzipped).expect("a gzip body");
    let listed: Value = serde_json::from_str(&unzipped).unwrap();
    let ids: Vec<&Value> = listed["items"].as_array().unwrap().iter().map(|item| &item["id"]).collect();
    assert_eq!(ids, [id]);

    // An HTTP API's AWS_IAM route with Bruno's credentials: the caller as API Gateway described them.
    let caller = lambda.invoke(fixture("http-iam-caller.json")).await;
    assert_eq!(caller["statusCode"], 200, "{caller}");
    let caller = json_body(&caller);
    assert_eq!(caller["user"], BRUNO.to_string());
    assert_eq!(caller["tenants"], json!([bruno_tenant]));
    assert_eq!(caller["authorizer"], "iam");
    let identity = &caller["identity"];
    assert_eq!(identity["cognitoIdentityId"], "us-east-1:2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d42");
    assert_eq!(identity["cognitoIdentityPoolId"], "us-east-1:7d0b2f4e-1a3c-4e5b-9d7f-0c2e4a6b8d21");
    assert_eq!(
        identity["userArn"],
        "arn:aws:sts::123456789012:assumed-role/ledgerline-authenticated/CognitoIdentityCredentials"
    );

    // No authorizer's context: refused, whatever the Authorization header says.
    let refused = lambda.invoke(fixture("rest-unauthorized-caller.json")).await;
    assert_eq!(refused["statusCode"], 401, "{refused}");
    assert_eq!(header(&refused, "content-type"), "application/problem+json");
}

#[tokio::test]
async fn a_first_caller_confirmed_elsewhere_gets_a_personal_tenant() {
    let database = TestDatabase::create().await;
    let mut lambda = Lambda::start(database.url.as_str(), &[("API_GATEWAY_IDENTITY", "trust")]).await;
    let first = json_body(&lambda.invoke(fixture("http-iam-caller.json")).await);
    let again = json_body(&lambda.invoke(fixture("http-iam-caller.json")).await);
    assert_eq!(first["tenants"].as_array().map(Vec::len), Some(1), "{first}");
    assert_eq!(again["tenants"], first["tenants"], "the same tenant at the next request");
    let owner: Uuid = sqlx::query_scalar("SELECT personal_of FROM tenants").fetch_one(&database.pool).await.unwrap();
    assert_eq!(owner, BRUNO);
}

#[tokio::test]
async fn without_trust_the_api_verifies_the_token_itself() {
    let database = TestDatabase::create().await;
    personal_tenant(&database.pool, ALICE).await;
    let mut lambda = Lambda::start(database.url.as_str(), &[]).await;
    // The fixture's claims are API Gateway's, but its bearer token is no token of this api's.
    let refused = lambda.invoke(fixture("rest-cognito-create-account.json")).await;
    assert_eq!(refused["statusCode"], 401, "{refused}");
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts").fetch_one(&database.pool).await.unwrap();
    assert_eq!(accounts, 0);
}

#[tokio::test]
async fn a_function_whose_handler_is_migrate_migrates_when_invoked() {
    let url = empty_database().await;
    let mut lambda = Lambda::start(url.as_str(), &[("_HANDLER", "migrate")]).await;
    let newest = api::db::MIGRATOR.iter().map(|migration| migration.version).max().unwrap();
    assert_eq!(lambda.invoke(json!({})).await, json!({ "schemaVersion": newest }));
    assert_eq!(lambda.invoke(json!({})).await, json!({ "schemaVersion": newest }), "nothing left to apply");
    let db = PgPool::connect(url.as_str()).await.unwrap();
    let applied: i64 =
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success").fetch_one(&db).await.unwrap();
    assert_eq!(applied, i64::try_from(api::db::MIGRATOR.iter().count()).unwrap());
}

#[tokio::test]
async fn a_server_refuses_to_trust_an_api_gateway_it_does_not_have() {
    let database = TestDatabase::create().await;
    let output =
        api_command(database.url.as_str(), &[("API_GATEWAY_IDENTITY", "trust"), ("LISTEN_ADDR", "127.0.0.1:0")])
            .output()
            .await
            .expect("run the api");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("API_GATEWAY_IDENTITY=trust is for Lambda mode"), "{stderr}");
}

/// An API Gateway event of `tests/fixtures/api-gateway`.
fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/api-gateway").join(name);
    serde_json::from_slice(&std::fs::read(&path).expect("the fixture")).expect("JSON")
}

/// An HTTP API's event (payload 2.0) for another path.
fn at_path(mut event: Value, path: &str) -> Value {
    event["rawPath"] = json!(path);
    event["requestContext"]["http"]["path"] = json!(path);
    event["pathParameters"]["proxy"] = json!(path.trim_start_matches('/'));
    event
}

/// Makes `user`'s personal tenant, as their sign-up's confirmation does.
async fn personal_tenant(db: &PgPool, user: Uuid) -> Uuid {
    let tenant = Uuid::new_v4();
    sqlx::query("SELECT create_personal_tenant($1, $2, 'Personal')")
        .bind(user)
        .bind(tenant)
        .execute(db)
        .await
        .expect("a personal tenant");
    tenant
}

/// A database with no schema yet, on the cluster of `DATABASE_URL`.
async fn empty_database() -> Url {
    let admin = std::env::var("DATABASE_URL").expect("DATABASE_URL (cargo xtask test sets it)");
    let mut url = Url::parse(&admin).unwrap();
    let name = format!("test_{}", Uuid::new_v4().simple());
    let admin = PgPool::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#))).execute(&admin).await.unwrap();
    url.set_path(&name);
    url
}

/// The api binary with a clean environment: the database and keys, and `vars`.
fn api_command(database_url: &str, vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_api"));
    command
        .env_clear()
        .env("DATABASE_URL", database_url)
        .env("VERIFIER_KEYS", VERIFIER_KEYS)
        .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .envs(vars.iter().copied())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

/// The api as a Lambda function, polling the fake runtime.
struct Lambda {
    process: Child,
    events: mpsc::UnboundedSender<(String, Value)>,
    outcomes: mpsc::UnboundedReceiver<(String, Result<Value, String>)>,
}

impl Lambda {
    async fn start(database_url: &str, vars: &[(&str, &str)]) -> Self {
        let (events, queue) = mpsc::unbounded_channel();
        let (report, outcomes) = mpsc::unbounded_channel();
        let runtime = Runtime { queue: Arc::new(Mutex::new(queue)), report };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move { axum::serve(listener, runtime.router()).await });
        let lambda = [
            ("AWS_LAMBDA_RUNTIME_API", address.as_str()),
            ("AWS_LAMBDA_FUNCTION_NAME", "ledgerline-api"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"),
        ];
        let process = api_command(database_url, &[&lambda[..], vars].concat()).spawn().expect("start the api");
        Self { process, events, outcomes }
    }

    /// Hands the runtime the event and waits for the function's response.
    async fn invoke(&mut self, event: Value) -> Value {
        let request_id = Uuid::new_v4().to_string();
        self.events.send((request_id.clone(), event)).unwrap();
        let outcome = tokio::select! {
            outcome = self.outcomes.recv() => outcome.expect("the fake runtime runs"),
            status = self.process.wait() => panic!("the api exited: {status:?}"),
            () = tokio::time::sleep(Duration::from_secs(60)) => panic!("no response within 60 s"),
        };
        match outcome {
            (id, Ok(response)) if id == request_id => response,
            (id, outcome) => panic!("expected the response to {request_id}, got {id}: {outcome:?}"),
        }
    }
}

/// The part of the Lambda Runtime API a function uses: events out one at a time, outcomes back.
#[derive(Clone)]
struct Runtime {
    queue: Arc<Mutex<mpsc::UnboundedReceiver<(String, Value)>>>,
    report: mpsc::UnboundedSender<(String, Result<Value, String>)>,
}

impl Runtime {
    fn router(self) -> Router {
        Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(self)
    }
}

/// Long-polls until the test queues an event.
async fn next(State(runtime): State<Runtime>) -> impl IntoResponse {
    let (id, event) = runtime.queue.lock().await.recv().await.expect("the test queues events");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
    let headers = [
        ("lambda-runtime-aws-request-id", id),
        ("lambda-runtime-deadline-ms", (now + 30_000).to_string()),
        ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:123456789012:function:ledgerline-api".into()),
        (
            "lambda-runtime-trace-id",
            "Root=1-6752a1f0-1f2e3d4c5b6a79881a2b3c4d;Parent=5e6f7a8b9c0d1e2f;Sampled=0".into(),
        ),
    ];
    (headers, Json(event))
}

async fn response(State(runtime): State<Runtime>, UrlPath(id): UrlPath<String>, body: Bytes) -> StatusCode {
    let response = serde_json::from_slice(&body).map_err(|e| format!("not JSON ({e}): {body:?}"));
    runtime.report.send((id, response)).unwrap();
    StatusCode::ACCEPTED
}

async fn error(State(runtime): State<Runtime>, UrlPath(id): UrlPath<String>, body: Bytes) -> StatusCode {
    runtime.report.send((id, Err(String::from_utf8_lossy(&body).into_owned()))).unwrap();
    StatusCode::ACCEPTED
}

async fn init_error(State(runtime): State<Runtime>, body: Bytes) -> StatusCode {
    runtime.report.send(("init".into(), Err(String::from_utf8_lossy(&body).into_owned()))).unwrap();
    StatusCode::ACCEPTED
}

/// A response header, from `multiValueHeaders` (payload 1.0) or `headers` (2.0).
fn header(response: &Value, name: &str) -> String {
    let single = response["headers"].get(name).and_then(Value::as_str);
    let multi = response["multiValueHeaders"].get(name).and_then(|values| values[0].as_str());
    single.or(multi).unwrap_or_else(|| panic!("no {name} header in {response}")).to_owned()
}

fn body_bytes(response: &Value) -> Vec<u8> {
    let body = response["body"].as_str().unwrap_or_default();
    match response["isBase64Encoded"].as_bool() {
        Some(true) => base64::engine::general_purpose::STANDARD.decode(body).expect("base64"),
        _ => body.as_bytes().to_vec(),
    }
}

fn json_body(response: &Value) -> Value {
    serde_json::from_slice(&body_bytes(response)).unwrap_or_else(|e| panic!("a JSON body ({e}): {response}"))
}
