//! The tools the tasks need, installed when missing and version-checked when present: the wasm
//! target, Trunk, wasm-bindgen, wasm-opt, Postgres, (for tests) Chromium with ChromeDriver, the
//! Python test clients, aws-amplify and axe-core, AWS's template checks (SAM CLI, cfn-lint), and (for `bench cognito --peers`) the Cognito emulators moto and cognito-local.

use std::{
    env,
    ffi::{OsStr, OsString},
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Instant,
};

use crate::{
    Result,
    postgres::Server,
    process::{self, is_root},
    steps::{say, seconds, step},
    workspace,
};

/// Trunk 0.22 needs a newer rustc than the workspace's; every Trunk.toml pins this version.
const TRUNK_VERSION: &str = "0.21.14";
/// Trunk.toml pins `wasm_opt = "version_132"`. Debian's binaryen (108) produces broken wasm with
/// current wasm-bindgen, so wasm-opt comes from npm.
const BINARYEN_VERSION: &str = "132";
/// The accessibility engine the end-to-end tests audit every page with (npm).
const AXE_CORE_VERSION: &str = "4.14.1";
/// Amplify, the client most apps on Cognito use: the api's tests drive it from node (npm).
const AMPLIFY_VERSION: &str = "6.22.1";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian bookworm's HAProxy and PgBouncer (`apt-cache policy`): `cargo xtask cluster` balances its
/// replicas with the one; the tests show row-level security through the other.
pub const HAPROXY_VERSION: &str = "2.6.12";
pub const PGBOUNCER_VERSION: &str = "1.18.0";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Test clients nobody here wrote, each pinned from PyPI into a virtualenv of its own; the api's
/// tests find each one's Python in its variable.
const TEST_PYTHON_PACKAGES: [(PythonPackage, &str); 3] = [
    // An SRP client: the Cognito tests sign in through it.
    (PythonPackage { name: "pycognito", extras: "", version: "2024.5.1", beside: &[] }, "PYCOGNITO_PYTHON"),
    // A property-based fuzzer that holds the REST api to its OpenAPI document.
    (PythonPackage { name: "schemathesis", extras: "", version: "4.32.5", beside: &[] }, "SCHEMATHESIS_PYTHON"),
    // The AWS SDK for Python: the IAM and identity-pool tests call the api through it.
    (PythonPackage { name: "boto3", extras: "", version: "1.44.18", beside: &[] }, "BOTO3_PYTHON"),
];

/// The Cognito emulators the benchmark compares with: moto's server mode (PyPI) and cognito-local (npm).
const MOTO: PythonPackage = PythonPackage { name: "moto", extras: "[server]", version: "5.2.5", beside: &[] };
const COGNITO_LOCAL_VERSION: &str = "5.3.0";

/// AWS's checks of `deploy/template.yaml`: the SAM CLI (`sam validate` runs SAM's translator) and
/// cfn-lint (`sam validate --lint` and `cfn-lint`), pinned beside it in its virtualenv.
const TEMPLATE_CHECKS: PythonPackage =
    PythonPackage { name: "aws-sam-cli", extras: "", version: "1.170.0", beside: &[("cfn-lint", "1.58.0")] };

struct PythonPackage {
    name: &'static str,
    /// Optional features to install with it, e.g. `[server]`.
    extras: &'static str,
    version: &'static str,
    /// Dependencies pinned in the same virtualenv (name, version), which the package alone leaves open.
    beside: &'static [(&'static str, &'static str)],
}

/// Only `test` drives a browser and the independent protocol clients.
pub enum TestClients {
    NotNeeded,
    Required,
}

