//! The admin operations on pools and users, through the official AWS SDK signed with the admin
//! credentials: pools and clients described and listed; users created with a temporary password
//! they must replace, read, confirmed, disabled, deleted and given passwords; servers signing users
//! in (AdminInitiateAuth).

mod support;

use api::cognito::pools::{NewClient, NewPool};
use aws_sdk_cognitoidentityprovider::{
    operation::{admin_get_user::AdminGetUserOutput, initiate_auth::InitiateAuthOutput},
    types::{
        AuthFlowType, ChallengeNameType, DeliveryMediumType, ExplicitAuthFlowsType, MessageActionType, UserStatusType,
    },
};
use serde_json::Value;
use support::{PASSWORD, PoolFixture, attribute, exception};

const TEMPORARY: &str = "Temporary-pass-1";
const NEW_PASSWORD: &str = "Battery-staple-2";

async fn password_sign_in(
    fixture: &PoolFixture,
    username: &str,
    password: &str,
) -> Result<InitiateAuthOutput, (String, String)> {
    fixture.password_sign_in(username, password).await
}

async fn admin_get_user(fixture: &PoolFixture, username: &str) -> Result<AdminGetUserOutput, (String, String)> {
    fixture.admin.admin_get_user().user_pool_id(&fixture.pool.id).username(username).send().await.map_err(exception)
}

/// Answers NEW_PASSWORD_REQUIRED through the public RespondToAuthChallenge, returning the access token.
async fn set_new_password(
    fixture: &PoolFixture,
    username: &str,
    session: Option<&str>,
    new_password: &str,
) -> Result<String, (String, String)> {
    let out = fixture
        .sdk
        .respond_to_auth_challenge()
        .client_id(&fixture.client.id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .set_session(session.map(String::from))
        .challenge_responses("USERNAME", username)
        .challenge_responses("NEW_PASSWORD", new_password)
        .send()
        .await
        .map_err(exception)?;
    Ok(out.authentication_result().unwrap().access_token().unwrap().to_owned())
}

/// How many product profile rows the user has (one once confirmed, however that happened).
async fn profiles(fixture: &PoolFixture, username: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM user_profiles p JOIN users u ON u.sub = p.id WHERE u.pool_id = $1 AND u.username = $2",
    )
    .bind(&fixture.pool.id)
    .bind(username)
    .fetch_one(&fixture.app.db)
    .await
    .unwrap()
}

fn not_found(what: &str) -> (String, String) {
    ("ResourceNotFoundException".into(), format!("User pool {what} does not exist."))
}

fn user_not_found() -> (String, String) {
    ("UserNotFoundException".into(), "User does not exist.".into())
}

#[tokio::test]
async fn pools_and_clients_are_described_and_listed() {
    let fixture = PoolFixture::new().await;
    let described = fixture.admin.describe_user_pool().user_pool_id(&fixture.pool.id).send().await.unwrap();
    let pool = described.user_pool().unwrap();
    assert_eq!(pool.id(), Some(fixture.pool.id.as_str()));
    assert_eq!(pool.name(), Some("test-pool"));
    assert!(pool.arn().unwrap().ends_with(&format!(":userpool/{}", fixture.pool.id)));
    let policy = pool.policies().unwrap().password_policy().unwrap();
    assert_eq!((policy.minimum_length(), policy.temporary_password_validity_days()), (Some(8), 7));
    assert!(pool.creation_date().unwrap().secs() > 1_700_000_000, "epoch seconds");
    let refused = fixture.admin.describe_user_pool().user_pool_id("us-east-1_Nope12345").send().await;
    assert_eq!(exception(refused.unwrap_err()), not_found("us-east-1_Nope12345"));

    for name in ["second", "third"] {
        fixture.admin.create_user_pool().pool_name(name).send().await.unwrap();
    }
    let first = fixture.admin.list_user_pools().max_results(2).send().await.unwrap();
    assert_eq!(first.user_pools().len(), 2);
    let rest = fixture.admin.list_user_pools().max_results(2).next_token(first.next_token().unwrap()).send().await;
    let rest = rest.unwrap();
    assert_eq!(rest.user_pools().len(), 1);
    assert!(rest.next_token().is_none());
    let mut names: Vec<_> = first.user_pools().iter().chain(rest.user_pools()).map(|p| p.name().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, ["second", "test-pool", "third"]);
    for bad in [0, 61] {
        let refused = fixture.admin.list_user_pools().max_results(bad).send().await;
        let (code, message) = exception(refused.unwrap_err());
        assert_eq!(code, "InvalidParameterException");
        assert!(message.contains("MaxResults"), "{message}");
    }
    let refused = fixture.admin.list_user_pools().send().await;
    assert_eq!(exception(refused.unwrap_err()).0, "InvalidParameterException", "MaxResults is required");
}

