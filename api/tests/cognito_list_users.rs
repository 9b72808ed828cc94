//! ListUsers through the official AWS SDK, signed with the admin credentials: Cognito's one-attribute
//! filters (exact `=` and prefix `^=`), AttributesToGet, and pagination.

mod support;

use aws_sdk_cognitoidentityprovider::{
    operation::list_users::ListUsersOutput,
    types::{MessageActionType, UserType},
};
use support::{PoolFixture, attribute, exception};

const TEMPORARY: &str = "Temporary-pass-1";

async fn list(fixture: &PoolFixture, filter: &str) -> Result<ListUsersOutput, (String, String)> {
    fixture.admin.list_users().user_pool_id(&fixture.pool.id).filter(filter).send().await.map_err(exception)
}

fn usernames(users: &[UserType]) -> Vec<&str> {
    users.iter().map(|user| user.username().unwrap()).collect()
}

async fn listed(fixture: &PoolFixture, filter: &str) -> Vec<String> {
    let out = list(fixture, filter).await.unwrap_or_else(|e| panic!("{filter}: {e:?}"));
    usernames(out.users()).into_iter().map(String::from).collect()
}

/// alice and albert (temporary passwords, albert disabled), bob (confirmed), and obrien, whose name
/// has quotes in it.
async fn fixture_with_users() -> PoolFixture {
    let fixture = PoolFixture::new().await;
    for name in ["alice", "albert", "bob"] {
        fixture.invited_user(name, TEMPORARY).await;
    }
    let admin = &fixture.admin;
    let pool_id = fixture.pool.id.as_str();
    admin
        .admin_set_user_password()
        .user_pool_id(pool_id)
        .username("bob")
        .password(TEMPORARY)
        .permanent(true)
        .send()
        .await
        .unwrap();
    admin.admin_disable_user().user_pool_id(pool_id).username("albert").send().await.unwrap();
    admin
        .admin_create_user()
        .user_pool_id(pool_id)
        .username("obrien")
        .user_attributes(attribute("name", r#"Dan "the man" O'Brien"#))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    fixture
}

#[tokio::test]
async fn filters_match_one_attribute_exactly_or_by_prefix() {
    let fixture = fixture_with_users().await;
    let alice_sub =
        list(&fixture, r#"username = "alice""#).await.unwrap().users()[0].attributes()[0].value().unwrap().to_owned();
    let cases: &[(&str, &[&str])] = &[
        ("", &["albert", "alice", "bob", "obrien"]),
        (r#"username = "alice""#, &["alice"]),
        (r#"username ^= "al""#, &["albert", "alice"]),
        (r#"username = "al""#, &[]),
        (r#"email = "bob@example.com""#, &["bob"]),
        (r#"email ^= "al""#, &["albert", "alice"]),
        (r#"email^="b""#, &["bob"]),
        (&format!(r#"sub = "{alice_sub}""#), &["alice"]),
        (&format!(r#"sub ^= "{}""#, &alice_sub[..13]), &["alice"]),
        (r#"cognito:user_status = "CONFIRMED""#, &["bob"]),
        (r#"cognito:user_status = "force_change_password""#, &["albert", "alice", "obrien"]),
        (r#"cognito:user_status ^= "FORCE""#, &["albert", "alice", "obrien"]),
        // Cognito's `status` is whether the user is enabled.
        (r#"status = "Disabled""#, &["albert"]),
        (r#"status = "Enabled""#, &["alice", "bob", "obrien"]),
        (r#"name = "Dan \"the man\" O'Brien""#, &["obrien"]),
        (r#"name ^= "Dan \"the""#, &["obrien"]),
        (r#"email = "' OR '1'='1""#, &[]),
    ];
    for (filter, expected) in cases {
        assert_eq!(listed(&fixture, filter).await, *expected, "{filter}");
    }
}

#[tokio::test]
async fn malformed_filters_are_invalid_parameters() {
    let fixture = fixture_with_users().await;
    for filter in [
        "email = alice",
        r#"email == "alice""#,
        r#"email ~ "alice""#,
        r#"email = "alice"#,
        r#"email = "alice" or 1"#,
        r#"= "alice""#,
        r#"custom:tenant = "x""#,
        r#"password = "x""#,
    ] {
        let (code, _) = list(&fixture, filter).await.unwrap_err();
        assert_eq!(code, "InvalidParameterException", "{filter}");
    }
    let refused = fixture.admin.list_users().user_pool_id("us-east-1_Nope12345").send().await.unwrap_err();
    assert_eq!(exception(refused).0, "ResourceNotFoundException");
}

#[tokio::test]
async fn attributes_to_get_narrows_each_user() {
    let fixture = fixture_with_users().await;
    let out =
        fixture.admin.list_users().user_pool_id(&fixture.pool.id).attributes_to_get("email").send().await.unwrap();
    let alice = out.users().iter().find(|user| user.username() == Some("alice")).unwrap();
    let names: Vec<_> = alice.attributes().iter().map(|a| a.name()).collect();
    assert_eq!(names, ["email"]);
    assert!(alice.user_status().is_some() && alice.user_create_date().is_some());
}

#[tokio::test]
async fn pages_follow_each_other_until_the_last() {
    let fixture = fixture_with_users().await;
    let page = |limit: i32, token: Option<String>, filter: &str| {
        fixture
            .admin
            .list_users()
            .user_pool_id(&fixture.pool.id)
            .limit(limit)
            .set_pagination_token(token)
            .filter(filter)
            .send()
    };
    let first = page(3, None, "").await.unwrap();
    assert_eq!(usernames(first.users()), ["albert", "alice", "bob"]);
    let second = page(3, first.pagination_token().map(String::from), "").await.unwrap();
    assert_eq!(usernames(second.users()), ["obrien"]);
    assert!(second.pagination_token().is_none());

    let first = page(1, None, r#"email ^= "al""#).await.unwrap();
    assert_eq!(usernames(first.users()), ["albert"]);
    let second = page(1, first.pagination_token().map(String::from), r#"email ^= "al""#).await.unwrap();
    assert_eq!(usernames(second.users()), ["alice"]);
    assert!(second.pagination_token().is_none(), "no page after the last match");

    let all: Vec<_> = fixture
        .admin
        .list_users()
        .user_pool_id(&fixture.pool.id)
        .limit(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(usernames(&all), ["albert", "alice", "bob", "obrien"], "the SDK's paginator follows our tokens");

    for bad in [0, 61] {
        let (code, message) = exception(page(bad, None, "").await.unwrap_err());
        assert_eq!(code, "InvalidParameterException");
        assert!(message.contains("Limit"), "{message}");
    }
    let refused = page(2, Some("not a token!".into()), "").await.unwrap_err();
    assert_eq!(exception(refused).0, "InvalidParameterException");
}
