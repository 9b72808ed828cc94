//! `bench <name>`: load benchmarks of a running api, printed as a markdown table. `cargo xtask bench <name>`
//! builds everything in release mode, starts Postgres and the api, and runs this against them.

mod accounts;
mod cognito;
mod fault;
mod identity;
mod load;
mod payments;
mod pgbench;
mod scale;
mod sigv4;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use reqwest::Url;

/// The load generator shares the cores with what it measures: mimalloc spends less of them on its
/// many small buffers than the system's allocator (2 % of all the CPU in a GetUser run).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Load benchmarks of a running Ledgerline api; `cargo xtask bench <name>` starts one and runs them.")]
struct Cli {
    /// The api's base URL.
    #[arg(long, global = true, env = "BENCH_API", default_value = "http://127.0.0.1:3000")]
    api: Url,
    #[command(subcommand)]
    benchmark: Benchmark,
}

#[derive(Subcommand)]
enum Benchmark {
    /// The Cognito service: SRP and password sign-in, refresh, GetUser; GetId and GetCredentialsForIdentity.
    Cognito(cognito::Args),
    /// The Accounts api: children of a node over 100,000 accounts, with a JWT and SigV4-signed, next to pgbench.
    Accounts(accounts::Args),
    /// The accounts load (with a JWT) through several ways to the same data (`--target name=url`, the first
    /// the direct api), taking turns; pgbench beside. `cargo xtask bench scale` starts the api, HAProxy in
    /// front of one and of two replicas, and an api through PgBouncer.
    Scale(scale::Args),
    /// Payments through the GraphQL api: created and settled (spread and on two hot accounts), listed; pgbench beside.
    Payments(payments::Args),
    /// Not a benchmark: writes through a load balancer while replicas and Postgres fail
    /// (`cargo xtask fault` injects the faults), then checks nothing acknowledged was lost or made twice.
    Fault(fault::Args),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.benchmark {
        Benchmark::Cognito(args) => cognito::run(&cli.api, args).await,
        Benchmark::Accounts(args) => accounts::run(&cli.api, args).await,
        Benchmark::Payments(args) => payments::run(&cli.api, args).await,
        Benchmark::Scale(args) => scale::run(args).await,
        Benchmark::Fault(args) => fault::run(&cli.api, args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
