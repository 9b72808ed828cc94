//! `bench payments`: payments created through the GraphQL api and settled by the api's settlement
//! worker, between random accounts of one organisation and between two hot accounts; then
//! `listPayments` pages, next to pgbench running the same SQL. After each settlement run the
//! money is checked: the tenant's sum unchanged, no account overdrawn, every rolled-up balance the
//! sum of its subtree, the ledger balanced with two entries per settled payment.
//!
//! The organisation is the user's personal one: nobody else may approve there, so each payment is
//! approved when created and, due today, settled at once. The tree: 10 roots of 10 groups of 10
//! accounts (1,000 leaves, €1,000,000.00 each) and two hot root accounts, with a year's history of
//! 20,000 settled payments between the leaves.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use reqwest::{Url, header::HeaderValue};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};

use crate::{
    cognito,
    load::{self, Failure, Load, Operation, Outcome},
    pgbench,
};

const LEAVES: i64 = 1000;
/// Issue 23's targets: settled payments per second, spread and on two hot accounts; pages per second.
const SPREAD_TARGET: f64 = 1000.0;
const HOT_TARGET: f64 = 500.0;
const LIST_TARGET: f64 = 3000.0;
/// How long settlement may take to catch up after the load ends.
pub(crate) const SETTLE_WAIT: Duration = Duration::from_secs(300);

pub(crate) const CREATE: &str = "mutation Create($input: CreatePaymentInput!, $key: String) { \
     createPayment(input: $input, idempotencyKey: $key) { id status } }";
const LIST: &str = "query List($filter: ModelPaymentFilterInput) { listPayments(filter: $filter, limit: 20) { \
     items { id amount { amount currency } dueDate fromAccount toAccount status reference createdAt version } \
     nextToken } }";

/// The api's statements for a page of one account's payments (api/src/payments/store.rs, as
/// `listPayments(filter: {fromAccount: {eq: ...}}, limit: 20)` builds it), for pgbench.
const PGBENCH_LIST: &str = "\\set n random(1, 1000)
BEGIN;
SELECT tenants, roles FROM begin_request(:user::uuid, false, :sign_in::uuid, NULL);
SELECT tenant_id, id, amount_minor, currency, exponent, due_date, from_account_id, to_account_id, counterparty_name, \
counterparty_iban, message, type, status, reference, failure_reason, created_by, approved_by, created_at, updated_at, \
version FROM payments WHERE true AND tenant_id = :tenant::uuid AND (true AND from_account_id = md5(:tenant::text || 'leaf' || :n)::uuid) \
ORDER BY created_at DESC, id DESC LIMIT 21;
ROLLBACK;
";

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pgbench: pgbench::Program,
    #[command(flatten)]
    admin: cognito::Admin,
    #[command(flatten)]
    load: Load,
}

pub async fn run(api: &Url, args: Args) -> Result<(), Failure> {
    let pool = Arc::new(cognito::Pool::create(api.join("cognito")?, &args.admin).await?);
    let user = cognito::create_users(&pool, 1, 1).await?.remove(0);
    let claims = cognito::unverified_claims(&user.tokens.access_token)?;
    let (sub, sign_in) =
        (claims["sub"].as_str().unwrap_or_default(), claims["origin_jti"].as_str().unwrap_or_default());
    let mut db = PgConnection::connect(&args.pgbench.database_url).await?;
    println!(
        "writing {} accounts and a history of 20,000 payments into the user's organisation ...",
        LEAVES + LEAVES / 10 + LEAVES / 100 + 2
    );
    let tree = write_tree(&mut db, sub).await?;
    let before = Money::read(&mut db, &tree.tenant).await?;
    let graphql = Graphql::new(api, &user.tokens.access_token)?;
    let run = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();

    let mut settled = Vec::new();
    for (scenario, accounts) in [("spread", &tree.leaves), ("hot", &tree.hot)] {
        println!("creating payments between {scenario} accounts; the settlement worker settles them ...");
        let create = Create {
            graphql: graphql.clone(),
            accounts: accounts.clone(),
            due: tree.today.clone(),
            scenario,
            keys: format!("{run}-{scenario}"),
            count: AtomicU64::new(0),
        };
        let created = load::run(args.load, create, load::API).await;
        report_failures(&created);
        let settlement = Settlement::wait(&mut db, &tree.tenant, scenario).await?;
        let after = Money::read(&mut db, &tree.tenant).await?;
        after.check(&before, &settlement)?;
        settled.push((scenario, created, settlement));
    }
    println!("measuring listPayments, pages of one account's payments ...");
    let list = List { graphql, accounts: tree.leaves.clone(), count: AtomicU64::new(0) };
    let listed = load::run(args.load, list, load::API).await;
    report_failures(&listed);
    println!("measuring the same SQL with pgbench ...");
    let defines = [("user", sub), ("sign_in", sign_in), ("tenant", tree.tenant.as_str())];
    let direct = args.pgbench.run(&args.load, PGBENCH_LIST, &defines)?;
    print_table(&args.load, &settled, &listed, &direct);
    Ok(())
}