#[tokio::test]
async fn clients_are_described_with_their_secret() {
    let fixture = PoolFixture::new().await;
    let confidential =
        fixture.client_with(NewClient { name: "backend".into(), generate_secret: true, ..NewClient::default() }).await;
    let described = fixture
        .admin
        .describe_user_pool_client()
        .user_pool_id(&fixture.pool.id)
        .client_id(&confidential.id)
        .send()
        .await
        .unwrap();
    let client = described.user_pool_client().unwrap();
    assert_eq!(client.client_id(), Some(confidential.id.as_str()));
    assert_eq!(client.client_name(), Some("backend"));
    assert_eq!(client.client_secret(), confidential.secret.as_deref());
    assert!(client.client_secret().is_some());
    assert_eq!(
        client.explicit_auth_flows(),
        [ExplicitAuthFlowsType::AllowUserSrpAuth, ExplicitAuthFlowsType::AllowRefreshTokenAuth]
    );
    assert_eq!(client.refresh_token_validity(), 30 * 24 * 3600);

    let other = PoolFixture::new().await;
    let refused =
        fixture.admin.describe_user_pool_client().user_pool_id(&fixture.pool.id).client_id(&other.client.id).send();
    let (code, message) = exception(refused.await.unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, format!("User pool client {} does not exist.", other.client.id), "another pool's client");
    let refused = fixture.admin.describe_user_pool_client().user_pool_id("us-east-1_Nope12345").client_id("x").send();
    assert_eq!(exception(refused.await.unwrap_err()), not_found("us-east-1_Nope12345"));
}

