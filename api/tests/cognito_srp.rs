//! USER_SRP_AUTH end to end through pycognito, an independent client, and through our own
//! cognito-client: the right password signs in, a wrong one is refused, and a temporary password must
//! be replaced first.

mod support;

use api::cognito::pools::NewClient;
use cognito_client::{AppClient, ErrorKind, ops};
use serde_json::Value;
use support::{PASSWORD, PoolFixture, send, srp_sign_in};

/// Runs the pycognito client (PYCOGNITO_PYTHON, which `cargo xtask test` provides) and returns its
/// JSON answer and whether it signed in. With `new_password`, it answers NEW_PASSWORD_REQUIRED.
async fn pycognito_sign_in(
    fixture: &PoolFixture,
    username: &str,
    password: &str,
    new_password: Option<&str>,
) -> (Value, bool) {
    let python = std::env::var("PYCOGNITO_PYTHON")
        .expect("PYCOGNITO_PYTHON is not set: run the tests with `cargo xtask test`, which installs pycognito");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/pycognito_srp_sign_in.py");
    let mut command = tokio::process::Command::new(python);
    if let Some(new_password) = new_password {
        command.env("NEW_PASSWORD", new_password);
    }
    let output = command
        .arg(script)
        .env("ENDPOINT", fixture.app.url("/cognito"))
        .env("POOL_ID", &fixture.pool.id)
        .env("CLIENT_ID", &fixture.client.id)
        .env("USERNAME", username)
        .env("PASSWORD", password)
        .output()
        .await
        .expect("run pycognito");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let answer = serde_json::from_str(&stdout).unwrap_or_else(|_| {
        panic!("pycognito printed {stdout:?}; stderr: {}", String::from_utf8_lossy(&output.stderr))
    });
    (answer, output.status.success())
}

#[tokio::test]
async fn pycognito_signs_in_with_the_right_password_only() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;

    let (tokens, signed_in) = pycognito_sign_in(&fixture, "alice", PASSWORD, None).await;
    assert!(signed_in, "{tokens}");
    let user = fixture.sdk.get_user().access_token(tokens["AccessToken"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(user.username(), "alice");
    assert!(tokens["RefreshToken"].is_string());

    let (refused, signed_in) = pycognito_sign_in(&fixture, "alice", "Wrong-horse-1", None).await;
    assert!(!signed_in);
    assert_eq!(refused["error"], "NotAuthorizedException");
    assert_eq!(refused["message"], "Incorrect username or password.");
}

#[tokio::test]
async fn unknown_users_get_a_challenge_then_the_same_refusal() {
    let fixture = PoolFixture::new().await;
    let (refused, signed_in) = pycognito_sign_in(&fixture, "nobody", PASSWORD, None).await;
    assert!(!signed_in);
    assert_eq!(refused["error"], "NotAuthorizedException");
    assert_eq!(refused["message"], "Incorrect username or password.");
}

#[tokio::test]
async fn pycognito_replaces_a_temporary_password_then_signs_in_with_the_new_one() {
    let fixture = PoolFixture::new().await;
    fixture.invited_user("tara", "Temporary-pass-1").await;

    let (asked, signed_in) = pycognito_sign_in(&fixture, "tara", "Temporary-pass-1", None).await;
    assert!(!signed_in);
    assert_eq!(asked["error"], "ForceChangePasswordException", "the SRP proof leads to NEW_PASSWORD_REQUIRED");

    let (tokens, signed_in) = pycognito_sign_in(&fixture, "tara", "Temporary-pass-1", Some(PASSWORD)).await;
    assert!(signed_in, "{tokens}");
    let user = fixture.sdk.get_user().access_token(tokens["AccessToken"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(user.username(), "tara");

    let (tokens, signed_in) = pycognito_sign_in(&fixture, "tara", PASSWORD, None).await;
    assert!(signed_in, "the new password is the user's now: {tokens}");
    let (refused, _) = pycognito_sign_in(&fixture, "tara", "Temporary-pass-1", None).await;
    assert_eq!(refused["error"], "NotAuthorizedException");
}

#[tokio::test]
async fn cognito_client_signs_in_with_the_right_password_only() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    let client = AppClient::public(&fixture.client.id);

    let signed_in = srp_sign_in(&fixture.app, &fixture.pool.id, &client, "alice", PASSWORD).await.unwrap();
    let tokens = signed_in.authentication_result.expect("tokens, not another challenge");
    assert_eq!((tokens.token_type.as_str(), tokens.expires_in), ("Bearer", 3600));
    let user = send(&fixture.app, &ops::get_user(&tokens.access_token)).await.unwrap();
    assert_eq!(user.username, "alice");
    let refresh_token = tokens.refresh_token.expect("a first sign-in gets a refresh token");
    let refreshed = send(&fixture.app, &client.initiate_refresh_auth(&refresh_token, "alice")).await.unwrap();
    assert!(refreshed.authentication_result.is_some());

    let refused = srp_sign_in(&fixture.app, &fixture.pool.id, &client, "alice", "Wrong-horse-1").await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::NotAuthorizedException);
    assert_eq!(refused.message, "Incorrect username or password.");
}

#[tokio::test]
async fn cognito_client_proves_a_confidential_clients_secret() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("bob").await;
    let confidential =
        fixture.client_with(NewClient { name: "backend".into(), generate_secret: true, ..NewClient::default() }).await;
    let secret = confidential.secret.expect("a generated secret");

    let with_secret = AppClient::with_secret(&confidential.id, &secret);
    let signed_in = srp_sign_in(&fixture.app, &fixture.pool.id, &with_secret, "bob", PASSWORD).await.unwrap();
    assert!(signed_in.authentication_result.is_some());

    let without_secret = AppClient::public(&confidential.id);
    let refused = srp_sign_in(&fixture.app, &fixture.pool.id, &without_secret, "bob", PASSWORD).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::NotAuthorizedException);
}