fn report_failures(outcome: &Outcome) {
    if let Some(failure) = &outcome.first_failure {
        println!("    {} failures, the first: {failure}", outcome.failures);
    }
}

fn print_table(load: &Load, settled: &[(&str, Outcome, Settlement)], listed: &Outcome, direct: &pgbench::Rate) {
    println!(
        "\n{} concurrent clients, {} s measured after {} s of warm-up, on {}; the load generator (and pgbench) share \
         the cores with the api and Postgres. Settled per second: the payments of the run (warm-up included) over \
         the time from the first one's creation to the last one's settlement, by the database's clock.\n",
        load.concurrency,
        load.duration,
        load.warmup,
        load::machine()
    );
    println!(
        "| payments | created/s | create p50 | create p99 | settled/s | target | failed | CPU: api / Postgres / load generator / other |"
    );
    println!("|---|---:|---:|---:|---:|---|---:|---|");
    for (scenario, created, settlement) in settled {
        let target = if *scenario == "hot" { HOT_TARGET } else { SPREAD_TARGET };
        let met = if settlement.per_second() >= target { "met" } else { "**missed**" };
        println!(
            "| {} | {:.0} | {:.1} ms | {:.1} ms | {:.0} ({} in {:.1} s) | ≥ {target:.0}/s: {met} | {} | {} |",
            if *scenario == "hot" { "two hot accounts" } else { "1,000 accounts" },
            created.per_second(),
            created.percentile(0.5).as_secs_f64() * 1000.0,
            created.percentile(0.99).as_secs_f64() * 1000.0,
            settlement.per_second(),
            settlement.settled,
            settlement.seconds,
            settlement.failed,
            created.cpu,
        );
    }
    let met = if listed.per_second() >= LIST_TARGET { "met" } else { "**missed**" };
    println!(
        "\n| listPayments (an account's newest 20) | per second | p50 | p99 | target | CPU: api / Postgres / load generator / other |"
    );
    println!("|---|---:|---:|---:|---|---|");
    println!(
        "| api: JWT + GraphQL + transaction + RLS | {:.0} | {:.1} ms | {:.1} ms | ≥ {LIST_TARGET:.0}/s: {met} | {} |",
        listed.per_second(),
        listed.percentile(0.5).as_secs_f64() * 1000.0,
        listed.percentile(0.99).as_secs_f64() * 1000.0,
        listed.cpu
    );
    println!("| pgbench, same SQL | {:.0} | | {:.1} ms | | |", direct.per_second, direct.p99_ms);
    let failures: usize = settled.iter().map(|(_, created, _)| created.failures).sum::<usize>() + listed.failures;
    println!(
        "\napi / pgbench for listPayments: {:.0} %; {failures} failed requests; the money checked after each run.",
        100.0 * listed.per_second() / direct.per_second
    );
}

/// The GraphQL endpoint with the user's token.
#[derive(Clone)]
pub(crate) struct Graphql {
    http: reqwest::Client,
    url: Url,
    authorization: HeaderValue,
}

impl Graphql {
    pub(crate) fn new(api: &Url, token: &str) -> Result<Self, Failure> {
        let mut authorization = HeaderValue::try_from(format!("Bearer {token}"))?;
        authorization.set_sensitive(true);
        Ok(Self { http: reqwest::Client::new(), url: api.join("graphql")?, authorization })
    }

