//! Typed configuration: every setting is a command-line flag with an environment variable of the
//! same meaning. A bad value stops the server at start with a message naming the variable.

use std::{fmt, marker::PhantomData, net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use axum::http::HeaderValue;
use clap::{Args, CommandFactory, FromArgMatches, Parser, ValueEnum, builder::TypedValueParser, error::ErrorKind};
use lettre::message::Mailbox;
use mfe_contract::ApiAuthorization;
use sqlx::postgres::PgConnectOptions;
use url::Url;

use crate::cognito::{tokens::TokenUse, verifiers::VerifierKeys};

#[derive(Debug, Clone, Parser)]
#[command(name = "api", version, about = "The product's server: auth, Accounts API and the site")]
pub struct Config {
    /// Address to listen on.
    #[arg(long = "listen", env = "LISTEN_ADDR", value_name = "LISTEN_ADDR", default_value = "127.0.0.1:3000")]
    pub listen_addr: SocketAddr,

    /// Postgres connection URL. Never logged.
    #[arg(long, env = "DATABASE_URL", value_name = "DATABASE_URL", value_parser = Unechoed::<DatabaseUrl>::new(),
          hide_env_values = true)]
    pub database_url: DatabaseUrl,

    /// The keys that seal users' password verifiers in the database: `<key id>:<base64 of 32 random
    /// bytes>`, comma-separated, e.g. `2026-11:$(openssl rand -base64 32)`. The first seals; each listed key
    /// opens what it sealed, and a user's verifier moves to the first key at their next sign-in. Keep them
    /// out of the database and its backups: with the key, a database dump allows guessing passwords offline.
    /// Never logged.
    #[arg(long, env = "VERIFIER_KEYS", value_name = "VERIFIER_KEYS", value_parser = Unechoed::<VerifierKeys>::new(),
          hide_env_values = true)]
    pub verifier_keys: VerifierKeys,

    /// Password of the `ledgerline_api` role the api's queries run as (the migrations create the role;
    /// `DATABASE_URL` names the owner that migrates). Not needed where Postgres trusts local logins.
    #[arg(long, env = "DATABASE_API_PASSWORD", value_name = "DATABASE_API_PASSWORD", hide_env_values = true)]
    pub database_api_password: Option<Secret>,

    /// Postgres URL of a transaction-mode pooler (PgBouncer, RDS Proxy) in front of DATABASE_URL's
    /// database. Requests' transactions (REST and GraphQL over HTTP) then go through it, with sqlx's
    /// statement cache off; migrations, LISTEN, the Cognito service and the workers stay on
    /// DATABASE_URL, which must then be a direct connection (docs/scaling.md). Never logged.
    #[arg(long, env = "DATABASE_POOLER_URL", value_name = "DATABASE_POOLER_URL",
          value_parser = Unechoed::<DatabaseUrl>::new(), hide_env_values = true)]
    pub database_pooler_url: Option<DatabaseUrl>,

    /// Largest number of pooled database connections (each pool: the direct one, the single statements' one,
    /// and the pooler's).
    #[arg(long, env = "DB_MAX_CONNECTIONS", value_name = "DB_MAX_CONNECTIONS", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_max_connections: u32,

    /// The URL at which browsers and SDKs reach this server (token issuers and links derive from it).
    #[arg(long, env = "PUBLIC_BASE_URL", value_name = "PUBLIC_BASE_URL", default_value = "http://127.0.0.1:3000",
          value_parser = parse_base_url)]
    pub public_base_url: Url,

    /// The URL at which people open the site, for links in mails (an invitation's); the api's own
    /// (`PUBLIC_BASE_URL`) when it serves the site itself.
    #[arg(long, env = "SITE_URL", value_name = "SITE_URL", value_parser = parse_base_url)]
    pub site_url: Option<Url>,

    /// Origins allowed to call the api from a browser, comma-separated (e.g. `http://localhost:8080`).
    #[arg(long = "cors-allowed-origin", env = "CORS_ALLOWED_ORIGINS", value_name = "CORS_ALLOWED_ORIGINS",
          value_delimiter = ',', value_parser = parse_origin)]
    pub cors_allowed_origins: Vec<HeaderValue>,

    /// A built site (`cargo xtask dist` writes `dist/`) to serve at `/`, with the shell's routes
    /// falling back to its `index.html`.
    #[arg(long, env = "STATIC_DIR", value_name = "STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Where the shell finds each micro-frontend, as `name=url` pairs, comma-separated.
    #[arg(long = "micro-frontend", env = "MICRO_FRONTENDS", value_name = "MICRO_FRONTENDS", value_delimiter = ',',
          default_value = "accounts=/mfe/accounts/,payments=/mfe/payments/,organisations=/mfe/organisations/", value_parser = parse_micro_frontend)]
    pub micro_frontends: Vec<(String, String)>,

    /// Seconds a request may take before it is answered with 408.
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", value_name = "REQUEST_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_secs: u64,

    /// Largest request body in bytes; larger ones are answered with 413.
    #[arg(long, env = "BODY_LIMIT_BYTES", value_name = "BODY_LIMIT_BYTES", default_value_t = 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1..=(64 * 1024 * 1024)))]
    pub body_limit_bytes: u64,

    /// The AWS region the Cognito service answers for (pool ids and SigV4 scopes carry it).
    #[arg(long, env = "COGNITO_REGION", value_name = "COGNITO_REGION", default_value = "us-east-1", value_parser = parse_region)]
    pub cognito_region: String,

    /// Access key id of the IAM credentials that may call Cognito's admin operations (SigV4-signed).
    #[arg(long, env = "COGNITO_ADMIN_ACCESS_KEY_ID", value_name = "COGNITO_ADMIN_ACCESS_KEY_ID")]
    pub cognito_admin_access_key_id: Option<String>,

    /// Its secret access key. Never logged.
    #[arg(
        long,
        env = "COGNITO_ADMIN_SECRET_ACCESS_KEY",
        value_name = "COGNITO_ADMIN_SECRET_ACCESS_KEY",
        hide_env_values = true
    )]
    pub cognito_admin_secret_access_key: Option<Secret>,

    /// A file of user pools, app clients and groups to create or update at start (see
    /// `api/bootstrap/dev.toml`); its `frontend` client goes to the shell in /config.json.
    #[arg(long, env = "COGNITO_BOOTSTRAP", value_name = "COGNITO_BOOTSTRAP")]
    pub cognito_bootstrap: Option<PathBuf>,

    /// Which Cognito token the REST api accepts as `Authorization: Bearer` (like an API Gateway
    /// Cognito authorizer): `access` or `id`.
    #[arg(long, env = "API_TOKEN_USE", value_name = "API_TOKEN_USE", value_enum, default_value_t = TokenUse::Access)]
    pub api_token_use: TokenUse,

    /// User pools whose tokens the REST api accepts, comma-separated; empty: every pool this server hosts.
    #[arg(long = "api-user-pool", env = "API_USER_POOL_IDS", value_name = "API_USER_POOL_IDS", value_delimiter = ',')]
    pub api_user_pool_ids: Vec<String>,

    /// App clients whose tokens the REST api accepts (the `aud` of ID tokens, `client_id` of access
    /// tokens), comma-separated; empty: every client of the accepted pools.
    #[arg(long = "api-client", env = "API_CLIENT_IDS", value_name = "API_CLIENT_IDS", value_delimiter = ',')]
    pub api_client_ids: Vec<String>,

    /// The authorizers the REST api accepts, comma-separated: `cognito` (`Authorization: Bearer`
    /// with a user pool's token) and `iam` (SigV4 with an identity pool's credentials, as API
    /// Gateway's AWS_IAM); with both, each request's Authorization header says which it uses.
    #[arg(long = "api-authorizer", env = "API_AUTHORIZERS", value_name = "API_AUTHORIZERS", value_enum,
          value_delimiter = ',', default_values_t = [Authorizer::Cognito, Authorizer::Iam])]
    pub api_authorizers: Vec<Authorizer>,

    /// Who establishes the caller: `verify`, the api itself (tokens and signatures checked here, as
    /// locally), or `trust`, API Gateway's authorizers, whose result the api reads from the Lambda
    /// event (the Cognito authorizer's claims, the IAM authorizer's Cognito identity). `trust` only in
    /// Lambda mode, where only API Gateway can invoke the function: a request without API Gateway's
    /// identity is then refused.
    #[arg(long, env = "API_GATEWAY_IDENTITY", value_name = "API_GATEWAY_IDENTITY", value_enum,
          default_value_t = IdentitySource::Verify)]
    pub api_gateway_identity: IdentitySource,

    /// How the shell authorizes its calls to each api, as `path=cognito|iam` pairs, comma-separated
    /// (e.g. `/v1=iam,/graphql=iam`), handed on in `/config.json`: `iam` signs them with SigV4 and the
    /// credentials of the identity pool that accepts the shell's client (from `COGNITO_BOOTSTRAP`); an
    /// api not listed gets the user pool's access token.
    #[arg(long = "shell-api-authorization", env = "SHELL_API_AUTHORIZATION", value_name = "SHELL_API_AUTHORIZATION",
          value_delimiter = ',', value_parser = parse_api_authorization)]
    pub shell_api_authorization: Vec<(String, ApiAuthorization)>,

    /// The api's id in the execute-api ARNs that IAM policies name
    /// (`arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<METHOD>/<path>`).
    #[arg(long, env = "API_GATEWAY_ID", value_name = "API_GATEWAY_ID", default_value = "ledgerline")]
    pub api_gateway_id: String,

    /// The AWS account id this server plays: in role ARNs and API Gateway's execute-api ARNs.
    #[arg(long, env = "AWS_ACCOUNT_ID", value_name = "AWS_ACCOUNT_ID", default_value = "123456789012")]
    pub aws_account_id: String,

    /// How long the AWS credentials that identity pools hand out (GetCredentialsForIdentity) stay
    /// valid, in seconds; AWS's are valid for an hour, and Amplify reuses them for 50 minutes.
    #[arg(long, env = "IDENTITY_CREDENTIALS_LIFETIME_SECS", value_name = "IDENTITY_CREDENTIALS_LIFETIME_SECS",
          default_value_t = 3600, value_parser = clap::value_parser!(u32).range(1..=43_200))]
    pub identity_credentials_lifetime_secs: u32,

    /// Whether GraphQL introspection (`__schema`, `__type`) is answered; AppSync's
    /// `introspectionConfig`. Turn it off in production if the schema is not public.
    #[arg(long, env = "GRAPHQL_INTROSPECTION", value_name = "GRAPHQL_INTROSPECTION", default_value_t = true,
          action = clap::ArgAction::Set)]
    pub graphql_introspection: bool,

    /// How deep a GraphQL operation may nest its selections (AppSync's `queryDepthLimit`).
    #[arg(long, env = "GRAPHQL_DEPTH_LIMIT", value_name = "GRAPHQL_DEPTH_LIMIT", default_value_t = 12)]
    pub graphql_depth_limit: usize,

    /// How many fields a GraphQL operation may resolve at most, lists counted by their `limit`.
    #[arg(long, env = "GRAPHQL_COMPLEXITY_LIMIT", value_name = "GRAPHQL_COMPLEXITY_LIMIT", default_value_t = 5000)]
    pub graphql_complexity_limit: usize,

    /// Milliseconds a GraphQL WebSocket may stay open without an accepted `connection_init`
    /// before it is closed with 4408.
    #[arg(long, env = "GRAPHQL_WS_INIT_TIMEOUT_MS", value_name = "GRAPHQL_WS_INIT_TIMEOUT_MS",
          default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub graphql_ws_init_timeout_ms: u64,

    /// How often, in milliseconds, a GraphQL WebSocket checks that its sign-in has not ended
    /// (global sign-out, revocation, user disabled); one that has is closed with 4403.
    #[arg(long, env = "GRAPHQL_WS_REVOCATION_CHECK_MS", value_name = "GRAPHQL_WS_REVOCATION_CHECK_MS",
          default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub graphql_ws_revocation_check_ms: u64,

    /// Development conveniences: every outgoing message (codes included) is printed in the log and
    /// listed at /dev/mailbox. Never turn this on in production.
    #[arg(long, env = "DEV_MODE", value_name = "DEV_MODE")]
    pub dev_mode: bool,

    /// Mailing messages (codes) by SMTP; unset, nothing is mailed.
    #[command(flatten)]
    pub smtp: Option<SmtpSettings>,

    /// Log lines as human-readable text or as JSON objects.
    #[arg(long, env = "LOG_FORMAT", value_name = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// What the binary is asked to do: serve (the default: a server, or a Lambda function when the
