//! `cargo xtask dev`: Postgres, the api and the front end with live rebuilds, until Ctrl-C.

use std::{
    env,
    fs::{self, File, OpenOptions, TryLockError},
    io::Write,
    iter,
    net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener},
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use crate::{
    Result,
    dist::{self, MICRO_FRONTENDS, Profile},
    http,
    postgres::Cluster,
    process::{self, Services},
    steps::{say, seconds, step},
    tools::{self, TestClients, Tools},
    verifier_keys, workspace,
};

/// Trunk.toml's proxies point at the api here.
const API: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 3000));
/// Where `trunk serve` serves the shell.
const SHELL: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080));
const DATABASE: &str = "ledgerline";
/// The development user pool, its clients and groups.
const DEV_POOLS: &str = "api/bootstrap/dev.toml";
/// Local-only IAM credentials for the Cognito admin operations (e.g. the AWS CLI with
/// `--endpoint-url http://127.0.0.1:3000/cognito`).
pub const DEV_ADMIN: (&str, &str) = ("AKIALOCALDEVELOPMENT", "local-development-admin-secret");

/// `--iam`: how the shell authorizes its calls to each api, and the only authorizer the api accepts.
const IAM_MODE: [(&str, &str); 2] = [("SHELL_API_AUTHORIZATION", "/v1=iam,/graphql=iam"), ("API_AUTHORIZERS", "iam")];

pub fn run(iam: bool) -> Result {
    let started = Instant::now();
    let dev_dir = workspace::root().join(".dev");
    // Locals drop in reverse: the services stop first, then Postgres, and the lock goes last.
    let _lock = lock(&dev_dir)?;
    let tools = tools::setup(TestClients::NotNeeded)?;
    ensure_ports_free()?;
    let (database_url, cluster) = database(&tools, &dev_dir)?;
    step("building the api", || {
        process::run(Command::new("cargo").args(["build", "-p", "api"]).current_dir(workspace::root()))
    })?;
    let mut services = Services::default();
    let mode: &[(&str, &str)] = if iam { &IAM_MODE } else { &[] };
    start_api(&mut services, &database_url, &verifier_keys::dev(&dev_dir)?, &dev_dir.join("site"), mode)?;
    start_front_end(&mut services, &tools, &dev_dir)?;
    print_banner(&database_url, cluster.is_some(), iam, started);
    services.supervise()
}

/// One `dev` per checkout: a second one would start another server on the same cluster.
fn lock(dev_dir: &Path) -> Result<File> {
    fs::create_dir_all(dev_dir)?;
    let path = dev_dir.join("dev.lock");
    let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path)?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0)?;
            write!(file, "{}", std::process::id())?;
            Ok(file)
        }
        Err(TryLockError::WouldBlock) => {
            let pid = fs::read_to_string(&path).unwrap_or_default();
            Err(format!("`cargo xtask dev` is already running in this checkout (pid {}); stop it first", pid.trim())
                .into())
        }
        Err(TryLockError::Error(error)) => Err(format!("locking {}: {error}", path.display()).into()),
    }
}

fn ensure_ports_free() -> Result {
    for (addr, user) in [(API, "the api"), (SHELL, "trunk serve")] {
        TcpListener::bind(addr).map_err(|error| {
            format!(
                "{addr} is not free ({error}); {user} needs it: stop whatever listens there (`ss -ltnp 'sport = :{}'`)",
                addr.port()
            )
        })?;
    }
    Ok(())
}

/// `DATABASE_URL` as given, else the project's own cluster in `.dev/postgres` (kept between runs).
fn database(tools: &Tools, dev_dir: &Path) -> Result<(String, Option<Cluster>)> {
    if let Some(url) = env::var("DATABASE_URL").ok().filter(|url| !url.is_empty()) {
        say!("==> using DATABASE_URL from the environment");
        return Ok((url, None));
    }
    let cluster = Cluster::start_dev(&tools.postgres, dev_dir.join("postgres"), DATABASE)?;
    Ok((cluster.url(DATABASE), Some(cluster)))
}