pub struct Tools {
    pub postgres: Server,
    /// For the tests (when test clients were asked for): each variable, and the Python it names.
    pub test_pythons: Vec<(&'static str, PathBuf)>,
    /// axe-core's browser script, for the end-to-end tests (likewise).
    pub axe_core: Option<PathBuf>,
    /// The node_modules holding aws-amplify, for the api's tests (likewise).
    pub amplify: Option<PathBuf>,
    /// The directory of `sam` and `cfn-lint`, for the template's checks (likewise).
    pub template_checks: Option<PathBuf>,
    /// PgBouncer, for the api's pooler test (likewise).
    pub pgbouncer: Option<PathBuf>,
    /// PATH with the pinned wasm-opt first, for every trunk process.
    trunk_path: OsString,
}

impl Tools {
    /// `trunk` run in `dir`.
    pub fn trunk(&self, dir: &Path) -> Command {
        let mut trunk = Command::new("trunk");
        trunk.current_dir(dir).env("PATH", &self.trunk_path);
        trunk
    }
}

/// Checks every tool, installing what is missing; quick when everything is there.
pub fn setup(browsers: TestClients) -> Result<Tools> {
    step("setup", || {
        ensure_rust_target(WASM_TARGET)?;
        ensure(
            &format!("trunk {TRUNK_VERSION}"),
            || version_is("trunk", &format!("trunk {TRUNK_VERSION}")),
            || process::run(Command::new("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"])),
        )?;
        let bindgen = wasm_bindgen_version()?;
        ensure(
            &format!("wasm-bindgen-cli {bindgen}"),
            || version_is("wasm-bindgen", &format!("wasm-bindgen {bindgen}")),
            || {
                // Not --locked: its lockfile pins a webpki-roots version the registry no longer has.
                process::run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &bindgen]))
            },
        )?;
        let trunk_path = ensure_wasm_opt()?;
        let postgres = Server::find()?;
        say!("    Postgres: present ({})", postgres.version()?);
        let (test_pythons, axe_core, amplify, template_checks, pgbouncer) = match browsers {
            TestClients::Required => {
                ensure("Chromium and ChromeDriver", browser_versions, install_browsers)?;
                let python = |(package, variable): &(PythonPackage, &'static str)| {
                    Ok((*variable, ensure_python_package(package)?))
                };
                let pythons = TEST_PYTHON_PACKAGES.iter().map(python).collect::<Result<_>>()?;
                let template_checks = ensure_python_package(&TEMPLATE_CHECKS)?.with_file_name("");
                let pgbouncer = debian_program("pgbouncer", PGBOUNCER_VERSION, "pgbouncer")?;
                (pythons, Some(ensure_axe_core()?), Some(ensure_amplify()?), Some(template_checks), Some(pgbouncer))
            }
            TestClients::NotNeeded => (Vec::new(), None, None, None, None),
        };
        Ok(Tools { postgres, test_pythons, axe_core, amplify, template_checks, pgbouncer, trunk_path })
    })
}

/// Prints that `tool` is present (with its version), or installs it and prints how long that took.
fn ensure(tool: &str, present: impl Fn() -> Option<String>, install: impl FnOnce() -> Result) -> Result {
    if let Some(version) = present() {
        say!("    {tool}: present ({version})");
        return Ok(());
    }
    say!("    {tool}: not found; installing ...");
    let started = Instant::now();
    install()?;
    let version = present().ok_or_else(|| format!("{tool}: installed, yet still not found (is it on PATH?)"))?;
    say!("    {tool}: installed ({version}) in {}", seconds(started.elapsed()));
    Ok(())
}

/// The first line `program args` prints, when it runs successfully.
fn first_line(program: impl AsRef<OsStr>, args: &[&str]) -> Option<String> {
    let output = process::output(Command::new(program).args(args).stderr(Stdio::null())).ok()?;
    output.lines().next().map(|line| line.trim().to_owned())
}

fn version_is(program: &str, expected: &str) -> Option<String> {
    first_line(program, &["--version"]).filter(|version| version == expected)
}

fn ensure_rust_target(wanted: &str) -> Result {
    let installed = || {
        let targets = process::output(Command::new("rustup").args(["target", "list", "--installed"])).ok()?;
        let installed = targets.lines().any(|target| target.trim() == wanted);
        installed.then(|| first_line("rustc", &["--version"])).flatten()
    };
    ensure(&format!("{wanted} target"), installed, || {
        process::run(Command::new("rustup").args(["target", "add", wanted]))
    })
}

/// What `cargo xtask package` cross-compiles the api for Lambda's arm64 with: the Rust target, and
/// Debian's cross gcc (the linker, and the compiler of the C inside aws-lc and mimalloc).
pub fn lambda_toolchain(target: &str, gcc: &str, debian_package: &str) -> Result {
    step("setup (the Lambda build)", || {
        ensure_rust_target(target)?;
        ensure(gcc, || first_line(gcc, &["--version"]), || apt_install(&[debian_package]))?;
        let zip = || process::output(Command::new("zip").arg("-h")).ok()?.lines().nth(1).map(str::to_owned);
        ensure("zip", zip, || apt_install(&["zip"]))
    })
}