/// Lambda runtime starts it), or `api migrate`.
#[derive(Debug)]
pub enum Command {
    Serve(Box<Config>),
    Migrate(Box<MigrateConfig>),
}

impl Command {
    /// From the command line and the environment; a bad value exits with a message naming it. A
    /// Lambda function whose handler is `migrate` (`_HANDLER`, from the function's `Handler`) is
    /// `api migrate`, as the runtime passes no arguments.
    pub fn parse() -> Self {
        let migrate = MigrateConfig::augment_args(clap::Command::new("migrate")).about(
            "Apply the database migrations and exit (what a deployment runs once, before the new \
             version serves; the api's Lambda function never migrates)",
        );
        let command =
            Config::command().subcommand(migrate).subcommand_negates_reqs(true).args_conflicts_with_subcommands(true);
        let matches = match std::env::var_os(LAMBDA_HANDLER).is_some_and(|handler| handler == "migrate") {
            true => command.get_matches_from(["api", "migrate"]),
            false => command.get_matches(),
        };
        let parsed = match matches.subcommand() {
            Some(("migrate", matches)) => {
                MigrateConfig::from_arg_matches(matches).map(|config| Self::Migrate(Box::new(config)))
            }
            _ => Config::from_arg_matches(&matches).map(|config| Self::Serve(Box::new(config))),
        };
        parsed.unwrap_or_else(|error| error.exit())
    }

