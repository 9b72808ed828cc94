//! `bench scale`: `bench accounts`' load (a page of children with a JWT) through each of several ways
//! to the same data, taking turns, `--rounds` times: the api itself, HAProxy in front of it, HAProxy
//! in front of two replicas, an api whose requests go through PgBouncer (`cargo xtask bench scale`
//! starts them all on one Postgres). Each way's rate is put beside the first way's (the direct api)
//! in the same round, and beside pgbench on the same SQL.
//!
//! On a machine whose cores the replicas, the balancer, Postgres and the load generator all share, a
//! second replica cannot add capacity: what this shows is the overhead of each hop.

use crate::{
    accounts::{self, Seeded},
    load::{self, Failure, Outcome},
    pgbench,
};

use reqwest::Url;

#[derive(clap::Args)]
pub struct Args {
    /// A way to the api, `name=url`; repeated, the first is the direct api that the others are compared with.
    #[arg(long = "target", value_parser = parse_target, required = true)]
    targets: Vec<(String, Url)>,
    #[command(flatten)]
    accounts: accounts::Args,
}

fn parse_target(value: &str) -> Result<(String, Url), String> {
    let (name, url) = value.split_once('=').ok_or("expected name=url")?;
    Ok((name.to_owned(), Url::parse(url).map_err(|error| error.to_string())?))
}

pub async fn run(args: Args) -> Result<(), Failure> {
    let (load, targets, rounds_asked) = (args.accounts.load, &args.targets, args.accounts.rounds);
    let Seeded { user, groups, .. } =
        Seeded::create(&targets[0].1, &args.accounts.pgbench, &args.accounts.admin).await?;
    let requests = targets
        .iter()
        .map(|(_, url)| accounts::with_token(&accounts::pages(url, &groups)?, &user.tokens.access_token))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rounds: Vec<Vec<Outcome>> = targets.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds_asked {
        // Each round starts with another way, so that none always follows the same one.
        for turn in 0..targets.len() {
            let way = (round + turn) % targets.len();
            let (name, round) = (&targets[way].0, round + 1);
            println!("measuring children of a node through `{name}` (round {round} of {rounds_asked}) ...");
            rounds[way].push(accounts::measure(load, requests[way].clone()).await);
        }
    }
    let direct = accounts::pgbench_children(&args.accounts.pgbench, &load, &user)?;
    print_table(&args, &rounds, &direct);
    Ok(())
}

fn print_table(args: &Args, rounds: &[Vec<Outcome>], direct: &pgbench::Rate) {
    let load = args.accounts.load;
    println!(
        "\n{} concurrent clients with one JWT, {} s measured after {} s of warm-up, {} rounds taking turns, on {}; every \
         api, HAProxy, PgBouncer, Postgres and the load generator share the cores. Each row is the round with the \
         median rate, with the range over the rounds; beside it, the median of its rounds' ratios to the first way's \
         rate in the same round, and its ratio to pgbench. CPU: api is every api process together.\n",
        load.concurrency,
        load.duration,
        load.warmup,
        args.accounts.rounds,
        load::machine()
    );
    println!(
        "| children of a node (20 rows) | per second | range | p50 | p99 | of `{}` / of pgbench | CPU: api / Postgres / load generator / other |",
        args.targets[0].0
    );
    println!("|---|---:|---:|---:|---:|---|---|");
    let failures: usize = rounds.iter().flatten().map(|outcome| outcome.failures).sum();
    for ((name, _), way) in args.targets.iter().zip(rounds) {
        let Some(median) = load::median(way) else { continue };
        let ratios: Vec<f64> =
            way.iter().zip(&rounds[0]).map(|(this, first)| this.per_second() / first.per_second()).collect();
        let ratios = format!(
            "{:.0} % / {:.0} %",
            accounts::median_of(&ratios) * 100.0,
            median.per_second() / direct.per_second * 100.0
        );
        accounts::print_row(name, way, median, &ratios);
    }
    println!("| pgbench, same SQL | {:.0} | | — | {:.1} ms | | |", direct.per_second, direct.p99_ms);
    println!("\n{failures} failures in all.");
}