#[tokio::test]
async fn created_users_replace_their_temporary_password_then_sign_in() {
    let fixture = PoolFixture::new().await;
    let created = fixture
        .admin
        .admin_create_user()
        .user_pool_id(&fixture.pool.id)
        .username("nina")
        .temporary_password(TEMPORARY)
        .user_attributes(attribute("email", "nina@example.com"))
        .user_attributes(attribute("email_verified", "true"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    let user = created.user().unwrap();
    assert_eq!(user.username(), Some("nina"));
    assert_eq!(user.user_status(), Some(&UserStatusType::ForceChangePassword));
    assert!(user.enabled());
    assert!(user.user_create_date().unwrap().secs() > 1_700_000_000);
    let names: Vec<_> = user.attributes().iter().map(|a| a.name()).collect();
    assert_eq!(names, ["sub", "email", "email_verified"]);
    assert_eq!(fixture.last_code("nina").await, TEMPORARY, "the welcome message carries the temporary password");

    let challenged = password_sign_in(&fixture, "nina", TEMPORARY).await.unwrap();
    assert_eq!(challenged.challenge_name(), Some(&ChallengeNameType::NewPasswordRequired));
    assert!(challenged.authentication_result().is_none());
    let parameters = challenged.challenge_parameters().unwrap();
    assert_eq!(parameters["USER_ID_FOR_SRP"], "nina");
    assert_eq!(parameters["requiredAttributes"], "[]");
    let shown: Value = serde_json::from_str(&parameters["userAttributes"]).unwrap();
    assert_eq!(shown["email"], "nina@example.com");
    let session = challenged.session().unwrap();

    let weak = set_new_password(&fixture, "nina", Some(session), "short").await.unwrap_err();
    assert_eq!(weak.0, "InvalidPasswordException");
    let mut forged = session.to_owned();
    forged.insert(4, 'x');
    let refused = set_new_password(&fixture, "nina", Some(&forged), NEW_PASSWORD).await.unwrap_err();
    assert_eq!(refused, ("NotAuthorizedException".into(), "Invalid session for the user.".into()));
    let refused = set_new_password(&fixture, "nina", None, NEW_PASSWORD).await.unwrap_err();
    assert_eq!(refused.0, "InvalidParameterException");
    fixture.invited_user("otto", TEMPORARY).await;
    let refused = set_new_password(&fixture, "otto", Some(session), NEW_PASSWORD).await.unwrap_err();
    assert_eq!(refused.1, "Invalid session for the user.", "a session is for the user it was issued to");

    let access = set_new_password(&fixture, "nina", Some(session), NEW_PASSWORD).await.unwrap();
    let me = fixture.sdk.get_user().access_token(&access).send().await.unwrap();
    assert_eq!(me.username(), "nina");
    assert_eq!(profiles(&fixture, "nina").await, 1, "confirmed by choosing a password: the profile exists");
    let replayed = set_new_password(&fixture, "nina", Some(session), "Another-pass-3").await.unwrap_err();
    assert_eq!(replayed.0, "NotAuthorizedException", "a session answers once");

    assert_eq!(admin_get_user(&fixture, "nina").await.unwrap().user_status(), Some(&UserStatusType::Confirmed));
    assert!(password_sign_in(&fixture, "nina", NEW_PASSWORD).await.unwrap().authentication_result().is_some());
    let refused = password_sign_in(&fixture, "nina", TEMPORARY).await.unwrap_err();
    assert_eq!(refused.0, "NotAuthorizedException");
}

#[tokio::test]
async fn generated_temporary_passwords_are_mailed_and_can_be_sent_again() {
    let fixture = PoolFixture::new().await;
    let create = || {
        fixture
            .admin
            .admin_create_user()
            .user_pool_id(&fixture.pool.id)
            .username("gil")
            .user_attributes(attribute("email", "gil@example.com"))
    };
    create().send().await.unwrap();
    let generated = fixture.last_code("gil").await;
    assert!(generated.len() >= 12, "{generated}");
    let challenged = password_sign_in(&fixture, "gil", &generated).await.unwrap();
    assert_eq!(challenged.challenge_name(), Some(&ChallengeNameType::NewPasswordRequired));

    let refused = create().send().await.unwrap_err();
    assert_eq!(exception(refused).0, "UsernameExistsException");
    create().message_action(MessageActionType::Resend).send().await.unwrap();
    let resent = fixture.last_code("gil").await;
    assert_ne!(resent, generated);
    assert_eq!(password_sign_in(&fixture, "gil", &generated).await.unwrap_err().0, "NotAuthorizedException");
    let challenged = password_sign_in(&fixture, "gil", &resent).await.unwrap();
    set_new_password(&fixture, "gil", challenged.session(), NEW_PASSWORD).await.unwrap();
    let refused = create().message_action(MessageActionType::Resend).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "UnsupportedUserStateException", "only a user still to replace theirs");

    fixture.invited_user("sam", TEMPORARY).await;
    let mailed: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE username = 'sam'")
        .fetch_one(&fixture.app.db)
        .await
        .unwrap();
    assert_eq!(mailed, 0, "SUPPRESS sends nothing");
}

#[tokio::test]
async fn create_user_refuses_bad_requests() {
    let fixture = PoolFixture::new().await;
    let create = |username: &str| fixture.admin.admin_create_user().user_pool_id(&fixture.pool.id).username(username);
    let refused = create("sms").desired_delivery_mediums(DeliveryMediumType::Sms).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "InvalidParameterException", "no phone number to text");
    assert_eq!(admin_get_user(&fixture, "sms").await.unwrap_err(), user_not_found(), "nothing was created");
    let refused = create("weak").temporary_password("weak").send().await.unwrap_err();
    assert_eq!(exception(refused).0, "InvalidPasswordException");
    let refused = create("subby").user_attributes(attribute("sub", "mine")).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "InvalidParameterException");
    let refused = create("flag").user_attributes(attribute("email_verified", "maybe")).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "InvalidParameterException");
    let refused = create("has space").send().await.unwrap_err();
    assert!(exception(refused).1.contains("'username'"));
    let refused = create("nobody").message_action(MessageActionType::Resend).send().await.unwrap_err();
    assert_eq!(exception(refused), user_not_found());
    let refused = fixture.admin.admin_create_user().user_pool_id("us-east-1_Nope12345").username("x").send();
    assert_eq!(exception(refused.await.unwrap_err()), not_found("us-east-1_Nope12345"));
}