    pub fn log_format(&self) -> LogFormat {
        match self {
            Self::Serve(config) => config.log_format,
            Self::Migrate(config) => config.log_format,
        }
    }
}

/// The handler of a Lambda function with a custom runtime, as its configuration names it.
const LAMBDA_HANDLER: &str = "_HANDLER";

/// `api migrate`: the schema owner's URL, and the password to give the api's role.
#[derive(Debug, Clone, Args)]
pub struct MigrateConfig {
    /// Postgres connection URL of the schema's owner: a direct one (session-level advisory locks
    /// keep two migrations apart, which a transaction-mode pooler breaks). Never logged.
    #[arg(long, env = "DATABASE_URL", value_name = "DATABASE_URL", value_parser = Unechoed::<DatabaseUrl>::new(),
          hide_env_values = true)]
    pub database_url: DatabaseUrl,

    /// A password to set for the `ledgerline_api` role once migrated (what the api then connects
    /// with, e.g. through RDS Proxy, which needs one). Never logged.
    #[arg(long, env = "DATABASE_API_PASSWORD", value_name = "DATABASE_API_PASSWORD", hide_env_values = true)]
    pub database_api_password: Option<Secret>,

    /// Log lines as human-readable text or as JSON objects.
    #[arg(long, env = "LOG_FORMAT", value_name = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