/// wasm-bindgen-cli must be exactly the `wasm-bindgen` version in Cargo.lock.
fn wasm_bindgen_version() -> Result<String> {
    let path = workspace::root().join("Cargo.lock");
    let lockfile = fs::read_to_string(&path).map_err(|error| format!("reading {}: {error}", path.display()))?;
    locked_version(&lockfile, "wasm-bindgen")
        .ok_or_else(|| format!("no wasm-bindgen package in {}", path.display()).into())
}

fn locked_version(lockfile: &str, package: &str) -> Option<String> {
    let field = |block: &str, key: &str| {
        let prefix = format!("{key} = \"");
        block.lines().find_map(|line| Some(line.strip_prefix(&prefix)?.strip_suffix('"')?.to_owned()))
    };
    let block = lockfile.split("[[package]]").find(|block| field(block, "name").as_deref() == Some(package))?;
    field(block, "version")
}

/// Installs binaryen from npm into the cache; returns PATH with its wasm-opt first.
fn ensure_wasm_opt() -> Result<OsString> {
    let prefix = workspace::cache_dir()?.join(format!("binaryen-{BINARYEN_VERSION}"));
    let bin_dir = prefix.join("node_modules/.bin");
    let expected = format!("wasm-opt version {BINARYEN_VERSION} ");
    let present =
        || first_line(bin_dir.join("wasm-opt"), &["--version"]).filter(|version| version.starts_with(&expected));
    ensure(&format!("wasm-opt (binaryen {BINARYEN_VERSION})"), present, || {
        npm_install(&prefix, "binaryen", &format!("{BINARYEN_VERSION}.0.0"))
    })?;
    let path = env::var_os("PATH").unwrap_or_default();
    Ok(env::join_paths(std::iter::once(bin_dir).chain(env::split_paths(&path)))?)
}

/// Installs axe-core from npm into the cache; returns the script the tests inject into pages.
fn ensure_axe_core() -> Result<PathBuf> {
    let prefix = workspace::cache_dir()?.join(format!("axe-core-{AXE_CORE_VERSION}"));
    let installed = prefix.join("node_modules/axe-core");
    let present = || {
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(installed.join("package.json")).ok()?).ok()?;
        let version = manifest["version"].as_str().filter(|version| *version == AXE_CORE_VERSION)?;
        installed.join("axe.min.js").is_file().then(|| format!("axe-core {version}"))
    };
    ensure(&format!("axe-core {AXE_CORE_VERSION}"), present, || npm_install(&prefix, "axe-core", AXE_CORE_VERSION))?;
    Ok(installed.join("axe.min.js"))
}

/// Installs aws-amplify from npm into the cache; returns the node_modules the tests load it from.
fn ensure_amplify() -> Result<PathBuf> {
    let prefix = workspace::cache_dir()?.join(format!("aws-amplify-{AMPLIFY_VERSION}"));
    let modules = prefix.join("node_modules");
    let present = || {
        let manifest = fs::read_to_string(modules.join("aws-amplify/package.json")).ok()?;
        let version = serde_json::from_str::<serde_json::Value>(&manifest).ok()?["version"].as_str()?.to_owned();
        Some(format!("aws-amplify {version}")).filter(|found| *found == format!("aws-amplify {AMPLIFY_VERSION}"))
    };
    ensure(&format!("aws-amplify {AMPLIFY_VERSION}"), present, || {
        npm_install(&prefix, "aws-amplify", AMPLIFY_VERSION)
    })?;
    Ok(modules)
}

/// `package@version` from npm, into `prefix` in the cache.
fn npm_install(prefix: &Path, package: &str, version: &str) -> Result {
    first_line("npm", &["--version"])
        .ok_or_else(|| format!("npm is needed to install {package}; install it: apt-get install -y nodejs npm"))?;
    process::run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(prefix)
            .arg(format!("{package}@{version}")),
    )
}

