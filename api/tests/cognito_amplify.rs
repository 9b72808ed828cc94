//! aws-amplify v6 (pinned, installed from npm by `cargo xtask test`) as the client, unmodified, driven from
//! node (`tests/clients/amplify_client.cjs`): sign-up with auto sign-in, forced refresh with rotation on and
//! off, TOTP set-up, SRP sign-in with a TOTP code, passwordless sign-in by emailed code, sign-out. This test
//! answers the codes the script asks for: from the outbox, as the person would read their mail, and from the
//! authenticator app's secret, as the app would compute them.

mod support;

use std::{
    process::Stdio,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use api::cognito::pools::{NewClient, NewPool};
use aws_sdk_cognitoidentityprovider::types::{SoftwareTokenMfaConfigType, UserPoolMfaType};
use serde_json::Value;
use support::{PASSWORD, PoolFixture, exception};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use totp_rs::{Algorithm, Builder, Secret};

const EMAIL: &str = "amelia@example.com";

#[tokio::test]
async fn amplify_signs_up_refreshes_sets_up_totp_and_signs_in_every_way() {
    let modules = std::env::var("AMPLIFY_NODE_MODULES")
        .expect("AMPLIFY_NODE_MODULES is not set: run the tests with `cargo xtask test`, which installs aws-amplify");
    let new_pool = NewPool {
        username_attributes: vec!["email".into()],
        allowed_first_auth_factors: Some(vec!["PASSWORD".into(), "EMAIL_OTP".into()]),
        ..NewPool::default()
    };
    let fixture = PoolFixture::with_pool(new_pool).await;
    fixture
        .admin
        .set_user_pool_mfa_config()
        .user_pool_id(&fixture.pool.id)
        .software_token_mfa_configuration(SoftwareTokenMfaConfigType::builder().enabled(true).build())
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    let flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"].map(String::from).to_vec();
    let client = |name: &str, rotation: bool| NewClient {
        name: name.into(),
        explicit_auth_flows: flows.clone(),
        refresh_token_rotation: rotation,
        ..NewClient::default()
    };
    let rotating = fixture.client_with(client("rotating", true)).await;
    let plain = fixture.client_with(client("plain", false)).await;

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/amplify_client.cjs");
    let mut node = tokio::process::Command::new("node")
        .arg(script)
        .env("AMPLIFY_NODE_MODULES", modules)
        .env("ENDPOINT", fixture.app.url("/cognito"))
        .env("POOL_ID", &fixture.pool.id)
        .env("ROTATING_CLIENT_ID", &rotating.id)
        .env("PLAIN_CLIENT_ID", &plain.id)
        .env("EMAIL", EMAIL)
        .env("PASSWORD", PASSWORD)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let mut answers = node.stdin.take().unwrap();
    let mut lines = BufReader::new(node.stdout.take().unwrap()).lines();
    let mut steps = Vec::new();
    let done = loop {
        let line =
            tokio::time::timeout(Duration::from_secs(60), lines.next_line()).await.expect("node answers in time");
        let line = line.unwrap().unwrap_or_else(|| panic!("node ended without a result after {steps:?}"));
        let message: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not a JSON line: {line}"));
        if let Some(question) = message.get("ask") {
            let answer = match (question.get("email_code"), question.get("totp")) {
                (Some(to), _) => fixture.last_code(to.as_str().unwrap()).await,
                (None, Some(secret)) => totp_code(secret.as_str().unwrap(), question["offset"].as_i64().unwrap()),
                _ => panic!("an unknown question: {question}"),
            };
            answers.write_all(format!("{answer}\n").as_bytes()).await.unwrap();
        } else if message.get("step").is_some() {
            steps.push(message);
        } else if let Some(done) = message.get("done") {
            break done.clone();
        } else {
            panic!("amplify failed: {message}, after {steps:?}");
        }
    };
    assert!(node.wait().await.unwrap().success());

    let step = |name: &str| steps.iter().find(|step| step["step"] == name).unwrap_or_else(|| panic!("no {name}"));
    let user = fixture.admin.admin_get_user().user_pool_id(&fixture.pool.id).username(EMAIL).send().await.unwrap();
    assert_eq!(step("auto sign-in")["username"], user.username());
    assert_eq!(step("forced refresh, rotation on")["rotated"], true);
    assert_eq!(step("forced refresh, rotation off")["rotated"], false);
    assert_eq!(step("TOTP set up")["preferred"], "TOTP");
    assert_eq!(done["signed_out"], true);
    // Amplify's sign-out (RevokeToken) ended the whole sign-in: the refresh token it rotated out too.
    let rotated_out = done["rotated_out"].as_str().unwrap();
    let call = fixture.sdk.get_tokens_from_refresh_token().client_id(&rotating.id).refresh_token(rotated_out);
    let refused = exception(call.send().await.unwrap_err());
    assert_eq!(refused, ("NotAuthorizedException".into(), "Refresh Token has been revoked".into()));
}

/// The authenticator app's code `offset` seconds from now.
fn totp_code(secret: &str, offset: i64) -> String {
    let secret = Secret::try_from_base32(secret).unwrap();
    let app = Builder::new().with_algorithm(Algorithm::SHA1).with_digits(6).with_step_duration(30).with_secret(secret);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    app.build().unwrap().generate(now.checked_add_signed(offset).unwrap()).to_string()
}