impl Config {
    /// `path` on the site, as a link in a mail.
    pub fn site_link(&self, path: &str) -> String {
        let site = self.site_url.as_ref().unwrap_or(&self.public_base_url);
        format!("{}{path}", site.as_str().trim_end_matches('/'))
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn graphql_ws_init_timeout(&self) -> Duration {
        Duration::from_millis(self.graphql_ws_init_timeout_ms)
    }

    pub fn graphql_ws_revocation_check(&self) -> Duration {
        Duration::from_millis(self.graphql_ws_revocation_check_ms)
    }

    /// The configuration from `args` alone, as if the environment were empty: a variable set in the
    /// shell that runs the tests (`DEV_MODE`, `SMTP_*`...) must not change what they test.
    #[cfg(any(test, feature = "testing"))]
    pub fn from_args_only<T: Into<std::ffi::OsString> + Clone>(
        args: impl IntoIterator<Item = T>,
    ) -> Result<Self, clap::Error> {
        let matches = Self::without_environment().try_get_matches_from(args)?;
        <Self as clap::FromArgMatches>::from_arg_matches(&matches)
    }

    #[cfg(any(test, feature = "testing"))]
    fn without_environment() -> clap::Command {
        <Self as clap::CommandFactory>::command().mut_args(|arg| arg.env(None::<&str>))
    }
}

/// Where to mail messages from and through. Any `SMTP_*` setting needs both `SMTP_HOST` and
/// `SMTP_FROM`: the group requires them, so they are `required = false` themselves (clap would
/// otherwise demand them even with SMTP off).
#[derive(Debug, Clone, Args)]
#[group(id = "smtp", multiple = true, requires_all = ["smtp_host", "smtp_from"])]
pub struct SmtpSettings {
    /// SMTP server host name (also the name its TLS certificate must carry).
    #[arg(id = "smtp_host", long = "smtp-host", env = "SMTP_HOST", value_name = "SMTP_HOST", required = false)]
    pub host: String,

