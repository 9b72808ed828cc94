//! InitiateAuth (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH) and GetUser through the official AWS SDK,
//! with tokens checked through the pool's JWKS the way a resource server would.

mod support;

use api::cognito::pools::NewClient;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use support::{PASSWORD, PoolFixture, exception};

async fn password_sign_in(
    fixture: &PoolFixture,
    username: &str,
    password: &str,
) -> Result<(String, String, String), (String, String)> {
    fixture.password_sign_in(username, password).await.map(|out| {
        let result = out.authentication_result().unwrap();
        assert_eq!(result.token_type(), Some("Bearer"));
        assert_eq!(result.expires_in(), 3600);
        (
            result.id_token().unwrap().to_owned(),
            result.access_token().unwrap().to_owned(),
            result.refresh_token().unwrap().to_owned(),
        )
    })
}

#[tokio::test]
async fn password_sign_in_issues_tokens_with_cognitos_claims() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    let (id_token, access_token, _) = password_sign_in(&fixture, "alice", PASSWORD).await.unwrap();

    let id = fixture.verified_claims(&id_token, Some(&fixture.client.id)).await;
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], true);
    for claim in ["sub", "auth_time", "exp", "iat", "jti", "origin_jti", "event_id"] {
        assert!(!id[claim].is_null(), "id token lacks {claim}");
    }
    assert!(id.get("cognito:groups").is_none(), "no groups claim without groups");

    let access = fixture.verified_claims(&access_token, None).await;
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], fixture.client.id.as_str());
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["username"], "alice");
    assert!(access.get("aud").is_none());
    assert_eq!(access["sub"], id["sub"]);
    assert_eq!(access["origin_jti"], id["origin_jti"]);
    assert_ne!(
        jsonwebtoken::decode_header(&id_token).unwrap().kid,
        jsonwebtoken::decode_header(&access_token).unwrap().kid
    );

    let user = fixture.sdk.get_user().access_token(&access_token).send().await.unwrap();
    assert_eq!(user.username(), "alice");
    let email = user.user_attributes().iter().find(|a| a.name() == "email").unwrap();
    assert_eq!(email.value(), Some("alice@example.com"));
    assert!(user.user_attributes().iter().any(|a| a.name() == "sub" && a.value() == id["sub"].as_str()));
}

