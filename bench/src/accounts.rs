//! `bench accounts`: "children of a node" (a page of 20) through the api — bearer token verified,
//! the request's transaction (one statement) with the caller's identity, row-level security — over
//! 100,000 accounts in one tenant, next to pgbench running the same SQL on the same Postgres.
//!
//! The same load SigV4-signed, as API Gateway's AWS_IAM authorizer takes it: the same user's
//! credentials from an identity pool (GetId, GetCredentialsForIdentity with the ID token), the
//! signature and session token checked and the role's policy evaluated on every request. The two
//! take turns, `--rounds` times, and the ratio of their rates is issue 15's target (SigV4 within
//! 15 % of the JWT). Each page's request is signed once before each SigV4 round and sent again
//! and again (API Gateway accepts a signed request until 5 minutes after its date), so that signing
//! does not take the load generator's share of the cores the api runs on; what signing each request
//! would cost is measured and printed beside.
//!
//! The tree: 250 roots, each with 20 groups, each with 20 accounts (105,250 accounts), written in
//! tree order the way a tenant's accounts accumulate, so each page of children is one index range.

use std::{
    sync::Arc,
    time::{Duration, Instant, SystemTime},
};

use reqwest::{
    Url,
    header::{AUTHORIZATION, HeaderMap, HeaderValue},
};
use sqlx::{Connection, PgConnection};

use crate::{
    cognito,
    identity::IdentityPool,
    load::{self, Failure, Load, Operation, Outcome, Rotation},
    pgbench,
    sigv4::Signer,
};

const ROOTS: i32 = 250;
const FAN_OUT: i32 = 20;
/// How long after its date API Gateway accepts a signed request.
const SIGNATURE_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Issue 15: SigV4 + policy within 15 % of the JWT's throughput.
const SIGV4_TARGET: f64 = 0.85;

/// The api's own statement for a page of children (api/src/accounts/store.rs): one, which opens the
/// request (the caller's sign-in checked, the identity set) and reads the page, for pgbench.
const PGBENCH_SCRIPT: &str = "\\set group random(1, 5000)
SELECT id, tenant_id, parent_id, name, number, currency, balance_minor, status, child_count, \
child_count > 0 AS has_children, rollup AS rolled_up_balance, created_at, updated_at, version \
FROM request_children(:user::uuid, false, :sign_in::uuid, md5('group' || :group)::uuid, NULL, NULL, 21) \
ORDER BY name, id;
";

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub pgbench: pgbench::Program,
    #[command(flatten)]
    pub admin: cognito::Admin,
    /// How many times each way (a JWT and SigV4; `scale`'s targets) is measured, taking turns.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    #[command(flatten)]
    pub load: Load,
}

pub async fn run(api: &Url, args: Args) -> Result<(), Failure> {
    let load = args.load;
    if Duration::from_secs(load.warmup + load.duration) >= SIGNATURE_LIFETIME {
        return Err("a round must end within the 5 minutes a signed request is accepted".into());
    }
    let Seeded { pool, user, groups } = Seeded::create(api, &args.pgbench, &args.admin).await?;
    println!("an IAM role and an identity pool; the user's credentials (GetId, GetCredentialsForIdentity) ...");
    let identities = IdentityPool::create(&pool, &api.join("iam")?).await?;
    let id_token = user.tokens.id_token.as_deref().ok_or("a sign-in without an ID token")?;
    let identity_id = identities.get_id(&pool, id_token).await?;
    let signer = Signer {
        credentials: identities.credentials(&pool, &identity_id, id_token).await?,
        service: "execute-api",
        region: pool.region.clone(),
    };

    // URLs and headers are made before measuring, so that the load generator spends its share of the
    // cores on requests alone.
    let pages = pages(api, &groups)?;
    let with_jwt = with_token(&pages, &user.tokens.access_token)?;
    let (mut jwt, mut sigv4, mut signing) = (Vec::new(), Vec::new(), Duration::ZERO);
    for round in 1..=args.rounds {
        // Turns alternate which goes first, so that neither always follows the other.
        for signed in [round % 2 == 0, round % 2 == 1] {
            let way = if signed { "SigV4-signed" } else { "with a JWT" };
            println!("measuring children of a node through the api, {way} (round {round} of {}) ...", args.rounds);
            let requests = match signed {
                true => {
                    let (requests, took) = sign_each(&signer, &pages)?;
                    signing = took / u32::try_from(pages.len())?;
                    requests
                }
                false => with_jwt.clone(),
            };
            let outcome = measure(load, requests).await;
            let rounds = if signed { &mut sigv4 } else { &mut jwt };
            rounds.push(outcome);
        }
    }
    let direct = pgbench_children(&args.pgbench, &load, &user)?;
    print_table(&args, &jwt, &sigv4, &direct, signing, pages.len());
    Ok(())
}

/// A user of a new user pool, signed in, with the tree in their tenant.
pub struct Seeded {
    pub pool: Arc<cognito::Pool>,
    pub user: cognito::User,
    /// The ids of the nodes whose children are read.
    pub groups: Vec<String>,
}