    /// SMTP server port; by default 587 for starttls, 465 for tls and 25 for none.
    #[arg(id = "smtp_port", long = "smtp-port", env = "SMTP_PORT", value_name = "SMTP_PORT",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,

    /// How the connection is encrypted: STARTTLS (required, not opportunistic), TLS from the first
    /// byte, or not at all (only for a relay on the same machine or network).
    #[arg(id = "smtp_tls", long = "smtp-tls", env = "SMTP_TLS", value_name = "SMTP_TLS", value_enum,
          default_value_t = SmtpTls::Starttls)]
    pub tls: SmtpTls,

    /// User name to authenticate with; needs SMTP_PASSWORD.
    #[arg(
        id = "smtp_username",
        long = "smtp-username",
        env = "SMTP_USERNAME",
        value_name = "SMTP_USERNAME",
        requires = "smtp_password"
    )]
    pub username: Option<String>,

    /// Its password. Never logged.
    #[arg(
        id = "smtp_password",
        long = "smtp-password",
        env = "SMTP_PASSWORD",
        value_name = "SMTP_PASSWORD",
        requires = "smtp_username",
        hide_env_values = true
    )]
    pub password: Option<Secret>,

    /// Sender of every message, e.g. `Ledgerline <no-reply@example.com>`.
    #[arg(id = "smtp_from", long = "smtp-from", env = "SMTP_FROM", value_name = "SMTP_FROM", required = false,
          value_parser = parse_mailbox)]
    pub from: Mailbox,
}

impl SmtpSettings {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SmtpTls {
    Starttls,
    Tls,
    None,
}

/// An authorizer of the REST api.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Authorizer {
    Cognito,
    Iam,
}

/// Who establishes the caller of the REST and GraphQL apis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IdentitySource {
    /// The api's own authorizers.
    Verify,
    /// API Gateway's authorizers, from the Lambda event.
    Trust,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// A secret setting: its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl FromStr for Secret {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Self(value.to_owned()))
    }
}

/// A validated Postgres URL whose `Debug` hides the credentials.
#[derive(Clone)]
pub struct DatabaseUrl(PgConnectOptions);

impl DatabaseUrl {
    pub fn connect_options(&self) -> PgConnectOptions {
        self.0.clone()
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "postgres://***@{}:{}/{}", self.0.get_host(), self.0.get_port(), self.0.get_database().unwrap_or(""))
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;

    /// The error never repeats the URL: it may hold a password.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let url = Url::parse(value).map_err(|e| format!("not a URL ({e})"))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(format!("scheme must be postgres:// or postgresql://, not {}://", url.scheme()));
        }
        PgConnectOptions::from_str(value).map(Self).map_err(|_| "not a valid Postgres URL".to_owned())
    }
}

/// Parses a secret setting with an error that names the variable but never repeats the value, which clap's
/// own errors quote.
#[derive(Clone)]
struct Unechoed<T>(PhantomData<fn() -> T>);

impl<T> Unechoed<T> {
    fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> TypedValueParser for Unechoed<T>
where
    T: FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let name = arg.and_then(|arg| arg.get_value_names()?.first().map(|name| name.to_string())).unwrap_or_default();
        let fail = |why: String| {
            clap::Error::raw(ErrorKind::ValueValidation, format!("invalid {name}: {why}\n")).with_cmd(cmd)
        };
        value.to_str().ok_or_else(|| fail("not UTF-8".into()))?.parse().map_err(fail)
    }
}

fn parse_base_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err("must be an absolute http(s) URL".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not have a query or a fragment".into());
    }
    Ok(url)
}