#[tokio::test]
async fn groups_appear_in_both_tokens() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("root").await;
    sqlx::query("INSERT INTO user_groups (pool_id, name, precedence) VALUES ($1, 'Admin', 1)")
        .bind(&fixture.pool.id)
        .execute(&fixture.app.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO user_group_members (pool_id, group_name, username) VALUES ($1, 'Admin', 'root')")
        .bind(&fixture.pool.id)
        .execute(&fixture.app.db)
        .await
        .unwrap();
    let (id_token, access_token, _) = password_sign_in(&fixture, "root", PASSWORD).await.unwrap();
    assert_eq!(
        fixture.verified_claims(&id_token, Some(&fixture.client.id)).await["cognito:groups"],
        serde_json::json!(["Admin"])
    );
    assert_eq!(fixture.verified_claims(&access_token, None).await["cognito:groups"], serde_json::json!(["Admin"]));
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_look_alike_and_lock_out() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("bob").await;
    let wrong = password_sign_in(&fixture, "bob", "Wrong-horse-1").await.unwrap_err();
    let unknown = password_sign_in(&fixture, "nobody", PASSWORD).await.unwrap_err();
    assert_eq!(wrong, ("NotAuthorizedException".into(), "Incorrect username or password.".into()));
    assert_eq!(unknown, wrong);

    for _ in 0..5 {
        password_sign_in(&fixture, "bob", "Wrong-horse-1").await.unwrap_err();
    }
    // The sixth failure locks bob out for a second (the unit tests cover the growing lengths).
    let lock = "SELECT extract(epoch FROM locked_until - now())::float8 FROM users WHERE username = 'bob'";
    let locked_for: Option<f64> = sqlx::query_scalar(lock).fetch_one(&fixture.app.db).await.unwrap();
    assert!(locked_for.is_some_and(|seconds| seconds <= 1.0), "locked for {locked_for:?} s");
    // Locked out, even with the right password: the lock made longer than the test may take on a busy machine.
    let extend = "UPDATE users SET locked_until = now() + interval '1 minute' WHERE username = 'bob'";
    sqlx::query(extend).execute(&fixture.app.db).await.unwrap();
    let locked = password_sign_in(&fixture, "bob", PASSWORD).await.unwrap_err();
    assert_eq!(locked, ("NotAuthorizedException".into(), "Password attempts exceeded".into()));
    // Once the lock has passed, the right password signs in.
    let expire = "UPDATE users SET locked_until = now() - interval '1 second' WHERE username = 'bob'";
    sqlx::query(expire).execute(&fixture.app.db).await.unwrap();
    password_sign_in(&fixture, "bob", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn unconfirmed_users_cannot_sign_in() {
    let fixture = PoolFixture::new().await;
    fixture.sdk.sign_up().client_id(&fixture.client.id).username("carol").password(PASSWORD).send().await.unwrap();
    assert_eq!(password_sign_in(&fixture, "carol", PASSWORD).await.unwrap_err().0, "UserNotConfirmedException");
}

#[tokio::test]
async fn disabled_flows_are_refused() {
    let fixture = PoolFixture::new().await;
    let srp_only = fixture.client_with(NewClient { name: "spa".into(), ..NewClient::default() }).await;
    let refused = fixture
        .sdk
        .initiate_auth()
        .client_id(&srp_only.id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "x")
        .auth_parameters("PASSWORD", "y")
        .send()
        .await;
    let (code, message) = exception(refused.unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(message, "USER_PASSWORD_AUTH flow not enabled for this client");
}

#[tokio::test]
async fn refresh_keeps_the_sign_in_and_revocation_ends_it() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("dave").await;
    let (id_token, _, refresh_token) = password_sign_in(&fixture, "dave", PASSWORD).await.unwrap();
    let refreshed = fixture.refresh(&refresh_token).await.unwrap();
    let result = refreshed.authentication_result().unwrap();
    assert!(result.refresh_token().is_none(), "no rotation: the same refresh token stays valid");
    let before = fixture.verified_claims(&id_token, Some(&fixture.client.id)).await;
    let after = fixture.verified_claims(result.id_token().unwrap(), Some(&fixture.client.id)).await;
    for kept in ["origin_jti", "event_id", "auth_time", "sub"] {
        assert_eq!(before[kept], after[kept], "{kept} is kept across refresh");
    }
    assert_ne!(before["jti"], after["jti"]);

    // Tokens from a revoked sign-in stop working everywhere.
    sqlx::query("UPDATE refresh_tokens SET revoked_at = now()").execute(&fixture.app.db).await.unwrap();
    let refused = fixture.sdk.get_user().access_token(result.access_token().unwrap()).send().await;
    assert_eq!(
        exception(refused.unwrap_err()),
        ("NotAuthorizedException".into(), "Access Token has been revoked".into())
    );
    assert_eq!(fixture.refresh(&refresh_token).await.unwrap_err().0, "NotAuthorizedException");
}

#[tokio::test]
async fn forged_and_foreign_tokens_are_refused() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("erin").await;
    let (id_token, access_token, _) = password_sign_in(&fixture, "erin", PASSWORD).await.unwrap();
    // An ID token is not an access token.
    let refused = fixture.sdk.get_user().access_token(&id_token).send().await;
    assert_eq!(exception(refused.unwrap_err()).1, "Invalid Access Token");
    // A flipped signature byte.
    let mut forged = access_token.clone().into_bytes();
    let last = forged.len() - 2;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let refused = fixture.sdk.get_user().access_token(String::from_utf8(forged).unwrap()).send().await;
    assert_eq!(exception(refused.unwrap_err()).0, "NotAuthorizedException");
    // Another pool's token.
    let other = PoolFixture::new().await;
    other.confirmed_user("erin").await;
    let (_, foreign, _) = password_sign_in(&other, "erin", PASSWORD).await.unwrap();
    let refused = fixture.sdk.get_user().access_token(&foreign).send().await;
    assert_eq!(exception(refused.unwrap_err()).0, "NotAuthorizedException");
}
