//! The Trunk post_build hook that writes a micro-frontend's `manifest.json`: the shell learns the
//! hashed file names from it at run time, so a micro-frontend deploys without rebuilding the shell.
//! It slims the build first ([`slim`]): Trunk has no later step. (The shell's own hook only slims.)

use std::{env, fs, path::PathBuf};

use mfe_contract::Manifest;

use crate::{Result, slim};

/// Slims micro-frontend `name`'s build and writes its `manifest.json`, in `TRUNK_STAGING_DIR`.
pub fn write(name: &str) -> Result {
    let (staging, manifest) = slim_staged(name)?;
    let json = serde_json::to_string_pretty(&manifest)? + "\n";
    fs::write(staging.join(Manifest::FILE_NAME), json)?;
    Ok(())
}

/// Slims the build of `mfe-<name>` in `TRUNK_STAGING_DIR` (a post_build hook's); its directory and
/// files.
pub fn slim_staged(name: &str) -> Result<(PathBuf, Manifest)> {
    let staging = PathBuf::from(
        env::var_os("TRUNK_STAGING_DIR").ok_or("TRUNK_STAGING_DIR is not set: this runs as a Trunk post_build hook")?,
    );
    let files = fs::read_dir(&staging)
        .map_err(|error| format!("reading {}: {error}", staging.display()))?
        .map(|entry| Ok(entry?.file_name().to_string_lossy().into_owned()))
        .collect::<Result<Vec<_>>>()?;
    let manifest = find(name, &files).map_err(|error| format!("{error} in {}", staging.display()))?;
    slim::slim(&staging.join(&manifest.js), &staging.join(&manifest.wasm))?;
    let page = staging.join("index.html");
    if page.exists() {
        slim::reseal(&page, &[&staging.join(&manifest.js), &staging.join(&manifest.wasm)])?;
    }
    Ok((staging, manifest))
}

/// Picks the wasm-bindgen JS and wasm of `mfe-<name>` among a build's file names.
fn find(name: &str, files: &[String]) -> std::result::Result<Manifest, String> {
    let prefix = format!("mfe-{name}-");
    Ok(Manifest { name: name.to_owned(), js: only(files, &prefix, ".js")?, wasm: only(files, &prefix, "_bg.wasm")? })
}

fn only(files: &[String], prefix: &str, suffix: &str) -> std::result::Result<String, String> {
    let found: Vec<&String> = files.iter().filter(|file| is_hashed(file, prefix, suffix)).collect();
    match found.as_slice() {
        [file] => Ok(file.to_string()),
        [] => Err(format!("no {prefix}<hash>{suffix}")),
        _ => Err(format!(
            "more than one {prefix}<hash>{suffix} ({})",
            found.iter().map(|file| file.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// `<prefix><hash><suffix>`, where Trunk's hash is a u64 in lower-case hex without leading zeros.
fn is_hashed(file: &str, prefix: &str, suffix: &str) -> bool {
    file.strip_prefix(prefix).and_then(|rest| rest.strip_suffix(suffix)).is_some_and(|hash| {
        (1..=16).contains(&hash.len()) && hash.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(files: &[&str]) -> Vec<String> {
        files.iter().map(|file| file.to_string()).collect()
    }

    #[test]
    fn finds_the_hashed_js_and_wasm_among_other_files() {
        let files = names(&[
            "index.html",
            "style-1f2e3d4c5b6a7980.css",
            "snippets",
            "mfe-accounts-9a8b7c6d5e4f3a2b.js",
            "mfe-accounts-9a8b7c6d5e4f3a2b_bg.wasm",
            "mfe-accounts-9a8b7c6d5e4f3a2b.d.ts",
            "mfe-payments-0123456789abcdef.js",
        ]);
        let manifest = find("accounts", &files).unwrap();
        assert_eq!(
            manifest,
            Manifest {
                name: "accounts".into(),
                js: "mfe-accounts-9a8b7c6d5e4f3a2b.js".into(),
                wasm: "mfe-accounts-9a8b7c6d5e4f3a2b_bg.wasm".into(),
            }
        );
    }

    #[test]
    fn accepts_hashes_shorter_than_16_digits() {
        // Trunk formats the hash with `{:x}`: a leading zero nibble makes it 15 digits long.
        let files = names(&["mfe-accounts-a8b7c6d5e4f3a2b.js", "mfe-accounts-a8b7c6d5e4f3a2b_bg.wasm"]);
        assert_eq!(find("accounts", &files).unwrap().js, "mfe-accounts-a8b7c6d5e4f3a2b.js");
    }

    #[test]
    fn ignores_files_of_other_names_and_unhashed_files() {
        let files = names(&["mfe-accounts.js", "mfe-accounts-extra-0123abcd.js", "mfe-accounts-XYZ.js"]);
        assert_eq!(find("accounts", &files).unwrap_err(), "no mfe-accounts-<hash>.js");
    }

    #[test]
    fn reports_a_missing_wasm() {
        let files = names(&["mfe-accounts-0123abcd.js"]);
        assert_eq!(find("accounts", &files).unwrap_err(), "no mfe-accounts-<hash>_bg.wasm");
    }

    #[test]
    fn reports_ambiguous_builds() {
        let files = names(&["mfe-accounts-0123abcd.js", "mfe-accounts-4567ef.js", "mfe-accounts-0123abcd_bg.wasm"]);
        assert_eq!(
            find("accounts", &files).unwrap_err(),
            "more than one mfe-accounts-<hash>.js (mfe-accounts-0123abcd.js, mfe-accounts-4567ef.js)"
        );
    }
}