/// Makes the user's temporary password look `days` old.
async fn age_temporary_password(fixture: &PoolFixture, username: &str, days: i32) {
    sqlx::query("UPDATE users SET password_set_at = now() - make_interval(days => $2) WHERE username = $1")
        .bind(username)
        .bind(days)
        .execute(&fixture.app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn temporary_passwords_expire_after_the_pools_validity() {
    let fixture = PoolFixture::new().await;
    fixture.invited_user("old", TEMPORARY).await;
    age_temporary_password(&fixture, "old", 6).await;
    let challenged = password_sign_in(&fixture, "old", TEMPORARY).await.unwrap();
    assert_eq!(challenged.challenge_name(), Some(&ChallengeNameType::NewPasswordRequired), "within 7 days");

    age_temporary_password(&fixture, "old", 8).await;
    let refused = password_sign_in(&fixture, "old", TEMPORARY).await.unwrap_err();
    assert_eq!(
        refused,
        (
            "NotAuthorizedException".into(),
            "Temporary password has expired and must be reset by an administrator.".into()
        )
    );
    fixture
        .admin
        .admin_set_user_password()
        .user_pool_id(&fixture.pool.id)
        .username("old")
        .password(TEMPORARY)
        .permanent(false)
        .send()
        .await
        .unwrap();
    let challenged = password_sign_in(&fixture, "old", TEMPORARY).await.unwrap();
    assert_eq!(challenged.challenge_name(), Some(&ChallengeNameType::NewPasswordRequired), "reset by an admin");
}

#[tokio::test]
async fn admin_get_user_shows_attributes_and_state() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("gary").await;
    let user = admin_get_user(&fixture, "gary").await.unwrap();
    assert_eq!(user.username(), "gary");
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));
    assert!(user.enabled());
    let attributes: Vec<_> = user.user_attributes().iter().map(|a| (a.name(), a.value().unwrap())).collect();
    assert_eq!(attributes[0].0, "sub");
    assert!(attributes.contains(&("email", "gary@example.com")));
    assert!(attributes.contains(&("email_verified", "true")));
    assert!(user.user_last_modified_date().unwrap().secs() >= user.user_create_date().unwrap().secs());

    assert_eq!(admin_get_user(&fixture, "nobody").await.unwrap_err(), user_not_found());
    let refused = fixture.admin.admin_get_user().user_pool_id("us-east-1_Nope12345").username("gary").send();
    assert_eq!(exception(refused.await.unwrap_err()), not_found("us-east-1_Nope12345"));
}

#[tokio::test]
async fn admin_confirm_sign_up_confirms_and_runs_the_trigger() {
    let fixture = PoolFixture::new().await;
    fixture
        .sdk
        .sign_up()
        .client_id(&fixture.client.id)
        .username("una")
        .password(PASSWORD)
        .user_attributes(attribute("email", "una@example.com"))
        .send()
        .await
        .unwrap();
    let confirm = || fixture.admin.admin_confirm_sign_up().user_pool_id(&fixture.pool.id).username("una").send();
    confirm().await.unwrap();
    let user = admin_get_user(&fixture, "una").await.unwrap();
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));
    assert!(user.user_attributes().iter().any(|a| a.name() == "email_verified" && a.value() == Some("true")));
    let sub = &user.user_attributes()[0];
    let profiles: i64 = sqlx::query_scalar("SELECT count(*) FROM user_profiles WHERE id::text = $1")
        .bind(sub.value().unwrap())
        .fetch_one(&fixture.app.db)
        .await
        .unwrap();
    assert_eq!(profiles, 1, "the post-confirmation trigger made the profile");
    assert!(password_sign_in(&fixture, "una", PASSWORD).await.is_ok());

    let again = confirm().await.unwrap_err();
    assert_eq!(
        exception(again),
        ("NotAuthorizedException".into(), "User cannot be confirmed. Current status is CONFIRMED".into())
    );
    let unknown = fixture.admin.admin_confirm_sign_up().user_pool_id(&fixture.pool.id).username("nobody").send();
    assert_eq!(exception(unknown.await.unwrap_err()), user_not_found());
}

