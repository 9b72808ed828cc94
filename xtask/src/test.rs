//! `cargo xtask test`: every test, against a throwaway Postgres and a release build of the site.

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use crate::{
    Result, deploy, dist,
    postgres::Cluster,
    process::{self, Interrupted},
    steps::{say, seconds, timed},
    tools::{self, CHROMEDRIVER, CHROMIUM, TestClients, Tools},
    workspace,
};

/// Crates that only build for the browser: the native run leaves them out, and their tests run as
/// wasm in headless Chromium.
const BROWSER_ONLY_CRATES: [&str; 6] =
    ["mfe-shell", "mfe-accounts", "mfe-payments", "mfe-organisations", "mfe-guest", "mfe-host"];
/// Crates tested natively whose browser tests also run as wasm in headless Chromium.
const ALSO_IN_THE_BROWSER: [&str; 1] = ["ui-kit"];

pub fn run() -> Result {
    let mut report = Report::default();
    let outcome = run_steps(&mut report);
    report.print();
    outcome?;
    match report.failures() {
        0 => Ok(()),
        failures => Err(format!("{failures} test step(s) failed").into()),
    }
}

/// A failed setup or build ends the run; the test steps all run whatever the others did.
fn run_steps(report: &mut Report) -> Result {
    let tools = report.required("setup", || tools::setup(TestClients::Required))?;
    // Dropped (stopped and removed) on every way out of this function.
    let cluster = report.required("Postgres (throwaway cluster)", || Cluster::start_throwaway(&tools.postgres))?;
    // Not dist/: a developer's build stays as it is.
    let site = workspace::target_dir()?.join("site");
    report.required("site build (release)", || dist::build_site(&tools, &site))?;
    report.test("cargo test: workspace (api, end-to-end)", &mut workspace_tests(&tools, &cluster, &site))?;
    report.test("cargo test: micro-frontends (wasm, headless Chromium)", &mut wasm_tests())?;
    if let Some(bin) = &tools.template_checks {
        report.check("deploy/template.yaml: sam validate (--lint), cfn-lint", || deploy::check_template(bin))?;
    }
    Ok(())
}

/// `cargo test` running every test binary to the end, so one failure does not hide the others.
fn cargo_test() -> Command {
    let mut cargo = Command::new("cargo");
    cargo.current_dir(workspace::root()).args(["test", "--no-fail-fast"]);
    cargo
}

fn workspace_tests(tools: &Tools, cluster: &Cluster, site: &Path) -> Command {
    let mut cargo = cargo_test();
    cargo.arg("--workspace");
    for excluded in BROWSER_ONLY_CRATES {
        cargo.args(["--exclude", excluded]);
    }
    e2e_env(&mut cargo, tools, cluster, site);
    cargo
}

/// What the api's and the end-to-end tests (and the browser benchmark) find in their environment.
pub fn e2e_env(cargo: &mut Command, tools: &Tools, cluster: &Cluster, site: &Path) {
    // The superuser: the api's tests create a database per test.
    cargo
        .env("DATABASE_URL", cluster.url("postgres"))
        .env("E2E_SITE_DIR", site)
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("CHROMIUM", CHROMIUM);
    cargo.envs(tools.test_pythons.iter().map(|(variable, python)| (variable, python)));
    if let Some(axe_core) = &tools.axe_core {
        cargo.env("AXE_CORE_JS", axe_core);
    }
    if let Some(amplify) = &tools.amplify {
        cargo.env("AMPLIFY_NODE_MODULES", amplify);
    }
    if let Some(pgbouncer) = &tools.pgbouncer {
        cargo.env("PGBOUNCER", pgbouncer);
    }
}

/// .cargo/config.toml makes wasm-bindgen-test-runner the runner; it drives Chromium through ChromeDriver.
fn wasm_tests() -> Command {
    let mut cargo = cargo_test();
    cargo.args(["--target", "wasm32-unknown-unknown"]);
    for tested in BROWSER_ONLY_CRATES.iter().chain(&ALSO_IN_THE_BROWSER) {
        cargo.args(["-p", tested]);
    }
    cargo.env("CHROMEDRIVER", CHROMEDRIVER);
    cargo
}

/// Each step's outcome and duration, for the summary table.
#[derive(Default)]
struct Report(Vec<(&'static str, bool, Duration)>);

impl Report {
    /// A step the rest depends on (it prints its own progress): its failure ends the run.
    fn required<T>(&mut self, name: &'static str, work: impl FnOnce() -> Result<T>) -> Result<T> {
        let started = Instant::now();
        let result = work();
        self.0.push((name, result.is_ok(), started.elapsed()));
        result
    }

    /// A test step running `command`.
    fn test(&mut self, name: &'static str, command: &mut Command) -> Result {
        self.check(name, || process::run(command))
    }

    /// A test step: its failure is recorded and the run goes on, unless it was Ctrl-C.
    fn check(&mut self, name: &'static str, work: impl FnOnce() -> Result) -> Result {
        let (result, took) = timed(name, work);
        self.0.push((name, result.is_ok(), took));
        match result {
            Err(error) if error.is::<Interrupted>() => Err(error),
            Err(error) => {
                say!("    {name}: {error}");
                process::check_interrupted()
            }
            Ok(()) => process::check_interrupted(),
        }
    }

    fn failures(&self) -> usize {
        self.0.iter().filter(|(_, passed, _)| !passed).count()
    }

    fn print(&self) {
        let width = self.0.iter().map(|(name, ..)| name.len()).max().unwrap_or(0);
        say!("\n==> summary");
        for (name, passed, took) in &self.0 {
            let outcome = if *passed { "ok" } else { "FAILED" };
            say!("    {name:<width$}  {outcome:<6}  {:>9}", seconds(*took));
        }
    }
}