/// `package`, pinned, in a virtualenv of its own (`<cache>/<name>-<version>`); returns its Python.
fn ensure_python_package(package: &PythonPackage) -> Result<PathBuf> {
    let PythonPackage { name, extras, version, beside } = package;
    let venv = workspace::cache_dir()?.join(format!("{name}-{version}"));
    let python = venv.join("bin/python");
    let pinned: Vec<(&str, &str)> = [(*name, *version)].into_iter().chain(beside.iter().copied()).collect();
    let expected = pinned.iter().map(|(name, version)| format!("{name} {version}")).collect::<Vec<_>>().join(", ");
    let present = || {
        let names = pinned.iter().map(|(name, _)| format!("'{name}'")).collect::<Vec<_>>().join(", ");
        let probe =
            format!("import importlib.metadata as m; print(', '.join(f'{{n}} {{m.version(n)}}' for n in [{names}]))");
        first_line(&python, &["-c", &probe]).filter(|installed| *installed == expected)
    };
    ensure(&expected, present, || {
        process::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))
            .map_err(|error| format!("{error}; Python's venv module is needed: apt-get install -y python3-venv"))?;
        let mut requirements = vec![format!("{name}{extras}=={version}")];
        requirements.extend(beside.iter().map(|(name, version)| format!("{name}=={version}")));
        process::run(
            Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
                .args(requirements),
        )
    })?;
    Ok(python)
}

/// The Cognito emulators `cargo xtask bench cognito --peers` runs beside the api: their programs.
pub struct Peers {
    pub moto_server: PathBuf,
    pub cognito_local: PathBuf,
}

/// Checks the peers, installing what is missing.
pub fn peers() -> Result<Peers> {
    step("setup (the peers)", || {
        let moto_python = ensure_python_package(&MOTO)?;
        let prefix = workspace::cache_dir()?.join(format!("cognito-local-{COGNITO_LOCAL_VERSION}"));
        let expected = format!("cognito-local {COGNITO_LOCAL_VERSION}");
        let present = || {
            let manifest = fs::read_to_string(prefix.join("node_modules/cognito-local/package.json")).ok()?;
            let version = serde_json::from_str::<serde_json::Value>(&manifest).ok()?["version"].as_str()?.to_owned();
            Some(format!("cognito-local {version}")).filter(|found| *found == expected)
        };
        ensure(&expected, present, || npm_install(&prefix, "cognito-local", COGNITO_LOCAL_VERSION))?;
        Ok(Peers {
            moto_server: moto_python.with_file_name("moto_server"),
            cognito_local: prefix.join("node_modules/.bin/cognito-local"),
        })
    })
}

fn browser_versions() -> Option<String> {
    Some(format!("{}; {}", first_line(CHROMIUM, &["--version"])?, first_line(CHROMEDRIVER, &["--version"])?))
}

/// A Debian package's program at its pinned upstream version (`haproxy` 2.6.12): installed with apt
/// when missing (as root; otherwise the command to run is printed), checked when present.
pub fn debian_program(package: &str, upstream_version: &str, program: &str) -> Result<PathBuf> {
    let installed = || {
        let version = process::output(Command::new("dpkg-query").args(["-W", "-f=${Version}", package])).ok()?;
        version.starts_with(&format!("{upstream_version}-")).then(|| format!("{package} {version}"))
    };
    let pinned = format!("{package}={upstream_version}-*");
    ensure(package, installed, || {
        if !is_root() {
            return Err(format!("{package} {upstream_version} is needed: sudo apt-get install -y '{pinned}'").into());
        }
        process::run(Command::new("apt-get").arg("update"))?;
        process::run(Command::new("apt-get").args(["install", "-y", &pinned]).env("DEBIAN_FRONTEND", "noninteractive"))
    })?;
    Ok(PathBuf::from("/usr/sbin").join(program))
}

fn install_browsers() -> Result {
    apt_install(&["chromium", "chromium-driver"])
        .map_err(|error| format!("{CHROMIUM} and {CHROMEDRIVER} are needed: {error}").into())
}

/// Debian's `packages`, as root; otherwise the command to run.
fn apt_install(packages: &[&str]) -> Result {
    if !is_root() {
        let packages = packages.join(" ");
        return Err(format!("install them: sudo apt-get update && sudo apt-get install -y {packages}").into());
    }
    process::run(Command::new("apt-get").arg("update"))?;
    process::run(
        Command::new("apt-get").arg("install").arg("-y").args(packages).env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCKFILE: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen-backend"
version = "0.2.99"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
]
"#;

    #[test]
    fn reads_a_package_version_from_the_lockfile() {
        assert_eq!(locked_version(LOCKFILE, "wasm-bindgen").as_deref(), Some("0.2.130"));
    }

    #[test]
    fn a_package_missing_from_the_lockfile_has_no_version() {
        assert_eq!(locked_version(LOCKFILE, "wasm-bindgen-cli"), None);
    }
}
