//! The bootstrap file: applied at start, idempotent, and handed to the shell through /config.json.

mod support;

use std::path::Path;

use api::{cognito::bootstrap::Bootstrap, testing::TestApp};
use support::{PASSWORD, exception, sdk};

const DEV_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/bootstrap/dev.toml");

#[tokio::test]
async fn the_dev_pool_is_created_and_the_shell_is_told_about_it() {
    let app = TestApp::spawn_with(&["--cognito-bootstrap", DEV_FILE]).await;
    let config: mfe_contract::RuntimeConfig =
        reqwest::get(app.url("/config.json")).await.unwrap().json().await.unwrap();
    let cognito = config.cognito.expect("config.json names the user pool");
    assert_eq!(cognito.user_pool_id, "us-east-1_LedgerDev");
    assert_eq!(cognito.user_pool_client_id, "ledgerlineweb0000000000001");
    assert_eq!(cognito.region, "us-east-1");
    assert_eq!(cognito.endpoint, app.url("/cognito"));

    // The frontend client signs people up by email.
    let client = sdk(&app);
    client
        .sign_up()
        .client_id(&cognito.user_pool_client_id)
        .username("ada@example.com")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    // The confidential client insists on its secret.
    let refused = client
        .sign_up()
        .client_id("ledgerlinebackend000000001")
        .username("bob@example.com")
        .password(PASSWORD)
        .send()
        .await;
    assert_eq!(exception(refused.unwrap_err()).0, "NotAuthorizedException");

    let admin_group: i64 =
        sqlx::query_scalar("SELECT count(*) FROM user_groups WHERE pool_id = 'us-east-1_LedgerDev' AND name = 'Admin'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(admin_group, 1);

    // What the shell's MFA set-up, sign-in by emailed code and refresh-token rotation need is applied,
    // and the shell is told.
    assert_eq!(cognito.mfa_configuration, mfe_contract::MfaConfiguration::Optional);
    assert!(cognito.email_otp);
    let (mfa, software_token, factors): (String, bool, Vec<String>) = sqlx::query_as(
        "SELECT mfa_configuration, software_token_mfa, allowed_first_auth_factors FROM user_pools \
         WHERE id = 'us-east-1_LedgerDev'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (mfa.as_str(), software_token, factors),
        ("OPTIONAL", true, vec!["PASSWORD".into(), "EMAIL_OTP".into()])
    );
    let (rotation, grace): (bool, i32) =
        sqlx::query_as("SELECT refresh_token_rotation, retry_grace_period_secs FROM user_pool_clients WHERE id = $1")
            .bind(&cognito.user_pool_client_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((rotation, grace), (true, 10));
}

#[tokio::test]
async fn applying_again_changes_nothing_and_keeps_users() {
    let app = TestApp::spawn_with(&["--cognito-bootstrap", DEV_FILE]).await;
    sdk(&app)
        .sign_up()
        .client_id("ledgerlineweb0000000000001")
        .username("cy@example.com")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let bootstrap = Bootstrap::load(Path::new(DEV_FILE)).unwrap();
    bootstrap.apply(&app.db).await.unwrap();
    bootstrap.apply(&app.db).await.unwrap();
    let counts: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM user_pools), (SELECT count(*) FROM user_pool_clients), \
         (SELECT count(*) FROM user_groups), (SELECT count(*) FROM users)",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(counts, (1, 2, 1, 1));
}

#[tokio::test]
async fn a_bad_bootstrap_file_stops_the_start_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[[pools]]\nid = \"us-east-1_LedgerDev\"\n").unwrap();
    let error = Bootstrap::load(&file).unwrap_err();
    let message = api::server::StartError::from(error).to_string();
    assert!(message.starts_with("COGNITO_BOOTSTRAP:") && message.contains("name"), "{message}");
}
