//! GetTokensFromRefreshToken, and refresh-token rotation per app client, through the official AWS SDK: with
//! rotation on, each refresh returns a new refresh token, the replaced one keeps working only for the
//! client's grace period, and its use after that revokes the whole sign-in.

mod support;

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::{
    operation::get_tokens_from_refresh_token::GetTokensFromRefreshTokenOutput,
    types::{AuthFlowType, ExplicitAuthFlowsType, FeatureType, RefreshTokenRotationType},
};
use support::{PASSWORD, PoolFixture, exception};

fn rotation(feature: FeatureType, grace: i32) -> RefreshTokenRotationType {
    RefreshTokenRotationType::builder().feature(feature).retry_grace_period_seconds(grace).build().unwrap()
}

/// An app client made through the SDK, with password sign-in and this rotation setting.
async fn client_with_rotation(fixture: &PoolFixture, rotation: RefreshTokenRotationType) -> String {
    let created = fixture
        .admin
        .create_user_pool_client()
        .user_pool_id(&fixture.pool.id)
        .client_name("rotating")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .refresh_token_rotation(rotation)
        .send()
        .await
        .unwrap();
    created.user_pool_client().unwrap().client_id().unwrap().to_owned()
}

/// The refresh token of a password sign-in of `username` through `client_id`.
async fn signed_in(fixture: &PoolFixture, client_id: &str, username: &str) -> String {
    let out = fixture
        .sdk
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    out.authentication_result().unwrap().refresh_token().unwrap().to_owned()
}

async fn get_tokens(
    fixture: &PoolFixture,
    client_id: &str,
    refresh_token: &str,
) -> Result<GetTokensFromRefreshTokenOutput, (String, String)> {
    let call = fixture.sdk.get_tokens_from_refresh_token().client_id(client_id).refresh_token(refresh_token);
    call.send().await.map_err(exception)
}

fn next_refresh_token(out: &GetTokensFromRefreshTokenOutput) -> String {
    out.authentication_result().unwrap().refresh_token().expect("rotation returns a new refresh token").to_owned()
}

#[tokio::test]
async fn without_rotation_both_refreshes_keep_the_refresh_token_and_the_sign_in() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    let first = fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    let first = first.authentication_result().unwrap();
    let refresh_token = first.refresh_token().unwrap();

    let out = get_tokens(&fixture, &fixture.client.id, refresh_token).await.unwrap();
    let result = out.authentication_result().unwrap();
    assert!(result.refresh_token().is_none(), "no rotation, no new refresh token");
    let claims = fixture.verified_claims(result.access_token().unwrap(), None).await;
    let original = fixture.verified_claims(first.access_token().unwrap(), None).await;
    assert_eq!((&claims["origin_jti"], &claims["auth_time"]), (&original["origin_jti"], &original["auth_time"]));
    fixture.sdk.get_user().access_token(result.access_token().unwrap()).send().await.unwrap();

    // REFRESH_TOKEN_AUTH still works with the same token, as often as asked.
    for _ in 0..2 {
        fixture.refresh(refresh_token).await.unwrap();
        get_tokens(&fixture, &fixture.client.id, refresh_token).await.unwrap();
    }
}

#[tokio::test]
async fn rotation_replaces_the_token_the_old_one_lasts_the_grace_period_and_reuse_revokes_the_sign_in() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    let client_id = client_with_rotation(&fixture, rotation(FeatureType::Enabled, 1)).await;
    let described = fixture
        .admin
        .describe_user_pool_client()
        .user_pool_id(&fixture.pool.id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    let setting = described.user_pool_client().unwrap().refresh_token_rotation().unwrap();
    assert_eq!((setting.feature(), setting.retry_grace_period_seconds()), (&FeatureType::Enabled, Some(1)));

    let first = signed_in(&fixture, &client_id, "alice").await;
    let refreshed = get_tokens(&fixture, &client_id, &first).await.unwrap();
    let second = next_refresh_token(&refreshed);
    assert_ne!(second, first);
    // A retry within the grace period (the client lost the answer) works.
    let retried = next_refresh_token(&get_tokens(&fixture, &client_id, &first).await.unwrap());
    let third = next_refresh_token(&get_tokens(&fixture, &client_id, &second).await.unwrap());
    let access_token = refreshed.authentication_result().unwrap().access_token().unwrap();
    fixture.sdk.get_user().access_token(access_token).send().await.unwrap();

    // REFRESH_TOKEN_AUTH is not how a rotating client refreshes.
    let refused = fixture
        .sdk
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &third)
        .send()
        .await
        .unwrap_err();
    assert_eq!(exception(refused).0, "InvalidParameterException");

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let reused = get_tokens(&fixture, &client_id, &first).await.unwrap_err();
    assert_eq!(reused.0, "RefreshTokenReuseException");
    // The whole family is revoked: every refresh token of that sign-in, and its access tokens.
    for token in [&second, &retried, &third] {
        let refused = get_tokens(&fixture, &client_id, token).await.unwrap_err();
        assert_eq!(refused, ("NotAuthorizedException".into(), "Refresh Token has been revoked".into()));
    }
    let refused = fixture.sdk.get_user().access_token(access_token).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "NotAuthorizedException");
    // Another sign-in of the same person is not affected.
    let other = signed_in(&fixture, &client_id, "alice").await;
    get_tokens(&fixture, &client_id, &other).await.unwrap();
}

