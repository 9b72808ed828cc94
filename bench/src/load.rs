//! The load generator every benchmark shares: N workers repeat one operation for a warm-up and then a measured
//! period; what completes within the period gives requests per second and latency percentiles. It also notes
//! how busy the machine's CPUs were and how much of that was this process, since here the server runs on the
//! same cores.

use std::{
    error::Error,
    fmt, fs,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::{
    task::JoinSet,
    time::{Instant, sleep_until},
};

/// Why one call failed.
pub type Failure = Box<dyn Error + Send + Sync>;

#[derive(clap::Args, Clone, Copy)]
pub struct Load {
    /// Concurrent workers, each with one request in flight.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Seconds of load before measuring (connections, caches, the server's pools warm up).
    #[arg(long, default_value_t = 3)]
    pub warmup: u64,
    /// Seconds measured.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
}

/// What a worker repeats: one request, or a few that make one user action.
pub trait Operation: Send + Sync + 'static {
    fn call(&self) -> impl Future<Output = Result<(), Failure>> + Send;
}

/// What one scenario measured.
pub struct Outcome {
    pub successes: usize,
    pub failures: usize,
    pub first_failure: Option<String>,
    /// Of the successes, sorted.
    latencies: Vec<Duration>,
    measured: Duration,
    pub cpu: CpuUse,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        self.successes as f64 / self.measured.as_secs_f64()
    }

    /// The latency that `fraction` (0.5 for the median) of the successes did not exceed.
    pub fn percentile(&self, fraction: f64) -> Duration {
        let rank = (fraction * self.latencies.len() as f64).ceil() as usize;
        self.latencies.get(rank.saturating_sub(1)).copied().unwrap_or_default()
    }
}

/// Runs `operation` under `load` against the service whose process is called `service` (for its CPU share), and
/// measures the calls that end within the measured period.
pub async fn run(load: Load, operation: impl Operation, service: &str) -> Outcome {
    let operation = Arc::new(operation);
    let measure_from = Instant::now() + Duration::from_secs(load.warmup);
    let until = measure_from + Duration::from_secs(load.duration);
    let cpu = tokio::spawn(CpuUse::between(measure_from, until, service.to_owned()));
    let mut workers = JoinSet::new();
    for _ in 0..load.concurrency {
        workers.spawn(work(Arc::clone(&operation), measure_from, until));
    }
    let mut total = Tally::default();
    while let Some(tally) = workers.join_next().await {
        total.absorb(tally.expect("a worker panicked"));
    }
    total.latencies.sort_unstable();
    Outcome {
        successes: total.latencies.len(),
        failures: total.failures,
        first_failure: total.first_failure,
        latencies: total.latencies,
        measured: until - measure_from,
        cpu: cpu.await.expect("the CPU sampler panicked"),
    }
}

/// The round with the median rate.
pub fn median(rounds: &[Outcome]) -> Option<&Outcome> {
    let mut sorted: Vec<&Outcome> = rounds.iter().collect();
    sorted.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
    sorted.get(sorted.len() / 2).copied()
}

/// The lowest and the highest rate of the rounds.
pub fn rate_range(rounds: &[Outcome]) -> (f64, f64) {
    rounds
        .iter()
        .map(Outcome::per_second)
        .fold((f64::MAX, 0.0_f64), |(low, high), rate| (low.min(rate), high.max(rate)))
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    failures: usize,
    first_failure: Option<String>,
}

impl Tally {
    fn absorb(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.failures += other.failures;
        self.first_failure = self.first_failure.take().or(other.first_failure);
    }
}

async fn work(operation: Arc<impl Operation>, measure_from: Instant, until: Instant) -> Tally {
    let mut tally = Tally::default();
    while Instant::now() < until {
        let started = Instant::now();
        let result = operation.call().await;
        let ended = Instant::now();
        // Counting by end time measures the steady state: calls under way when measuring starts are counted,
        // and those under way when it stops are not, so the two edges balance out.
        if ended < measure_from || ended >= until {
            continue;
        }
        match result {
            Ok(()) => tally.latencies.push(ended - started),
            Err(failure) => {
                tally.failures += 1;
                tally.first_failure.get_or_insert_with(|| failure.to_string());
            }
        }
    }
    tally
}