/// An origin is a scheme, a host and an optional port, nothing more (browsers send it that way).
fn parse_origin(value: &str) -> Result<HeaderValue, String> {
    let url = Url::parse(value.trim()).map_err(|e| e.to_string())?;
    let origin = url.origin().ascii_serialization();
    if origin == "null" || value.trim().trim_end_matches('/') != origin {
        return Err(format!("an origin is scheme://host[:port] with no path; did you mean {origin}?"));
    }
    HeaderValue::from_str(&origin).map_err(|e| e.to_string())
}

/// `us-east-1`, `eu-central-2`, ...: the shape pool ids and SigV4 scopes accept.
fn parse_region(value: &str) -> Result<String, String> {
    let parts: Vec<&str> = value.split('-').collect();
    let shaped = parts.len() >= 3
        && parts[..parts.len() - 1].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty();
    if shaped { Ok(value.to_owned()) } else { Err("expected a region such as us-east-1".into()) }
}

fn parse_mailbox(value: &str) -> Result<Mailbox, String> {
    value
        .parse()
        .map_err(|_| "expected an address such as no-reply@example.com or `Name <no-reply@example.com>`".into())
}

fn parse_api_authorization(value: &str) -> Result<(String, ApiAuthorization), String> {
    let (path, authorization) = value.split_once('=').ok_or("expected path=cognito|iam")?;
    let path = path.trim();
    if !path.starts_with('/') || path.len() < 2 || path.ends_with('/') {
        return Err(format!("path {path:?} must start with '/' and not end with one, e.g. /v1"));
    }
    let authorization = match authorization.trim() {
        "cognito" => ApiAuthorization::Cognito,
        "iam" => ApiAuthorization::Iam,
        other => return Err(format!("{other:?} is neither cognito nor iam")),
    };
    Ok((path.to_owned(), authorization))
}