#[tokio::test]
async fn disabled_users_cannot_sign_in_until_enabled_again() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("dora").await;
    let signed_in = password_sign_in(&fixture, "dora", PASSWORD).await.unwrap();
    let tokens = signed_in.authentication_result().unwrap();
    let disable = |name: &str| fixture.admin.admin_disable_user().user_pool_id(&fixture.pool.id).username(name).send();
    let enable = || fixture.admin.admin_enable_user().user_pool_id(&fixture.pool.id).username("dora").send();
    disable("dora").await.unwrap();

    assert!(!admin_get_user(&fixture, "dora").await.unwrap().enabled());
    let refused = password_sign_in(&fixture, "dora", PASSWORD).await.unwrap_err();
    assert_eq!(refused, ("NotAuthorizedException".into(), "User is disabled.".into()));
    let refused = fixture.sdk.get_user().access_token(tokens.access_token().unwrap()).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "NotAuthorizedException", "tokens issued before stop working");
    let refresh = || {
        fixture
            .sdk
            .initiate_auth()
            .client_id(&fixture.client.id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", tokens.refresh_token().unwrap())
            .send()
    };
    assert_eq!(exception(refresh().await.unwrap_err()).0, "NotAuthorizedException");

    enable().await.unwrap();
    assert!(admin_get_user(&fixture, "dora").await.unwrap().enabled());
    assert!(password_sign_in(&fixture, "dora", PASSWORD).await.unwrap().authentication_result().is_some());
    assert_eq!(exception(refresh().await.unwrap_err()).0, "NotAuthorizedException", "old sign-ins stay ended");
    assert_eq!(exception(disable("nobody").await.unwrap_err()), user_not_found());
}

#[tokio::test]
async fn deleted_users_are_gone() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("del").await;
    let delete = || fixture.admin.admin_delete_user().user_pool_id(&fixture.pool.id).username("del").send();
    delete().await.unwrap();
    assert_eq!(admin_get_user(&fixture, "del").await.unwrap_err(), user_not_found());
    assert_eq!(password_sign_in(&fixture, "del", PASSWORD).await.unwrap_err().0, "NotAuthorizedException");
    assert_eq!(exception(delete().await.unwrap_err()), user_not_found());
}

#[tokio::test]
async fn admins_set_permanent_or_temporary_passwords() {
    let fixture = PoolFixture::new().await;
    fixture.sdk.sign_up().client_id(&fixture.client.id).username("pat").password(PASSWORD).send().await.unwrap();
    let set = |name: &str, password: &str, permanent: bool| {
        fixture
            .admin
            .admin_set_user_password()
            .user_pool_id(&fixture.pool.id)
            .username(name)
            .password(password)
            .permanent(permanent)
            .send()
    };
    assert_eq!(profiles(&fixture, "pat").await, 0, "unconfirmed: no profile yet");
    set("pat", NEW_PASSWORD, true).await.unwrap();
    assert_eq!(admin_get_user(&fixture, "pat").await.unwrap().user_status(), Some(&UserStatusType::Confirmed));
    assert_eq!(profiles(&fixture, "pat").await, 1);
    assert!(password_sign_in(&fixture, "pat", NEW_PASSWORD).await.unwrap().authentication_result().is_some());
    assert_eq!(password_sign_in(&fixture, "pat", PASSWORD).await.unwrap_err().0, "NotAuthorizedException");

    set("pat", TEMPORARY, false).await.unwrap();
    let user = admin_get_user(&fixture, "pat").await.unwrap();
    assert_eq!(user.user_status(), Some(&UserStatusType::ForceChangePassword));
    let challenged = password_sign_in(&fixture, "pat", TEMPORARY).await.unwrap();
    assert_eq!(challenged.challenge_name(), Some(&ChallengeNameType::NewPasswordRequired));

    assert_eq!(exception(set("pat", "weak", true).await.unwrap_err()).0, "InvalidPasswordException");
    assert_eq!(exception(set("nobody", NEW_PASSWORD, true).await.unwrap_err()), user_not_found());
}

