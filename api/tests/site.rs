//! The built site served by the api: SPA fallback for the shell's routes, `no-cache` for what
//! names other files, `immutable` for hashed assets, and the shell's runtime config.

use std::path::Path;

use api::testing::TestApp;
use reqwest::{StatusCode, header};

const HASHED_WASM: &str = "/mfe/accounts/mfe-accounts-0123456789abcdef_bg.wasm";

fn write_site(dir: &Path) {
    let files = [
        ("index.html", "<!doctype html><title>shell</title><script type=\"module\">start()</script>"),
        ("mfe-shell-fedcba9876543210.js", "export default 1;"),
        ("mfe/accounts/manifest.json", r#"{"name":"accounts","js":"a.js","wasm":"a.wasm"}"#),
        (&HASHED_WASM[1..], "\0asm"),
    ];
    for (path, content) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

async fn site() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path());
    let app = TestApp::spawn_with(&["--static-dir", dir.path().to_str().unwrap()]).await;
    (app, dir)
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    reqwest::get(app.url(path)).await.unwrap()
}

fn cache_control(response: &reqwest::Response) -> &str {
    response.headers()[header::CACHE_CONTROL].to_str().unwrap()
}

#[tokio::test]
async fn shell_routes_fall_back_to_index_html_without_caching() {
    let (app, _dir) = site().await;
    for path in ["/", "/accounts/42", "/payments"] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(cache_control(&response), "no-cache", "{path}");
        assert!(response.text().await.unwrap().contains("<title>shell</title>"), "{path}");
    }
}

#[tokio::test]
async fn manifests_are_revalidated_and_hashed_assets_are_immutable() {
    let (app, _dir) = site().await;
    let manifest = get(&app, "/mfe/accounts/manifest.json").await;
    assert_eq!(manifest.status(), StatusCode::OK);
    assert_eq!(cache_control(&manifest), "no-cache");

    let wasm = get(&app, HASHED_WASM).await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(cache_control(&wasm), "public, max-age=31536000, immutable");
    assert_eq!(wasm.headers()[header::CONTENT_TYPE], "application/wasm");

    let js = get(&app, "/mfe-shell-fedcba9876543210.js").await;
    assert_eq!(cache_control(&js), "public, max-age=31536000, immutable");
}

#[tokio::test]
async fn a_precompressed_asset_is_sent_as_it_was_compressed() {
    let (app, dir) = site().await;
    // Not a real gzip stream: the bytes must arrive exactly as written, not compressed again.
    let precompressed = b"\x1f\x8bprecompressed";
    std::fs::write(dir.path().join(&HASHED_WASM[1..]).with_extension("wasm.gz"), precompressed).unwrap();
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    let wasm = client.get(app.url(HASHED_WASM)).header(header::ACCEPT_ENCODING, "gzip").send().await.unwrap();
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(wasm.headers()[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(cache_control(&wasm), "public, max-age=31536000, immutable");
    assert_eq!(wasm.bytes().await.unwrap().as_ref(), precompressed);

    let identity = client.get(app.url(HASHED_WASM)).send().await.unwrap();
    assert!(!identity.headers().contains_key(header::CONTENT_ENCODING));
    assert_eq!(identity.bytes().await.unwrap().as_ref(), b"\0asm");
}

#[tokio::test]
async fn missing_files_are_404_not_the_shell() {
    let (app, _dir) = site().await;
    for path in ["/mfe/accounts/mfe-accounts-ffffffffffffffff.js", "/mfe/payments/manifest.json", "/favicon.ico"] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(!response.headers().contains_key(header::CACHE_CONTROL), "{path}");
    }
}

#[tokio::test]
async fn runtime_config_points_the_shell_at_the_api_and_micro_frontends() {
    let (app, _dir) = site().await;
    let response = get(&app, "/config.json").await;
    assert_eq!(cache_control(&response), "no-cache");
    let config: mfe_contract::RuntimeConfig = response.json().await.unwrap();
    assert_eq!(config.api_base_url, format!("http://{}", app.addr));
    assert_eq!(config.micro_frontends["accounts"], "/mfe/accounts/");
    assert_eq!(config.micro_frontends["payments"], "/mfe/payments/");
    assert_eq!(config.micro_frontends["organisations"], "/mfe/organisations/");
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_that_hashes_their_inline_script() {
    let (app, _dir) = site().await;
    for path in ["/", "/accounts/42", HASHED_WASM] {
        let response = get(&app, path).await;
        assert_eq!(response.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(response.headers()[header::REFERRER_POLICY], "same-origin", "{path}");
        if path == HASHED_WASM {
            // Not a page: the policy would be ignored, and cost its bytes on every transfer.
            assert!(!response.headers().contains_key(header::CONTENT_SECURITY_POLICY));
            continue;
        }
        let policy = response.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        // `printf 'start()' | openssl dgst -sha256 -binary | base64`
        assert!(
            policy.starts_with(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-DIm7WJS6ZKDYe5qFLPy+h4JFI9Bol5QmYC57mt3Fb00='; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
            ),
            "{path}: {policy}"
        );
    }
    let api = get(&app, "/healthz").await;
    assert_eq!(
        (api.status(), &api.headers()[header::X_CONTENT_TYPE_OPTIONS]),
        (StatusCode::OK, &"nosniff".parse().unwrap())
    );
}

#[tokio::test]
async fn violation_reports_are_taken_and_listed_in_dev_mode() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path());
    let app = TestApp::spawn_with(&["--static-dir", dir.path().to_str().unwrap(), "--dev-mode"]).await;
    let report = r#"{"csp-report":{"document-uri":"http://x/sign-in","violated-directive":"script-src-elem","blocked-uri":"inline"}}"#;
    let client = reqwest::Client::new();
    let sent = client.post(app.url("/csp-report")).header(header::CONTENT_TYPE, "application/csp-report").body(report);
    assert_eq!(sent.send().await.unwrap().status(), StatusCode::NO_CONTENT);
    let listed: serde_json::Value = get(&app, "/dev/csp-reports").await.json().await.unwrap();
    assert_eq!(listed[0]["csp-report"]["violated-directive"], "script-src-elem", "{listed}");
    assert_eq!(app.csp_reports.take().len(), 1);
}

#[tokio::test]
async fn a_missing_site_stops_the_start_naming_the_variable() {
    let config = api::Config::from_args_only([
        "api",
        "--database-url",
        "postgres://localhost/x",
        "--verifier-keys",
        api::testing::VERIFIER_KEYS,
        "--static-dir",
        "/no/such/site",
    ]);
    let error = api::server::load_site(&config.unwrap()).err().expect("a missing site is refused").to_string();
    assert!(error.contains("STATIC_DIR"), "{error}");
}
