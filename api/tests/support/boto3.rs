//! boto3 (BOTO3_PYTHON, pinned and installed by `cargo xtask test`) as a test client: a list of calls
//! in, each call's response or AWS error out.

use api::testing::TestApp;
use serde_json::{Value, json};

/// Credentials boto3 signs with.
pub struct Signer<'a> {
    pub key: &'a str,
    pub secret: &'a str,
    pub token: Option<&'a str>,
}

/// Runs `calls` (`[[operation, params], ...]`) on boto3's `service` client with `endpoint_url`
/// `app.url(path)`; one result a call: `{"ok": response}` or `{"error": {Code, Message, HTTPStatusCode}}`.
pub async fn boto3(app: &TestApp, service: &str, path: &str, signer: Signer<'_>, calls: Value) -> Vec<Value> {
    let python = std::env::var("BOTO3_PYTHON")
        .expect("BOTO3_PYTHON is not set: run the tests with `cargo xtask test`, which installs boto3");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/boto3_calls.py");
    let mut command = tokio::process::Command::new(python);
    command
        .arg(script)
        .env("ENDPOINT", app.url(path))
        .env("AWS_ACCESS_KEY_ID", signer.key)
        .env("AWS_SECRET_ACCESS_KEY", signer.secret)
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if let Some(token) = signer.token {
        command.env("AWS_SESSION_TOKEN", token);
    }
    let mut child = command.spawn().expect("run boto3");
    let input = json!({ "service": service, "calls": calls }).to_string();
    tokio::io::AsyncWriteExt::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).await.unwrap();
    drop(child.stdin.take());
    let output = child.wait_with_output().await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|_| panic!("boto3 printed {stdout:?}; stderr: {}", String::from_utf8_lossy(&output.stderr)))
}

/// The error code and HTTP status of a failed call's result.
pub fn error(result: &Value) -> (&str, u64) {
    let error = &result["error"];
    (
        error["Code"].as_str().unwrap_or_else(|| panic!("expected an error, got {result}")),
        error["HTTPStatusCode"].as_u64().unwrap(),
    )
}
