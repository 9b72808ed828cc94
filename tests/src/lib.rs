//! The end-to-end harness: the real api serving the built site (from `E2E_SITE_DIR`, which
//! `cargo xtask test` builds) against a fresh database, and headless Chromium driven through
//! ChromeDriver. Waits are for what is in the DOM, never for a fixed time.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use api::testing::TestApp;
pub use fantoccini::Locator;
use fantoccini::{Client, ClientBuilder, elements::Element, wd::WebDriverCompatibleCommand};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// How long to wait for something to appear before the test fails with what the page showed.
const PATIENCE: Duration = Duration::from_secs(20);

pub struct Stack {
    pub app: TestApp,
    pub browser: Browser,
}

impl Stack {
    /// The api serving the built site, plus a browser; `api_args` are extra api flags.
    pub async fn start(api_args: &[&str]) -> Self {
        let site = site_dir();
        let mut args = vec!["--static-dir", site.to_str().expect("a UTF-8 path")];
        args.extend_from_slice(api_args);
        let app = TestApp::spawn_with(&args).await;
        Self { app, browser: Browser::launch().await }
    }

    pub async fn open(&self, path: &str) {
        self.browser.client.goto(&self.app.url(path)).await.expect("navigate");
    }
}

fn site_dir() -> PathBuf {
    let dir = PathBuf::from(std::env::var("E2E_SITE_DIR").unwrap_or_else(|_| "dist".into()));
    assert!(
        dir.join("index.html").is_file(),
        "no built site in {} (set E2E_SITE_DIR): run the tests with `cargo xtask test`, which builds it",
        dir.display()
    );
    dir
}

/// Headless Chromium behind its own ChromeDriver, closed on drop.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn launch() -> Self {
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {chromedriver}: {e} (cargo xtask test installs it)"));
        let profile = tempfile::tempdir().expect("a profile dir");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    // Without these Chromium keeps calling home, which this network refuses.
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1280,800", format!("--user-data-dir={}", profile.path().display()),
                ],
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let capabilities = capabilities.as_object().expect("an object").clone();
        let client = connect(capabilities, &format!("http://127.0.0.1:{port}")).await;
        Self { client, driver, _profile: profile }
    }

    /// Waits until `css` matches an element.
    pub async fn find(&self, css: &str) -> Element {
        match self.client.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(error) => panic!("{css} never appeared ({error}); the page shows:\n{}", self.body_text().await),
        }
    }

    /// Waits until the element matching `css` has text containing `expected`.
    pub async fn expect_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                seen = element.text().await.unwrap_or_default();
                if seen.contains(expected) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} should contain {expected:?} but shows {seen:?}; the page shows:\n{}", self.body_text().await);
    }

    pub async fn is_present(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn body_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(error) => format!("(no body: {error})"),
        }
    }

    pub async fn execute(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("script runs")
    }

    /// Saves a PNG of the page as `<dir>/<name>.png`, for a person to look at.
    pub async fn screenshot(&self, dir: &Path, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::create_dir_all(dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Console errors, uncaught exceptions and failed loads since the last call.
    pub async fn console_errors(&self) -> Vec<String> {
        let entries = self.client.issue_cmd(BrowserLog).await.expect("the browser log");
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// ChromeDriver takes a moment to listen after it starts.
async fn connect(capabilities: fantoccini::wd::Capabilities, url: &str) -> Client {
    let mut builder = ClientBuilder::new(HttpConnector::new());
    builder.capabilities(capabilities);
    let deadline = Instant::now() + PATIENCE;
    loop {
        match builder.connect(url).await {
            Ok(client) => return client,
            Err(error) if Instant::now() > deadline => panic!("cannot start a browser session: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// ChromeDriver's log endpoint (outside the W3C protocol, so fantoccini has no method for it).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "type": "browser" }).to_string()))
    }
}
