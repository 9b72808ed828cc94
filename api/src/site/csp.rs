//! The Content-Security-Policy of the built site, and the reports browsers send when a page breaks
//! it. Scripts may come only from the site itself (and the origins micro-frontends are loaded from);
//! an inline script runs only if its exact text was in the built HTML, so injected markup cannot
//! run code even if an escaping bug let it onto a page.

use std::{
    collections::{BTreeSet, VecDeque},
    fs, io,
    path::Path,
    sync::{Arc, Mutex},
};

use aws_lc_rs::digest;
use axum::{
    Json,
    extract::State,
    http::{HeaderValue, StatusCode},
    response::IntoResponse,
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::Value;
use url::Url;

use crate::AppState;

/// Where browsers POST violation reports (`report-uri`).
pub const REPORT_PATH: &str = "/csp-report";
/// Dev mode lists the latest reports here.
pub const DEV_REPORTS_PATH: &str = "/dev/csp-reports";
/// Reports kept for the dev listing; older ones are only in the log.
const KEPT_REPORTS: usize = 100;

/// The policy for every file of the site in `dir`, whose micro-frontends load from `micro_frontends`.
pub fn policy(dir: &Path, micro_frontends: &[(String, String)]) -> io::Result<HeaderValue> {
    let mut hashes = BTreeSet::new();
    for page in html_files(dir)? {
        hashes.extend(inline_scripts(&fs::read_to_string(page)?).map(script_hash));
    }
    let origins: BTreeSet<String> = micro_frontends.iter().filter_map(|(_, url)| origin(url)).collect();
    let script_src: Vec<&str> = ["'self'", "'wasm-unsafe-eval'"]
        .into_iter()
        .chain(hashes.iter().map(String::as_str))
        .chain(origins.iter().map(String::as_str))
        .collect();
    let policy = format!(
        "script-src {}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; report-uri {REPORT_PATH}",
        script_src.join(" ")
    );
    HeaderValue::from_str(&policy).map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))
}

fn html_files(dir: &Path) -> io::Result<Vec<std::path::PathBuf>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(html_files(&path)?);
        } else if path.extension().is_some_and(|extension| extension == "html") {
            found.push(path);
        }
    }
    Ok(found)
}

/// The text of each `<script>` element without a `src` in `html`, as the browser hashes it.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, body) = rest.split_once('>')?;
        let (text, _) = body.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(text)
    })
}

fn script_hash(script: &str) -> String {
    format!("'sha256-{}'", STANDARD.encode(digest::digest(&digest::SHA256, script.as_bytes())))
}

/// `https://cdn.example/mfe/accounts/` -> `https://cdn.example`; relative URLs are the site's own.
fn origin(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.origin().ascii_serialization())
}

/// The latest violation reports this instance received, for the dev listing (and the tests).
#[derive(Clone, Default)]
pub struct Reports(Arc<Mutex<VecDeque<Value>>>);

impl Reports {
    fn add(&self, report: Value) {
        let mut reports = self.0.lock().expect("the reports' lock");
        if reports.len() == KEPT_REPORTS {
            reports.pop_front();
        }
        reports.push_back(report);
    }

    /// The reports received so far, which are forgotten.
    pub fn take(&self) -> Vec<Value> {
        self.0.lock().expect("the reports' lock").drain(..).collect()
    }

    fn list(&self) -> Vec<Value> {
        self.0.lock().expect("the reports' lock").iter().cloned().collect()
    }
}

/// `POST /csp-report`: a browser reports a violation (`{"csp-report": {...}}`, any content type).
pub async fn receive(State(state): State<AppState>, body: axum::body::Bytes) -> impl IntoResponse {
    let report: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let details = &report["csp-report"];
    tracing::warn!(
        document = %details["document-uri"], directive = %details["violated-directive"],
        blocked = %details["blocked-uri"], "Content-Security-Policy violation"
    );
    state.csp_reports.add(report);
    StatusCode::NO_CONTENT
}

/// `GET /dev/csp-reports` (dev mode): the latest reports, oldest first.
pub async fn dev_list(State(state): State<AppState>) -> impl IntoResponse {
    Json(state.csp_reports.list())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_hashed_as_browsers_hash_them() {
        let html = r#"<head><script type="module">import init from '/app.js';init();</script>
            <script src="/other.js"></script><script>a()</script></head>"#;
        let scripts: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(scripts, ["import init from '/app.js';init();", "a()"]);
        // `echo -n 'a()' | openssl dgst -sha256 -binary | base64`
        assert_eq!(script_hash("a()"), "'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='");
    }

    #[test]
    fn micro_frontends_elsewhere_add_their_origin() {
        assert_eq!(origin("https://cdn.example:8443/mfe/accounts/").as_deref(), Some("https://cdn.example:8443"));
        assert_eq!(origin("/mfe/accounts/"), None);
        assert_eq!(origin("javascript:alert(1)//"), None);
    }

    #[test]
    fn the_policy_allows_the_sites_scripts_and_nothing_inline_else() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("mfe/accounts")).unwrap();
        fs::write(dir.path().join("index.html"), "<script>a()</script>").unwrap();
        fs::write(dir.path().join("mfe/accounts/index.html"), "<script>b()</script>").unwrap();
        let frontends = [("payments".to_owned(), "https://cdn.example/p/".to_owned())];
        let policy = policy(dir.path(), &frontends).unwrap();
        let policy = policy.to_str().unwrap();
        assert!(policy.starts_with("script-src 'self' 'wasm-unsafe-eval' 'sha256-"), "{policy}");
        assert!(policy.contains(&script_hash("a()")) && policy.contains(&script_hash("b()")), "{policy}");
        assert!(policy.contains(" https://cdn.example;"), "{policy}");
        for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "report-uri /csp-report"] {
            assert!(policy.contains(directive), "{directive} in {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{policy}");
    }
}
