//! Building the site: the shell and each micro-frontend with Trunk, and the api.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use crate::{
    Result, precompress, process,
    steps::{say, step},
    tools::{self, TestClients, Tools},
    workspace,
};

/// Each is the crate `mfe-<name>`, served by the api at `/mfe/<name>/`. `qr` and `signer` are no
/// micro-frontends but the shell's lazily loaded parts (the QR-code encoder; the identity-pool
/// credentials and SigV4), built, served and loaded the same way.
pub const MICRO_FRONTENDS: [&str; 5] = ["accounts", "payments", "organisations", "qr", "signer"];

#[derive(Clone, Copy)]
pub enum Profile {
    Debug,
    Release,
}

impl Profile {
    fn trunk_args(self) -> &'static [&'static str] {
        match self {
            Profile::Debug => &[],
            Profile::Release => &["--release"],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
        }
    }
}

/// `cargo xtask dist`: a deployable `dist/` and the release api that serves it.
pub fn run() -> Result {
    let tools = tools::setup(TestClients::NotNeeded)?;
    let root = workspace::root();
    build_site(&tools, &root.join("dist"))?;
    step("building the api (release)", || {
        process::run(Command::new("cargo").args(["build", "--release", "-p", "api"]).current_dir(root))
    })?;
    let api = workspace::target_dir()?.join("release/api");
    say!("==> dist/ is ready. Run it from {} with:", root.display());
    say!("    DATABASE_URL=postgres://<user>@<host>:5432/<database> {} --static-dir dist", api.display());
    Ok(())
}

/// The release site in `out`: the shell at its root, each micro-frontend in `mfe/<name>/`, each
/// asset with its gzip next to it.
pub fn build_site(tools: &Tools, out: &Path) -> Result {
    // Trunk empties its dist directory first, so the shell goes before the micro-frontends.
    trunk_build(tools, workspace::root(), "the shell", out, Profile::Release)?;
    for name in MICRO_FRONTENDS {
        build_micro_frontend(tools, name, &out.join("mfe").join(name), Profile::Release)?;
    }
    step("compressing the assets (zopfli)", || precompress::gzip_assets(out))
}

pub fn build_micro_frontend(tools: &Tools, name: &str, dist: &Path, profile: Profile) -> Result {
    trunk_build(tools, &micro_frontend_dir(name), &format!("mfe-{name}"), dist, profile)
}

/// The micro-frontend's crate, where its Trunk.toml is.
pub fn micro_frontend_dir(name: &str) -> PathBuf {
    workspace::root().join(format!("mfe-{name}"))
}

fn trunk_build(tools: &Tools, dir: &Path, what: &str, dist: &Path, profile: Profile) -> Result {
    clear_snippets(profile)?;
    step(&format!("building {what} ({})", profile.name()), || {
        process::run(tools.trunk(dir).arg("build").args(profile.trunk_args()).arg("--dist").arg(dist))
    })
}

/// Trunk runs wasm-bindgen into one directory per profile, shared by every crate, and ships all the
/// JS snippets it finds there: clear them so each build carries only its own.
fn clear_snippets(profile: Profile) -> Result {
    let snippets = workspace::target_dir()?.join("wasm-bindgen").join(profile.name()).join("snippets");
    match std::fs::remove_dir_all(&snippets) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("{}: {error}", snippets.display()).into())
        }
        _ => Ok(()),
    }
}
