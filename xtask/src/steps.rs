//! Named, timed steps: every task prints `==> <what> ...` and how long each step took.

use std::time::{Duration, Instant};

use crate::Result;

/// `println!` that ignores a closed stdout: after Ctrl-C a pipe such as `| tee` may be gone, and
/// stopping what was started matters more than saying so (a panic there would skip the clean-up).
macro_rules! say {
    ($($line:tt)+) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($line)*);
    }};
}
pub(crate) use say;

/// Runs `work` as a step, printing its start and, when it ends, its outcome and duration.
pub fn step<T>(what: &str, work: impl FnOnce() -> Result<T>) -> Result<T> {
    timed(what, work).0
}

/// Like [`step`], also returning the duration (for summaries).
pub fn timed<T>(what: &str, work: impl FnOnce() -> Result<T>) -> (Result<T>, Duration) {
    say!("==> {what} ...");
    let started = Instant::now();
    let result = work();
    let took = started.elapsed();
    let outcome = if result.is_ok() { "done" } else { "FAILED" };
    say!("    {what}: {outcome} in {}", seconds(took));
    (result, took)
}

pub fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}
