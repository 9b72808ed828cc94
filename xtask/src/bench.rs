//! `cargo xtask bench <name>`: a benchmark of the release api, backed by a throwaway Postgres, on this machine.
//! The load generator (the `bench` crate) runs here too, so it shares the CPUs with the api and Postgres.

use std::{
    env,
    fs::File,
    net::{Ipv4Addr, SocketAddr},
    process::{Command, Stdio},
    time::Duration,
};

use crate::{
    Result,
    dev::{DEV_ADMIN, DEV_POOLS},
    dist, http,
    postgres::{Cluster, Server},
    process::{self, Services},
    steps::{say, step},
    test,
    tools::{self, TestClients},
    workspace,
};

pub fn run(benchmark: &str, args: &[String]) -> Result {
    if benchmark == "browser" {
        return browser(args);
    }
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
    let bench = workspace::target_dir()?.join("release/bench");
    step(&format!("benchmark `{benchmark}`"), || {
        process::run(
            Command::new(bench)
                .arg(benchmark)
                .args(args)
                .env("BENCH_API", format!("http://{api}"))
                .env("BENCH_DATABASE_URL", cluster.url("postgres"))
                .env("PGBENCH", postgres.program("pgbench"))
                .env("COGNITO_ADMIN_ACCESS_KEY_ID", DEV_ADMIN.0)
                .env("COGNITO_ADMIN_SECRET_ACCESS_KEY", DEV_ADMIN.1),
        )
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

/// The release api as production runs it (DEV_MODE off, logging at its default level, into a file) with the dev
/// pools, whose clients the benchmarks sign in through.
fn start_api(services: &mut Services, cluster: &Cluster, addr: SocketAddr) -> Result {
    let target = workspace::target_dir()?.join("release");
    let log_path = target.join("bench-api.log");
    let log = File::create(&log_path)?;
    let mut api = Command::new(target.join("api"));
    api.current_dir(workspace::root())
        .env("DATABASE_URL", cluster.url("postgres"))
        .env("LISTEN_ADDR", addr.to_string())
        .env("PUBLIC_BASE_URL", format!("http://{addr}"))
        .env("COGNITO_BOOTSTRAP", workspace::root().join(DEV_POOLS))
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
