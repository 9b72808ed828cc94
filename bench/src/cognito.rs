//! `bench cognito`: the Cognito service's hot paths under load, next to other Cognito services (`--peer`): moto's
//! server mode and cognito-local, which `cargo xtask bench cognito --peers` starts beside the api.
//!
//! Each service gets the same set-up through its own API: a pool whose users sign in with their email, a public
//! app client, confirmed users (SignUp, then AdminConfirmSignUp, SigV4-signed with the admin credentials, which
//! only our api checks) each signed in once with their password to hold tokens. Then each scenario is measured on
//! every service that supports it, the services taking turns, `--rounds` times: USER_PASSWORD_AUTH,
//! REFRESH_TOKEN_AUTH and GetUser on all, SRP sign-in on ours alone (neither peer checks SRP's proof). Every call
//! takes the next user in turn, so no user sees more than a few sign-ins a second; all passwords are right, so
//! the lockout after failed sign-ins never comes into play. A call counts when it answers 200 with what the
//! operation returns (tokens, the user): the peers leave out some fields ours sends.

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
    AppClient, Attribute, AuthResponse, CognitoError, Request, SrpClient,
    ops::{self, CONTENT_TYPE, TARGET_PREFIX},
};
use miniserde::Deserialize;
use reqwest::{RequestBuilder, Url};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::load::{self, Failure, Load, Operation, Outcome, Rotation};

/// Meets every service's default password policy.
const PASSWORD: &str = "Bench-pass-1";

/// The IAM credentials our api accepts for admin calls (the peers accept any).
#[derive(clap::Args)]
pub struct Admin {
    #[arg(long, env = "COGNITO_ADMIN_ACCESS_KEY_ID")]
    admin_access_key_id: String,
    #[arg(long, env = "COGNITO_ADMIN_SECRET_ACCESS_KEY", hide_env_values = true)]
    admin_secret_access_key: String,
    #[arg(long, env = "COGNITO_REGION", default_value = "us-east-1")]
    region: String,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    admin: Admin,
    /// Another Cognito service to measure the same way, as `NAME=ENDPOINT[@PROCESS]` (PROCESS: its process's
    /// command, for its CPU share), e.g. `moto=http://127.0.0.1:5000/@moto_server`. Repeatable.
    #[arg(long = "peer", value_parser = parse_peer)]
    peers: Vec<Peer>,
    /// How many times each scenario is measured on each service, the services taking turns.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Users to create on each service and take turns with.
    #[arg(long, default_value_t = 256)]
    users: usize,
    /// Measure only these scenarios (srp, password, refresh, get-user); all by default.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    #[command(flatten)]
    pub load: Load,
}

/// A service to measure besides ours.
#[derive(Clone)]
struct Peer {
    name: String,
    endpoint: Url,
    process: String,
}

fn parse_peer(value: &str) -> Result<Peer, String> {
    let (name, rest) = value.split_once('=').ok_or("expected NAME=ENDPOINT[@PROCESS]")?;
    let (endpoint, process) = match rest.rsplit_once('@') {
        Some((endpoint, process)) => (endpoint, process),
        None => (rest, ""),
    };
    let endpoint = Url::parse(endpoint).map_err(|error| format!("{endpoint}: {error}"))?;
    Ok(Peer { name: name.to_owned(), endpoint, process: process.to_owned() })
}

