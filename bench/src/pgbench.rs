//! pgbench beside the api, for the physical limit: the api's own SQL run straight on Postgres as the
//! api's role, with prepared statements (as sqlx sends them), the same clients and duration.

use std::{path::PathBuf, process::Command};

use reqwest::Url;

use crate::load::{Failure, Load};

/// pgbench, and the database that it and the benchmark's own writes and checks reach directly.
#[derive(clap::Args)]
pub struct Program {
    /// The database's owner, as the api's DATABASE_URL.
    #[arg(long, env = "BENCH_DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    /// pgbench, from the same Postgres installation as the server.
    #[arg(long = "pgbench", env = "PGBENCH", default_value = "pgbench")]
    path: PathBuf,
}

/// What pgbench measured.
pub struct Rate {
    pub per_second: f64,
    pub p99_ms: f64,
}

impl Program {
    /// Runs `script` against the database as the api's role, with pgbench's `--define`s.
    pub fn run(&self, load: &Load, script: &str, defines: &[(&str, &str)]) -> Result<Rate, Failure> {
        let dir = std::env::temp_dir().join(format!("ledgerline-pgbench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let script_path = dir.join("script.sql");
        std::fs::write(&script_path, script)?;
        let mut url = Url::parse(&self.database_url)?;
        url.set_username("ledgerline_api").map_err(|()| "the database URL has no user")?;
        let output = Command::new(&self.path)
            .current_dir(&dir)
            .args(["--no-vacuum", "--protocol=prepared", "--log", "--log-prefix=tx"])
            .arg(format!("--client={}", load.concurrency))
            .arg("--jobs=2")
            .arg(format!("--time={}", load.duration))
            .args(defines.iter().map(|(name, value)| format!("--define={name}={value}")))
            .arg(format!("--file={}", script_path.display()))
            .arg(url.as_str())
            .output()?;
        if !output.status.success() {
            return Err(format!("pgbench failed: {}", String::from_utf8_lossy(&output.stderr)).into());
        }
        let report = String::from_utf8_lossy(&output.stdout);
        let per_second = report
            .lines()
            .find_map(|line| line.strip_prefix("tps = ")?.split_whitespace().next()?.parse().ok())
            .ok_or("pgbench printed no tps")?;
        let latencies_us = transaction_latencies(&dir)?;
        std::fs::remove_dir_all(&dir)?;
        let rank = ((latencies_us.len() as f64) * 0.99).ceil() as usize;
        let p99_ms = latencies_us.get(rank.saturating_sub(1)).copied().unwrap_or_default() as f64 / 1000.0;
        Ok(Rate { per_second, p99_ms })
    }
}

/// Each transaction's latency (µs) from pgbench's per-transaction logs in `dir`, sorted.
fn transaction_latencies(dir: &std::path::Path) -> Result<Vec<u64>, Failure> {
    let mut latencies_us: Vec<u64> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.file_name().is_some_and(|name| name.to_string_lossy().starts_with("tx.")) {
            let log = std::fs::read_to_string(&path)?;
            latencies_us.extend(log.lines().filter_map(|line| line.split_whitespace().nth(2)?.parse::<u64>().ok()));
        }
    }
    latencies_us.sort_unstable();
    Ok(latencies_us)
}
