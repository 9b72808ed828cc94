//! `cargo xtask bench <name>`: a benchmark of the release api, backed by a throwaway Postgres, on this machine.
//! The load generator (the `bench` crate) runs here too, so it shares the CPUs with the api and Postgres.
//! `cargo xtask bench cognito --peers` also starts the Cognito emulators moto and cognito-local beside the api,
//! for the benchmark to measure them the same way.

use std::{
    env,
    fs::{self, File},
    net::{Ipv4Addr, SocketAddr},
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

use crate::{
    Result,
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
    let api = SocketAddr::from((Ipv4Addr::LOCALHOST, http::free_port()?));
    let mut services = Services::default();
    start_api(&mut services, &cluster, api)?;
    let mut peer_args = Vec::new();
    if let Some(peers) = &peers {
        for (name, endpoint, process) in start_peers(&mut services, peers)? {
            peer_args.extend(["--peer".to_owned(), format!("{name}={endpoint}@{process}")]);
        }
    }
    let bench = workspace::target_dir()?.join("release/bench");
    step(&format!("benchmark `{benchmark}`"), || {
        process::run(
            Command::new(bench)
                .arg(benchmark)
                .args(&args)
                .args(&peer_args)
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
    let moto = SocketAddr::from((Ipv4Addr::LOCALHOST, http::free_port()?));
    let mut moto_server = Command::new(&peers.moto_server);
    moto_server.args(["-H", &moto.ip().to_string(), "-p", &moto.port().to_string()]);
    start_peer(services, &target, "moto", &mut moto_server, moto, "/moto-api/")?;
    let cognito_local = SocketAddr::from((Ipv4Addr::LOCALHOST, http::free_port()?));
    let data = target.join("bench-cognito-local");
    if data.exists() {
        fs::remove_dir_all(&data)?;
    }
    fs::create_dir_all(&data)?;
    let mut node = Command::new(&peers.cognito_local);
    node.current_dir(&data).env("HOST", cognito_local.ip().to_string()).env("PORT", cognito_local.port().to_string());
    start_peer(services, &target, "cognito-local", &mut node, cognito_local, "/health")?;
    // The processes: moto_server is a Python script run by its shebang line; cognito-local runs in node.
    Ok(vec![
        ("moto", format!("http://{moto}/"), "moto_server"),
        ("cognito-local", format!("http://{cognito_local}/"), "node"),
    ])
}

fn start_peer(
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

/// The release api as production runs it (DEV_MODE off, logging at its default level, into a file). The
/// benchmarks make their own pools through its admin operations.
fn start_api(services: &mut Services, cluster: &Cluster, addr: SocketAddr) -> Result {
    let target = workspace::target_dir()?.join("release");
    let log_path = target.join("bench-api.log");
    let log = File::create(&log_path)?;
    let mut api = Command::new(target.join("api"));
    api.current_dir(workspace::root())
        .env("DATABASE_URL", cluster.url("postgres"))
        // The database is thrown away with the run, and the key with it.
        .env("VERIFIER_KEYS", verifier_keys::fresh("bench")?)
        .env("LISTEN_ADDR", addr.to_string())
        .env("PUBLIC_BASE_URL", format!("http://{addr}"))
        .env("DEV_MODE", "false")
        .env("COGNITO_ADMIN_ACCESS_KEY_ID", DEV_ADMIN.0)
        .env("COGNITO_ADMIN_SECRET_ACCESS_KEY", DEV_ADMIN.1)
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log));
    // Postgres runs on this machine: a pool of twice its cores measured best (2 to 4 connections on 2 cores;
    // more backends only contend for the same cores, README, Benchmarks). DB_MAX_CONNECTIONS in the
    // environment wins.
    let connections = env::var("DB_MAX_CONNECTIONS").unwrap_or_else(|_| twice_the_cores().to_string());
    api.env("DB_MAX_CONNECTIONS", &connections);
    say!("    api on http://{addr}, {connections} database connections, log in {}", log_path.display());
    services.spawn("the api (release)", &mut api)?;
    step("waiting for the api to answer /healthz", || {
        services.wait_until("the api", Some(Duration::from_secs(60)), || http::is_ok(addr, "/healthz"))
    })
}

fn twice_the_cores() -> usize {
    2 * std::thread::available_parallelism().map_or(1, |cores| cores.get())
}
