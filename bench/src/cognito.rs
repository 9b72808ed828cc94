//! `bench cognito`: the Cognito service's hot paths under load, through cognito-client as the shell uses it.
//!
//! It creates confirmed users (SignUp, then AdminConfirmSignUp signed with the admin credentials), signs each in
//! once to hold tokens, then measures SRP sign-in, USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH and GetUser in turn.
//! Every call takes the next user in turn, so no user sees more than a few sign-ins a second; all passwords are
//! right, so the lockout after failed sign-ins never comes into play.

use std::{
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use aws_credential_types::Credentials;
use aws_sigv4::{
    http_request::{SignableBody, SignableRequest, SigningSettings, sign},
    sign::v4,
};
use cognito_client::{
    AppClient, Attribute, AuthResponse, AuthenticationResult, CognitoError, Request, SrpClient,
    ops::{self, CONTENT_TYPE, TARGET_PREFIX},
};
use miniserde::Deserialize;
use reqwest::{RequestBuilder, Url};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::load::{self, Failure, Load, Operation, Outcome, Rotation};

/// Meets the dev pool's password policy.
const PASSWORD: &str = "Bench-pass-1";

#[derive(clap::Args)]
pub struct Args {
    /// The user pool (the default is api/bootstrap/dev.toml's).
    #[arg(long, default_value = "us-east-1_LedgerDev")]
    pool_id: String,
    /// A public client allowing SRP and refresh, as the shell's (dev.toml's `frontend` client).
    #[arg(long, default_value = "ledgerlineweb0000000000001")]
    spa_client_id: String,
    /// A client with a secret allowing USER_PASSWORD_AUTH (dev.toml's backend client).
    #[arg(long, default_value = "ledgerlinebackend000000001")]
    backend_client_id: String,
    #[arg(
        long,
        env = "BENCH_BACKEND_CLIENT_SECRET",
        default_value = "local-development-secret-do-not-deploy-0000000000"
    )]
    backend_client_secret: String,
    /// IAM credentials the api accepts for admin calls (to confirm the users it creates).
    #[arg(long, env = "COGNITO_ADMIN_ACCESS_KEY_ID")]
    admin_access_key_id: String,
    #[arg(long, env = "COGNITO_ADMIN_SECRET_ACCESS_KEY", hide_env_values = true)]
    admin_secret_access_key: String,
    #[arg(long, env = "COGNITO_REGION", default_value = "us-east-1")]
    region: String,
    /// Users to create and take turns with.
    #[arg(long, default_value_t = 256)]
    users: usize,
    /// Measure only these scenarios (srp, password, refresh, get-user); all by default.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    #[command(flatten)]
    pub load: Load,
}

pub async fn run(api: &Url, args: Args) -> Result<(), Failure> {
    let pool = Arc::new(Pool::new(api.join("cognito")?, &args));
    println!("creating {} confirmed users, each signed in once ...", args.users);
    let users = create_users(&pool, args.users, args.load.concurrency).await?;
    let usernames = || Rotation::new(users.iter().map(|user| user.username.clone()).collect());
    let sessions = || Rotation::new(users.iter().map(|user| (user.username.clone(), user.tokens.clone())).collect());

    let mut table = Table { load: args.load, users: args.users, only: args.only, rows: Vec::new() };
    table.measure(SrpSignIn { pool: Arc::clone(&pool), users: usernames() }).await;
    table.measure(PasswordSignIn { pool: Arc::clone(&pool), users: usernames() }).await;
    table.measure(Refresh { pool: Arc::clone(&pool), sessions: sessions() }).await;
    table.measure(GetUser { pool, sessions: sessions() }).await;
    table.print();
    Ok(())
}

/// The endpoint, the pool and its clients: what every scenario talks to.
pub struct Pool {
    http: reqwest::Client,
    endpoint: Url,
    pool_id: String,
    spa: AppClient,
    backend: AppClient,
    admin: Credentials,
    region: String,
}

impl Pool {
    pub fn new(endpoint: Url, args: &Args) -> Self {
        Self {
            http: reqwest::Client::new(),
            endpoint,
            pool_id: args.pool_id.clone(),
            spa: AppClient::public(&args.spa_client_id),
            backend: AppClient::with_secret(&args.backend_client_id, &args.backend_client_secret),
            admin: Credentials::new(&args.admin_access_key_id, &args.admin_secret_access_key, None, None, "bench"),
            region: args.region.clone(),
        }
    }