pub async fn run(api: &Url, args: Args) -> Result<(), Failure> {
    let ours = Peer { name: "ledgerline".into(), endpoint: api.join("cognito")?, process: load::API.into() };
    let mut services = Vec::new();
    for peer in std::iter::once(ours).chain(args.peers.iter().cloned()) {
        println!("{}: a pool, a client and {} confirmed users, each signed in once ...", peer.name, args.users);
        let pool = Arc::new(Pool::create(peer.endpoint.clone(), &args.admin).await?);
        let users = create_users(&pool, args.users, args.load.concurrency).await?;
        services.push(Service { ours: services.is_empty(), peer, pool, users: Arc::new(Rotation::new(users)) });
    }
    let mut table = Table { load: args.load, users: args.users, rounds: args.rounds, rows: Vec::new() };
    for scenario in Scenario::ALL {
        if !args.only.is_empty() && !args.only.iter().any(|key| key == scenario.key()) {
            continue;
        }
        let measured: Vec<&Service> =
            services.iter().filter(|service| service.ours || scenario.peers_run_it()).collect();
        let mut outcomes: Vec<Vec<Outcome>> = measured.iter().map(|_| Vec::new()).collect();
        for round in 1..=args.rounds {
            for (service, outcomes) in measured.iter().zip(&mut outcomes) {
                println!(
                    "measuring {} on {} (round {round} of {}) ...",
                    scenario.name(),
                    service.peer.name,
                    args.rounds
                );
                let call = Call { scenario, pool: Arc::clone(&service.pool), users: Arc::clone(&service.users) };
                let outcome = load::run(args.load, call, &service.peer.process).await;
                if let Some(failure) = &outcome.first_failure {
                    println!("    {} failures, the first: {failure}", outcome.failures);
                }
                outcomes.push(outcome);
            }
        }
        let names = measured.iter().map(|service| service.peer.name.clone());
        table.rows.push((scenario, names.zip(outcomes).collect()));
    }
    table.print();
    Ok(())
}

/// One service under test, set up.
struct Service {
    /// Our api, which comes first, rather than a peer.
    ours: bool,
    peer: Peer,
    pool: Arc<Pool>,
    users: Arc<Rotation<User>>,
}

/// A service's endpoint, the pool and the client the benchmark made there.
pub struct Pool {
    http: reqwest::Client,
    endpoint: Url,
    pool_id: String,
    client: AppClient,
    admin: Credentials,
    region: String,
}

impl Pool {
    /// A pool where users sign in with their email, and a public client allowing password, SRP and refresh
    /// sign-ins, created through the service's own API.
    pub async fn create(endpoint: Url, admin: &Admin) -> Result<Self, Failure> {
        let credentials =
            Credentials::new(&admin.admin_access_key_id, &admin.admin_secret_access_key, None, None, "bench");
        let mut pool = Self {
            http: reqwest::Client::new(),
            endpoint,
            pool_id: String::new(),
            client: AppClient::public(""),
            admin: credentials,
            region: admin.region.clone(),
        };
        let run = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let new_pool = json!({"PoolName": format!("bench-{run}"), "UsernameAttributes": ["email"]});
        pool.pool_id = string_at(&pool.admin("CreateUserPool", &new_pool).await?, "/UserPool/Id")?;
        let flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
        let client = json!({"UserPoolId": pool.pool_id, "ClientName": "bench", "ExplicitAuthFlows": flows});
        pool.client = AppClient::public(string_at(
            &pool.admin("CreateUserPoolClient", &client).await?,
            "/UserPoolClient/ClientId",
        )?);
        Ok(pool)
    }

    /// POSTs one of cognito-client's requests; its JSON answer when 200.
    async fn call<T: Deserialize>(&self, request: &Request<T>) -> Result<Value, Failure> {
        let post = request.headers().into_iter().fold(self.post(), |post, (name, value)| post.header(name, value));
        answer(exchange(post.body(request.body.clone())).await?)
    }

    /// POSTs one of cognito-client's requests and parses the answer as our api gives it.
    async fn send<T: Deserialize>(&self, request: &Request<T>) -> Result<T, Failure> {
        let post = request.headers().into_iter().fold(self.post(), |post, (name, value)| post.header(name, value));
        let (status, error_type, body) = exchange(post.body(request.body.clone())).await?;
        Ok(request.parse_response(status, error_type.as_deref(), &body)?)
    }

    /// An admin operation, SigV4-signed as the AWS SDKs sign it.
    async fn admin(&self, operation: &str, body: &Value) -> Result<Value, Failure> {
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
        answer(exchange(post.body(body)).await?)
    }

    fn post(&self) -> RequestBuilder {
        self.http.post(self.endpoint.clone())
    }

    async fn password_sign_in(&self, username: &str) -> Result<Tokens, Failure> {
        Tokens::from_answer(&self.call(&self.client.initiate_password_auth(username, PASSWORD)).await?)
    }