    /// The `data` of an answer without errors.
    pub(crate) async fn call(&self, query: &str, variables: Value) -> Result<Value, Failure> {
        let response = self
            .http
            .post(self.url.clone())
            .header(reqwest::header::AUTHORIZATION, self.authorization.clone())
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await?;
        let status = response.status();
        let mut answer: Value = response.json().await?;
        if !status.is_success() || answer.get("errors").is_some() {
            return Err(format!("GraphQL answered {status}: {answer}").into());
        }
        Ok(answer["data"].take())
    }
}

/// `n`'s pseudo-random image (splitmix64): which accounts and amount the n-th payment has.
pub(crate) fn scramble(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Creates payments due today between two different accounts of `accounts`, each with its own
/// idempotency key, as a client that may retry would.
struct Create {
    graphql: Graphql,
    accounts: Vec<String>,
    due: String,
    scenario: &'static str,
    keys: String,
    count: AtomicU64,
}

impl Operation for Create {
    async fn call(&self) -> Result<(), Failure> {
        let n = self.count.fetch_add(1, Ordering::Relaxed);
        let random = scramble(n);
        let len = self.accounts.len() as u64;
        let from = random % len;
        let to = (from + 1 + (random >> 20) % (len - 1)) % len;
        let cents = 1 + (random >> 40) % 10_000;
        let input = json!({
            "fromAccount": self.accounts[from as usize],
            "toAccount": self.accounts[to as usize],
            "amount": { "amount": format!("{}.{:02}", cents / 100, cents % 100), "currency": "EUR" },
            "dueDate": self.due,
            "reference": self.scenario,
        });
        let data = self.graphql.call(CREATE, json!({ "input": input, "key": format!("{}-{n}", self.keys) })).await?;
        match data.pointer("/createPayment/status").and_then(Value::as_str) {
            Some("APPROVED" | "SETTLED") => Ok(()),
            other => Err(format!("a payment was created {other:?}, not approved").into()),
        }
    }
}

/// Reads the newest page of one account's payments.
struct List {
    graphql: Graphql,
    accounts: Vec<String>,
    count: AtomicU64,
}

impl Operation for List {
    async fn call(&self) -> Result<(), Failure> {
        let random = scramble(self.count.fetch_add(1, Ordering::Relaxed));
        let account = &self.accounts[(random % self.accounts.len() as u64) as usize];
        let filter = json!({ "fromAccount": { "eq": account } });
        self.graphql.call(LIST, json!({ "filter": filter })).await?;
        Ok(())
    }
}

/// The organisation's accounts, as the bench made them.
pub(crate) struct Tree {
    pub(crate) tenant: String,
    pub(crate) leaves: Vec<String>,
    pub(crate) groups: Vec<String>,
    hot: Vec<String>,
    /// The database's date, which settlement compares due dates with.
    pub(crate) today: String,
}

/// Writes the accounts into the personal organisation of `user` with the triggers off, then sets
/// the totals they keep.
pub(crate) async fn write_tree(db: &mut PgConnection, user: &str) -> Result<Tree, Failure> {
    let tenant: String = sqlx::query_scalar("SELECT tenant_id::text FROM tenant_members WHERE user_id = $1::uuid")
        .bind(user)
        .fetch_one(&mut *db)
        .await?;
    let mut tx = db.begin().await?;
    sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *tx).await?;
    let statements = [
        "INSERT INTO accounts (id, tenant_id, name, number, currency) \
         SELECT md5($1 || 'root' || r)::uuid, $1::uuid, 'Root ' || r, 'R' || r, 'EUR' FROM generate_series(1, 10) r",
        "INSERT INTO accounts (id, tenant_id, parent_id, name, number, currency) \
         SELECT md5($1 || 'group' || g)::uuid, $1::uuid, md5($1 || 'root' || ((g - 1) / 10 + 1))::uuid, \
                'Group ' || g, 'G' || g, 'EUR' FROM generate_series(1, 100) g",
        "INSERT INTO accounts (id, tenant_id, parent_id, name, number, currency, balance_minor) \
         SELECT md5($1 || 'leaf' || l)::uuid, $1::uuid, md5($1 || 'group' || ((l - 1) / 10 + 1))::uuid, \
                'Account ' || l, 'A' || l, 'EUR', 100000000 FROM generate_series(1, 1000) l",
        "INSERT INTO accounts (id, tenant_id, name, number, currency, balance_minor) \
         SELECT md5($1 || 'hot' || h)::uuid, $1::uuid, 'Hot ' || h, 'HOT' || h, 'EUR', 1000000000000 \
         FROM generate_series(1, 2) h",
        "UPDATE accounts a SET child_count = c.n FROM \
         (SELECT parent_id, count(*)::int AS n FROM accounts WHERE tenant_id = $1::uuid AND parent_id IS NOT NULL \
          GROUP BY parent_id) c WHERE a.id = c.parent_id",
        "UPDATE accounts SET rollup = jsonb_build_object(currency, balance_minor) \
         WHERE tenant_id = $1::uuid AND child_count = 0",
        "UPDATE accounts a SET rollup = jsonb_build_object('EUR', s.total) FROM \
         (SELECT parent_id, sum(balance_minor) AS total FROM accounts WHERE tenant_id = $1::uuid AND number LIKE 'A%' \
          GROUP BY parent_id) s WHERE a.id = s.parent_id",
        "UPDATE accounts a SET rollup = jsonb_build_object('EUR', s.total) FROM \
         (SELECT parent_id, sum((rollup ->> 'EUR')::bigint) AS total FROM accounts \
          WHERE tenant_id = $1::uuid AND number LIKE 'G%' GROUP BY parent_id) s WHERE a.id = s.parent_id",
    ];
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement)).bind(&tenant).execute(&mut *tx).await?;
    }
    for statement in HISTORY {
        sqlx::query(sqlx::AssertSqlSafe(statement)).bind(&tenant).bind(user).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    // The planner's statistics, as autovacuum keeps them in a running system (in a fresh database,
    // plans made for empty tables pick the wrong indexes).
    sqlx::query("VACUUM ANALYZE").execute(&mut *db).await?;
    let leaves = account_ids(db, &tenant, "A").await?;
    let groups = account_ids(db, &tenant, "G").await?;
    let hot = account_ids(db, &tenant, "HOT").await?;
    let today = sqlx::query_scalar("SELECT current_date::text").fetch_one(&mut *db).await?;
    Ok(Tree { tenant, leaves, groups, hot, today })
}

