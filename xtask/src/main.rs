//! `cargo xtask`: sets up the tools, runs the product for development, builds it, tests it and benchmarks it.

mod bench;
mod cluster;
mod deploy;
mod dev;
mod dist;
mod http;
mod manifest;
mod postgres;
mod precompress;
mod process;
mod slim;
mod steps;
mod test;
mod tools;
mod verifier_keys;
mod workspace;

use std::{
    io::{self, Write},
    process::ExitCode,
};

use clap::{Parser, Subcommand};

/// Errors carry a message for a person; `process::Interrupted` marks Ctrl-C.
type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

#[derive(Parser)]
#[command(about = "Ledgerline's tasks: `cargo xtask dev` runs the product, `cargo xtask test` runs every test.")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install or check every tool the other tasks need (they run it themselves).
    Setup,
    /// Run Postgres, the api and the front end with live rebuilds, until Ctrl-C.
    Dev {
        /// The shell signs its api calls with SigV4 and the dev identity pool's credentials, and the
        /// api accepts only those (API Gateway's AWS_IAM), instead of the user pool's access token.
        #[arg(long, env = "LEDGERLINE_IAM")]
        iam: bool,
    },
    /// Run every test: the workspace's tests (api, end-to-end) and the micro-frontends' wasm tests.
    Test,
    /// Build a deployable `dist/` (shell and micro-frontends) and the release api.
    Dist,
    /// Build what an AWS deployment uploads (docs/deploy.md): `deploy/build/api.zip` (the api for
    /// Lambda's arm64, `bootstrap` inside) and the site in `deploy/build/site/`.
    Package,
    /// Run a benchmark against a throwaway Postgres: `cognito`, `accounts` or `payments` (the release api under
    /// load; ARGS go to the benchmark, `cargo run -p bench -- cognito --help` lists them), `scale` (the accounts
    /// load directly, through HAProxy to one and two replicas, and through PgBouncer) or `browser` (the built
    /// site's sizes and timings in headless Chromium).
    Bench {
        benchmark: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run N replicas of the api on one throwaway Postgres behind HAProxy, until Ctrl-C.
    Cluster {
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=16))]
        replicas: u16,
        /// Requests' transactions go through PgBouncer (Debian's 1.18) in transaction mode, which
        /// keeps as many server connections for all the replicas as one replica's pool (DATABASE_POOLER_URL).
        #[arg(long)]
        pgbouncer: bool,
    },
    /// Writes and reads through HAProxy while a replica is SIGKILLed and Postgres restarts; then checks that
    /// no acknowledged write is missing or duplicated and the money adds up.
    Fault,
    /// Trunk post_build hook: slim micro-frontend NAME's build (import names, the JS glue's comments)
    /// and write its manifest.json, in TRUNK_STAGING_DIR.
    Manifest { name: String },
    /// Trunk post_build hook of the shell: slim the build of `mfe-NAME` (import names, the JS glue's
    /// comments) in TRUNK_STAGING_DIR.
    Slim { name: String },
}

fn main() -> ExitCode {
    let task = Cli::parse().task;
    let (message, code) = match process::handle_interrupts().and_then(|()| run(task)) {
        Ok(()) => return ExitCode::SUCCESS,
        Err(error) if error.is::<process::Interrupted>() => ("stopped: interrupted".to_owned(), 130),
        Err(error) => (format!("error: {error}"), 1),
    };
    // Like `say!`: stderr may be a pipe that Ctrl-C already closed.
    let _ = writeln!(io::stderr(), "{message}");
    ExitCode::from(code)
}

fn run(task: Task) -> Result {
    match task {
        Task::Setup => tools::setup(tools::TestClients::Required).map(drop),
        Task::Dev { iam } => dev::run(iam),
        Task::Test => test::run(),
        Task::Dist => dist::run(),
        Task::Package => deploy::package(),
        Task::Bench { benchmark, args } => bench::run(&benchmark, &args),
        Task::Cluster { replicas, pgbouncer } => cluster::run(replicas, pgbouncer),
        Task::Fault => cluster::fault(),
        Task::Manifest { name } => manifest::write(&name),
        Task::Slim { name } => manifest::slim_staged(&name).map(drop),
    }
}
