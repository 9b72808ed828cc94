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
//!
//! Identity pools on ours alone: GetId and GetCredentialsForIdentity with each user's ID token, in an
//! identity pool over the benchmark's user pool that the benchmark makes through the api's admin
//! operations ([`crate::identity`]). cognito-local has no identity pools, and moto's check no token
//! and hand every caller the same fixed key, so there is nothing to compare them with.

use std::{
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use aws_credential_types::Credentials;
use cognito_client::{
    AppClient, Attribute, AuthResponse, CognitoError, Request, SrpClient,
    ops::{self, CONTENT_TYPE, TARGET_PREFIX},
};
use miniserde::Deserialize;
use reqwest::{RequestBuilder, Url};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::{
    identity::IdentityPool,
    load::{self, Failure, Load, Operation, Outcome, Rotation},
    sigv4::Signer,
};

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
    /// Measure only these scenarios (srp, password, refresh, get-user, get-id, credentials); all by default.
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
    let chosen: Vec<Scenario> = Scenario::ALL
        .into_iter()
        .filter(|scenario| args.only.is_empty() || args.only.iter().any(|key| key == scenario.key()))
        .collect();
    let mut services = Vec::new();
    for peer in std::iter::once(ours).chain(args.peers.iter().cloned()) {
        println!("{}: a pool, a client and {} confirmed users, each signed in once ...", peer.name, args.users);
        let pool = Arc::new(Pool::create(peer.endpoint.clone(), &args.admin).await?);
        let mut users = create_users(&pool, args.users, args.load.concurrency).await?;
        let ours = services.is_empty();
        let identity = match ours && chosen.iter().any(|scenario| scenario.uses_identity_pool()) {
            true => Some(Arc::new(identity_pool_for(&pool, &api.join("iam")?, &mut users).await?)),
            false => None,
        };
        services.push(Service { ours, peer, pool, identity, users: Arc::new(Rotation::new(users)) });
    }
    let mut table = Table { load: args.load, users: args.users, rounds: args.rounds, rows: Vec::new() };
    for scenario in chosen {
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
                let call = Call {
                    scenario,
                    pool: Arc::clone(&service.pool),
                    identity: service.identity.clone(),
                    users: Arc::clone(&service.users),
                };
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
    /// Ours only, when an identity-pool scenario is measured.
    identity: Option<Arc<IdentityPool>>,
    users: Arc<Rotation<User>>,
}

/// An identity pool over `pool` (its role made at `iam`), and each user's identity in it (GetId).
async fn identity_pool_for(pool: &Pool, iam: &Url, users: &mut [User]) -> Result<IdentityPool, Failure> {
    println!("ledgerline: an IAM role and an identity pool, and each user's identity ...");
    let identity = IdentityPool::create(pool, iam).await?;
    for user in users {
        user.identity_id = Some(identity.get_id(pool, user.id_token()?).await?);
    }
    Ok(identity)
}

/// A service's endpoint, the pool and the client the benchmark made there.
pub struct Pool {
    pub http: reqwest::Client,
    pub endpoint: Url,
    pub pool_id: String,
    pub client: AppClient,
    admin: Credentials,
    pub region: String,
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
        self.signed_call(&self.endpoint, "cognito-idp", &format!("{TARGET_PREFIX}{operation}"), body).await
    }

    /// POSTs a JSON 1.1 operation to `endpoint` (`x-amz-target: target`), signed with the admin
    /// credentials for `service`; its JSON answer when 200.
    pub async fn signed_call(
        &self,
        endpoint: &Url,
        service: &'static str,
        target: &str,
        body: &Value,
    ) -> Result<Value, Failure> {
        let headers = [("content-type", CONTENT_TYPE), ("x-amz-target", target)];
        let body = body.to_string();
        let signed = self.admin_signer(service).sign("POST", endpoint, &headers, body.as_bytes(), SystemTime::now())?;
        answer(exchange(self.http.post(endpoint.clone()).headers(signed).body(body)).await?)
    }

    /// Signs as the admin, in the pool's region.
    pub fn admin_signer(&self, service: &'static str) -> Signer {
        Signer { credentials: self.admin.clone(), service, region: self.region.clone() }
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
pub async fn exchange(post: RequestBuilder) -> Result<(u16, Option<String>, Vec<u8>), reqwest::Error> {
    let response = post.send().await?;
    let status = response.status().as_u16();
    let error_type = response.headers().get("x-amzn-ErrorType").and_then(|value| value.to_str().ok()).map(String::from);
    Ok((status, error_type, response.bytes().await?.to_vec()))
}

/// The JSON of a 200 answer, or the service's error.
pub fn answer((status, error_type, body): (u16, Option<String>, Vec<u8>)) -> Result<Value, Failure> {
    match status {
        200 => Ok(serde_json::from_slice(&body)?),
        _ => Err(CognitoError::from_response(status, error_type.as_deref(), &body).into()),
    }
}

pub fn string_at(answer: &Value, pointer: &str) -> Result<String, Failure> {
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
    /// None where a peer's refresh answers without one.
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
}

impl Tokens {
    fn from_answer(answer: &Value) -> Result<Self, Failure> {
        let access_token = string_at(answer, "/AuthenticationResult/AccessToken")?;
        let id_token = answer.pointer("/AuthenticationResult/IdToken").and_then(Value::as_str).map(str::to_owned);
        let refresh_token =
            answer.pointer("/AuthenticationResult/RefreshToken").and_then(Value::as_str).map(str::to_owned);
        Ok(Self { access_token, id_token, refresh_token })
    }
}

/// A confirmed user and the tokens of their first sign-in.
pub struct User {
    username: String,
    pub tokens: Tokens,
    /// In the identity pool, when one was made.
    identity_id: Option<String>,
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

impl User {
    fn id_token(&self) -> Result<&str, Failure> {
        Ok(self.tokens.id_token.as_deref().ok_or("a sign-in without an ID token")?)
    }
}

async fn create_user(pool: &Pool, email: String) -> Result<User, Failure> {
    pool.call(&pool.client.sign_up(&email, PASSWORD, &[Attribute::new("email", &email)])).await?;
    pool.admin("AdminConfirmSignUp", &json!({"UserPoolId": pool.pool_id, "Username": email})).await?;
    let tokens = pool.password_sign_in(&email).await?;
    Ok(User { username: email, tokens, identity_id: None })
}

/// What is measured, and what ours must reach.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Srp,
    Password,
    Refresh,
    GetUser,
    GetId,
    Credentials,
}

/// A scenario's target for our api.
enum Target {
    PerSecond(f64),
    /// Times the best peer's rate.
    BestPeerTimes(f64),
}

impl Scenario {
    const ALL: [Self; 6] = [Self::Srp, Self::Password, Self::Refresh, Self::GetUser, Self::GetId, Self::Credentials];

    /// What `--only` calls it.
    fn key(self) -> &'static str {
        match self {
            Self::Srp => "srp",
            Self::Password => "password",
            Self::Refresh => "refresh",
            Self::GetUser => "get-user",
            Self::GetId => "get-id",
            Self::Credentials => "credentials",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Srp => "SRP sign-in (InitiateAuth + RespondToAuthChallenge)",
            Self::Password => "USER_PASSWORD_AUTH",
            Self::Refresh => "REFRESH_TOKEN_AUTH",
            Self::GetUser => "GetUser",
            Self::GetId => "GetId (identity pool, with an ID token)",
            Self::Credentials => "GetCredentialsForIdentity (with an ID token)",
        }
    }

    /// Issue 14's targets; issue 15 set none for identity pools.
    fn target(self) -> Option<Target> {
        match self {
            Self::Srp => Some(Target::PerSecond(300.0)),
            Self::Password => Some(Target::BestPeerTimes(2.0)),
            Self::Refresh => Some(Target::BestPeerTimes(5.0)),
            Self::GetUser => Some(Target::BestPeerTimes(3.0)),
            Self::GetId | Self::Credentials => None,
        }
    }

    /// Neither peer checks SRP's proof (moto accepts any password, cognito-local has no SRP), and neither has
    /// identity pools worth the name (see the module's comment): those are ours only.
    fn peers_run_it(self) -> bool {
        !matches!(self, Self::Srp) && !self.uses_identity_pool()
    }

    fn uses_identity_pool(self) -> bool {
        matches!(self, Self::GetId | Self::Credentials)
    }
}

/// One call of a scenario, for the next user.
struct Call {
    scenario: Scenario,
    pool: Arc<Pool>,
    identity: Option<Arc<IdentityPool>>,
    users: Arc<Rotation<User>>,
}

impl Call {
    fn identity_pool(&self) -> Result<&IdentityPool, Failure> {
        Ok(self.identity.as_deref().ok_or("no identity pool")?)
    }
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
            Scenario::GetId => self.identity_pool()?.get_id(pool, user.id_token()?).await.map(drop),
            Scenario::Credentials => {
                let identity_id = user.identity_id.as_deref().ok_or("a user without an identity")?;
                self.identity_pool()?.credentials(pool, identity_id, user.id_token()?).await.map(drop)
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
                .filter_map(|(_, outcomes)| load::median(outcomes).map(Outcome::per_second))
                .fold(None, |best: Option<f64>, rate| Some(best.map_or(rate, |best| best.max(rate))));
            for (index, (name, outcomes)) in services.iter().enumerate() {
                let Some(outcome) = load::median(outcomes) else { continue };
                let rate = outcome.per_second();
                let (low, high) = load::rate_range(outcomes);
                let ratio = best_peer.map_or("—".to_owned(), |best| format!("{:.2}×", rate / best));
                let target = match (index, scenario.target()) {
                    (0, Some(target)) => verdict(target, rate, best_peer),
                    _ => "—".to_owned(),
                };
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

/// The claims of our own fresh token (the api verifies it; here it only names the user and sign-in).
pub fn unverified_claims(token: &str) -> Result<serde_json::Value, Failure> {
    use base64::{Engine, prelude::BASE64_URL_SAFE_NO_PAD};
    let payload = token.split('.').nth(1).ok_or("not a JWT")?;
    Ok(serde_json::from_slice(&BASE64_URL_SAFE_NO_PAD.decode(payload)?)?)
}
