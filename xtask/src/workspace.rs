//! Where things are: the repository, Cargo's target directory, the tool cache.

use std::{
    env,
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

use crate::{Result, process};

/// The repository root (this crate lives in `<root>/xtask`). Read at run time: `cargo run` names
/// the checkout being worked on, while a binary reused from a shared target dir may have been built
/// in another checkout (CI's clones share one).
pub fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let manifest_dir =
            env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
        manifest_dir.parent().expect("xtask is inside the workspace").to_path_buf()
    })
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set, else what `cargo metadata` says.
pub fn target_dir() -> Result<PathBuf> {
    if let Some(dir) = env::var_os("CARGO_TARGET_DIR").filter(|dir| !dir.is_empty()) {
        return Ok(std::path::absolute(dir)?);
    }
    let metadata = process::output(
        Command::new("cargo").args(["metadata", "--format-version", "1", "--no-deps"]).current_dir(root()),
    )?;
    let metadata: serde_json::Value = serde_json::from_str(&metadata)?;
    let dir = metadata["target_directory"].as_str().ok_or("`cargo metadata` printed no target_directory")?;
    Ok(PathBuf::from(dir))
}

/// `${XDG_CACHE_HOME:-$HOME/.cache}/ledgerline`: tools installed outside Cargo's and the system's reach.
pub fn cache_dir() -> Result<PathBuf> {
    let base = match env::var_os("XDG_CACHE_HOME").filter(|dir| !dir.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env::var_os("HOME").ok_or("HOME is not set")?).join(".cache"),
    };
    Ok(base.join("ledgerline"))
}