/// A year of settled payments between the leaves, 20 from each, with their ledger
/// entries (the leaves' opening balances include them): tables the size of a running system's.
const HISTORY: [&str; 2] = [
    "INSERT INTO payments (tenant_id, id, amount_minor, currency, exponent, due_date, from_account_id, to_account_id, \
                           type, status, reference, created_by, created_at, updated_at, settled_at, version) \
     SELECT $1::uuid, md5($1 || 'history' || n)::uuid, 100 + n % 9900, 'EUR', 2, current_date - n % 365, \
            md5($1 || 'leaf' || (n % 1000 + 1))::uuid, md5($1 || 'leaf' || ((n + 1 + n / 1000) % 1000 + 1))::uuid, \
            'DOMESTIC', 'SETTLED', 'history', $2::uuid, t, t, t, 2 \
     FROM generate_series(1, 20000) n, LATERAL (SELECT now() - (n % 365) * interval '1 day' AS t) at",
    "INSERT INTO ledger_entries (tenant_id, payment_id, account_id, amount_minor, currency, balance_after, created_at) \
     SELECT p.tenant_id, p.id, leg.account_id, leg.amount_minor, 'EUR', \
            100000000 - sum(leg.amount_minor) OVER (PARTITION BY leg.account_id) \
                + sum(leg.amount_minor) OVER (PARTITION BY leg.account_id ORDER BY p.settled_at, p.id, leg.amount_minor), \
            p.settled_at \
     FROM payments p CROSS JOIN LATERAL (VALUES (p.from_account_id, -p.amount_minor), (p.to_account_id, p.amount_minor)) \
          leg (account_id, amount_minor) \
     WHERE p.tenant_id = $1::uuid AND p.reference = 'history' ORDER BY p.settled_at, p.id, leg.amount_minor",
];

/// The ids of the accounts numbered `prefix` and digits, in order.
async fn account_ids(db: &mut PgConnection, tenant: &str, prefix: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id::text FROM accounts WHERE tenant_id = $1::uuid AND number ~ ('^' || $2 || '[0-9]+$') ORDER BY number",
    )
    .bind(tenant)
    .bind(prefix)
    .fetch_all(db)
    .await
}