fn parse_micro_frontend(value: &str) -> Result<(String, String), String> {
    let (name, url) = value.split_once('=').ok_or("expected name=url")?;
    let (name, url) = (name.trim(), url.trim());
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
        return Err(format!("name {name:?} must be lowercase letters and dashes"));
    }
    if !url.ends_with('/') {
        return Err(format!("url {url:?} must end with '/'"));
    }
    Ok((name.to_owned(), url.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 32 bytes, base64.
    const KEY: &str = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyYiE=";

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        let keys = format!("k1:{KEY}");
        let base = ["api", "--database-url", "postgres://app:s3cret@localhost:5432/app", "--verifier-keys", &keys];
        Config::from_args_only(base.iter().copied().chain(args.iter().copied()))
    }

    #[test]
    fn tests_read_no_environment_variable() {
        let read = Config::without_environment().get_arguments().filter_map(|arg| arg.get_env()).count();
        assert_eq!(read, 0);
        // The server's own command reads them all.
        let command = <Config as clap::CommandFactory>::command();
        assert!(command.get_arguments().any(|arg| arg.get_env().is_some_and(|name| name == "DEV_MODE")));
    }

    #[test]
    fn defaults_are_usable() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.micro_frontends[0], ("accounts".into(), "/mfe/accounts/".into()));
        assert_eq!(config.request_timeout(), Duration::from_secs(30));
        assert_eq!(config.graphql_ws_init_timeout(), Duration::from_secs(10));
    }

    #[test]
    fn errors_name_the_variable() {
        let error = parse(&["--listen", "nowhere"]).unwrap_err().to_string();
        assert!(error.contains("LISTEN_ADDR"), "{error}");
        let error = parse(&["--cors-allowed-origin", "http://a.example/path"]).unwrap_err().to_string();
        assert!(error.contains("CORS_ALLOWED_ORIGINS") && error.contains("http://a.example"), "{error}");
        let error = parse(&["--cognito-region", "moon"]).unwrap_err().to_string();
        assert!(error.contains("COGNITO_REGION"), "{error}");
        let error = parse(&["--request-timeout-secs", "0"]).unwrap_err().to_string();
        assert!(error.contains("REQUEST_TIMEOUT_SECS"), "{error}");
    }

    #[test]
    fn without_verifier_keys_the_server_does_not_start() {
        let error =
            Config::from_args_only(["api", "--database-url", "postgres://localhost/app"]).unwrap_err().to_string();
        assert!(error.contains("VERIFIER_KEYS"), "{error}");
    }

    #[test]
    fn secrets_are_never_echoed() {
        let keys = format!("k1:{KEY}");
        let error =
            Config::from_args_only(["api", "--database-url", "mysql://root:hunter2@db/app", "--verifier-keys", &keys])
                .unwrap_err()
                .to_string();
        assert!(error.contains("DATABASE_URL") && !error.contains("hunter2"), "{error}");
        let bad_key = format!("k1:{KEY}x");
        let error =
            Config::from_args_only(["api", "--database-url", "postgres://localhost/app", "--verifier-keys", &bad_key])
                .unwrap_err()
                .to_string();
        assert!(error.contains("VERIFIER_KEYS") && !error.contains(KEY), "{error}");
        let config = parse(&["--cognito-admin-secret-access-key", "wJalrXUtnFEMI"]).unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cret") && debug.contains("localhost"), "{debug}");
        assert!(!debug.contains("wJalrXUtnFEMI") && !debug.contains(KEY) && debug.contains("k1"), "{debug}");
        let smtp =
            ["--smtp-host", "h", "--smtp-from", "a@b.example", "--smtp-username", "u", "--smtp-password", "pw-9x"];
        let debug = format!("{:?}", parse(&smtp).unwrap());
        assert!(!debug.contains("pw-9x"), "{debug}");
    }

    #[test]
    fn dev_mode_is_off_unless_asked_for() {
        assert!(!parse(&[]).unwrap().dev_mode);
        assert!(parse(&["--dev-mode"]).unwrap().dev_mode);
    }

    #[test]
    fn smtp_is_off_unless_asked_for() {
        assert!(parse(&[]).unwrap().smtp.is_none());
        let config =
            parse(&["--smtp-host", "smtp.example", "--smtp-from", "Ledgerline <no-reply@example.com>"]).unwrap();
        let smtp = config.smtp.unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port(), smtp.tls), ("smtp.example", 587, SmtpTls::Starttls));
        assert_eq!(smtp.from.email.to_string(), "no-reply@example.com");
    }

    #[test]
    fn smtp_settings_come_together() {
        let error = parse(&["--smtp-host", "smtp.example"]).unwrap_err().to_string();
        assert!(error.contains("SMTP_FROM"), "{error}");
        let error = parse(&["--smtp-from", "no-reply@example.com"]).unwrap_err().to_string();
        assert!(error.contains("SMTP_HOST"), "{error}");
        let error = parse(&["--smtp-port", "2525"]).unwrap_err().to_string();
        assert!(error.contains("SMTP_HOST") && error.contains("SMTP_FROM"), "{error}");
        let full = ["--smtp-host", "smtp.example", "--smtp-from", "no-reply@example.com"];
        let error = parse(&[&full[..], &["--smtp-username", "mailer"]].concat()).unwrap_err().to_string();
        assert!(error.contains("SMTP_PASSWORD"), "{error}");
        let error = parse(&[&full[..], &["--smtp-from", "not an address"]].concat()).unwrap_err().to_string();
        assert!(error.contains("SMTP_FROM"), "{error}");
    }

    #[test]
    fn the_shells_api_authorization_is_a_list_of_paths() {
        assert!(parse(&[]).unwrap().shell_api_authorization.is_empty(), "the user pool's token by default");
        let config = parse(&["--shell-api-authorization", "/v1=iam,/graphql=cognito"]).unwrap();
        let expected = [("/v1".to_owned(), ApiAuthorization::Iam), ("/graphql".to_owned(), ApiAuthorization::Cognito)];
        assert_eq!(config.shell_api_authorization, expected);
        for bad in ["/v1=jwt", "v1=iam", "/v1/=iam", "/v1"] {
            let error = parse(&["--shell-api-authorization", bad]).unwrap_err().to_string();
            assert!(error.contains("SHELL_API_AUTHORIZATION"), "{bad}: {error}");
        }
    }

    #[test]
    fn origins_are_normalised_and_checked() {
        let config = parse(&["--cors-allowed-origin", "http://localhost:8080/,https://app.example"]).unwrap();
        assert_eq!(config.cors_allowed_origins, ["http://localhost:8080", "https://app.example"]);
    }
}
