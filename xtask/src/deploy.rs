//! Deploying to AWS (docs/deploy.md): the SAM template's offline checks, a step of `cargo xtask test`,
//! and `cargo xtask package`, which builds what a deployment uploads: the api as a Lambda zip
//! (`bootstrap` inside, for arm64) and the site.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use crate::{
    Result, dist, process,
    steps::{say, step},
    tools::{self, TestClients},
    workspace,
};

/// The whole stack, as one AWS SAM template.
const TEMPLATE: &str = "deploy/template.yaml";
/// Where `package` writes (git-ignored): the template's `CodeUri` is `build/api.zip`.
const BUILD_DIR: &str = "deploy/build";
/// `sam validate` needs a region to translate the template (never credentials or the network).
const REGION: &str = "us-east-1";
/// Lambda's arm64, the template's `Architectures: [arm64]`.
const LAMBDA_TARGET: &str = "aarch64-unknown-linux-gnu";
/// Debian's cross compiler for it, and its package.
const CROSS_GCC: &str = "aarch64-linux-gnu-gcc";
const CROSS_GCC_PACKAGE: &str = "gcc-aarch64-linux-gnu";
const CROSS_STRIP: &str = "aarch64-linux-gnu-strip";
/// provided.al2023's glibc: the api may need no newer symbol versions.
const LAMBDA_GLIBC_MINOR: u32 = 34;

/// `sam validate` (SAM's translator), `sam validate --lint` and `cfn-lint`, offline; `bin` holds
/// `sam` and `cfn-lint`.
pub fn check_template(bin: &Path) -> Result {
    let template = workspace::root().join(TEMPLATE);
    let sam = |lint: &[&str]| {
        let mut sam = Command::new(bin.join("sam"));
        sam.args(["validate", "--region", REGION, "--template-file"]).arg(&template).args(lint);
        sam.env("SAM_CLI_TELEMETRY", "0");
        sam
    };
    process::run(&mut sam(&[]))?;
    process::run(&mut sam(&["--lint"]))?;
    process::run(Command::new(bin.join("cfn-lint")).args(["--regions", REGION, "--"]).arg(&template))
}

/// `cargo xtask package`: `deploy/build/api.zip` and `deploy/build/site/`.
pub fn package() -> Result {
    let tools = tools::setup(TestClients::NotNeeded)?;
    tools::lambda_toolchain(LAMBDA_TARGET, CROSS_GCC, CROSS_GCC_PACKAGE)?;
    let out = workspace::root().join(BUILD_DIR);
    dist::build_site(&tools, &out.join("site"))?;
    let api = step("building the api for Lambda (release, arm64)", build_api)?;
    let zip = step("zipping it as bootstrap", || zip_bootstrap(&api, &out))?;
    say!(
        "==> {} ({} KB) and {} are ready:",
        zip.display(),
        fs::metadata(&zip)?.len() / 1024,
        out.join("site").display()
    );
    say!("    sam deploy --guided --template-file {TEMPLATE}   (docs/deploy.md)");
    Ok(())
}

fn build_api() -> Result<PathBuf> {
    let linker = format!("CARGO_TARGET_{}_LINKER", LAMBDA_TARGET.to_uppercase().replace('-', "_"));
    process::run(
        Command::new("cargo")
            .args(["build", "--release", "-p", "api", "--bin", "api", "--target", LAMBDA_TARGET])
            .env(linker, CROSS_GCC)
            .current_dir(workspace::root()),
    )?;
    let api = workspace::target_dir()?.join(LAMBDA_TARGET).join("release/api");
    check_glibc(&fs::read(&api)?)?;
    Ok(api)
}

/// Debian's glibc is newer than Lambda's: a symbol versioned past 2.34 would stop the function at
/// its start. The versions an executable needs are named in its dynamic strings.
fn check_glibc(binary: &[u8]) -> Result {
    let newest = glibc_versions(binary).max().unwrap_or(0);
    if newest > LAMBDA_GLIBC_MINOR {
        return Err(format!("the api needs GLIBC_2.{newest}; provided.al2023 has 2.{LAMBDA_GLIBC_MINOR}").into());
    }
    say!("    newest glibc symbol version: 2.{newest} (provided.al2023: 2.{LAMBDA_GLIBC_MINOR})");
    Ok(())
}

/// The minor versions of every `GLIBC_2.<minor>` in `binary`.
fn glibc_versions(binary: &[u8]) -> impl Iterator<Item = u32> + '_ {
    const PREFIX: &[u8] = b"GLIBC_2.";
    binary.windows(PREFIX.len()).enumerate().filter(|(_, window)| *window == PREFIX).filter_map(|(at, _)| {
        let digits = binary[at + PREFIX.len()..].iter().take_while(|b| b.is_ascii_digit()).count();
        std::str::from_utf8(&binary[at + PREFIX.len()..][..digits]).ok()?.parse().ok()
    })
}

/// The stripped binary as `bootstrap`, the name provided.al2023 runs, alone in `api.zip`.
fn zip_bootstrap(api: &Path, out: &Path) -> Result<PathBuf> {
    let staging = out.join("lambda");
    fs::create_dir_all(&staging)?;
    let bootstrap = staging.join("bootstrap");
    process::run(Command::new(CROSS_STRIP).arg("-o").arg(&bootstrap).arg(api))?;
    let zip = out.join("api.zip");
    if zip.exists() {
        fs::remove_file(&zip)?;
    }
    process::run(Command::new("zip").args(["-q", "-j", "-X"]).arg(&zip).arg(&bootstrap))?;
    Ok(zip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_glibc_versions_an_executable_needs() {
        let strings = b"\0libc.so.6\0GLIBC_2.17\0GLIBC_2.34\0GLIBC_PRIVATE\0GLIBC_2.3.4\0";
        assert_eq!(glibc_versions(strings).collect::<Vec<_>>(), [17, 34, 3]);
        assert!(check_glibc(strings).is_ok());
        assert!(check_glibc(b"\0GLIBC_2.36\0").is_err());
    }
}
