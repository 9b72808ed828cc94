//! Managing pools and app clients through the official AWS SDK, signed with the admin credentials:
//! UpdateUserPool, DeleteUserPool, UpdateUserPoolClient, ListUserPoolClients, DeleteUserPoolClient.

mod support;

use api::cognito::pools::NewClient;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, PasswordPolicyType, UserPoolPolicyType,
};
use support::{PASSWORD, PoolFixture, attribute, exception};

fn not_found(what: &str) -> (String, String) {
    ("ResourceNotFoundException".into(), format!("User pool {what} does not exist."))
}

#[tokio::test]
async fn update_user_pool_replaces_its_settings_and_what_is_left_out_returns_to_its_default() {
    let fixture = PoolFixture::new().await;
    let strict = PasswordPolicyType::builder()
        .minimum_length(16)
        .require_symbols(false)
        .require_uppercase(true)
        .require_lowercase(true)
        .require_numbers(true)
        .temporary_password_validity_days(3)
        .build();
    let update = || fixture.admin.update_user_pool().user_pool_id(&fixture.pool.id);
    update()
        .pool_name("renamed")
        .policies(UserPoolPolicyType::builder().password_policy(strict).build())
        .send()
        .await
        .unwrap();
    let described = fixture.admin.describe_user_pool().user_pool_id(&fixture.pool.id).send().await.unwrap();
    let pool = described.user_pool().unwrap();
    assert_eq!(pool.name(), Some("renamed"));
    let policy = pool.policies().unwrap().password_policy().unwrap();
    assert_eq!(
        (policy.minimum_length(), policy.require_symbols(), policy.temporary_password_validity_days()),
        (Some(16), false, 3)
    );
    // The new policy applies at once.
    let refused = fixture
        .sdk
        .sign_up()
        .client_id(&fixture.client.id)
        .username("alice")
        .password(PASSWORD)
        .user_attributes(attribute("email", "alice@example.com"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(exception(refused).0, "InvalidPasswordException");

    update().send().await.unwrap();
    let described = fixture.admin.describe_user_pool().user_pool_id(&fixture.pool.id).send().await.unwrap();
    let pool = described.user_pool().unwrap();
    assert_eq!(pool.name(), Some("renamed"), "the name stays");
    assert_eq!(pool.policies().unwrap().password_policy().unwrap().minimum_length(), Some(8), "the default policy");

    let refused = fixture.admin.update_user_pool().user_pool_id("us-east-1_Nope12345").send().await.unwrap_err();
    assert_eq!(exception(refused), not_found("us-east-1_Nope12345"));
    assert_eq!(exception(update().pool_name("").send().await.unwrap_err()).0, "InvalidParameterException");
}

#[tokio::test]
async fn delete_user_pool_takes_everything_in_it() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    let signed_in = fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    let access_token = signed_in.authentication_result().unwrap().access_token().unwrap();
    fixture.admin.delete_user_pool().user_pool_id(&fixture.pool.id).send().await.unwrap();

    let refused = fixture.admin.describe_user_pool().user_pool_id(&fixture.pool.id).send().await.unwrap_err();
    assert_eq!(exception(refused), not_found(&fixture.pool.id));
    let refused = fixture.sdk.get_user().access_token(access_token).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "NotAuthorizedException");
    let jwks = reqwest::get(fixture.app.url(&format!("/{}/.well-known/jwks.json", fixture.pool.id))).await.unwrap();
    assert_eq!(jwks.status(), 404);
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE pool_id = $1")
        .bind(&fixture.pool.id)
        .fetch_one(&fixture.app.db)
        .await
        .unwrap();
    assert_eq!(users, 0);
    let again = fixture.admin.delete_user_pool().user_pool_id(&fixture.pool.id).send().await.unwrap_err();
    assert_eq!(exception(again), not_found(&fixture.pool.id));
}

#[tokio::test]
async fn update_user_pool_client_replaces_its_settings_and_keeps_its_secret() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    let confidential =
        fixture.client_with(NewClient { name: "backend".into(), generate_secret: true, ..NewClient::default() }).await;
    let updated = fixture
        .admin
        .update_user_pool_client()
        .user_pool_id(&fixture.pool.id)
        .client_id(&confidential.id)
        .client_name("renamed")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .access_token_validity(2)
        .send()
        .await
        .unwrap();
    let client = updated.user_pool_client().unwrap();
    assert_eq!(client.client_name(), Some("renamed"));
    assert_eq!(client.client_secret(), confidential.secret.as_deref());
    assert_eq!(client.explicit_auth_flows(), [ExplicitAuthFlowsType::AllowAdminUserPasswordAuth]);
    assert_eq!((client.access_token_validity(), client.refresh_token_validity()), (Some(7200), 30 * 24 * 3600));

    // The flows it no longer allows are refused at once.
    let refused = fixture
        .admin
        .admin_initiate_auth()
        .user_pool_id(&fixture.pool.id)
        .client_id(&confidential.id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", "x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(exception(refused).0, "InvalidParameterException");

    let other = PoolFixture::new().await;
    let refused = fixture
        .admin
        .update_user_pool_client()
        .user_pool_id(&fixture.pool.id)
        .client_id(&other.client.id)
        .client_name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(exception(refused).0, "ResourceNotFoundException", "another pool's client");
    let refused = fixture
        .admin
        .update_user_pool_client()
        .user_pool_id(&fixture.pool.id)
        .client_id(&confidential.id)
        .client_name("x")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowCustomAuth)
        .send()
        .await
        .unwrap_err();
    assert_eq!(exception(refused).0, "InvalidParameterException");
}

#[tokio::test]
async fn clients_are_listed_a_page_at_a_time_and_deleted_with_their_sign_ins() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    for name in ["second", "third"] {
        fixture.client_with(NewClient { name: name.into(), ..NewClient::default() }).await;
    }
    let list = || fixture.admin.list_user_pool_clients().user_pool_id(&fixture.pool.id);
    let first = list().max_results(2).send().await.unwrap();
    assert_eq!(first.user_pool_clients().len(), 2);
    let rest = list().max_results(2).next_token(first.next_token().unwrap()).send().await.unwrap();
    assert!(rest.next_token().is_none());
    let mut names: Vec<_> =
        first.user_pool_clients().iter().chain(rest.user_pool_clients()).map(|c| c.client_name().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, ["second", "third", "web"]);
    assert!(first.user_pool_clients().iter().all(|c| c.user_pool_id() == Some(fixture.pool.id.as_str())));
    assert_eq!(exception(list().max_results(61).send().await.unwrap_err()).0, "InvalidParameterException");
    let refused = fixture.admin.list_user_pool_clients().user_pool_id("us-east-1_Nope12345").send().await;
    assert_eq!(exception(refused.unwrap_err()), not_found("us-east-1_Nope12345"));

    let signed_in = fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    let tokens = signed_in.authentication_result().unwrap();
    let delete =
        || fixture.admin.delete_user_pool_client().user_pool_id(&fixture.pool.id).client_id(&fixture.client.id);
    delete().send().await.unwrap();
    let refused = fixture.sdk.get_user().access_token(tokens.access_token().unwrap()).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "NotAuthorizedException");
    let refused = fixture.password_sign_in("alice", PASSWORD).await.unwrap_err();
    assert_eq!(refused.0, "ResourceNotFoundException");
    assert_eq!(exception(delete().send().await.unwrap_err()).0, "ResourceNotFoundException");
    assert_eq!(list().send().await.unwrap().user_pool_clients().len(), 2);
}
