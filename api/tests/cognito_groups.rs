//! Groups through the official AWS SDK, signed with the admin credentials: CreateGroup, ListGroups,
//! AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup, and
//! `cognito:groups` in the tokens of members.

mod support;

use aws_sdk_cognitoidentityprovider::types::{GroupType, UserType};
use serde_json::{Value, json};
use support::{PASSWORD, PoolFixture, exception};

async fn create_group(
    fixture: &PoolFixture,
    name: &str,
    precedence: Option<i32>,
) -> Result<GroupType, (String, String)> {
    let out = fixture
        .admin
        .create_group()
        .user_pool_id(&fixture.pool.id)
        .group_name(name)
        .description(format!("The {name}"))
        .set_precedence(precedence)
        .send()
        .await
        .map_err(exception)?;
    Ok(out.group().unwrap().clone())
}

async fn add(fixture: &PoolFixture, username: &str, group: &str) -> Result<(), (String, String)> {
    let call = fixture.admin.admin_add_user_to_group().user_pool_id(&fixture.pool.id);
    call.username(username).group_name(group).send().await.map(drop).map_err(exception)
}

async fn remove(fixture: &PoolFixture, username: &str, group: &str) -> Result<(), (String, String)> {
    let call = fixture.admin.admin_remove_user_from_group().user_pool_id(&fixture.pool.id);
    call.username(username).group_name(group).send().await.map(drop).map_err(exception)
}

fn group_names(groups: &[GroupType]) -> Vec<&str> {
    groups.iter().map(|group| group.group_name().unwrap()).collect()
}

fn usernames(users: &[UserType]) -> Vec<&str> {
    users.iter().map(|user| user.username().unwrap()).collect()
}

async fn groups_of(fixture: &PoolFixture, username: &str) -> Result<Vec<String>, (String, String)> {
    let out = fixture
        .admin
        .admin_list_groups_for_user()
        .user_pool_id(&fixture.pool.id)
        .username(username)
        .send()
        .await
        .map_err(exception)?;
    Ok(group_names(out.groups()).into_iter().map(String::from).collect())
}

async fn members(fixture: &PoolFixture, group: &str) -> Result<Vec<String>, (String, String)> {
    let call = fixture.admin.list_users_in_group().user_pool_id(&fixture.pool.id).group_name(group);
    let out = call.send().await.map_err(exception)?;
    Ok(usernames(out.users()).into_iter().map(String::from).collect())
}

#[tokio::test]
async fn groups_are_created_once_and_listed() {
    let fixture = PoolFixture::new().await;
    let admin = create_group(&fixture, "Admin", Some(0)).await.unwrap();
    assert_eq!(admin.group_name(), Some("Admin"));
    assert_eq!(admin.user_pool_id(), Some(fixture.pool.id.as_str()));
    assert_eq!(admin.description(), Some("The Admin"));
    assert_eq!(admin.precedence(), Some(0));
    assert!(admin.creation_date().unwrap().secs() > 1_700_000_000);
    create_group(&fixture, "Readers", Some(5)).await.unwrap();
    create_group(&fixture, "Writers", None).await.unwrap();

    let duplicate = create_group(&fixture, "Admin", Some(1)).await.unwrap_err();
    assert_eq!(duplicate, ("GroupExistsException".into(), "A group with the name Admin already exists.".into()));
    let (code, message) = create_group(&fixture, "has space", None).await.unwrap_err();
    assert_eq!(code, "InvalidParameterException");
    assert!(message.contains("'groupName'"), "{message}");
    assert_eq!(create_group(&fixture, "Negative", Some(-1)).await.unwrap_err().0, "InvalidParameterException");
    let refused = fixture.admin.create_group().user_pool_id("us-east-1_Nope12345").group_name("X").send().await;
    assert_eq!(exception(refused.unwrap_err()).0, "ResourceNotFoundException");

    let page = |token: Option<String>| {
        fixture.admin.list_groups().user_pool_id(&fixture.pool.id).limit(2).set_next_token(token).send()
    };
    let first = page(None).await.unwrap();
    assert_eq!(group_names(first.groups()), ["Admin", "Readers"]);
    assert_eq!(first.groups()[1].precedence(), Some(5));
    let second = page(first.next_token().map(String::from)).await.unwrap();
    assert_eq!(group_names(second.groups()), ["Writers"]);
    assert!(second.next_token().is_none());
    assert_eq!(second.groups()[0].precedence(), None);
}

