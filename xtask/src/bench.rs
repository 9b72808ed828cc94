//! `cargo xtask bench <name>`: a benchmark of the release api, backed by a throwaway Postgres, on this machine.
//! The load generator (the `bench` crate) runs here too, so it shares the CPUs with the api and Postgres.
//! `cargo xtask bench cognito --peers` also starts the Cognito emulators moto and cognito-local beside the api,
//! for the benchmark to measure them the same way.

use std::{
    env,
    fs::{self, File},
    net::SocketAddr,
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

use crate::{
    Result, cluster,
    dev::DEV_ADMIN,
    dist, http,
    postgres::{Cluster, Server},
    process::{self, Services},
    steps::{say, step},
    test,
    tools::{self, Peers, TestClients},
    verifier_keys, workspace,
};

pub fn run(benchmark: &str, args: &[String]) -> Result {
    if benchmark == "browser" {
        return browser(args);
    }
    let (peers, args) = peers_asked(benchmark, args)?;
    let postgres = Server::find()?;
    step("building the api and the benchmarks (release)", || {
        process::run(
            Command::new("cargo")
                .args(["build", "--release", "-p", "api", "-p", "bench"])
                .current_dir(workspace::root()),
        )
    })?;
    // Dropped (stopped, removed) last, after the api.
    let cluster = Cluster::start_throwaway(&postgres)?;
    let api = http::free_addr()?;
    let apis = Apis { cluster: &cluster, keys: verifier_keys::fresh("bench")?, public: api };
    let mut services = Services::default();
    apis.start(&mut services, "api", api, None)?;
    let mut more_args = Vec::new();
    if let Some(peers) = &peers {
        for (name, endpoint, process) in start_peers(&mut services, peers)? {
            more_args.extend(["--peer".to_owned(), format!("{name}={endpoint}@{process}")]);
        }
    }
    if benchmark == "scale" {
        more_args.extend(start_scale_targets(&mut services, &apis)?);
    }
    let bench = workspace::target_dir()?.join("release/bench");
    step(&format!("benchmark `{benchmark}`"), || {
        process::run(
            Command::new(bench)
                .arg(benchmark)
                .args(&args)
                .args(&more_args)
                .env("BENCH_API", format!("http://{api}"))
                .env("BENCH_DATABASE_URL", cluster.url("postgres"))
                .env("PGBENCH", postgres.program("pgbench"))
                .env("COGNITO_ADMIN_ACCESS_KEY_ID", DEV_ADMIN.0)
                .env("COGNITO_ADMIN_SECRET_ACCESS_KEY", DEV_ADMIN.1),
        )
    })
}

/// `--peers` (for `cognito` only) taken out of `args`: the peers, installed when missing.
fn peers_asked(benchmark: &str, args: &[String]) -> Result<(Option<Peers>, Vec<String>)> {
    let (asked, rest): (Vec<String>, Vec<String>) = args.iter().cloned().partition(|arg| arg == "--peers");
    match (asked.is_empty(), benchmark) {
        (true, _) => Ok((None, rest)),
        (false, "cognito") => Ok((Some(tools::peers()?), rest)),
        (false, other) => Err(format!("--peers is for `cognito`, not `{other}`").into()),
    }
}

/// moto's server mode and cognito-local, each on a free loopback port with its log in `<target>/release`, and
/// cognito-local's data in a fresh `<target>/release/bench-cognito-local/.cognito`. Answers each one's name,
/// endpoint and process command.
fn start_peers(services: &mut Services, peers: &Peers) -> Result<Vec<(&'static str, String, &'static str)>> {
    let target = workspace::target_dir()?.join("release");
    let moto = http::free_addr()?;
    let mut moto_server = Command::new(&peers.moto_server);
    moto_server.args(["-H", &moto.ip().to_string(), "-p", &moto.port().to_string()]);
    start_logged(services, &target, "moto", &mut moto_server, moto, "/moto-api/")?;
    let cognito_local = http::free_addr()?;
    let data = target.join("bench-cognito-local");
    if data.exists() {
        fs::remove_dir_all(&data)?;
    }
    fs::create_dir_all(&data)?;
    let mut node = Command::new(&peers.cognito_local);
    node.current_dir(&data).env("HOST", cognito_local.ip().to_string()).env("PORT", cognito_local.port().to_string());
    start_logged(services, &target, "cognito-local", &mut node, cognito_local, "/health")?;
    // The processes: moto_server is a Python script run by its shebang line; cognito-local runs in node.
    Ok(vec![
        ("moto", format!("http://{moto}/"), "moto_server"),
        ("cognito-local", format!("http://{cognito_local}/"), "node"),
    ])
}

/// `command` as service `name`, logging into `<logs>/bench-<name>.log`, until it answers `health` on `addr`.
fn start_logged(
    services: &mut Services,
    logs: &Path,
    name: &str,
    command: &mut Command,
    addr: SocketAddr,
    health: &str,
) -> Result {
    let log_path = logs.join(format!("bench-{name}.log"));
    let log = File::create(&log_path)?;
    command.stdout(Stdio::from(log.try_clone()?)).stderr(Stdio::from(log));
    say!("    {name} on http://{addr}, log in {}", log_path.display());
    services.spawn(name, command)?;
    step(&format!("waiting for {name} to answer {health}"), || {
        services.wait_until(name, Some(Duration::from_secs(60)), || http::is_ok(addr, health))
    })
}

/// The browser timings (`tests/benches/browser.rs`): the release site served by the api in-process, as
/// `cargo xtask test` serves it, in headless Chromium.
fn browser(args: &[String]) -> Result {
    let tools = tools::setup(TestClients::Required)?;
    let cluster = Cluster::start_throwaway(&tools.postgres)?;
    let site = workspace::target_dir()?.join("site");
    dist::build_site(&tools, &site)?;
    let mut cargo = Command::new("cargo");
    cargo.current_dir(workspace::root()).args(["bench", "-p", "e2e", "--bench", "browser", "--"]).args(args);
    test::e2e_env(&mut cargo, &tools, &cluster, &site);
    step("benchmark `browser`", || process::run(&mut cargo))
}

/// The release apis of a benchmark: on one database, with one verifier key, their tokens all naming
/// the first api's address as their issuer, so that a token works through every way to them.
struct Apis<'a> {
    cluster: &'a Cluster,
    keys: String,
    public: SocketAddr,
}

