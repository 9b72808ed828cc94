//! SignUp, ConfirmSignUp and ResendConfirmationCode through the official AWS SDK.

mod support;

use api::cognito::pools::{NewClient, NewPool};
use support::{PASSWORD, PoolFixture, attribute, exception};

#[tokio::test]
async fn sign_up_then_confirm_creates_the_profile() {
    let fixture = PoolFixture::new().await;
    let signed_up = fixture
        .sdk
        .sign_up()
        .client_id(&fixture.client.id)
        .username("alice")
        .password(PASSWORD)
        .user_attributes(attribute("email", "alice@example.com"))
        .send()
        .await
        .unwrap();
    assert!(!signed_up.user_confirmed());
    let delivery = signed_up.code_delivery_details().unwrap();
    assert_eq!(delivery.destination(), Some("a***@e***"));
    assert_eq!(delivery.attribute_name(), Some("email"));

    let code = fixture.last_code("alice").await;
    assert_eq!(code.len(), 6);
    fixture.confirm("alice", &code).await;

    let profile: (String, i64) = sqlx::query_as("SELECT email, version FROM user_profiles WHERE id = $1::uuid")
        .bind(signed_up.user_sub())
        .fetch_one(&fixture.app.db)
        .await
        .unwrap();
    assert_eq!(profile, ("alice@example.com".to_owned(), 1));

    // A code is single use.
    let again = fixture.try_confirm("alice", &code).await;
    assert_eq!(again.unwrap_err().0, "NotAuthorizedException");
}

#[tokio::test]
async fn wrong_codes_are_refused_and_attempts_are_bounded() {
    let fixture = PoolFixture::new().await;
    fixture
        .sdk
        .sign_up()
        .client_id(&fixture.client.id)
        .username("bob")
        .password(PASSWORD)
        .user_attributes(attribute("email", "bob@example.com"))
        .send()
        .await
        .unwrap();
    let right = fixture.last_code("bob").await;
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let refused = fixture.try_confirm("bob", wrong).await;
        assert_eq!(refused.unwrap_err().0, "CodeMismatchException");
    }
    let exhausted = fixture.try_confirm("bob", &right).await;
    assert_eq!(exhausted.unwrap_err().0, "LimitExceededException");

    // A new code starts over.
    fixture.sdk.resend_confirmation_code().client_id(&fixture.client.id).username("bob").send().await.unwrap();
    let fresh = fixture.last_code("bob").await;
    fixture.confirm("bob", &fresh).await;
}

#[tokio::test]
async fn expired_codes_are_refused() {
    let fixture = PoolFixture::new().await;
    fixture
        .sdk
        .sign_up()
        .client_id(&fixture.client.id)
        .username("carol")
        .password(PASSWORD)
        .user_attributes(attribute("email", "carol@example.com"))
        .send()
        .await
        .unwrap();
    sqlx::query("UPDATE user_codes SET expires_at = now() - interval '1 second'")
        .execute(&fixture.app.db)
        .await
        .unwrap();
    let code = fixture.last_code("carol").await;
    let refused = fixture.try_confirm("carol", &code).await;
    assert_eq!(refused.unwrap_err().0, "ExpiredCodeException");
}