#[tokio::test]
async fn members_are_added_listed_and_removed() {
    let fixture = PoolFixture::new().await;
    for user in ["ann", "ben"] {
        fixture.confirmed_user(user).await;
    }
    for group in ["Admin", "Readers"] {
        create_group(&fixture, group, None).await.unwrap();
    }
    add(&fixture, "ann", "Admin").await.unwrap();
    add(&fixture, "ann", "Readers").await.unwrap();
    add(&fixture, "ben", "Readers").await.unwrap();
    add(&fixture, "ann", "Admin").await.unwrap();
    assert_eq!(groups_of(&fixture, "ann").await.unwrap(), ["Admin", "Readers"], "adding twice is no error");
    assert_eq!(members(&fixture, "Readers").await.unwrap(), ["ann", "ben"]);
    assert_eq!(members(&fixture, "Admin").await.unwrap(), ["ann"]);

    let first = fixture
        .admin
        .list_users_in_group()
        .user_pool_id(&fixture.pool.id)
        .group_name("Readers")
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(usernames(first.users()), ["ann"]);
    let second = fixture
        .admin
        .list_users_in_group()
        .user_pool_id(&fixture.pool.id)
        .group_name("Readers")
        .limit(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(usernames(second.users()), ["ben"]);
    assert!(second.next_token().is_none());
    let first = fixture
        .admin
        .admin_list_groups_for_user()
        .user_pool_id(&fixture.pool.id)
        .username("ann")
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(group_names(first.groups()), ["Admin"]);
    assert!(first.next_token().is_some());

    remove(&fixture, "ann", "Readers").await.unwrap();
    remove(&fixture, "ann", "Readers").await.unwrap();
    assert_eq!(groups_of(&fixture, "ann").await.unwrap(), ["Admin"]);
    assert_eq!(members(&fixture, "Readers").await.unwrap(), ["ben"]);
}

#[tokio::test]
async fn unknown_users_and_groups_are_refused() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("ann").await;
    create_group(&fixture, "Admin", None).await.unwrap();
    let no_group = ("ResourceNotFoundException".to_owned(), "Group not found.".to_owned());
    let no_user = ("UserNotFoundException".to_owned(), "User does not exist.".to_owned());
    assert_eq!(add(&fixture, "ann", "Nope").await.unwrap_err(), no_group);
    assert_eq!(add(&fixture, "nobody", "Admin").await.unwrap_err(), no_user);
    assert_eq!(remove(&fixture, "ann", "Nope").await.unwrap_err(), no_group);
    assert_eq!(remove(&fixture, "nobody", "Admin").await.unwrap_err(), no_user);
    assert_eq!(members(&fixture, "Nope").await.unwrap_err(), no_group);
    assert_eq!(groups_of(&fixture, "nobody").await.unwrap_err(), no_user);
}

/// The `cognito:groups` claims of a fresh sign-in's ID and access tokens, and its refresh token.
async fn token_groups(fixture: &PoolFixture, username: &str) -> (Value, Value, String) {
    let out = fixture.password_sign_in(username, PASSWORD).await.unwrap();
    let tokens = out.authentication_result().unwrap();
    let id = fixture.verified_claims(tokens.id_token().unwrap(), Some(&fixture.client.id)).await;
    let access = fixture.verified_claims(tokens.access_token().unwrap(), None).await;
    (id["cognito:groups"].clone(), access["cognito:groups"].clone(), tokens.refresh_token().unwrap().to_owned())
}