#[tokio::test]
async fn servers_sign_users_in_with_admin_initiate_auth() {
    let fixture = PoolFixture::new().await;
    let sign_in = |client_id: &str, flow: AuthFlowType, password: &str| {
        fixture
            .admin
            .admin_initiate_auth()
            .user_pool_id(&fixture.pool.id)
            .client_id(client_id)
            .auth_flow(flow)
            .auth_parameters("USERNAME", "ivy")
            .auth_parameters("PASSWORD", password)
            .send()
    };
    fixture.invited_user("ivy", TEMPORARY).await;
    let challenged = sign_in(&fixture.client.id, AuthFlowType::AdminUserPasswordAuth, TEMPORARY).await.unwrap();
    assert_eq!(challenged.challenge_name(), Some(&ChallengeNameType::NewPasswordRequired));
    set_new_password(&fixture, "ivy", challenged.session(), PASSWORD).await.unwrap();

    for flow in [AuthFlowType::AdminUserPasswordAuth, AuthFlowType::AdminNoSrpAuth] {
        let signed_in = sign_in(&fixture.client.id, flow, PASSWORD).await.unwrap();
        let tokens = signed_in.authentication_result().unwrap();
        let me = fixture.sdk.get_user().access_token(tokens.access_token().unwrap()).send().await.unwrap();
        assert_eq!(me.username(), "ivy");
        let refreshed = fixture
            .admin
            .admin_initiate_auth()
            .user_pool_id(&fixture.pool.id)
            .client_id(&fixture.client.id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", tokens.refresh_token().unwrap())
            .send()
            .await
            .unwrap();
        assert!(refreshed.authentication_result().unwrap().access_token().is_some());
    }

    let wrong = sign_in(&fixture.client.id, AuthFlowType::AdminUserPasswordAuth, "Wrong-horse-1").await;
    assert_eq!(
        exception(wrong.unwrap_err()),
        ("NotAuthorizedException".into(), "Incorrect username or password.".into())
    );
    let spa = fixture.client_with(NewClient { name: "spa".into(), ..NewClient::default() }).await;
    let refused = sign_in(&spa.id, AuthFlowType::AdminUserPasswordAuth, PASSWORD).await.unwrap_err();
    assert_eq!(
        exception(refused),
        ("InvalidParameterException".into(), "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client".into())
    );
    let other = PoolFixture::new().await;
    let refused = sign_in(&other.client.id, AuthFlowType::AdminUserPasswordAuth, PASSWORD).await.unwrap_err();
    assert_eq!(exception(refused).0, "ResourceNotFoundException", "a client of another pool");
}

#[tokio::test]
async fn where_the_email_is_the_username_admins_create_users_by_email() {
    let fixture =
        PoolFixture::with_pool(NewPool { username_attributes: vec!["email".into()], ..NewPool::default() }).await;
    let create = |name: &str| {
        fixture.admin.admin_create_user().user_pool_id(&fixture.pool.id).username(name).temporary_password(TEMPORARY)
    };
    let created = create("erin@example.com").send().await.unwrap();
    let user = created.user().unwrap();
    let username = user.username().unwrap();
    assert!(uuid::Uuid::parse_str(username).is_ok(), "the internal username is an id: {username}");
    assert!(user.attributes().iter().any(|a| a.name() == "email" && a.value() == Some("erin@example.com")));
    assert_eq!(fixture.last_code("erin@example.com").await, TEMPORARY, "mailed to the email");
    let refused = create("erin").send().await.unwrap_err();
    assert_eq!(exception(refused), ("InvalidParameterException".into(), "Username should be an email.".into()));
    let refused = create("ERIN@example.com").send().await.unwrap_err();
    assert_eq!(exception(refused).0, "UsernameExistsException");

    let challenged = password_sign_in(&fixture, "erin@example.com", TEMPORARY).await.unwrap();
    let parameters = challenged.challenge_parameters().unwrap();
    assert_eq!(parameters["USER_ID_FOR_SRP"], username);
    let access = set_new_password(&fixture, username, challenged.session(), NEW_PASSWORD).await.unwrap();
    assert_eq!(fixture.sdk.get_user().access_token(access).send().await.unwrap().username(), username);
    assert_eq!(admin_get_user(&fixture, "erin@example.com").await.unwrap().username(), username, "found by alias");
}

#[tokio::test]
async fn admins_update_attributes_verified_flags_included() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    fixture.confirmed_user("bob").await;
    let update = |username: &str, attributes: Vec<(&str, &str)>| {
        let call = fixture.admin.admin_update_user_attributes().user_pool_id(&fixture.pool.id).username(username);
        attributes.into_iter().fold(call, |call, (name, value)| call.user_attributes(attribute(name, value))).send()
    };
    update("alice", vec![("email", "alice@new.example.com"), ("email_verified", "true"), ("custom:team", "ops")])
        .await
        .unwrap();
    update("bob", vec![("email", "bob@new.example.com")]).await.unwrap();
    let attributes = |out: AdminGetUserOutput| {
        out.user_attributes()
            .iter()
            .map(|a| (a.name().to_owned(), a.value().unwrap_or_default().to_owned()))
            .collect::<Vec<_>>()
    };
    let alice = attributes(admin_get_user(&fixture, "alice").await.unwrap());
    for expected in [("email", "alice@new.example.com"), ("email_verified", "true"), ("custom:team", "ops")] {
        assert!(alice.contains(&(expected.0.into(), expected.1.into())), "{expected:?} in {alice:?}");
    }
    let bob = attributes(admin_get_user(&fixture, "bob").await.unwrap());
    assert!(bob.contains(&("email_verified".into(), "false".into())), "a new email is unverified: {bob:?}");
    // The new email signs in as an alias.
    fixture.password_sign_in("alice@new.example.com", PASSWORD).await.unwrap();

    let taken = update("bob", vec![("email", "alice@new.example.com")]).await.unwrap_err();
    assert_eq!(exception(taken).0, "AliasExistsException");
    assert_eq!(exception(update("bob", vec![("sub", "x")]).await.unwrap_err()).0, "InvalidParameterException");
    assert_eq!(exception(update("nobody", vec![("name", "x")]).await.unwrap_err()), user_not_found());
}