/// `mode`: extra settings of the api (`--iam`'s).
fn start_api(
    services: &mut Services,
    database_url: &str,
    verifier_keys: &str,
    site: &Path,
    mode: &[(&str, &str)],
) -> Result {
    fs::create_dir_all(site.join("mfe"))?;
    let mut api = Command::new(workspace::target_dir()?.join("debug/api"));
    api.current_dir(workspace::root())
        .env("LISTEN_ADDR", API.to_string())
        .env("DATABASE_URL", database_url)
        .env("VERIFIER_KEYS", verifier_keys)
        .env("PUBLIC_BASE_URL", format!("http://{API}"))
        .env("SITE_URL", format!("http://{SHELL}"))
        .env("CORS_ALLOWED_ORIGINS", format!("http://{SHELL},http://localhost:{}", SHELL.port()))
        .env("STATIC_DIR", site)
        .env("COGNITO_BOOTSTRAP", workspace::root().join(DEV_POOLS))
        // Codes appear in the api's log and at /dev/mailbox.
        .env("DEV_MODE", "true")
        .env("COGNITO_ADMIN_ACCESS_KEY_ID", DEV_ADMIN.0)
        .env("COGNITO_ADMIN_SECRET_ACCESS_KEY", DEV_ADMIN.1)
        .envs(mode.iter().copied());
    services.spawn("the api", &mut api)?;
    step("waiting for the api to answer /healthz", || {
        services.wait_until("the api", Some(Duration::from_secs(120)), || http::is_ok(API, "/healthz"))
    })
}

/// The micro-frontends build into `.dev/site/mfe/<name>/` (the api serves them) and rebuild on
/// change; `trunk serve` runs the shell and reloads the page when any of them is rebuilt.
fn start_front_end(services: &mut Services, tools: &Tools, dev_dir: &Path) -> Result {
    let builds = dev_dir.join("site/mfe");
    let dist = |name: &str| builds.join(name);
    // Built once up front, so the site is complete before the shell is served.
    for name in MICRO_FRONTENDS {
        dist::build_micro_frontend(tools, name, &dist(name), Profile::Debug)?;
    }
    for name in MICRO_FRONTENDS {
        let mut watch = tools.trunk(&dist::micro_frontend_dir(name));
        watch.arg("watch").arg("--dist").arg(dist(name));
        services.spawn(&format!("trunk watch (mfe-{name})"), &mut watch)?;
    }
    services.spawn("trunk serve (the shell)", &mut serve_shell(tools, &dev_dir.join("shell"), &builds))?;
    step(&format!("waiting for the shell at http://{SHELL} (its first build)"), || {
        services.wait_until("the shell", None, || http::is_ok(SHELL, "/"))
    })
}

/// Its own dist directory, so it never touches `dist/`.
fn serve_shell(tools: &Tools, dist: &Path, micro_frontend_builds: &Path) -> Command {
    let root = workspace::root();
    // `--watch` replaces Trunk.toml's watch list, so that list is repeated here.
    let watched = ["index.html", "style", "mfe-shell", "mfe-contract"].map(|path| root.join(path));
    let mut serve = tools.trunk(root);
    serve.args(["serve", "--port", &SHELL.port().to_string(), "--dist"]).arg(dist);
    for path in watched.iter().map(PathBuf::as_path).chain(iter::once(micro_frontend_builds)) {
        serve.arg("--watch").arg(path);
    }
    serve
}

/// The identity pool that `DEV_POOLS` declares, if it declares one.
fn dev_identity_pool() -> Option<String> {
    let text = std::fs::read_to_string(workspace::root().join(DEV_POOLS)).ok()?;
    let file: toml::Value = toml::from_str(&text).ok()?;
    Some(file.get("identity_pools")?.get(0)?.get("id")?.as_str()?.to_owned())
}

fn print_banner(database_url: &str, own_cluster: bool, iam: bool, started: Instant) {
    let database = if own_cluster { database_url } else { "DATABASE_URL from your environment" };
    say!("\n==> Ledgerline is running (ready in {})", seconds(started.elapsed()));
    say!("    open       http://{SHELL}");
    say!("    api        http://{API}");
    say!("    database   {database}");
    say!("    cognito    endpoint http://{API}/cognito, pools from {DEV_POOLS}");
    say!("               admin credentials {} / {} (local only)", DEV_ADMIN.0, DEV_ADMIN.1);
    if let Some(identity_pool) = dev_identity_pool() {
        say!("    identity   pool {identity_pool} (same endpoint); iam at http://{API}/iam");
    }
    if iam {
        say!("    api auth   IAM: the shell signs /v1 and /graphql with SigV4 (identity-pool credentials)");
    }
    say!("    mailbox    http://{API}/dev/mailbox?to=<email> (confirmation and reset codes)");
    say!("    Ctrl-C stops everything.\n");
}
