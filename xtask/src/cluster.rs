//! `cargo xtask cluster`: N replicas of the api on one Postgres behind HAProxy (Debian's package),
//! as they would run behind a load balancer, until Ctrl-C; and `cargo xtask fault`: the same with
//! two replicas, under the writes and reads of `bench fault`, while one replica is SIGKILLed and
//! restarted and Postgres restarts. HAProxy retries a request whose connection failed on another
//! replica (`retry-on conn-failure empty-response`, `option redispatch`); a POST that a dying
//! replica had already committed is replayed safely only with an `Idempotency-Key`
//! (docs/scaling.md). Both build the debug api: they show behaviour, not speed.

use std::{
    fs,
    net::SocketAddr,
    path::Path,
    process::{Command, Stdio},
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
    /// PgBouncer, when the replicas' requests go through it.
    pooler: Option<SocketAddr>,
}

/// How many server connections PgBouncer keeps for all the replicas: what one replica's pool holds by
/// default (DB_MAX_CONNECTIONS).
const POOLER_CONNECTIONS: usize = 10;

pub fn run(replicas: u16, pgbouncer: bool) -> Result {
    let mut running = start(replicas, &["api"], pgbouncer)?;
    let through = running.pooler.map(|pooler| format!(", their requests through PgBouncer on {pooler}"));
    say!(
        "\n==> {replicas} api replicas behind HAProxy on http://{}{} (Postgres: {}); Ctrl-C stops everything\n",
        running.balancer,
        through.unwrap_or_default(),
        running.cluster.url("postgres")
    );
    running.services.supervise()
}

/// The fault test: `bench fault` writes for 14 s; 2 s in, replica 1 is killed (SIGKILL), 2 s
/// later started again, and 2 s after that Postgres restarts.
pub fn fault() -> Result {
    let mut running = start(2, &["api", "bench"], false)?;
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

fn start(replicas: u16, packages: &[&str], pgbouncer: bool) -> Result<Running> {
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
    let balancer = http::free_addr()?;
    let replicas = (0..replicas).map(|_| http::free_addr()).collect::<Result<Vec<_>>>()?;
    let mut running = Running {
        services: Services::default(),
        cluster,
        balancer,
        replicas,
        keys: verifier_keys::fresh("cluster-1")?,
        pooler: None,
    };
    if pgbouncer {
        let pooler = start_pgbouncer(&mut running.services, "pgbouncer", &running.cluster, POOLER_CONNECTIONS)?;
        running.pooler = Some(pooler);
    }
    // Started together: the migrations' advisory lock lets one apply them, the others wait.
    for index in 0..running.replicas.len() {
        running.spawn_replica(index)?;
    }
    for index in 0..running.replicas.len() {
        running.wait_for_replica(index)?;
    }
    start_haproxy(&mut running.services, "haproxy", balancer, &running.replicas)?;
    Ok(running)
}

/// An api command as every replica runs: `binary` on `cluster`'s database, listening on `addr`,
/// its tokens naming `public` (where clients reach it) as their issuer, verifiers sealed with `keys`
/// (the same for every replica), its requests through the transaction-mode `pooler` if given.
pub fn api_command(
    binary: &Path,
    cluster: &Cluster,
    keys: &str,
    addr: SocketAddr,
    public: SocketAddr,
    pooler: Option<SocketAddr>,
) -> Command {
    let mut api = Command::new(binary);
    if let Some(pooler) = pooler {
        api.env("DATABASE_POOLER_URL", format!("postgres://{pooler}/postgres"));
    }
    api.current_dir(workspace::root())
        .env("LISTEN_ADDR", addr.to_string())
        .env("DATABASE_URL", cluster.url("postgres"))
        .env("VERIFIER_KEYS", keys)
        .env("PUBLIC_BASE_URL", format!("http://{public}"))
        .env("COGNITO_ADMIN_ACCESS_KEY_ID", DEV_ADMIN.0)
        .env("COGNITO_ADMIN_SECRET_ACCESS_KEY", DEV_ADMIN.1);
    api
}

/// HAProxy (Debian's) on `balancer` in front of `backends`, as service `name`, its configuration in
/// `<target>/cluster/<name>.cfg`; answers once it answers /healthz.
pub fn start_haproxy(services: &mut Services, name: &str, balancer: SocketAddr, backends: &[SocketAddr]) -> Result {
    let haproxy = tools::debian_program("haproxy", tools::HAPROXY_VERSION, "haproxy")?;
    let config = workspace::target_dir()?.join(format!("cluster/{name}.cfg"));
    write_haproxy_config(&config, balancer, backends)?;
    services.spawn(name, Command::new(haproxy).arg("-db").arg("-f").arg(&config))?;
    step(&format!("waiting for {name} on {balancer} to answer /healthz"), || {
        services.wait_until(name, Some(Duration::from_secs(30)), || http::is_ok(balancer, "/healthz"))
    })
}

/// PgBouncer (Debian's 1.18) in transaction mode on a free port in front of `cluster`, with
/// `server_connections` to it per database and role, as service `name` (its configuration and log in
/// `<target>/cluster/<name>/`); answers its address.
pub fn start_pgbouncer(
    services: &mut Services,
    name: &str,
    cluster: &Cluster,
    server_connections: usize,
) -> Result<SocketAddr> {
    let pgbouncer = tools::debian_program("pgbouncer", tools::PGBOUNCER_VERSION, "pgbouncer")?;
    let addr = http::free_addr()?;
    let dir = workspace::target_dir()?.join(format!("cluster/{name}"));
    fs::create_dir_all(&dir)?;
    let users = dir.join("users.txt");
    // Postgres trusts local logins; PgBouncer still wants the roles listed.
    fs::write(&users, "\"ledgerline_api\" \"\"\n\"postgres\" \"\"\n")?;
    let ini = dir.join("pgbouncer.ini");
    fs::write(&ini, pgbouncer_config(addr, cluster.port(), &users, server_connections))?;
    let mut command = Command::new(pgbouncer);
    // PgBouncer refuses to run as root: it switches to `postgres` itself, which must read its files.
    if process::is_root() {
        command.args(["-u", "postgres"]);
        for path in [&dir, &users, &ini] {
            let mode = if path.is_dir() { 0o755 } else { 0o644 };
            fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode))?;
        }
    }
    // It notes every client's connection: into a file, not the terminal.
    let log = fs::File::create(dir.join(format!("{name}.log")))?;
    command.stdout(Stdio::from(log.try_clone()?)).stderr(Stdio::from(log));
    services.spawn(name, command.arg(&ini))?;
    step(&format!("waiting for {name} to listen on {addr}"), || {
        services.wait_until(name, Some(Duration::from_secs(30)), || std::net::TcpStream::connect(addr).is_ok())
    })?;
    Ok(addr)
}

