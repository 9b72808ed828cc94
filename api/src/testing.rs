//! Test support, behind the `testing` feature: the app started in-process on a free port against a
//! fresh database of the Postgres cluster named by `DATABASE_URL` (`cargo xtask test` starts a
//! throwaway one). Used by the api's own integration tests and by the end-to-end tests.

use std::net::SocketAddr;

use sqlx::{Connection, PgConnection, PgPool};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use url::Url;

use crate::{Config, db, server};

/// The key that seals password verifiers in tests, unless a test passes its own `--verifier-keys`.
pub const VERIFIER_KEYS: &str = "test:bGVkZ2VybGluZS10ZXN0cy1vbmx5LWtleS0zMi1ieSE=";

/// A database of its own for one test, with every migration applied.
#[derive(Clone)]
pub struct TestDatabase {
    pub url: Url,
    pub pool: PgPool,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let admin = std::env::var("DATABASE_URL").expect(
            "DATABASE_URL is not set: run the tests with `cargo xtask test`, which starts a throwaway Postgres",
        );
        let mut url = Url::parse(&admin).expect("DATABASE_URL is a URL");
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let mut connection = PgConnection::connect(&admin).await.expect("connect to DATABASE_URL");
        // The name is ours (a UUID), not input.
        let create = sqlx::AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#));
        sqlx::query(create).execute(&mut connection).await.expect("create a test database");
        url.set_path(&name);
        let pool = PgPool::connect(url.as_str()).await.expect("connect to the test database");
        db::MIGRATOR.run(&pool).await.expect("migrate the test database");
        Self { url, pool }
    }
}

/// The api, serving on `127.0.0.1:<free port>` until dropped or [`TestApp::stop`]ped.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The database's owner (a superuser): for fixtures and checks, past row-level security.
    pub db: PgPool,
    database_url: Url,
    /// The pool the app itself uses, as the api's role.
    pub api_db: PgPool,
    pub config: Config,
    /// The app's state, for checks through the domain code (e.g. what a session token holds).
    pub state: crate::AppState,
    /// The Content-Security-Policy violations browsers reported to the app.
    pub csp_reports: crate::site::csp::Reports,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<Result<(), server::StartError>>>,
}

impl TestApp {
    /// Starts the app with the default configuration.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Starts the app with extra command-line arguments, e.g. `["--static-dir", "dist"]`.
    pub async fn spawn_with(args: &[&str]) -> Self {
        Self::spawn_on(TestDatabase::create().await, args).await
    }

    /// Starts the app on an existing database, e.g. another instance, or the same data after a key rotation.
    pub async fn spawn_on(database: TestDatabase, args: &[&str]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
        let addr = listener.local_addr().expect("a local address");
        let (listen, base_url) = (addr.to_string(), format!("http://{addr}"));
        let mut defaults = vec!["api", "--database-url", database.url.as_str(), "--listen", &listen];
        // Instances behind one address share it (tokens name it as their issuer).
        if !args.contains(&"--public-base-url") {
            defaults.extend(["--public-base-url", &base_url]);
        }
        if !args.contains(&"--verifier-keys") {
            defaults.extend(["--verifier-keys", VERIFIER_KEYS]);
        }
        let config =
            Config::from_args_only(defaults.iter().chain(args)).unwrap_or_else(|e| panic!("test configuration: {e}"));
        Self::serve(listener, database, config).await
    }

    /// Stops gracefully, runs `meanwhile` while nothing listens on the address, then starts again
    /// on the same address, database and configuration, as a deployment does: what clients hold
    /// (tokens, the address) stays valid.
    pub async fn restart<T>(&mut self, meanwhile: impl Future<Output = T>) -> T {
        self.stop_serving().await;
        let result = meanwhile.await;
        let listener = TcpListener::bind(self.addr).await.expect("bind the same address again");
        *self = Self::serve(listener, self.database(), self.config.clone()).await;
        result
    }

    async fn serve(listener: TcpListener, database: TestDatabase, config: Config) -> Self {
        let addr = listener.local_addr().expect("a local address");
        let (shutdown, signal) = oneshot::channel::<()>();
        let api_db = db::connect_api(&config).await.expect("connect as the api's role");
        let state = server::prepare(api_db.clone(), config.clone()).await.expect("the app starts");
        let csp_reports = state.csp_reports.clone();
        let server = tokio::spawn(server::serve(listener, state.clone(), async move {
            let _ = signal.await;
        }));
        let (db, database_url) = (database.pool, database.url);
        Self {
            addr,
            db,
            database_url,
            api_db,
            config,
            state,
            csp_reports,
            shutdown: Some(shutdown),
            server: Some(server),
        }
    }

    /// The app's database, for another app to start on.
    pub fn database(&self) -> TestDatabase {
        TestDatabase { url: self.database_url.clone(), pool: self.db.clone() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Shuts down gracefully and waits until requests in flight have finished.
    pub async fn stop(mut self) {
        self.stop_serving().await;
    }

    async fn stop_serving(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("the server task").expect("the server stopped cleanly");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

/// An IAM access key and its secret, as a test signs with them.
pub struct AccessKey<'a> {
    pub id: &'a str,
    pub secret: &'a str,
}

/// The headers that sign a request for `service` in `region` as the AWS SDKs sign it (SigV4, now):
/// `headers` are the request's own (`host` among them), the answer is what to add.
pub fn sigv4_headers(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    key: AccessKey<'_>,
    region: &str,
    service: &str,
) -> Vec<(String, String)> {
    let credentials = aws_credential_types::Credentials::new(key.id, key.secret, None, None, "test");
    let signing = Signing { region, service, time: std::time::SystemTime::now() };
    sigv4_headers_with(method, url, headers, body, &credentials, &signing)
}

/// Where and when a request is signed.
pub struct Signing<'a> {
    pub region: &'a str,
    pub service: &'a str,
    pub time: std::time::SystemTime,
}

/// [`sigv4_headers`] with any credentials (temporary ones add a signed `x-amz-security-token`) at
/// any time.
pub fn sigv4_headers_with(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    credentials: &aws_credential_types::Credentials,
    signing: &Signing<'_>,
) -> Vec<(String, String)> {
    use aws_sigv4::{
        http_request::{SignableBody, SignableRequest, SigningSettings, sign},
        sign::v4,
    };
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(signing.region)
        .name(signing.service)
        .time(signing.time)
        .settings(SigningSettings::default())
        .build()
        .expect("signing parameters")
        .into();
    let signable = SignableRequest::new(method, url, headers.iter().copied(), SignableBody::Bytes(body))
        .expect("a signable request");
    let (instructions, _) = sign(signable, &params).expect("signed").into_parts();
    instructions.headers().map(|(name, value)| (name.to_owned(), value.to_owned())).collect()
}