    /// POSTs one of cognito-client's requests and parses the answer.
    async fn send<T: Deserialize>(&self, request: &Request<T>) -> Result<T, Failure> {
        let post = request.headers().into_iter().fold(self.post(), |post, (name, value)| post.header(name, value));
        let (status, error_type, body) = exchange(post.body(request.body.clone())).await?;
        Ok(request.parse_response(status, error_type.as_deref(), &body)?)
    }

    /// An admin operation, SigV4-signed as the AWS SDKs sign it.
    async fn admin(&self, operation: &str, body: &Value) -> Result<(), Failure> {
        let (body, target) = (body.to_string(), format!("{TARGET_PREFIX}{operation}"));
        let host = match self.endpoint.port() {
            Some(port) => format!("{}:{port}", self.endpoint.host_str().unwrap_or_default()),
            None => self.endpoint.host_str().unwrap_or_default().to_owned(),
        };
        let headers = [("host", host.as_str()), ("content-type", CONTENT_TYPE), ("x-amz-target", &target)];
        let identity = self.admin.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("cognito-idp")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()?
            .into();
        let signable = SignableRequest::new(
            "POST",
            self.endpoint.as_str(),
            headers.into_iter(),
            SignableBody::Bytes(body.as_bytes()),
        )?;
        let (signature, _) = sign(signable, &params)?.into_parts();
        let post = signature
            .headers()
            .fold(self.post(), |post, (name, value)| post.header(name, value))
            .header("content-type", CONTENT_TYPE)
            .header("x-amz-target", &target);
        match exchange(post.body(body)).await? {
            (200, ..) => Ok(()),
            (status, error_type, body) => Err(CognitoError::from_response(status, error_type.as_deref(), &body).into()),
        }
    }

    fn post(&self) -> RequestBuilder {
        self.http.post(self.endpoint.clone())
    }

    async fn srp_sign_in(&self, username: &str) -> Result<AuthenticationResult, Failure> {
        let srp = SrpClient::new(&self.pool_id)?;
        let challenge = self.send(&self.spa.initiate_srp_auth(username, &srp)).await?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let claim = srp.answer(&challenge.challenge_parameters.unwrap_or_default(), PASSWORD, now)?;
        tokens(self.send(&self.spa.respond_password_verifier(&claim, challenge.session.as_deref())).await?)
    }
}

/// Sends a request; returns the status, the `x-amzn-ErrorType` header and the body.
async fn exchange(post: RequestBuilder) -> Result<(u16, Option<String>, Vec<u8>), reqwest::Error> {
    let response = post.send().await?;
    let status = response.status().as_u16();
    let error_type = response.headers().get("x-amzn-ErrorType").and_then(|value| value.to_str().ok()).map(String::from);
    Ok((status, error_type, response.bytes().await?.to_vec()))
}

fn tokens(answer: AuthResponse) -> Result<AuthenticationResult, Failure> {
    answer
        .authentication_result
        .ok_or_else(|| format!("a {:?} challenge instead of tokens", answer.challenge_name).into())
}

/// A confirmed user and the tokens of their first sign-in.
pub struct User {
    username: String,
    pub tokens: AuthenticationResult,
}

/// Creates `count` users, `concurrency` at a time. Names carry the time so that reruns against one database work.
pub async fn create_users(pool: &Arc<Pool>, count: usize, concurrency: usize) -> Result<Vec<User>, Failure> {
    let run = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let mut creators = JoinSet::new();
    for first in 0..concurrency.min(count) {
        let (pool, names) = (Arc::clone(pool), (first..count).step_by(concurrency));
        let emails: Vec<String> = names.map(|n| format!("bench-{run}-{n}@example.com")).collect();
        creators.spawn(async move {
            let mut users = Vec::with_capacity(emails.len());
            for email in emails {
                users.push(create_user(&pool, email).await?);
            }
            Ok::<_, Failure>(users)
        });
    }
    let mut users = Vec::with_capacity(count);
    while let Some(created) = creators.join_next().await {
        users.extend(created??);
    }
    Ok(users)
}

async fn create_user(pool: &Pool, email: String) -> Result<User, Failure> {
    pool.send(&pool.spa.sign_up(&email, PASSWORD, &[Attribute::new("email", &email)])).await?;
    pool.admin("AdminConfirmSignUp", &json!({"UserPoolId": pool.pool_id, "Username": email})).await?;
    let tokens = pool.srp_sign_in(&email).await?;
    Ok(User { username: email, tokens })
}

