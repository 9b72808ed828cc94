//! The end-to-end harness: the real api serving the built site (from `E2E_SITE_DIR`, which
//! `cargo xtask test` builds) against a fresh database, and headless Chromium driven through
//! ChromeDriver. Waits are for what is in the DOM, never for a fixed time.

pub mod accounts;
pub mod audit;

use std::{
    net::TcpListener,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use api::testing::{AccessKey, TestApp, sigv4_headers};
pub use fantoccini::Locator;
use fantoccini::{
    Client, ClientBuilder,
    actions::{InputSource, KeyAction, KeyActions},
    elements::Element,
    wd::WebDriverCompatibleCommand,
};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// WebDriver's codes for the Tab and Enter keys.
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";

/// How long to wait for something to appear before the test fails with what the page showed.
const PATIENCE: Duration = Duration::from_secs(20);

pub struct Stack {
    pub app: TestApp,
    pub browser: Browser,
}

/// The dev pool's password policy accepts this.
pub const PASSWORD: &str = "Correct-horse-1";
/// The dev pool's public client, which `/config.json` hands the shell.
pub const FRONTEND_CLIENT: &str = "ledgerlineweb0000000000001";
/// The dev pool's bootstrap file, which the tests start the api with.
pub const DEV_BOOTSTRAP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/bootstrap/dev.toml");
/// The IAM credentials the tests' api accepts for Cognito's admin operations.
const ADMIN_KEY: &str = "AKIDLEDGERLINEE2E";
const ADMIN_SECRET: &str = "e2e-admin-secret-not-for-deployment";
const REGION: &str = "us-east-1";
/// The api flags of IAM mode: the shell signs its calls to both apis with SigV4 and the dev identity
/// pool's credentials (the api keeps accepting access tokens, for the tests' own calls beside the browser).
pub const IAM: [&str; 2] = ["--shell-api-authorization", "/v1=iam,/graphql=iam"];

impl Stack {
    /// The api serving the built site in dev mode with the dev pool (so the shell can sign people in
    /// and codes are readable at /dev/mailbox), plus a browser; `api_args` are extra api flags.
    pub async fn start(api_args: &[&str]) -> Self {
        Self::start_with_bootstrap(Path::new(DEV_BOOTSTRAP), api_args).await
    }

    /// Like [`Stack::start`], with the pools of another bootstrap file.
    pub async fn start_with_bootstrap(bootstrap: &Path, api_args: &[&str]) -> Self {
        let site = site_dir();
        let mut args = vec![
            "--static-dir",
            site.to_str().expect("a UTF-8 path"),
            "--dev-mode",
            "--cognito-bootstrap",
            bootstrap.to_str().expect("a UTF-8 path"),
            "--cognito-admin-access-key-id",
            ADMIN_KEY,
            "--cognito-admin-secret-access-key",
            ADMIN_SECRET,
        ];
        args.extend_from_slice(api_args);
        let app = TestApp::spawn_with(&args).await;
        Self { app, browser: Browser::launch().await }
    }

    /// The Content-Security-Policy violations reported since the last call (the control test's).
    pub fn take_csp_violations(&self) -> Vec<Value> {
        self.app.csp_reports.take()
    }

    pub async fn open(&self, path: &str) {
        self.browser.client.goto(&self.app.url(path)).await.expect("navigate");
    }

    /// Calls a public Cognito operation of the api, as a browser would; the answer's JSON and status.
    pub async fn cognito(&self, operation: &str, body: Value) -> (u16, Value) {
        self.send_cognito(operation, body.to_string(), &[]).await
    }

    /// Calls an admin operation (e.g. AdminCreateUser), SigV4-signed as the AWS SDKs sign it.
    pub async fn admin(&self, operation: &str, body: Value) -> (u16, Value) {
        let target = format!("AWSCognitoIdentityProviderService.{operation}");
        let url = self.app.url("/cognito");
        let body = body.to_string();
        let host = self.app.addr.to_string();
        let headers = [("content-type", "application/x-amz-json-1.1"), ("x-amz-target", &target), ("host", &host)];
        let key = AccessKey { id: ADMIN_KEY, secret: ADMIN_SECRET };
        let signature = sigv4_headers("POST", &url, &headers, body.as_bytes(), key, REGION, "cognito-idp");
        let signature: Vec<(&str, &str)> = signature.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let (status, answer) = self.send_cognito(operation, body, &signature).await;
        assert!(status != 403 || answer["__type"] != "InvalidSignatureException", "{operation}: {answer}");
        (status, answer)
    }

    async fn send_cognito(&self, operation: &str, body: String, extra_headers: &[(&str, &str)]) -> (u16, Value) {
        let mut request = reqwest::Client::new()
            .post(self.app.url("/cognito"))
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("X-Amz-Target", format!("AWSCognitoIdentityProviderService.{operation}"));
        for (name, value) in extra_headers {
            request = request.header(*name, *value);
        }
        let response = request.body(body).send().await.expect("the api answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("the answer's body");
        let answer = serde_json::from_str(&text).unwrap_or_else(|error| {
            panic!("{operation} answered {status} with a body that is not JSON ({error}): {text:?}")
        });
        (status, answer)
    }

    /// Trades a refresh token for new tokens with the shell's client (GetTokensFromRefreshToken: the dev
    /// client rotates refresh tokens, so REFRESH_TOKEN_AUTH is refused to it, as Cognito refuses it).
    pub async fn refresh(&self, refresh_token: &str) -> (u16, Value) {
        let body = json!({ "ClientId": FRONTEND_CLIENT, "RefreshToken": refresh_token });
        self.cognito("GetTokensFromRefreshToken", body).await
    }

    /// The newest code mailed to `email`, read from the dev mailbox.
    pub async fn latest_code(&self, email: &str) -> String {
        let url = self.app.url(&format!("/dev/mailbox?to={email}"));
        let messages: Value = reqwest::get(url).await.expect("the mailbox").json().await.expect("JSON");
        let body = messages[0]["body"].as_str().unwrap_or_else(|| panic!("no message to {email}: {messages}"));
        let code: String = body.trim_end().chars().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
        assert!(code.chars().all(|c| c.is_ascii_digit()), "the message ends with a code: {body}");
        code
    }

    /// Signs `email` up with the shell's client, without confirming.
    pub async fn sign_up(&self, email: &str) {
        let body = json!({ "ClientId": FRONTEND_CLIENT, "Username": email, "Password": PASSWORD,
            "UserAttributes": [{ "Name": "email", "Value": email }] });
        let (status, answer) = self.cognito("SignUp", body).await;
        assert_eq!(status, 200, "SignUp: {answer}");
    }

    /// A confirmed user with [`PASSWORD`].
    pub async fn create_user(&self, email: &str) {
        self.sign_up(email).await;
        let body = json!({ "ClientId": FRONTEND_CLIENT, "Username": email,
            "ConfirmationCode": self.latest_code(email).await });
        let (status, answer) = self.cognito("ConfirmSignUp", body).await;
        assert_eq!(status, 200, "ConfirmSignUp: {answer}");
    }

    /// Signs in through the shell's sign-in page (the current page must be it) and waits until the
    /// header shows the person.
    pub async fn sign_in_on_page(&self, email: &str, password: &str) {
        let browser = &self.browser;
        browser.fill("#sign-in-email", email).await;
        browser.fill("#sign-in-password", password).await;
        browser.click("[data-testid=sign-in-form] button[type=submit]").await;
        browser.expect_text("[data-testid=shell-user]", email).await;
    }
}

/// Asks `probe` until `done` holds for its answer (or the harness's patience runs out) and returns
/// the last answer, for the caller to assert on: for what happens in the background, where there
/// is no element to wait for.
pub async fn eventually<T, F: std::future::Future<Output = T>>(
    mut probe: impl FnMut() -> F,
    done: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let answer = probe().await;
        if done(&answer) || Instant::now() > deadline {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Where the tests save screenshots for a person to look at: `<target dir>/e2e-screenshots`.
pub fn screenshots() -> PathBuf {
    // A test binary runs from <target dir>/<profile>/deps.
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors().nth(3).expect("the target dir").join("e2e-screenshots")
}

impl Drop for Stack {
    /// Every test fails on a Content-Security-Policy violation its pages reported (the api serves the
    /// site with the policy, and browsers report to it).
    fn drop(&mut self) {
        let violations = self.take_csp_violations();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!("the pages broke the Content-Security-Policy: {violations:#?}");
        }
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
            // A process group of its own, which the Chromium it starts joins: see `drop`.
            .process_group(0)
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

    /// Replaces the text of the input matching `css`, typing like a person.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.expect("clear the input");
        input.send_keys(text).await.expect("type into the input");
    }

    /// Presses keys on the keyboard, into whatever has the focus (`\u{E004}` is Tab, `\u{E007}` Enter).
    pub async fn press(&self, keys: &str) {
        let actions = keys.chars().fold(KeyActions::new("keyboard".into()), |actions, key| {
            actions.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key })
        });
        self.client.perform_actions(actions).await.expect("the keys are pressed");
    }

    /// Presses Tab until the element with this id has the focus (at most `limit` times).
    pub async fn tab_to(&self, id: &str, limit: usize) {
        for _ in 0..limit {
            self.press(TAB).await;
            if self.execute("return document.activeElement && document.activeElement.id").await == id {
                return;
            }
        }
        panic!("#{id} never got the focus in {limit} presses of Tab");
    }

    /// Clicks `css` as a person would: once it is in view and has stopped moving. Rows off-screen
    /// skip layout (`content-visibility`) and take their real height as they come into view, which
    /// moves what is below them; a click aimed before that lands where the element was.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        let settle = r#"const [element, done] = arguments;
            element.scrollIntoView({ block: "center" });
            let last = "";
            const check = () => {
                const place = JSON.stringify(element.getBoundingClientRect());
                if (place === last) done(); else { last = place; requestAnimationFrame(check); }
            };
            requestAnimationFrame(check);"#;
        let reference = serde_json::to_value(&element).expect("an element reference");
        self.client.execute_async(settle, vec![reference]).await.unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
        element.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// The path and query the page is at.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("the URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits until the focused element matches `css`; fails with what has the focus instead.
    pub async fn expect_focus(&self, css: &str) {
        let script = format!("return document.activeElement.matches({})", json!(css));
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if self.execute(&script).await == true {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let focused = self.execute("return document.activeElement.outerHTML.slice(0, 200)").await;
        panic!("the focus should be on {css}, but it is on {focused}");
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

    /// The session the shell keeps in `localStorage`; `Value::Null` when there is none.
    pub async fn stored_session(&self) -> Value {
        let json = self.execute(r#"return localStorage.getItem("ledgerline.session")"#).await;
        match json {
            Value::Null => Value::Null,
            Value::String(json) => serde_json::from_str(&json).expect("the stored session is JSON"),
            other => panic!("localStorage answered {other}"),
        }
    }

    /// The access token of whoever is signed in to the shell, from where the shell keeps it.
    pub async fn access_token(&self) -> String {
        let session = self.stored_session().await;
        session["accessToken"].as_str().unwrap_or_else(|| panic!("someone is signed in: {session}")).to_owned()
    }

    /// Makes the stored tokens look expired, as a write from another tab would (here forged), so the
    /// shell refreshes them at once.
    pub async fn expire_tokens(&self) {
        self.execute(
            r#"const key = "ledgerline.session";
               const session = JSON.parse(localStorage.getItem(key));
               session.expiresAt = Date.now() - 1000;
               const json = JSON.stringify(session);
               localStorage.setItem(key, json);
               window.dispatchEvent(new StorageEvent("storage", { key, newValue: json }));"#,
        )
        .await;
    }

    /// Records the page's calls to the api and to Cognito from now until it is reloaded, for
    /// [`Browser::api_calls`]; with `window.forgeSessionTokens = true` the page's SigV4-signed calls to
    /// `/v1` go out with a session token the api never issued, as if it refused the credentials.
    pub async fn record_api_calls(&self) {
        self.execute(
            r#"window.recordedCalls = [];
               const original = window.fetch;
               window.fetch = async function (input, init) {
                 let request = new Request(input, init);
                 const path = new URL(request.url).pathname;
                 if (window.forgeSessionTokens && path.startsWith("/v1/") && request.headers.has("x-amz-security-token")) {
                   const headers = new Headers(request.headers);
                   headers.set("x-amz-security-token", "Zm9yZ2Vk");
                   request = new Request(request, { headers });
                 }
                 const call = { method: request.method, path, target: request.headers.get("x-amz-target"),
                                scheme: (request.headers.get("authorization") || "").split(" ")[0] };
                 const response = await original.call(this, request);
                 call.status = response.status;
                 call.errorType = response.headers.get("x-amzn-errortype");
                 window.recordedCalls.push(call);
                 return response;
               };"#,
        )
        .await;
    }

    /// The calls recorded since [`Browser::record_api_calls`]: `{ method, path, target, scheme,
    /// status, errorType }` (`target` is Cognito's `X-Amz-Target`, `scheme` the Authorization's first word).
    pub async fn api_calls(&self) -> Vec<Value> {
        let calls = self.execute("return window.recordedCalls").await;
        calls.as_array().unwrap_or_else(|| panic!("no calls recorded: {calls}")).clone()
    }

    pub async fn execute(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("script runs")
    }

    /// Saves a PNG of the page as `<dir>/<name>.png`, for a person to look at, and audits the page
    /// (see [`Browser::audit`]): what is worth a picture is a state a person sees.
    pub async fn screenshot(&self, dir: &Path, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::create_dir_all(dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
        self.audit(name).await;
    }

    /// Console errors, uncaught exceptions and failed loads since the last call.
    pub async fn console_errors(&self) -> Vec<String> {
        let entries = self.client.issue_cmd(BrowserLog).await.expect("the browser log");
        severe_messages(&entries).unwrap_or_else(|| panic!("the browser log has an unexpected shape: {entries}"))
    }
}

impl Drop for Browser {
    /// Ends ChromeDriver and the browser with it. Killing ChromeDriver alone would leave its Chromium
    /// running, orphaned, a few hundred MB a test.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
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

/// The messages of the SEVERE entries of ChromeDriver's browser log (`[{ level, message, .. }]`);
/// `None` when the log is not in that shape, so a changed answer cannot read as "no errors".
fn severe_messages(entries: &Value) -> Option<Vec<String>> {
    let mut severe = Vec::new();
    for entry in entries.as_array()? {
        let (level, message) = (entry["level"].as_str()?, entry["message"].as_str()?);
        if level == "SEVERE" {
            severe.push(message.to_owned());
        }
    }
    Some(severe)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severe_messages_are_read_and_an_unknown_shape_is_refused() {
        let log = json!([{ "level": "INFO", "message": "hello" }, { "level": "SEVERE", "message": "boom" }]);
        assert_eq!(severe_messages(&log), Some(vec!["boom".to_owned()]));
        assert_eq!(severe_messages(&json!([])), Some(vec![]));
        for unexpected in [json!({ "value": [] }), json!(null), json!([{ "level": "SEVERE" }]), json!(["boom"])] {
            assert_eq!(severe_messages(&unexpected), None, "{unexpected}");
        }
    }
}
