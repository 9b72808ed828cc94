//! Through a connection pooler in transaction mode (PgBouncer, Debian's 1.18, which `cargo xtask
//! test` installs and names in PGBOUNCER). Row-level security: the request's identity is
//! transaction-local, so the next client of the same server connection sees nothing of the tenant
//! before it; the same pooler does carry a session-level setting over to the next client (the leak
//! this design avoids), which shows the test would see one. And the accounts api serves its
//! requests through it (`DATABASE_POOLER_URL`) with more clients than server connections.

mod support;

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use api::{
    Config,
    db::{self, Identity, RequestPool},
    testing::{TestApp, TestDatabase, VERIFIER_KEYS},
};
use serde_json::Value;
use sqlx::postgres::PgConnectOptions;
use support::{PoolFixture, RestUser, id};
use uuid::Uuid;

/// PgBouncer on a free port in front of the test cluster: transaction mode, one server connection.
struct Pooler {
    child: Child,
    port: u16,
    /// Its configuration, removed with it.
    dir: PathBuf,
}

impl Drop for Pooler {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Pooler {
    fn start(server: &PgConnectOptions) -> Self {
        let program = std::env::var("PGBOUNCER")
            .expect("PGBOUNCER is not set: run the tests with `cargo xtask test`, which installs Debian's pgbouncer");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("pgbouncer-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let users = dir.join("users.txt");
        std::fs::write(&users, "\"ledgerline_api\" \"\"\n\"postgres\" \"\"\n").unwrap();
        let ini = dir.join("pgbouncer.ini");
        std::fs::write(
            &ini,
            format!(
                "[databases]\n* = host={} port={}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n\
                 unix_socket_dir =\nauth_type = trust\nauth_file = {}\npool_mode = transaction\n\
                 default_pool_size = 1\nmax_client_conn = 20\nignore_startup_parameters = extra_float_digits\n",
                server.get_host(),
                server.get_port(),
                users.display()
            ),
        )
        .unwrap();
        let mut command = Command::new(&program);
        // PgBouncer refuses to run as root: it then switches to `postgres` itself.
        if is_root() {
            command.args(["-u", "postgres"]);
            std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        }
        let child = command.arg(&ini).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        let child = child.spawn().expect("start pgbouncer");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "pgbouncer never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port, dir }
    }

    /// The URL of `database` through the pooler, as `DATABASE_POOLER_URL` names it.
    fn url(&self, database: &str) -> String {
        format!("postgres://127.0.0.1:{}/{database}", self.port)
    }

    /// The api role's pool through the pooler, as the api makes it for `DATABASE_POOLER_URL`.
    async fn requests(&self, direct: &str, database: &str) -> RequestPool {
        let pooler = self.url(database);
        let args =
            ["api", "--database-url", direct, "--database-pooler-url", &pooler, "--verifier-keys", VERIFIER_KEYS];
        let config = Config::from_args_only(args).unwrap();
        RequestPool::through_pooler(&config, config.database_pooler_url.as_ref().unwrap()).await.unwrap()
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status.lines().any(|line| line.starts_with("Uid:") && line.split_whitespace().nth(1) == Some("0"))
    })
}

#[tokio::test]
async fn row_level_security_never_leaks_across_tenants_through_the_pooler() {
    let database = TestDatabase::create().await;
    let (alice, tenant) = (Uuid::new_v4(), Uuid::new_v4());
    sqlx::query("INSERT INTO tenants (id, name) VALUES ($1, 'A')").bind(tenant).execute(&database.pool).await.unwrap();
    sqlx::query("INSERT INTO tenant_members (tenant_id, user_id, role) VALUES ($1, $2, 'owner')")
        .bind(tenant)
        .bind(alice)
        .execute(&database.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO accounts (id, tenant_id, name, number, currency) VALUES ($1, $2, 'Cash', 'C-1', 'EUR')")
        .bind(Uuid::new_v4())
        .bind(tenant)
        .execute(&database.pool)
        .await
        .unwrap();
    let options: PgConnectOptions = database.url.as_str().parse().unwrap();
    let pooler = Pooler::start(&options);
    let requests = pooler.requests(database.url.as_str(), options.get_database().unwrap()).await;
    let pool = requests.pool();
    // Two clients of the pooler, one server connection behind them.
    let (mut first, mut second) = (pool.acquire().await.unwrap(), pool.acquire().await.unwrap());
    let seen = "SELECT count(*) FROM accounts";
    let roles = "SELECT coalesce(current_setting('app.tenant_roles', true), '')";

    for _ in 0..3 {
        // A request of alice's, as the api opens every request.
        let identity = Identity { user_id: alice, reads_all_tenants: false, sign_in: None };
        let (mut tx, memberships) = db::begin_request(pool, identity, None).await.unwrap().unwrap();
        assert_eq!(memberships.len(), 1);
        assert_eq!(sqlx::query_scalar::<_, i64>(seen).fetch_one(&mut *tx).await.unwrap(), 1);
        tx.commit().await.unwrap();
        // The next client of the same server connection: nothing of alice's.
        let mut tx = sqlx::Connection::begin(&mut *second).await.unwrap();
        assert_eq!(sqlx::query_scalar::<_, String>(roles).fetch_one(&mut *tx).await.unwrap(), "");
        assert_eq!(sqlx::query_scalar::<_, i64>(seen).fetch_one(&mut *tx).await.unwrap(), 0);
        tx.commit().await.unwrap();
    }

    // What a session-level setting would do through the same pooler: the next client inherits it.
    let leak = format!("SELECT set_config('app.tenant_roles', '{{\"{tenant}\": \"owner\"}}', false)");
    let mut tx = sqlx::Connection::begin(&mut *first).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(leak)).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = sqlx::Connection::begin(&mut *second).await.unwrap();
    assert_eq!(sqlx::query_scalar::<_, i64>(seen).fetch_one(&mut *tx).await.unwrap(), 1, "the pooler shares sessions");
    tx.commit().await.unwrap();
}

/// The accounts api with `DATABASE_POOLER_URL` set, under concurrent requests: 16 at a time from a
/// pool of 8 clients of the pooler, which has one server connection. Pages of children (one
/// statement that opens the request itself) and single accounts (the request's transaction) all
/// answer, none with another client's statement or none.
#[tokio::test]
async fn the_accounts_api_serves_through_the_pooler_with_more_clients_than_server_connections() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    let root = alice.create("Group", "G", None).await;
    for number in 0..25 {
        alice.create(&format!("Account {number:02}"), &format!("A-{number}"), Some(id(&root))).await;
    }
    let database = fixture.app.database();
    let options: PgConnectOptions = database.url.as_str().parse().unwrap();
    let pooler = Pooler::start(&options);
    let pooler_url = pooler.url(options.get_database().unwrap());
    // Tokens name the address their issuer serves at: the first instance's, as behind one balancer.
    let args = ["--database-pooler-url", &pooler_url, "--public-base-url", &alice.base, "--db-max-connections", "8"];
    let pooled = TestApp::spawn_on(database, &args).await;
    let through_pooler = RestUser { base: format!("http://{}", pooled.addr), ..alice };

    let children = format!("/v1/accounts/{}/children?limit=20", id(&root));
    let account = format!("/v1/accounts/{}", id(&root));
    let answers = futures_util::future::join_all((0..16).map(|_| async {
        for _ in 0..40 {
            let page: Value = ok(&through_pooler, &children).await;
            assert_eq!(page["items"].as_array().unwrap().len(), 20, "{page}");
            assert_eq!(ok(&through_pooler, &account).await["name"], "Group");
        }
    }));
    answers.await;
    assert!(pooled.state.requests.pool().size() > 1, "more clients of the pooler than its one server connection");
}

/// The body of a GET that must answer 200.
async fn ok(user: &RestUser, path: &str) -> Value {
    let response = user.get(path).send().await.unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap()
}