#[tokio::test]
async fn sign_up_validates_its_input() {
    let fixture = PoolFixture::new().await;
    let sign_up = |username: &str, password: &str| {
        fixture
            .sdk
            .sign_up()
            .client_id(&fixture.client.id)
            .username(username)
            .password(password)
            .user_attributes(attribute("email", &format!("{username}@example.com")))
            .send()
    };
    let (code, message) = exception(sign_up("dave", "short").await.unwrap_err());
    assert_eq!(code, "InvalidPasswordException");
    assert!(message.contains("Password not long enough"), "{message}");

    assert_eq!(exception(sign_up("has space", PASSWORD).await.unwrap_err()).0, "InvalidParameterException");

    let bad_attribute = fixture
        .sdk
        .sign_up()
        .client_id(&fixture.client.id)
        .username("erin")
        .password(PASSWORD)
        .user_attributes(attribute("shoe_size", "44"))
        .send()
        .await;
    let (code, message) = exception(bad_attribute.unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert!(message.contains("shoe_size"), "{message}");

    sign_up("frank", PASSWORD).await.unwrap();
    assert_eq!(exception(sign_up("frank", PASSWORD).await.unwrap_err()).0, "UsernameExistsException");

    let unknown_client =
        fixture.sdk.sign_up().client_id("nosuchclient").username("gina").password(PASSWORD).send().await;
    assert_eq!(exception(unknown_client.unwrap_err()).0, "ResourceNotFoundException");
}

#[tokio::test]
async fn email_pools_use_the_email_as_an_alias_of_a_generated_username() {
    let fixture =
        PoolFixture::with_pool(NewPool { username_attributes: vec!["email".into()], ..NewPool::default() }).await;
    let signed_up = fixture
        .sdk
        .sign_up()
        .client_id(&fixture.client.id)
        .username("hana@example.com")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let code = fixture.last_code("hana@example.com").await;
    fixture
        .sdk
        .confirm_sign_up()
        .client_id(&fixture.client.id)
        .username("hana@example.com")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    let username: String = sqlx::query_scalar("SELECT username FROM users WHERE sub = $1::uuid")
        .bind(signed_up.user_sub())
        .fetch_one(&fixture.app.db)
        .await
        .unwrap();
    assert_ne!(username, "hana@example.com");
    let again = fixture
        .sdk
        .sign_up()
        .client_id(&fixture.client.id)
        .username("HANA@example.com")
        .password(PASSWORD)
        .send()
        .await;
    assert_eq!(exception(again.unwrap_err()).0, "UsernameExistsException");
}

#[tokio::test]
async fn clients_with_a_secret_require_a_valid_secret_hash() {
    let fixture = PoolFixture::new().await;
    let confidential =
        fixture.client_with(NewClient { name: "backend".into(), generate_secret: true, ..NewClient::default() }).await;
    let secret_hash =
        |username: &str| support::secret_hash(confidential.secret.as_deref().unwrap(), username, &confidential.id);
    let sign_up = |hash: Option<String>| {
        fixture
            .sdk
            .sign_up()
            .client_id(&confidential.id)
            .username("ivan")
            .password(PASSWORD)
            .set_secret_hash(hash)
            .user_attributes(attribute("email", "ivan@example.com"))
            .send()
    };
    let (code, message) = exception(sign_up(None).await.unwrap_err());
    assert_eq!(code, "NotAuthorizedException");
    assert!(message.starts_with("Unable to verify secret hash for client"), "{message}");
    assert_eq!(exception(sign_up(Some(secret_hash("someone-else"))).await.unwrap_err()).0, "NotAuthorizedException");
    sign_up(Some(secret_hash("ivan"))).await.unwrap();
}

#[tokio::test]
async fn errors_carry_the_exception_in_body_and_header_and_a_request_id() {
    let fixture = PoolFixture::new().await;
    let response = reqwest::Client::new()
        .post(fixture.app.url("/cognito"))
        .header("x-amz-target", "AWSCognitoIdentityProviderService.SignUp")
        .header("content-type", "application/x-amz-json-1.1")
        .body(r#"{"ClientId": "x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["x-amzn-errortype"], "InvalidParameterException:");
    assert!(response.headers().contains_key("x-amzn-requestid"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["__type"], "InvalidParameterException");
    assert!(body["message"].as_str().unwrap().contains("Username"), "{body}");

    let malformed = reqwest::Client::new()
        .post(fixture.app.url("/cognito"))
        .header("x-amz-target", "AWSCognitoIdentityProviderService.SignUp")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.headers()["x-amzn-errortype"], "SerializationException:");
    let unknown = reqwest::Client::new()
        .post(fixture.app.url("/cognito"))
        .header("x-amz-target", "AWSCognitoIdentityProviderService.Teleport")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.headers()["x-amzn-errortype"], "UnknownOperationException:");
}

#[tokio::test]
async fn dev_mode_prints_messages_and_lists_them_in_the_mailbox() {
    use api::testing::TestApp;

    let app = TestApp::spawn_with(&["--dev-mode"]).await;
    let fixture_pool = api::cognito::pools::create_pool(
        &app.db,
        &api::cognito::pools::NewPool { region: "us-east-1".into(), name: "dev".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let new_client = api::cognito::pools::NewClient { name: "web".into(), ..Default::default() };
    let client = api::cognito::pools::create_client(&app.db, &fixture_pool.id, &new_client).await.unwrap();
    support::sdk(&app)
        .sign_up()
        .client_id(&client.id)
        .username("mia")
        .password(PASSWORD)
        .user_attributes(attribute("email", "mia@example.com"))
        .send()
        .await
        .unwrap();
    let mailbox: serde_json::Value =
        reqwest::get(app.url("/dev/mailbox?to=MIA@example.com")).await.unwrap().json().await.unwrap();
    let message = &mailbox[0];
    assert_eq!(message["to"], "mia@example.com");
    assert!(message["body"].as_str().unwrap().starts_with("Your confirmation code is "), "{message}");
    // A browser gets a page to read, the code standing out.
    let code = message["body"].as_str().unwrap().trim_start_matches("Your confirmation code is ").trim();
    let page = reqwest::Client::new()
        .get(app.url("/dev/mailbox?to=mia@example.com"))
        .header("Accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = page.text().await.unwrap();
    assert!(page.contains(&format!(r#"<p class="code">{code}</p>"#)), "{page}");

    // The relay marks it delivered (printed in the log).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let unsent: i64 =
            sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetch_one(&app.db).await.unwrap();
        if unsent == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the dev relay never delivered");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Without dev mode there is no mailbox.
    let production = TestApp::spawn().await;
    assert_eq!(reqwest::get(production.url("/dev/mailbox?to=mia@example.com")).await.unwrap().status(), 404);
}