impl Apis<'_> {
    /// The release api `name` on `addr` as production runs it (DEV_MODE off, logging at its default
    /// level, into `<target>/release/bench-<name>.log`), its requests through the transaction-mode
    /// pooler at `pooler` if given. The benchmarks make their own user pools through its admin operations.
    fn start(&self, services: &mut Services, name: &str, addr: SocketAddr, pooler: Option<SocketAddr>) -> Result {
        let target = workspace::target_dir()?.join("release");
        let mut api = cluster::api_command(&target.join("api"), self.cluster, &self.keys, addr, self.public, pooler);
        let connections = connections()?;
        api.env("DEV_MODE", "false").env("DB_MAX_CONNECTIONS", connections.to_string());
        say!(
            "    {name}: {connections} database connections{}",
            if pooler.is_some() { " through PgBouncer" } else { "" }
        );
        start_logged(services, &target, name, &mut api, addr, "/healthz")
    }
}

/// `bench scale`'s other ways to the api's data, beside the api itself (`direct`): HAProxy in front
/// of it alone, HAProxy in front of it and a second replica, and a third api whose requests'
/// transactions go through PgBouncer in transaction mode (as many server connections as one api's
/// pool holds). Answers them all as `--target name=url` arguments, the direct api first.
fn start_scale_targets(services: &mut Services, apis: &Apis) -> Result<Vec<String>> {
    let (second, one, two, pooled) = (http::free_addr()?, http::free_addr()?, http::free_addr()?, http::free_addr()?);
    apis.start(services, "api-2", second, None)?;
    cluster::start_haproxy(services, "haproxy-1", one, &[apis.public])?;
    cluster::start_haproxy(services, "haproxy-2", two, &[apis.public, second])?;
    let pgbouncer = cluster::start_pgbouncer(services, "pgbouncer", apis.cluster, connections()?)?;
    apis.start(services, "api-pgbouncer", pooled, Some(pgbouncer))?;
    let targets = [("direct", apis.public), ("haproxy-1", one), ("haproxy-2", two), ("pgbouncer", pooled)];
    Ok(targets.iter().flat_map(|(name, addr)| ["--target".to_owned(), format!("{name}=http://{addr}/")]).collect())
}

/// Each api's pool: DB_MAX_CONNECTIONS from the environment, else twice the cores. Postgres runs on this
/// machine: that measured best (2 to 4 connections on 2 cores; more backends only contend for the same
/// cores, docs/performance.md).
fn connections() -> Result<usize> {
    match env::var("DB_MAX_CONNECTIONS") {
        Ok(value) => value.parse().map_err(|_| format!("DB_MAX_CONNECTIONS is not a number: {value}").into()),
        Err(_) => Ok(2 * std::thread::available_parallelism().map_or(1, |cores| cores.get())),
    }
}