    async fn srp_sign_in(&self, username: &str) -> Result<(), Failure> {
        let srp = SrpClient::new(&self.pool_id)?;
        let challenge = self.send(&self.client.initiate_srp_auth(username, &srp)).await?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let claim = srp.answer(&challenge.challenge_parameters.unwrap_or_default(), PASSWORD, now)?;
        let answer: AuthResponse =
            self.send(&self.client.respond_password_verifier(&claim, challenge.session.as_deref())).await?;
        answer
            .authentication_result
            .map(drop)
            .ok_or_else(|| format!("a {:?} challenge instead of tokens", answer.challenge_name).into())
    }
}

/// Sends a request; returns the status, the `x-amzn-ErrorType` header and the body.
async fn exchange(post: RequestBuilder) -> Result<(u16, Option<String>, Vec<u8>), reqwest::Error> {
    let response = post.send().await?;
    let status = response.status().as_u16();
    let error_type = response.headers().get("x-amzn-ErrorType").and_then(|value| value.to_str().ok()).map(String::from);
    Ok((status, error_type, response.bytes().await?.to_vec()))
}

/// The JSON of a 200 answer, or the service's error.
fn answer((status, error_type, body): (u16, Option<String>, Vec<u8>)) -> Result<Value, Failure> {
    match status {
        200 => Ok(serde_json::from_slice(&body)?),
        _ => Err(CognitoError::from_response(status, error_type.as_deref(), &body).into()),
    }
}

fn string_at(answer: &Value, pointer: &str) -> Result<String, Failure> {
    answer
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("no {pointer} in {answer}").into())
}

/// The tokens of a sign-in.
#[derive(Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
}

impl Tokens {
    fn from_answer(answer: &Value) -> Result<Self, Failure> {
        let access_token = string_at(answer, "/AuthenticationResult/AccessToken")?;
        let refresh_token =
            answer.pointer("/AuthenticationResult/RefreshToken").and_then(Value::as_str).map(str::to_owned);
        Ok(Self { access_token, refresh_token })
    }
}

/// A confirmed user and the tokens of their first sign-in.
pub struct User {
    username: String,
    pub tokens: Tokens,
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
    pool.call(&pool.client.sign_up(&email, PASSWORD, &[Attribute::new("email", &email)])).await?;
    pool.admin("AdminConfirmSignUp", &json!({"UserPoolId": pool.pool_id, "Username": email})).await?;
    let tokens = pool.password_sign_in(&email).await?;
    Ok(User { username: email, tokens })
}

/// What is measured, and what ours must reach.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Srp,
    Password,
    Refresh,
    GetUser,
}

/// A scenario's target for our api.
enum Target {
    PerSecond(f64),
    /// Times the best peer's rate.
    BestPeerTimes(f64),
}

impl Scenario {
    const ALL: [Self; 4] = [Self::Srp, Self::Password, Self::Refresh, Self::GetUser];

    /// What `--only` calls it.
    fn key(self) -> &'static str {
        match self {
            Self::Srp => "srp",
            Self::Password => "password",
            Self::Refresh => "refresh",
            Self::GetUser => "get-user",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Srp => "SRP sign-in (InitiateAuth + RespondToAuthChallenge)",
            Self::Password => "USER_PASSWORD_AUTH",
            Self::Refresh => "REFRESH_TOKEN_AUTH",
            Self::GetUser => "GetUser",
        }
    }

    /// Issue 14's targets.
    fn target(self) -> Target {
        match self {
            Self::Srp => Target::PerSecond(300.0),
            Self::Password => Target::BestPeerTimes(2.0),
            Self::Refresh => Target::BestPeerTimes(5.0),
            Self::GetUser => Target::BestPeerTimes(3.0),
        }
    }

    /// Neither peer checks SRP's proof (moto accepts any password, cognito-local has no SRP): that one is ours only.
    fn peers_run_it(self) -> bool {
        self != Self::Srp
    }
}

/// One call of a scenario, for the next user.
struct Call {
    scenario: Scenario,
    pool: Arc<Pool>,
    users: Arc<Rotation<User>>,
}

