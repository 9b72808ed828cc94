//! `VERIFIER_KEYS` for the apis the tasks start: the key that seals users' password verifiers, which the api
//! refuses to start without and which must never live in the database it protects.

use std::{
    env,
    fs::{self, OpenOptions},
    io::Write,
    os::unix::fs::OpenOptionsExt,
    path::Path,
};

use base64::{Engine, prelude::BASE64_STANDARD};

use crate::{Result, steps::say};

/// One key, `<id>:<base64 of 32 random bytes>`, for an api whose database lives no longer than it does.
pub fn fresh(id: &str) -> Result<String> {
    let mut key = [0; 32];
    getrandom::fill(&mut key).map_err(|error| format!("no randomness for a verifier key: {error}"))?;
    Ok(format!("{id}:{}", BASE64_STANDARD.encode(key)))
}

/// The dev stack's keys: `VERIFIER_KEYS` from the environment when set (say, with a `DATABASE_URL` of your own),
/// else `.dev/verifier-keys`, made on first use and kept, as the dev database is: without its key, none of its
/// users could sign in.
pub fn dev(dev_dir: &Path) -> Result<String> {
    if let Some(keys) = env::var("VERIFIER_KEYS").ok().filter(|keys| !keys.is_empty()) {
        say!("==> using VERIFIER_KEYS from the environment");
        return Ok(keys);
    }
    let path = dev_dir.join("verifier-keys");
    if let Ok(keys) = fs::read_to_string(&path) {
        return Ok(keys.trim().to_owned());
    }
    let keys = fresh("dev-1")?;
    let mut file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path)?;
    writeln!(file, "{keys}")?;
    say!("==> generated the dev stack's password-verifier key in {}", path.display());
    Ok(keys)
}