/// Every database of the cluster under its own name, transaction mode. sqlx sends
/// `extra_float_digits` at start, which PgBouncer would otherwise refuse.
fn pgbouncer_config(addr: SocketAddr, postgres_port: u16, users: &Path, server_connections: usize) -> String {
    format!(
        "[databases]
* = host=127.0.0.1 port={postgres_port}

[pgbouncer]
listen_addr = {}
listen_port = {}
unix_socket_dir =
auth_type = trust
auth_file = {}
pool_mode = transaction
default_pool_size = {server_connections}
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits
",
        addr.ip(),
        addr.port(),
        users.display()
    )
}

fn replica_name(index: usize) -> String {
    format!("api replica {}", index + 1)
}

impl Running {
    fn spawn_replica(&mut self, index: usize) -> Result {
        let binary = workspace::target_dir()?.join("debug/api");
        // Tokens name the address clients use: the balancer's.
        let (addr, pooler) = (self.replicas[index], self.pooler);
        let mut api = api_command(&binary, &self.cluster, &self.keys, addr, self.balancer, pooler);
        api.env("RUST_LOG", "warn").env("DEV_MODE", "true");
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

    #[test]
    fn pgbouncer_pools_by_transaction_and_accepts_what_sqlx_sends_at_start() {
        let config = pgbouncer_config("127.0.0.1:8000".parse().unwrap(), 5432, Path::new("/users.txt"), 4);
        assert!(config.contains("* = host=127.0.0.1 port=5432\n"));
        assert!(config.contains("listen_port = 8000\n"));
        assert!(config.contains("pool_mode = transaction\n"));
        assert!(config.contains("default_pool_size = 4\n"));
        assert!(config.contains("ignore_startup_parameters = extra_float_digits\n"));
    }
}
