//! `cargo xtask cluster`: N replicas of the api on one Postgres behind HAProxy (Debian's package),
//! as they would run behind a load balancer, until Ctrl-C; and `cargo xtask fault`: the same with
//! two replicas, under the writes and reads of `bench fault`, while one replica is SIGKILLed and
//! restarted and Postgres restarts. HAProxy retries a request whose connection failed on another
//! replica (`retry-on conn-failure empty-response`, `option redispatch`); a POST that a dying
//! replica had already committed is replayed safely only with an `Idempotency-Key`
//! (docs/scaling.md). Both build the debug api: they show behaviour, not speed.

use std::{
    fs,
    net::{Ipv4Addr, SocketAddr},
    path::Path,
    process::Command,
    thread,
    time::{Duration, Instant},
};

use crate::{
    Result,
    dev::DEV_ADMIN,
    http,
    postgres::{Cluster, Server},
    process::{self, Services},
    steps::{say, step},
    tools, verifier_keys, workspace,
};

/// Replicas behind HAProxy on a throwaway Postgres.
struct Running {
    // Fields drop in order: the replicas and HAProxy stop before Postgres.
    services: Services,
    cluster: Cluster,
    balancer: SocketAddr,
    replicas: Vec<SocketAddr>,
    keys: String,
}

pub fn run(replicas: u16) -> Result {
    let mut running = start(replicas, &["api"])?;
    say!(
        "\n==> {replicas} api replicas behind HAProxy on http://{} (Postgres: {}); Ctrl-C stops everything\n",
        running.balancer,
        running.cluster.url("postgres")
    );
    running.services.supervise()
}

/// The fault test: `bench fault` writes for 14 s; 2 s in, replica 1 is killed (SIGKILL), 2 s
/// later started again, and 2 s after that Postgres restarts.
pub fn fault() -> Result {
    let mut running = start(2, &["api", "bench"])?;
    let started = workspace::target_dir()?.join("cluster/fault-started");
    let _ = fs::remove_file(&started);
    let mut bench = Command::new(workspace::target_dir()?.join("debug/bench"));
    bench
        .arg("fault")
        .env("BENCH_API", format!("http://{}", running.balancer))
        .env("BENCH_DATABASE_URL", running.cluster.url("postgres"))
        .env("COGNITO_ADMIN_ACCESS_KEY_ID", DEV_ADMIN.0)
        .env("COGNITO_ADMIN_SECRET_ACCESS_KEY", DEV_ADMIN.1)
        .env("FAULT_STARTED", &started);
    let mut bench = bench.spawn()?;
    running.services.wait_until("the load to start", Some(Duration::from_secs(300)), || started.exists())?;
    thread::sleep(Duration::from_secs(2));
    step("killing api replica 1 (SIGKILL)", || running.services.kill(&replica_name(0)))?;
    thread::sleep(Duration::from_secs(2));
    running.start_replica(0)?;
    thread::sleep(Duration::from_secs(2));
    running.cluster.restart()?;
    let outcome = bench.wait()?;
    match outcome.success() {
        true => Ok(()),
        false => Err(format!("the fault test failed ({outcome})").into()),
    }
}

fn start(replicas: u16, packages: &[&str]) -> Result<Running> {
    let haproxy = tools::debian_program("haproxy", tools::HAPROXY_VERSION, "haproxy")?;
    let postgres = Server::find()?;
    step(&format!("building {} (debug)", packages.join(" and ")), || {
        let mut cargo = Command::new("cargo");
        cargo.arg("build").current_dir(workspace::root());
        for package in packages {
            cargo.args(["-p", package]);
        }
        process::run(&mut cargo)
    })?;
    let cluster = Cluster::start_throwaway(&postgres)?;
    let balancer = SocketAddr::from((Ipv4Addr::LOCALHOST, http::free_port()?));
    let replicas = (0..replicas)
        .map(|_| Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, http::free_port()?))))
        .collect::<Result<Vec<_>>>()?;
    let mut running = Running {
        services: Services::default(),
        cluster,
        balancer,
        replicas,
        keys: verifier_keys::fresh("cluster-1")?,
    };
    // Started together: the migrations' advisory lock lets one apply them, the others wait.
    for index in 0..running.replicas.len() {
        running.spawn_replica(index)?;
    }
    for index in 0..running.replicas.len() {
        running.wait_for_replica(index)?;
    }
    let config = workspace::target_dir()?.join("cluster/haproxy.cfg");
    write_haproxy_config(&config, balancer, &running.replicas)?;
    running.services.spawn("haproxy", Command::new(haproxy).arg("-db").arg("-f").arg(&config))?;
    step("waiting for HAProxy to answer /healthz", || {
        running.services.wait_until("HAProxy", Some(Duration::from_secs(30)), || http::is_ok(balancer, "/healthz"))
    })?;
    Ok(running)
}

