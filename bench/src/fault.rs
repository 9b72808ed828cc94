//! `bench fault`: steady writes and reads through a load balancer while `cargo xtask fault` kills a
//! replica with SIGKILL, restarts it and restarts Postgres. Writers create accounts (REST, with an
//! `Idempotency-Key`) and payments (GraphQL, with an `idempotencyKey`) and, as a careful client
//! does, repeat a request that failed with the same key until it is acknowledged. Afterwards every
//! acknowledged write must be there once, nothing else may have been made, and the money must add
//! up; the errors the clients met on the way are reported.

use std::{
    collections::BTreeSet,
    path::PathBuf,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};

use crate::{
    cognito,
    load::Failure,
    payments::{CREATE, Graphql, Money, Settlement, Tree, scramble, write_tree},
};

/// The payments' reference, which tells this run's payments apart.
const REFERENCE: &str = "fault";
/// How long a writer keeps repeating one request before it gives up on it.
const PATIENCE: Duration = Duration::from_secs(60);

#[derive(clap::Args)]
pub struct Args {
    /// The database's owner (to write the accounts and check them), as the api's DATABASE_URL.
    #[arg(long, env = "BENCH_DATABASE_URL", hide_env_values = true)]
    database_url: String,
    #[command(flatten)]
    admin: cognito::Admin,
    /// Seconds of load.
    #[arg(long, default_value_t = 14)]
    seconds: u64,
    #[arg(long, default_value_t = 8)]
    writers: u64,
    /// Created when the load starts, for whoever injects the faults.
    #[arg(long, env = "FAULT_STARTED")]
    started: Option<PathBuf>,
}

/// What the writers saw.
#[derive(Default)]
struct Tally {
    accounts: Mutex<BTreeSet<String>>,
    payments: Mutex<BTreeSet<String>>,
    reads: AtomicU64,
    errors: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Tally {
    fn error(&self, error: &Failure) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.first_error.lock().unwrap().get_or_insert_with(|| error.to_string());
    }
}

struct Writer {
    http: reqwest::Client,
    api: Url,
    bearer: String,
    graphql: Graphql,
    tree: Tree,
    run: u128,
    tally: Tally,
}

pub async fn run(api: &Url, args: Args) -> Result<(), Failure> {
    let pool = Arc::new(cognito::Pool::create(api.join("cognito")?, &args.admin).await?);
    let user = cognito::create_users(&pool, 1, 1).await?.remove(0);
    let claims = cognito::unverified_claims(&user.tokens.access_token)?;
    let mut db = PgConnection::connect(&args.database_url).await?;
    let tree = write_tree(&mut db, claims["sub"].as_str().unwrap_or_default()).await?;
    let before = Money::read(&mut db, &tree.tenant).await?;
    drop(db);
    let writer = Arc::new(Writer {
        http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?,
        api: api.clone(),
        bearer: format!("Bearer {}", user.tokens.access_token),
        graphql: Graphql::new(api, &user.tokens.access_token)?,
        tree,
        run: SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis(),
        tally: Tally::default(),
    });
    println!("{} writers for {} s (accounts, payments and reads, in turn) ...", args.writers, args.seconds);
    if let Some(started) = &args.started {
        std::fs::write(started, "")?;
    }
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let tasks: Vec<_> = (0..args.writers).map(|w| tokio::spawn(Arc::clone(&writer).write_until(w, deadline))).collect();
    for task in tasks {
        task.await??;
    }
    // Postgres restarted under the first connection.
    let mut db = PgConnection::connect(&args.database_url).await?;
    let settlement = Settlement::wait(&mut db, &writer.tree.tenant, REFERENCE).await?;
    let after = Money::read(&mut db, &writer.tree.tenant).await?;
    writer.check(&mut db, &before, &after, &settlement).await
}