#[tokio::test]
async fn members_carry_their_groups_in_tokens_by_precedence_until_removed() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("cat").await;
    create_group(&fixture, "Readers", Some(5)).await.unwrap();
    create_group(&fixture, "Admin", Some(0)).await.unwrap();
    add(&fixture, "cat", "Readers").await.unwrap();
    add(&fixture, "cat", "Admin").await.unwrap();
    let (id, access, refresh_token) = token_groups(&fixture, "cat").await;
    assert_eq!(id, json!(["Admin", "Readers"]));
    assert_eq!(access, json!(["Admin", "Readers"]));

    remove(&fixture, "cat", "Admin").await.unwrap();
    remove(&fixture, "cat", "Readers").await.unwrap();
    let (id, access, _) = token_groups(&fixture, "cat").await;
    assert_eq!((id, access), (Value::Null, Value::Null), "no claim without groups");
    let refreshed = fixture.refresh(&refresh_token).await.unwrap();
    let access = refreshed.authentication_result().unwrap().access_token().unwrap();
    assert_eq!(fixture.verified_claims(access, None).await["cognito:groups"], Value::Null, "refreshing rereads them");
}

#[tokio::test]
async fn groups_are_read_updated_and_deleted_with_their_role() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    let role = "arn:aws:iam::123456789012:role/ledgerline-admins";
    let created = fixture
        .admin
        .create_group()
        .user_pool_id(&fixture.pool.id)
        .group_name("Admin")
        .role_arn(role)
        .precedence(3)
        .send()
        .await
        .unwrap();
    assert_eq!(created.group().unwrap().role_arn(), Some(role));
    add(&fixture, "alice", "Admin").await.unwrap();

    let get = || fixture.admin.get_group().user_pool_id(&fixture.pool.id).group_name("Admin");
    let group = get().send().await.unwrap().group().unwrap().clone();
    assert_eq!((group.role_arn(), group.precedence(), group.description()), (Some(role), Some(3), None));

    let other_role = "arn:aws:iam::123456789012:role/auditors";
    let update = || fixture.admin.update_group().user_pool_id(&fixture.pool.id).group_name("Admin");
    let updated = update().description("Runs the place").role_arn(other_role).send().await.unwrap();
    let updated = updated.group().unwrap();
    assert_eq!((updated.role_arn(), updated.precedence()), (Some(other_role), Some(3)), "what is left out stays");
    assert_eq!(get().send().await.unwrap().group().unwrap().description(), Some("Runs the place"));
    assert_eq!(exception(update().role_arn("admins").send().await.unwrap_err()).0, "InvalidParameterException");
    assert_eq!(exception(update().precedence(-1).send().await.unwrap_err()).0, "InvalidParameterException");

    fixture.admin.delete_group().user_pool_id(&fixture.pool.id).group_name("Admin").send().await.unwrap();
    let not_found = ("ResourceNotFoundException".to_owned(), "Group not found.".to_owned());
    assert_eq!(exception(get().send().await.unwrap_err()), not_found);
    assert_eq!(exception(update().description("x").send().await.unwrap_err()), not_found);
    let again = fixture.admin.delete_group().user_pool_id(&fixture.pool.id).group_name("Admin").send().await;
    assert_eq!(exception(again.unwrap_err()), not_found);
    assert_eq!(groups_of(&fixture, "alice").await.unwrap(), Vec::<String>::new(), "the member stays, ungrouped");
    let out = fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    let id_token = out.authentication_result().unwrap().id_token().unwrap().to_owned();
    assert!(fixture.verified_claims(&id_token, Some(&fixture.client.id)).await.get("cognito:groups").is_none());
    let refused = fixture.admin.get_group().user_pool_id("us-east-1_Nope12345").group_name("Admin").send().await;
    assert_eq!(exception(refused.unwrap_err()).0, "ResourceNotFoundException");
}