fn replica_name(index: usize) -> String {
    format!("api replica {}", index + 1)
}

impl Running {
    fn spawn_replica(&mut self, index: usize) -> Result {
        let mut api = Command::new(workspace::target_dir()?.join("debug/api"));
        api.env("LISTEN_ADDR", self.replicas[index].to_string())
            .env("DATABASE_URL", self.cluster.url("postgres"))
            .env("VERIFIER_KEYS", &self.keys)
            // Tokens name the address clients use: the balancer's.
            .env("PUBLIC_BASE_URL", format!("http://{}", self.balancer))
            .env("COGNITO_ADMIN_ACCESS_KEY_ID", DEV_ADMIN.0)
            .env("COGNITO_ADMIN_SECRET_ACCESS_KEY", DEV_ADMIN.1)
            .env("RUST_LOG", "warn")
            .env("DEV_MODE", "true");
        self.services.spawn(&replica_name(index), &mut api)
    }

    fn wait_for_replica(&mut self, index: usize) -> Result {
        let addr = self.replicas[index];
        step(&format!("waiting for {} ({addr}) to answer /healthz", replica_name(index)), || {
            self.services.wait_until("a replica", Some(Duration::from_secs(120)), || http::is_ok(addr, "/healthz"))
        })
    }

    fn start_replica(&mut self, index: usize) -> Result {
        let started = Instant::now();
        self.spawn_replica(index)?;
        self.wait_for_replica(index)?;
        say!("    {} is back after {:.1} s", replica_name(index), started.elapsed().as_secs_f64());
        Ok(())
    }
}

/// Round robin over the replicas, each checked every 300 ms (out after 2 failures, back after 2
/// successes). A request whose connection to a replica failed, or got no answer at all, is sent to
/// another (3 tries). Nothing retries a request that timed out: that one may still be running.
pub fn haproxy_config(balancer: SocketAddr, backends: &[SocketAddr]) -> String {
    let servers: String =
        backends.iter().enumerate().map(|(index, addr)| format!("  server api{} {addr} check\n", index + 1)).collect();
    format!(
        "global
  log stderr format short local0 warning

defaults
  mode http
  log global
  timeout connect 1s
  timeout client 30s
  timeout server 35s
  retries 3
  option redispatch
  retry-on conn-failure empty-response

frontend api
  bind {balancer}
  default_backend replicas

backend replicas
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
  default-server inter 300ms fall 2 rise 2
{servers}"
    )
}

fn write_haproxy_config(path: &Path, balancer: SocketAddr, backends: &[SocketAddr]) -> Result {
    fs::create_dir_all(path.parent().ok_or("a config path has a parent")?)?;
    fs::write(path, haproxy_config(balancer, backends))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haproxy_retries_failed_connections_on_another_replica() {
        let config = haproxy_config("127.0.0.1:8000".parse().unwrap(), &["127.0.0.1:8001".parse().unwrap()]);
        assert!(config.contains("retry-on conn-failure empty-response"));
        assert!(config.contains("option redispatch"));
        assert!(config.contains("  server api1 127.0.0.1:8001 check\n"));
        assert!(!config.contains("response-timeout"), "a slow POST must not be sent twice");
    }
}
