//! The built site (`dist/`): the shell at `/`, each micro-frontend under `/mfe/<name>/`, and the
//! shell's runtime configuration. Production is this binary plus that folder.

pub mod csp;

use std::{
    io,
    path::{Path, PathBuf},
};

use axum::{
    Json, Router,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use mfe_contract::RuntimeConfig;
use tower::ServiceExt;
use tower_http::{
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
};

use crate::AppState;

/// `GET /config.json`: tells the shell where the api and the micro-frontends are.
pub async fn runtime_config(State(state): State<AppState>) -> impl IntoResponse {
    let config = &state.config;
    let api_base_url = config.public_base_url.as_str().trim_end_matches('/');
    let body = RuntimeConfig {
        api_base_url: api_base_url.to_owned(),
        micro_frontends: config.micro_frontends.iter().cloned().collect(),
        cognito: state.frontend_cognito.clone(),
        dev_mailbox: config.dev_mode.then(|| format!("{api_base_url}{}", crate::cognito::delivery::MAILBOX_PATH)),
        identity_pool: state.frontend_identity_pool.clone(),
        api_authorization: config.shell_api_authorization.iter().cloned().collect(),
    };
    ([(header::CACHE_CONTROL, NO_CACHE)], Json(body))
}

/// A built site to serve, with the Content-Security-Policy its pages need.
pub struct Site {
    dir: PathBuf,
    policy: HeaderValue,
}

impl Site {
    /// Reads the site's pages once, at start, for the hashes of their inline scripts.
    pub fn load(dir: &Path, micro_frontends: &[(String, String)]) -> io::Result<Self> {
        Ok(Self { dir: dir.to_owned(), policy: csp::policy(dir, micro_frontends)? })
    }
}

/// Files from the site; unknown paths that look like the shell's own routes get its `index.html`.
pub fn static_files<S: Clone + Send + Sync + 'static>(site: &Site) -> Router<S> {
    let dir = &site.dir;
    let index = dir.join("index.html");
    let shell_route = move |request: Request| {
        let index = index.clone();
        async move {
            if is_shell_route(request.uri().path()) {
                ServeFile::new(index).oneshot(request).await.into_response()
            } else {
                StatusCode::NOT_FOUND.into_response()
            }
        }
    };
    // `cargo xtask dist` writes a smaller gzip of each asset next to it (`<file>.gz`) than compressing
    // on the fly would; files without one are compressed by the app's compression layer.
    let files = ServeDir::new(dir)
        .precompressed_gzip()
        .fallback(axum::handler::HandlerWithoutStateExt::into_service(shell_route));
    Router::new().fallback_service(files).layer(middleware::from_fn(cache_control)).layer(
        SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, policy_for_pages(site.policy.clone())),
    )
}

/// The policy governs documents only: on a script or wasm file browsers ignore it, and it would cost
/// its few hundred bytes on every transfer.
fn policy_for_pages(policy: HeaderValue) -> impl Fn(&Response) -> Option<HeaderValue> + Clone {
    move |response| {
        let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok());
        content_type.is_some_and(|value| value.starts_with("text/html")).then(|| policy.clone())
    }
}

/// A path the shell's router answers: not a file (no extension) and not under a prefix that only
/// ever holds files or api routes, where a missing file must stay a 404.
fn is_shell_route(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    !last.contains('.') && !path.starts_with("/mfe/") && !path.starts_with("/api/")
}

const NO_CACHE: HeaderValue = HeaderValue::from_static("no-cache");
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

/// Hashed assets never change under their name; everything else (the shell's `index.html`, each
/// `manifest.json`) is revalidated on every load so a deployment shows up at once.
async fn cache_control(request: Request, next: Next) -> Response {
    let policy = if is_content_hashed(request.uri().path()) { IMMUTABLE } else { NO_CACHE };
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(header::CACHE_CONTROL, policy);
    }
    response
}

/// Trunk names hashed files `<stem>-<hash>[_bg].<ext>`, the hash a 64-bit number in lowercase hex
/// without leading zeros (so occasionally shorter than 16 digits). Fewer than 12 digits is treated as
/// an ordinary name: a wrong "immutable" would pin a stale file in browsers for a year.
fn is_content_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, _extension)) = file.rsplit_once('.') else { return false };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_trunk_hashes() {
        assert!(is_content_hashed("/mfe/accounts/mfe-accounts-0123456789abcdef_bg.wasm"));
        assert!(is_content_hashed("/mfe-shell-fedcba9876543210.js"));
        assert!(is_content_hashed("/style-0123456789abcdef.css"));
        assert!(!is_content_hashed("/mfe/accounts/manifest.json"));
        assert!(!is_content_hashed("/index.html"));
        assert!(is_content_hashed("/mfe-shell-fedcba987654321.js"), "15 digits: a leading zero dropped");
        assert!(!is_content_hashed("/mfe-shell-xyz.js"));
        assert!(!is_content_hashed("/app-bad.css"));
        assert!(!is_content_hashed("/mfe-shell-FEDCBA9876543210.js"));
        assert!(!is_content_hashed("/accounts/0123456789abcdef"));
    }

    #[test]
    fn shell_routes_exclude_files_and_reserved_prefixes() {
        assert!(is_shell_route("/"));
        assert!(is_shell_route("/accounts/42"));
        assert!(!is_shell_route("/favicon.ico"));
        assert!(!is_shell_route("/mfe/accounts/missing"));
        assert!(!is_shell_route("/api/v1/nothing"));
    }
}