#[tokio::test]
async fn admin_reset_user_password_sends_a_code_and_refuses_the_old_password_until_reset() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    let signed_in = fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    let refresh_token = signed_in.authentication_result().unwrap().refresh_token().unwrap().to_owned();
    let reset = |username: &str| {
        fixture.admin.admin_reset_user_password().user_pool_id(&fixture.pool.id).username(username).send()
    };
    reset("alice").await.unwrap();
    assert_eq!(admin_get_user(&fixture, "alice").await.unwrap().user_status().unwrap().as_str(), "RESET_REQUIRED");
    let refused = fixture.password_sign_in("alice", PASSWORD).await.unwrap_err();
    assert_eq!(refused.0, "PasswordResetRequiredException");
    assert_eq!(fixture.refresh(&refresh_token).await.unwrap_err().0, "NotAuthorizedException", "sign-ins end");

    let code = fixture.last_code("alice").await;
    let new_password = "Another-horse-2";
    fixture
        .sdk
        .confirm_forgot_password()
        .client_id(&fixture.client.id)
        .username("alice")
        .confirmation_code(code)
        .password(new_password)
        .send()
        .await
        .unwrap();
    assert_eq!(admin_get_user(&fixture, "alice").await.unwrap().user_status().unwrap().as_str(), "CONFIRMED");
    fixture.password_sign_in("alice", new_password).await.unwrap();
    assert_eq!(exception(reset("nobody").await.unwrap_err()), user_not_found());
}

#[tokio::test]
async fn admin_user_global_sign_out_ends_every_sign_in() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    fixture.confirmed_user("bob").await;
    let tokens = |out: aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput| {
        let result = out.authentication_result().unwrap();
        (result.access_token().unwrap().to_owned(), result.refresh_token().unwrap().to_owned())
    };
    let (first, second) = (
        tokens(fixture.password_sign_in("alice", PASSWORD).await.unwrap()),
        tokens(fixture.password_sign_in("alice", PASSWORD).await.unwrap()),
    );
    let bobs = tokens(fixture.password_sign_in("bob", PASSWORD).await.unwrap());
    let sign_out = |username: &str| {
        fixture.admin.admin_user_global_sign_out().user_pool_id(&fixture.pool.id).username(username).send()
    };
    sign_out("alice").await.unwrap();
    for (access_token, refresh_token) in [&first, &second] {
        let refused = fixture.sdk.get_user().access_token(access_token).send().await.unwrap_err();
        assert_eq!(exception(refused).0, "NotAuthorizedException");
        assert_eq!(fixture.refresh(refresh_token).await.unwrap_err().0, "NotAuthorizedException");
    }
    fixture.sdk.get_user().access_token(&bobs.0).send().await.unwrap();
    fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    assert_eq!(exception(sign_out("nobody").await.unwrap_err()), user_not_found());
}