/// Hands out items in turn to concurrent callers, e.g. one user after another.
pub struct Rotation<T> {
    items: Vec<T>,
    next: AtomicUsize,
}

impl<T> Rotation<T> {
    pub fn new(items: Vec<T>) -> Self {
        assert!(!items.is_empty(), "nothing to rotate through");
        Self { items, next: AtomicUsize::new(0) }
    }

    pub fn next(&self) -> &T {
        &self.items[self.next.fetch_add(1, Ordering::Relaxed) % self.items.len()]
    }
}

/// The machine, for the report: its cores and CPU model.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |cores| cores.get());
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|line| Some(line.strip_prefix("model name")?.split_once(':')?.1.trim()));
    format!("{cores} cores ({})", model.unwrap_or("unknown CPU"))
}

/// The api's process command; Postgres's, whose processes count for every service (only ours uses it).
pub const API: &str = "api";
const POSTGRES: &str = "postgres";

/// CPU time over the measured period, in cores (2.0 = both cores of a 2-core machine all the time).
#[derive(Clone, Copy, Default)]
pub struct CpuUse {
    /// The service under test.
    pub service: f64,
    /// Every Postgres process.
    pub postgres: f64,
    /// This process.
    pub load_generator: f64,
    /// Anything else that ran meanwhile: more than a little means the figures are not to be trusted.
    pub other: f64,
}

impl CpuUse {
    async fn between(from: Instant, until: Instant, service: String) -> Self {
        sleep_until(from).await;
        let start = CpuTicks::read(&service);
        sleep_until(until).await;
        let end = CpuTicks::read(&service);
        match start.zip(end) {
            Some((start, end)) => start.use_until(&end),
            None => Self::default(),
        }
    }
}

impl fmt::Display for CpuUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [self.service, self.postgres, self.load_generator, self.other]
            .map(|cores| format!("{:.0}%", cores * 100.0));
        f.write_str(&parts.join(" / "))
    }
}

/// Clock ticks from /proc (Linux): the machine's busy and total time over all CPUs, the service's, Postgres's
/// and this process's time.
struct CpuTicks {
    busy: u64,
    total: u64,
    service: u64,
    postgres: u64,
    own: u64,
    cores: f64,
}

impl CpuTicks {
    fn read(service: &str) -> Option<Self> {
        let (busy, total) = machine_ticks(&fs::read_to_string("/proc/stat").ok()?)?;
        let own = process_ticks(&fs::read_to_string("/proc/self/stat").ok()?)?.1;
        let cores = std::thread::available_parallelism().ok()?.get() as f64;
        let (service, postgres) = server_ticks(service);
        Some(Self { busy, total, service, postgres, own, cores })
    }

    fn use_until(&self, later: &Self) -> CpuUse {
        let total = later.total.saturating_sub(self.total).max(1) as f64;
        let cores = |ticks: u64| ticks as f64 / total * self.cores;
        // Saturating, in case a process's children end unwaited-for (their time is then lost).
        let since = |now: u64, then: u64| now.saturating_sub(then);
        let (service, postgres) = (since(later.service, self.service), since(later.postgres, self.postgres));
        let (busy, own) = (since(later.busy, self.busy), since(later.own, self.own));
        CpuUse {
            service: cores(service),
            postgres: cores(postgres),
            load_generator: cores(own),
            other: cores(busy.saturating_sub(service + postgres + own)),
        }
    }
}