impl Seeded {
    pub async fn create(api: &Url, pgbench: &pgbench::Program, admin: &cognito::Admin) -> Result<Self, Failure> {
        let pool = Arc::new(cognito::Pool::create(api.join("cognito")?, admin).await?);
        let user = cognito::create_users(&pool, 1, 1).await?.remove(0);
        let sub = claim(&user, "sub")?;
        println!("writing {} accounts into the user's tenant ...", ROOTS + ROOTS * FAN_OUT + ROOTS * FAN_OUT * FAN_OUT);
        let groups = write_tree(&pgbench.database_url, &sub).await?;
        Ok(Self { pool, user, groups })
    }
}

/// A claim of `user`'s access token.
fn claim(user: &cognito::User, name: &str) -> Result<String, Failure> {
    let claims = cognito::unverified_claims(&user.tokens.access_token)?;
    Ok(claims[name].as_str().unwrap_or_default().to_owned())
}

/// The pages of children of `groups`, a page of 20 each, from the api at `api`.
pub fn pages(api: &Url, groups: &[String]) -> Result<Vec<Url>, Failure> {
    let page = |group: &String| api.join(&format!("v1/accounts/{group}/children?limit=20"));
    Ok(groups.iter().map(page).collect::<Result<_, _>>()?)
}

/// Each page's request with `token` as its bearer token.
pub fn with_token(pages: &[Url], token: &str) -> Result<Vec<(Url, HeaderMap)>, Failure> {
    let mut bearer = HeaderValue::try_from(format!("Bearer {token}"))?;
    bearer.set_sensitive(true);
    Ok(pages.iter().map(|page| (page.clone(), HeaderMap::from_iter([(AUTHORIZATION, bearer.clone())]))).collect())
}

/// `requests` sent again and again under `load`, their first failure printed.
pub async fn measure(load: Load, requests: Vec<(Url, HeaderMap)>) -> Outcome {
    let children = Children { http: reqwest::Client::new(), requests: Rotation::new(requests) };
    let outcome = load::run(load, children, load::API).await;
    if let Some(failure) = &outcome.first_failure {
        println!("    {} failures, the first: {failure}", outcome.failures);
    }
    outcome
}

/// pgbench on the api's statement for a page of children, as `user`.
pub fn pgbench_children(
    pgbench: &pgbench::Program,
    load: &Load,
    user: &cognito::User,
) -> Result<pgbench::Rate, Failure> {
    println!("measuring the same SQL with pgbench ...");
    let (sub, sign_in) = (claim(user, "sub")?, claim(user, "origin_jti")?);
    pgbench.run(load, PGBENCH_SCRIPT, &[("user", &sub), ("sign_in", &sign_in)])
}

/// Each page's request signed now with `signer`, and how long signing them all took.
fn sign_each(signer: &Signer, pages: &[Url]) -> Result<(Vec<(Url, HeaderMap)>, Duration), Failure> {
    let started = Instant::now();
    let signed = pages
        .iter()
        .map(|page| Ok((page.clone(), signer.sign("GET", page, &[], b"", SystemTime::now())?)))
        .collect::<Result<_, Failure>>()?;
    Ok((signed, started.elapsed()))
}

fn print_table(
    args: &Args,
    jwt: &[Outcome],
    sigv4: &[Outcome],
    direct: &pgbench::Rate,
    signing: Duration,
    pages: usize,
) {
    let load = args.load;
    println!(
        "\n{} concurrent clients, {} s measured after {} s of warm-up, {} rounds of each way taking turns, on {}; the load \
         generator (and pgbench) share the cores with the api and Postgres. Each row is the round with the median rate, \
         with the range over the rounds.",
        load.concurrency,
        load.duration,
        load.warmup,
        args.rounds,
        load::machine()
    );
    println!(
        "SigV4: each of the {pages} pages' requests signed once before each round, outside the timed loop, and sent again \
         and again (API Gateway accepts a signed request until 5 minutes after its date); signing one request took \
         {:.1} µs of the load generator's CPU here, which signing per request would add on the cores the api shares.\n",
        signing.as_secs_f64() * 1e6
    );
    println!(
        "| children of a node (20 rows) | per second | range | p50 | p99 | target | CPU: api / Postgres / load generator / other |"
    );
    println!("|---|---:|---:|---:|---:|---|---|");
    let ratios: Vec<f64> = jwt.iter().zip(sigv4).map(|(jwt, sigv4)| sigv4.per_second() / jwt.per_second()).collect();
    let ratio = median_of(&ratios);
    if let Some(through_api) = load::median(jwt) {
        let met = through_api.per_second() >= 5000.0 && through_api.percentile(0.99).as_secs_f64() < 0.020;
        let target = format!("≥ 5,000/s, p99 < 20 ms: {}", if met { "met" } else { "**missed**" });
        print_row("api: JWT + transaction + RLS", jwt, through_api, &target);
    }
    if let Some(signed) = load::median(sigv4) {
        let met = if ratio >= SIGV4_TARGET { "met" } else { "**missed**" };
        let target = format!("≥ {:.0} % of the JWT's: {:.0} %, {met}", SIGV4_TARGET * 100.0, ratio * 100.0);
        print_row("api: SigV4 + role policy + transaction + RLS", sigv4, signed, &target);
    }
    println!("| pgbench, same SQL | {:.0} | | — | {:.1} ms | | |", direct.per_second, direct.p99_ms);
    let per_round: Vec<String> = ratios.iter().map(|ratio| format!("{:.0} %", ratio * 100.0)).collect();
    let failures: usize = jwt.iter().chain(sigv4).map(|outcome| outcome.failures).sum();
    println!(
        "\nSigV4 / JWT, round by round: {}; api (JWT) / pgbench: {:.0} %; {failures} failures through the api.",
        per_round.join(", "),
        load::median(jwt).map_or(0.0, |jwt| 100.0 * jwt.per_second() / direct.per_second),
    );
}

