//! The admin operations: only with a valid SigV4 signature by the configured admin credentials.

mod support;

use api::{
    cognito::wire::Access,
    testing::{AccessKey, TestApp, sigv4_headers},
};
use support::{ADMIN_KEY, ADMIN_SECRET, PASSWORD, admin_app, attribute, exception, sdk_with_credentials};

#[tokio::test]
async fn signed_admin_calls_create_pools_and_clients_that_work() {
    let app = admin_app(&[]).await;
    let admin = sdk_with_credentials(&app, ADMIN_KEY, ADMIN_SECRET);
    let created = admin.create_user_pool().pool_name("ledgerline").send().await.unwrap();
    let pool = created.user_pool().unwrap();
    let pool_id = pool.id().unwrap();
    let (region, suffix) = pool_id.split_once('_').unwrap();
    assert_eq!(region, "us-east-1");
    assert!(suffix.len() == 9 && suffix.bytes().all(|b| b.is_ascii_alphanumeric()), "{pool_id}");

    let client = admin
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("web")
        .explicit_auth_flows(aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .send()
        .await
        .unwrap();
    let client = client.user_pool_client().unwrap();
    let client_id = client.client_id().unwrap();
    assert_eq!(client_id.len(), 26);
    assert!(client.client_secret().is_none());

    // The new client serves the public operations.
    admin
        .sign_up()
        .client_id(client_id)
        .username("alice")
        .password(PASSWORD)
        .user_attributes(attribute("email", "alice@example.com"))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn admin_calls_are_refused_without_a_valid_signature() {
    let app = admin_app(&[]).await;
    let wrong_secret = sdk_with_credentials(&app, ADMIN_KEY, "not-the-secret");
    let refused = wrong_secret.create_user_pool().pool_name("x").send().await.unwrap_err();
    assert_eq!(exception(refused).0, "InvalidSignatureException");

    let unknown_key = sdk_with_credentials(&app, "AKIDSOMEONEELSE", ADMIN_SECRET);
    let refused = unknown_key.create_user_pool().pool_name("x").send().await.unwrap_err();
    assert_eq!(
        exception(refused),
        ("UnrecognizedClientException".into(), "The security token included in the request is invalid.".into())
    );

    let unsigned = reqwest::Client::new()
        .post(app.url("/cognito"))
        .header("x-amz-target", "AWSCognitoIdentityProviderService.CreateUserPool")
        .header("content-type", "application/x-amz-json-1.1")
        .body(r#"{"PoolName": "x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 400);
    assert_eq!(unsigned.headers()["x-amzn-errortype"], "MissingAuthenticationTokenException:");

    let pools: i64 = sqlx::query_scalar("SELECT count(*) FROM user_pools").fetch_one(&app.db).await.unwrap();
    assert_eq!(pools, 0, "nothing was created");
}

#[tokio::test]
async fn without_configured_admin_credentials_no_admin_call_is_accepted() {
    let app = TestApp::spawn().await;
    let admin = sdk_with_credentials(&app, ADMIN_KEY, ADMIN_SECRET);
    let refused = admin.create_user_pool().pool_name("x").send().await.unwrap_err();
    assert_eq!(exception(refused).0, "UnrecognizedClientException");
}

/// AWS's rule for its admin API, as an oracle independent of the server's table: the Admin*
/// operations, and the ones that manage pools, clients and groups (Create*, Describe*, List*,
/// Update*, Delete*, and the Get/Set of a pool's group or MFA configuration), except what a signed-in
/// user does to their own account.
fn aws_says_admin(operation: &str) -> bool {
    const OWN_ACCOUNT: [&str; 2] = ["DeleteUser", "UpdateUserAttributes"];
    const POOL_SETTINGS: [&str; 3] = ["GetGroup", "GetUserPoolMfaConfig", "SetUserPoolMfaConfig"];
    let manages =
        ["Admin", "Create", "Describe", "List", "Update", "Delete"].iter().any(|verb| operation.starts_with(verb));
    (manages && !OWN_ACCOUNT.contains(&operation)) || POOL_SETTINGS.contains(&operation)
}

/// Every operation is classified as AWS classifies it, and the class decides: an admin operation
/// unsigned is refused before its body is read, and signed reaches its handler; a public one is
/// dispatched unsigned (its body, `{}`, is then refused for what it lacks, never as unknown); any
/// other name is unknown, even one shaped like an admin operation's.
#[tokio::test]
async fn every_operation_is_classified_and_only_admin_ones_need_a_signature() {
    let app = admin_app(&[]).await;
    let error_type = |response: &reqwest::Response| {
        response.headers().get("x-amzn-errortype").map(|value| value.to_str().unwrap().to_owned()).unwrap_or_default()
    };
    for (operation, access) in api::cognito::wire::OPERATIONS {
        assert_eq!(*access == Access::Admin, aws_says_admin(operation), "{operation} is classified as {access:?}");
        let unsigned = error_type(&cognito_call(&app, operation, false).await);
        let signed = error_type(&cognito_call(&app, operation, true).await);
        for reached in [&signed, &unsigned][..if *access == Access::Admin { 1 } else { 2 }].iter() {
            assert!(!reached.starts_with("UnknownOperation"), "{operation} is dispatched: {reached}");
            assert!(!reached.starts_with("MissingAuthenticationToken"), "{operation}: {reached}");
        }
        if *access == Access::Admin {
            assert_eq!(unsigned, "MissingAuthenticationTokenException:", "{operation} unsigned");
        }
    }
    for unknown in ["AdminGetSigningSecrets", "GetSigningCertificate", "SetRiskConfiguration", "signup"] {
        for signed in [false, true] {
            let response = cognito_call(&app, unknown, signed).await;
            assert_eq!(error_type(&response), "UnknownOperationException:", "{unknown}, signed: {signed}");
        }
    }
}

/// `operation` with the body `{}`, SigV4-signed with the admin key or not.
async fn cognito_call(app: &TestApp, operation: &str, signed: bool) -> reqwest::Response {
    let url = app.url("/cognito");
    let target = format!("AWSCognitoIdentityProviderService.{operation}");
    let host = app.addr.to_string();
    let headers = [("content-type", "application/x-amz-json-1.1"), ("x-amz-target", &target), ("host", &host)];
    let mut request = reqwest::Client::new().post(&url).body("{}");
    for (name, value) in headers.iter().filter(|(name, _)| *name != "host") {
        request = request.header(*name, *value);
    }
    if signed {
        let key = AccessKey { id: ADMIN_KEY, secret: ADMIN_SECRET };
        for (name, value) in sigv4_headers("POST", &url, &headers, b"{}", key, "us-east-1", "cognito-idp") {
            request = request.header(name, value);
        }
    }
    request.send().await.unwrap()
}
