//! `cargo xtask cluster`: N replicas of the release api on one Postgres behind HAProxy (Debian's
//! package), as they would run behind a load balancer, until Ctrl-C. HAProxy retries a request whose
//! connection failed on another replica (`retry-on conn-failure empty-response`, `option
//! redispatch`); a POST that a dying replica had already committed is replayed safely only with an
//! `Idempotency-Key` (docs/scaling.md).

use std::{
    fs,
    net::{Ipv4Addr, SocketAddr},
    path::Path,
    process::Command,
    time::Duration,
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

pub fn run(replicas: u16) -> Result {
    let haproxy = tools::debian_program("haproxy", tools::HAPROXY_VERSION, "haproxy")?;
    let postgres = Server::find()?;
    step("building the api (release)", || {
        process::run(Command::new("cargo").args(["build", "--release", "-p", "api"]).current_dir(workspace::root()))
    })?;
    // Dropped (stopped, removed) last, after the replicas and HAProxy.
    let cluster = Cluster::start_throwaway(&postgres)?;
    let balancer = SocketAddr::from((Ipv4Addr::LOCALHOST, http::free_port()?));
    let keys = verifier_keys::fresh("cluster-1")?;
    let mut services = Services::default();
    let mut backends = Vec::new();
    // Started together: the migrations' advisory lock lets one apply them, the others wait.
    for replica in 1..=replicas {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, http::free_port()?));
        let mut api = Command::new(workspace::target_dir()?.join("release/api"));
        api.env("LISTEN_ADDR", addr.to_string())
            .env("DATABASE_URL", cluster.url("postgres"))
            .env("VERIFIER_KEYS", &keys)
            // Tokens name the address clients use: the balancer's.
            .env("PUBLIC_BASE_URL", format!("http://{balancer}"))
            .env("COGNITO_ADMIN_ACCESS_KEY_ID", DEV_ADMIN.0)
            .env("COGNITO_ADMIN_SECRET_ACCESS_KEY", DEV_ADMIN.1)
            .env("DEV_MODE", "true");
        services.spawn(&format!("api replica {replica} ({addr})"), &mut api)?;
        backends.push(addr);
    }
    for addr in &backends {
        step(&format!("waiting for {addr} to answer /healthz"), || {
            services.wait_until("a replica", Some(Duration::from_secs(120)), || http::is_ok(*addr, "/healthz"))
        })?;
    }
    let config = workspace::target_dir()?.join("cluster/haproxy.cfg");
    write_haproxy_config(&config, balancer, &backends)?;
    services.spawn("haproxy", Command::new(haproxy).arg("-db").arg("-f").arg(&config))?;
    step("waiting for HAProxy to answer /healthz", || {
        services.wait_until("HAProxy", Some(Duration::from_secs(30)), || http::is_ok(balancer, "/healthz"))
    })?;
    say!(
        "\n==> {replicas} api replicas behind HAProxy on http://{balancer} (Postgres: {}; HAProxy config: {}); \
         Ctrl-C stops everything\n",
        cluster.url("postgres"),
        config.display()
    );
    services.supervise()
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