/// How a run's payments settled.
pub(crate) struct Settlement {
    pub(crate) settled: i64,
    failed: i64,
    /// From the first payment's creation to the last one's settlement.
    seconds: f64,
    ledger_entries: i64,
    ledger_sum: i64,
}

impl Settlement {
    /// Waits until no payment of `scenario` is left to settle.
    pub(crate) async fn wait(db: &mut PgConnection, tenant: &str, scenario: &str) -> Result<Self, Failure> {
        let deadline = Instant::now() + SETTLE_WAIT;
        loop {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM payments WHERE tenant_id = $1::uuid AND reference = $2 AND status = 'APPROVED'",
            )
            .bind(tenant)
            .bind(scenario)
            .fetch_one(&mut *db)
            .await?;
            if waiting == 0 {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("{waiting} payments still unsettled after {SETTLE_WAIT:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (settled, failed, seconds, ledger_entries, ledger_sum) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE p.status = 'SETTLED'), count(*) FILTER (WHERE p.status = 'FAILED'), \
                    coalesce(extract(epoch FROM max(p.settled_at) - min(p.created_at))::float8, 0), \
                    (SELECT count(*) FROM ledger_entries e JOIN payments q ON (q.tenant_id, q.id) = (e.tenant_id, e.payment_id) \
                     WHERE q.tenant_id = $1::uuid AND q.reference = $2), \
                    (SELECT coalesce(sum(e.amount_minor), 0)::int8 FROM ledger_entries e \
                     JOIN payments q ON (q.tenant_id, q.id) = (e.tenant_id, e.payment_id) \
                     WHERE q.tenant_id = $1::uuid AND q.reference = $2) \
             FROM payments p WHERE p.tenant_id = $1::uuid AND p.reference = $2",
        )
        .bind(tenant)
        .bind(scenario)
        .fetch_one(&mut *db)
        .await?;
        Ok(Self { settled, failed, seconds, ledger_entries, ledger_sum })
    }

    fn per_second(&self) -> f64 {
        if self.seconds > 0.0 { self.settled as f64 / self.seconds } else { 0.0 }
    }
}

/// What must hold of the organisation's money whatever payments settled inside it.
#[derive(PartialEq, Eq)]
pub(crate) struct Money {
    total: i64,
    overdrawn: i64,
    /// Accounts whose rolled-up balance is not their own plus their children's.
    rollups_off: i64,
}

impl Money {
    pub(crate) async fn read(db: &mut PgConnection, tenant: &str) -> Result<Self, Failure> {
        let (total, overdrawn, rollups_off) = sqlx::query_as(
            "SELECT sum(a.balance_minor)::int8, count(*) FILTER (WHERE a.balance_minor < 0 AND NOT a.allow_overdraft), \
                    count(*) FILTER (WHERE coalesce((a.rollup ->> a.currency)::bigint, 0) <> a.balance_minor + \
                        coalesce((SELECT sum((c.rollup ->> c.currency)::bigint) FROM accounts c \
                                  WHERE c.tenant_id = a.tenant_id AND c.parent_id = a.id), 0)) \
             FROM accounts a WHERE a.tenant_id = $1::uuid",
        )
        .bind(tenant)
        .fetch_one(&mut *db)
        .await?;
        Ok(Self { total, overdrawn, rollups_off })
    }

    pub(crate) fn check(&self, before: &Self, settlement: &Settlement) -> Result<(), Failure> {
        let mut wrong = Vec::new();
        if self.total != before.total {
            wrong.push(format!("the sum of balances moved from {} to {}", before.total, self.total));
        }
        if self.overdrawn > 0 || self.rollups_off > 0 {
            wrong.push(format!("{} accounts overdrawn, {} rollups wrong", self.overdrawn, self.rollups_off));
        }
        if settlement.ledger_entries != 2 * settlement.settled || settlement.ledger_sum != 0 {
            wrong.push(format!(
                "{} ledger entries summing to {} for {} settled payments",
                settlement.ledger_entries, settlement.ledger_sum, settlement.settled
            ));
        }
        match wrong.is_empty() {
            true => Ok(()),
            false => Err(format!("the money does not add up: {}", wrong.join("; ")).into()),
        }
    }
}