/// One row per scenario, with the targets.
trait Scenario: Operation {
    /// What `--only` calls it.
    const KEY: &'static str;
    const NAME: &'static str;
    /// Per second, if there is one.
    const TARGET: Option<f64>;
}

struct SrpSignIn {
    pool: Arc<Pool>,
    users: Rotation<String>,
}

impl Operation for SrpSignIn {
    async fn call(&self) -> Result<(), Failure> {
        self.pool.srp_sign_in(self.users.next()).await.map(drop)
    }
}

impl Scenario for SrpSignIn {
    const KEY: &'static str = "srp";
    const NAME: &'static str = "SRP sign-in (InitiateAuth + RespondToAuthChallenge)";
    const TARGET: Option<f64> = Some(200.0);
}

struct PasswordSignIn {
    pool: Arc<Pool>,
    users: Rotation<String>,
}

impl Operation for PasswordSignIn {
    async fn call(&self) -> Result<(), Failure> {
        let pool = &self.pool;
        tokens(pool.send(&pool.backend.initiate_password_auth(self.users.next(), PASSWORD)).await?).map(drop)
    }
}

impl Scenario for PasswordSignIn {
    const KEY: &'static str = "password";
    const NAME: &'static str = "USER_PASSWORD_AUTH (client with a secret)";
    const TARGET: Option<f64> = None;
}

struct Refresh {
    pool: Arc<Pool>,
    sessions: Rotation<(String, AuthenticationResult)>,
}

impl Operation for Refresh {
    async fn call(&self) -> Result<(), Failure> {
        let (username, tokens) = self.sessions.next();
        let refresh_token = tokens.refresh_token.as_deref().ok_or("a sign-in without a refresh token")?;
        let pool = &self.pool;
        self::tokens(pool.send(&pool.spa.initiate_refresh_auth(refresh_token, username)).await?).map(drop)
    }
}

impl Scenario for Refresh {
    const KEY: &'static str = "refresh";
    const NAME: &'static str = "REFRESH_TOKEN_AUTH";
    const TARGET: Option<f64> = Some(2_000.0);
}

struct GetUser {
    pool: Arc<Pool>,
    sessions: Rotation<(String, AuthenticationResult)>,
}

impl Operation for GetUser {
    async fn call(&self) -> Result<(), Failure> {
        let (_, tokens) = self.sessions.next();
        self.pool.send(&ops::get_user(&tokens.access_token)).await.map(drop)
    }
}

impl Scenario for GetUser {
    const KEY: &'static str = "get-user";
    const NAME: &'static str = "GetUser";
    const TARGET: Option<f64> = Some(5_000.0);
}

/// The results, printed as a markdown table.
struct Table {
    load: Load,
    users: usize,
    only: Vec<String>,
    rows: Vec<(&'static str, Option<f64>, Outcome)>,
}

impl Table {
    async fn measure<S: Scenario>(&mut self, scenario: S) {
        if !self.only.is_empty() && !self.only.iter().any(|key| key == S::KEY) {
            return;
        }
        println!("measuring {} ...", S::NAME);
        let outcome = load::run(self.load, scenario).await;
        if let Some(failure) = &outcome.first_failure {
            println!("    {} failures, the first: {failure}", outcome.failures);
        }
        self.rows.push((S::NAME, S::TARGET, outcome));
    }

    fn print(&self) {
        let Load { concurrency, warmup, duration } = self.load;
        println!(
            "\n{concurrency} concurrent workers, {duration} s measured after {warmup} s of warm-up, {} users, on {}; \
             the load generator runs on the same cores as the api and Postgres.\n",
            self.users,
            load::machine()
        );
        println!(
            "| scenario | per second | p50 | p99 | target | failures | CPU: api / Postgres / load generator / other |"
        );
        println!("|---|---:|---:|---:|---|---:|---|");
        for (name, target, outcome) in &self.rows {
            let per_second = outcome.per_second();
            let target = match target {
                Some(target) if per_second >= *target => format!("≥ {target:.0}/s: met"),
                Some(target) => format!("≥ {target:.0}/s: **missed**"),
                None => "—".to_owned(),
            };
            println!(
                "| {name} | {per_second:.0} | {} | {} | {target} | {} | {} |",
                milliseconds(outcome.percentile(0.5)),
                milliseconds(outcome.percentile(0.99)),
                outcome.failures,
                outcome.cpu,
            );
        }
    }
}

fn milliseconds(duration: std::time::Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}