impl Writer {
    async fn write_until(self: Arc<Self>, writer: u64, deadline: Instant) -> Result<(), Failure> {
        for n in 0.. {
            if Instant::now() >= deadline {
                break;
            }
            let key = format!("{}-{writer}-{n}", self.run);
            match n % 3 {
                0 => {
                    let id = self.until_acknowledged(|| self.create_account(&key, writer, n)).await?;
                    self.tally.accounts.lock().unwrap().insert(id);
                }
                1 => {
                    let id = self.until_acknowledged(|| self.create_payment(&key)).await?;
                    self.tally.payments.lock().unwrap().insert(id);
                }
                _ => {
                    self.until_acknowledged(|| self.read(&key)).await?;
                    self.tally.reads.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        Ok(())
    }

    /// Repeats `request` (the same request, the same key) until it succeeds.
    async fn until_acknowledged<F: Future<Output = Result<String, Failure>>>(
        &self,
        request: impl Fn() -> F,
    ) -> Result<String, Failure> {
        let started = Instant::now();
        loop {
            match request().await {
                Ok(answer) => return Ok(answer),
                Err(error) if started.elapsed() < PATIENCE => {
                    self.tally.error(&error);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => return Err(format!("a request failed for {PATIENCE:?}: {error}").into()),
            }
        }
    }

    /// A new account (balance 0, so the money stays) under one of the tree's groups.
    async fn create_account(&self, key: &str, writer: u64, n: u64) -> Result<String, Failure> {
        let parent = self.parent(n);
        let body = json!({ "name": format!("Fault {writer}-{n}"), "number": format!("F{writer}-{n}"),
                           "currency": "EUR", "parentId": parent });
        let response = self
            .http
            .post(self.api.join("v1/accounts")?)
            .header("authorization", &self.bearer)
            .header("idempotency-key", key)
            .json(&body)
            .send()
            .await?;
        let status = response.status();
        let answer: Value = response.json().await?;
        match (status, answer["id"].as_str()) {
            (StatusCode::CREATED, Some(id)) => Ok(id.to_owned()),
            _ => Err(format!("POST /v1/accounts answered {status}: {answer}").into()),
        }
    }

    async fn create_payment(&self, key: &str) -> Result<String, Failure> {
        let leaves = &self.tree.leaves;
        let random = scramble(key.len() as u64 ^ self.run as u64 ^ fnv(key));
        let from = random % leaves.len() as u64;
        let to = (from + 1 + (random >> 20) % (leaves.len() as u64 - 1)) % leaves.len() as u64;
        let input = json!({
            "fromAccount": leaves[from as usize], "toAccount": leaves[to as usize],
            "amount": { "amount": "1.00", "currency": "EUR" }, "dueDate": self.tree.today, "reference": REFERENCE,
        });
        let data = self.graphql.call(CREATE, json!({ "input": input, "key": key })).await?;
        data.pointer("/createPayment/id").and_then(Value::as_str).map(str::to_owned).ok_or_else(|| "no id".into())
    }

    async fn read(&self, key: &str) -> Result<String, Failure> {
        let parent = self.parent(fnv(key));
        let url = self.api.join(&format!("v1/accounts/{parent}/children?limit=20"))?;
        let response = self.http.get(url).header("authorization", &self.bearer).send().await?;
        match response.status() {
            StatusCode::OK => Ok(String::new()),
            status => Err(format!("GET children answered {status}").into()),
        }
    }

    /// A leaf's parent: one of the tree's groups.
    fn parent(&self, n: u64) -> String {
        self.tree.groups[(scramble(n) % self.tree.groups.len() as u64) as usize].clone()
    }

    async fn check(
        &self,
        db: &mut PgConnection,
        before: &Money,
        after: &Money,
        settlement: &Settlement,
    ) -> Result<(), Failure> {
        let tenant = &self.tree.tenant;
        let accounts: BTreeSet<String> =
            sqlx::query_scalar("SELECT id::text FROM accounts WHERE tenant_id = $1::uuid AND number LIKE 'F%'")
                .bind(tenant)
                .fetch_all(&mut *db)
                .await?
                .into_iter()
                .collect();
        let payments: BTreeSet<String> =
            sqlx::query_scalar("SELECT id::text FROM payments WHERE tenant_id = $1::uuid AND reference = $2")
                .bind(tenant)
                .bind(REFERENCE)
                .fetch_all(&mut *db)
                .await?
                .into_iter()
                .collect();
        let acknowledged = (self.tally.accounts.lock().unwrap().clone(), self.tally.payments.lock().unwrap().clone());
        let mut wrong = Vec::new();
        for (what, acked, stored) in
            [("accounts", &acknowledged.0, &accounts), ("payments", &acknowledged.1, &payments)]
        {
            let missing = acked.difference(stored).count();
            let extra = stored.difference(acked).count();
            println!(
                "{what}: {} acknowledged, {} stored, {missing} missing, {extra} made but never acknowledged",
                acked.len(),
                stored.len()
            );
            if missing + extra > 0 {
                wrong.push(format!("{what}: {missing} missing, {extra} duplicated"));
            }
        }
        println!(
            "reads: {}; errors the clients met (each repeated with its key until acknowledged): {}{}",
            self.tally.reads.load(Ordering::Relaxed),
            self.tally.errors.load(Ordering::Relaxed),
            self.tally.first_error.lock().unwrap().as_deref().map(|e| format!(", the first: {e}")).unwrap_or_default()
        );
        println!("payments settled: {}", settlement.settled);
        if let Err(error) = after.check(before, settlement) {
            wrong.push(error.to_string());
        }
        match wrong.is_empty() {
            true => Ok(()),
            false => Err(wrong.join("; ").into()),
        }
    }
}

/// A stable hash of a key (FNV-1a), to pick accounts from it.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}