/// The time of the processes named `service` and of those named [`POSTGRES`].
fn server_ticks(service: &str) -> (u64, u64) {
    let Ok(processes) = fs::read_dir("/proc") else { return (0, 0) };
    let stats = processes.filter_map(|entry| fs::read_to_string(entry.ok()?.path().join("stat")).ok());
    stats.fold((0, 0), |(own, postgres), stat| match process_ticks(&stat) {
        Some((command, ticks)) if command == service => (own + ticks, postgres),
        Some((POSTGRES, ticks)) => (own, postgres + ticks),
        _ => (own, postgres),
    })
}

/// (busy, total) from /proc/stat's `cpu` line: user nice system idle iowait irq softirq steal ...
fn machine_ticks(proc_stat: &str) -> Option<(u64, u64)> {
    let fields: Vec<u64> = proc_stat
        .lines()
        .next()?
        .strip_prefix("cpu ")?
        .split_whitespace()
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    let total = fields.iter().take(8).sum();
    let idle = fields.get(3)? + fields.get(4)?;
    Some((total - idle, total))
}

/// The command and the CPU time of a /proc/<pid>/stat (`pid (command) state ppid ...`): its own (utime +
/// stime) and that of its children that ended (cutime + cstime). The latter keeps a sum over processes from
/// dropping when one ends: Postgres's postmaster collects the time of its backends and autovacuum workers.
fn process_ticks(stat: &str) -> Option<(&str, u64)> {
    let (pid_and_command, rest) = stat.rsplit_once(')')?;
    let command = pid_and_command.split_once(" (")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // The fields after the command start at the 3rd (state); utime, stime, cutime and cstime are the 14th to 17th.
    let ticks = fields.get(11..15)?.iter().map(|field| field.parse::<u64>().ok()).sum::<Option<u64>>()?;
    Some((command, ticks))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(latencies_ms: &[u64]) -> Outcome {
        Outcome {
            successes: latencies_ms.len(),
            failures: 0,
            first_failure: None,
            latencies: latencies_ms.iter().copied().map(Duration::from_millis).collect(),
            measured: Duration::from_secs(2),
            cpu: CpuUse::default(),
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let measured = outcome(&(1..=100).collect::<Vec<_>>());
        assert_eq!(measured.percentile(0.5), Duration::from_millis(50));
        assert_eq!(measured.percentile(0.99), Duration::from_millis(99));
        assert_eq!(measured.percentile(1.0), Duration::from_millis(100));
        assert_eq!(measured.per_second(), 50.0);
        assert_eq!(outcome(&[]).percentile(0.5), Duration::ZERO);
    }

    #[test]
    fn rotation_hands_out_items_in_turn() {
        let rotation = Rotation::new(vec!["a", "b"]);
        assert_eq!([rotation.next(), rotation.next(), rotation.next()], [&"a", &"b", &"a"]);
    }

    #[test]
    fn reads_proc_tick_counts() {
        let proc_stat = "cpu  100 5 50 800 20 3 2 0 0 0\ncpu0 50 2 25 400 10 1 1 0 0 0\n";
        assert_eq!(machine_ticks(proc_stat), Some((160, 980)));
        let self_stat = "4242 (bench (v2)) R 1 4242 4242 0 -1 4194304 100 0 0 0 731 129 40 2 20 0 3 0";
        assert_eq!(process_ticks(self_stat), Some(("bench (v2)", 902)));
        assert_eq!(process_ticks("garbage"), None);
    }

    #[tokio::test(start_paused = true)]
    async fn counts_what_ends_within_the_measured_period() {
        struct TakesASecond;
        impl Operation for TakesASecond {
            async fn call(&self) -> Result<(), Failure> {
                tokio::time::sleep(Duration::from_millis(1000)).await;
                Ok(())
            }
        }
        let measured = run(Load { concurrency: 3, warmup: 2, duration: 5 }, TakesASecond, API).await;
        // Each worker ends a call at 1 s, 2 s, ... 7 s; those at 2 s to 6 s are in the period [2 s, 7 s).
        assert_eq!((measured.successes, measured.failures), (15, 0));
        assert_eq!(measured.per_second(), 3.0);
        assert_eq!(measured.percentile(0.99), Duration::from_secs(1));
    }
}