impl Operation for Call {
    async fn call(&self) -> Result<(), Failure> {
        let (pool, user) = (&self.pool, self.users.next());
        match self.scenario {
            Scenario::Srp => pool.srp_sign_in(&user.username).await,
            Scenario::Password => pool.password_sign_in(&user.username).await.map(drop),
            Scenario::Refresh => {
                let refresh_token = user.tokens.refresh_token.as_deref().ok_or("a sign-in without a refresh token")?;
                let refreshed = pool.call(&pool.client.initiate_refresh_auth(refresh_token, &user.username)).await?;
                Tokens::from_answer(&refreshed).map(drop)
            }
            Scenario::GetUser => {
                string_at(&pool.call(&ops::get_user(&user.tokens.access_token)).await?, "/Username").map(drop)
            }
        }
    }
}

/// Each service's name, and what each round measured on it.
type Rounds = Vec<(String, Vec<Outcome>)>;

/// The results, printed as a markdown table: per scenario, each service's median round.
struct Table {
    load: Load,
    users: usize,
    rounds: usize,
    rows: Vec<(Scenario, Rounds)>,
}

impl Table {
    fn print(&self) {
        let Load { concurrency, warmup, duration } = self.load;
        println!(
            "\n{concurrency} concurrent workers, {duration} s measured after {warmup} s of warm-up, {} rounds taking turns, \
             {} users per service, on {}; the load generator runs on the same cores as the services and Postgres. \
             Each row is the round with the median rate, with the range over the rounds.\n",
            self.rounds,
            self.users,
            load::machine()
        );
        println!(
            "| scenario | service | per second | range | × best peer | p50 | p99 | target | failures | CPU: service / Postgres / load generator / other |"
        );
        println!("|---|---|---:|---:|---:|---:|---:|---|---:|---|");
        for (scenario, services) in &self.rows {
            let best_peer = services
                .iter()
                .skip(1)
                .filter_map(|(_, outcomes)| median(outcomes).map(Outcome::per_second))
                .fold(None, |best: Option<f64>, rate| Some(best.map_or(rate, |best| best.max(rate))));
            for (index, (name, outcomes)) in services.iter().enumerate() {
                let Some(outcome) = median(outcomes) else { continue };
                let rate = outcome.per_second();
                let rates = outcomes.iter().map(Outcome::per_second);
                let (low, high) = rates.fold((f64::MAX, 0.0_f64), |(low, high), rate| (low.min(rate), high.max(rate)));
                let ratio = best_peer.map_or("—".to_owned(), |best| format!("{:.2}×", rate / best));
                let target = if index == 0 { verdict(scenario.target(), rate, best_peer) } else { "—".to_owned() };
                let failures: usize = outcomes.iter().map(|outcome| outcome.failures).sum();
                println!(
                    "| {} | {name} | {rate:.0} | {low:.0}–{high:.0} | {ratio} | {} | {} | {target} | {failures} | {} |",
                    scenario.name(),
                    milliseconds(outcome.percentile(0.5)),
                    milliseconds(outcome.percentile(0.99)),
                    outcome.cpu,
                );
            }
        }
    }
}

/// The round with the median rate.
fn median(outcomes: &[Outcome]) -> Option<&Outcome> {
    let mut sorted: Vec<&Outcome> = outcomes.iter().collect();
    sorted.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
    sorted.get(sorted.len() / 2).copied()
}

/// Whether our `rate` meets `target`.
fn verdict(target: Target, rate: f64, best_peer: Option<f64>) -> String {
    let (goal, needed) = match (target, best_peer) {
        (Target::PerSecond(needed), _) => (format!("≥ {needed:.0}/s"), Some(needed)),
        (Target::BestPeerTimes(times), best) => (format!("≥ {times}× best peer"), best.map(|best| best * times)),
    };
    match needed {
        Some(needed) if rate >= needed => format!("{goal}: met"),
        Some(_) => format!("{goal}: **missed**"),
        None => format!("{goal}: no peer measured"),
    }
}

fn milliseconds(duration: std::time::Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}