#[tokio::test]
async fn without_a_grace_period_the_replaced_token_is_refused_at_once() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    let client_id = client_with_rotation(&fixture, rotation(FeatureType::Enabled, 0)).await;
    let first = signed_in(&fixture, &client_id, "alice").await;
    let second = next_refresh_token(&get_tokens(&fixture, &client_id, &first).await.unwrap());
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(get_tokens(&fixture, &client_id, &first).await.unwrap_err().0, "RefreshTokenReuseException");
    assert_eq!(get_tokens(&fixture, &client_id, &second).await.unwrap_err().0, "NotAuthorizedException");
}

#[tokio::test]
async fn refreshes_are_refused_as_aws_refuses_them() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    let refresh_token = fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    let refresh_token = refresh_token.authentication_result().unwrap().refresh_token().unwrap().to_owned();
    let other_client = client_with_rotation(&fixture, rotation(FeatureType::Disabled, 0)).await;

    let wrong_client = get_tokens(&fixture, &other_client, &refresh_token).await.unwrap_err();
    assert_eq!(wrong_client, ("NotAuthorizedException".into(), "Invalid Refresh Token".into()));
    let unknown = get_tokens(&fixture, &fixture.client.id, "not-a-token").await.unwrap_err();
    assert_eq!(unknown.0, "NotAuthorizedException");
    let no_client = get_tokens(&fixture, "nosuchclient0000000000000a", &refresh_token).await.unwrap_err();
    assert_eq!(no_client.0, "ResourceNotFoundException");

    fixture.sdk.revoke_token().client_id(&fixture.client.id).token(&refresh_token).send().await.unwrap();
    let revoked = get_tokens(&fixture, &fixture.client.id, &refresh_token).await.unwrap_err();
    assert_eq!(revoked, ("NotAuthorizedException".into(), "Refresh Token has been revoked".into()));

    for grace in [-1, 61] {
        let refused = fixture
            .admin
            .create_user_pool_client()
            .user_pool_id(&fixture.pool.id)
            .client_name("bad")
            .refresh_token_rotation(rotation(FeatureType::Enabled, grace))
            .send()
            .await
            .unwrap_err();
        assert_eq!(exception(refused).0, "InvalidParameterException", "grace {grace}");
    }
}

#[tokio::test]
async fn a_client_with_a_secret_must_send_it() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    let created = fixture
        .admin
        .create_user_pool_client()
        .user_pool_id(&fixture.pool.id)
        .client_name("backend")
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .refresh_token_rotation(rotation(FeatureType::Enabled, 0))
        .send()
        .await
        .unwrap();
    let client = created.user_pool_client().unwrap();
    let (client_id, secret) = (client.client_id().unwrap(), client.client_secret().unwrap());
    let signed_in = fixture
        .admin
        .admin_initiate_auth()
        .user_pool_id(&fixture.pool.id)
        .client_id(client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .auth_parameters("SECRET_HASH", support::secret_hash(secret, "alice", client_id))
        .send()
        .await
        .unwrap();
    let refresh_token = signed_in.authentication_result().unwrap().refresh_token().unwrap();
    let call = || fixture.sdk.get_tokens_from_refresh_token().client_id(client_id).refresh_token(refresh_token);
    for wrong in [None, Some("not-the-secret")] {
        let refused = call().set_client_secret(wrong.map(String::from)).send().await.unwrap_err();
        assert_eq!(exception(refused).0, "NotAuthorizedException", "{wrong:?}");
    }
    let out = call().client_secret(secret).send().await.unwrap();
    assert!(out.authentication_result().unwrap().refresh_token().is_some());
}