pub fn print_row(name: &str, rounds: &[Outcome], median: &Outcome, target: &str) {
    let (low, high) = load::rate_range(rounds);
    println!(
        "| {name} | {:.0} | {low:.0}–{high:.0} | {:.1} ms | {:.1} ms | {target} | {} |",
        median.per_second(),
        median.percentile(0.5).as_secs_f64() * 1000.0,
        median.percentile(0.99).as_secs_f64() * 1000.0,
        median.cpu,
    );
}

pub fn median_of(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// Requests for pages of children, each with its headers (a bearer token, or a signature).
struct Children {
    http: reqwest::Client,
    requests: Rotation<(Url, HeaderMap)>,
}

impl Operation for Children {
    async fn call(&self) -> Result<(), Failure> {
        let (page, headers) = self.requests.next();
        let response = self.http.get(page.clone()).headers(headers.clone()).send().await?;
        if !response.status().is_success() {
            return Err(format!("children answered {}", response.status()).into());
        }
        response.bytes().await?;
        Ok(())
    }
}

/// Writes the tree into the tenant of `user` with the triggers off, then sets the totals they keep,
/// and answers the groups' ids (the nodes whose children are read).
async fn write_tree(database_url: &str, user: &str) -> Result<Vec<String>, Failure> {
    let mut db = PgConnection::connect(database_url).await?;
    let mut tx = db.begin().await?;
    sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *tx).await?;
    let statements = [
        "INSERT INTO accounts (id, tenant_id, name, number, currency) \
         SELECT md5('root' || r)::uuid, t.tenant_id, 'Root ' || lpad(r::text, 3, '0'), 'R' || r, 'EUR' \
         FROM generate_series(1, 250) r, (SELECT tenant_id FROM tenant_members WHERE user_id = $1::uuid) t",
        "INSERT INTO accounts (id, tenant_id, parent_id, name, number, currency) \
         SELECT md5('group' || g)::uuid, t.tenant_id, md5('root' || ((g - 1) / 20 + 1))::uuid, \
                'Group ' || lpad(g::text, 4, '0'), 'G' || g, 'EUR' \
         FROM generate_series(1, 5000) g, (SELECT tenant_id FROM tenant_members WHERE user_id = $1::uuid) t",
        "INSERT INTO accounts (id, tenant_id, parent_id, name, number, currency, balance_minor) \
         SELECT md5('leaf' || l)::uuid, t.tenant_id, md5('group' || ((l - 1) / 20 + 1))::uuid, \
                'Account ' || lpad(l::text, 6, '0'), 'A' || l, 'EUR', l % 100000 \
         FROM generate_series(1, 100000) l, (SELECT tenant_id FROM tenant_members WHERE user_id = $1::uuid) t",
        // What the triggers keep: child counts and, bottom-up, the subtree totals.
        "UPDATE accounts a SET child_count = c.n FROM \
         (SELECT parent_id, count(*)::int AS n FROM accounts WHERE parent_id IS NOT NULL GROUP BY parent_id) c \
         WHERE a.id = c.parent_id",
        "UPDATE accounts SET rollup = jsonb_build_object(currency, balance_minor) WHERE child_count = 0",
        "UPDATE accounts a SET rollup = jsonb_build_object('EUR', s.total) FROM \
         (SELECT parent_id, sum(balance_minor) AS total FROM accounts WHERE number LIKE 'A%' GROUP BY parent_id) s \
         WHERE a.id = s.parent_id",
        "UPDATE accounts a SET rollup = jsonb_build_object('EUR', s.total) FROM \
         (SELECT parent_id, sum((rollup ->> 'EUR')::bigint) AS total FROM accounts WHERE number LIKE 'G%' \
          GROUP BY parent_id) s WHERE a.id = s.parent_id",
    ];
    for statement in statements {
        let query = sqlx::query(sqlx::AssertSqlSafe(statement));
        let query = if statement.contains("$1") { query.bind(user) } else { query };
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    sqlx::query("VACUUM ANALYZE accounts").execute(&mut db).await?;
    let groups: Vec<String> =
        sqlx::query_scalar("SELECT id::text FROM accounts WHERE number LIKE 'G%' ORDER BY number")
            .fetch_all(&mut db)
            .await?;
    Ok(groups)
}
