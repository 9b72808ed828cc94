//! What a signed-in user does with their account, through the official AWS SDK: change password,
//! reset a forgotten one, update attributes, sign out everywhere, revoke a refresh token, delete
//! the account.

mod support;

use support::{PASSWORD, PoolFixture, attribute, exception};

const NEW_PASSWORD: &str = "Battery-staple-2";

struct SignedIn {
    access: String,
    refresh: String,
}

async fn sign_in(fixture: &PoolFixture, username: &str, password: &str) -> Result<SignedIn, (String, String)> {
    let out = fixture.password_sign_in(username, password).await?;
    let result = out.authentication_result().unwrap();
    Ok(SignedIn { access: result.access_token().unwrap().into(), refresh: result.refresh_token().unwrap().into() })
}

async fn refresh(fixture: &PoolFixture, refresh_token: &str) -> Result<String, (String, String)> {
    let out = fixture.refresh(refresh_token).await?;
    Ok(out.authentication_result().unwrap().access_token().unwrap().to_owned())
}

#[tokio::test]
async fn change_password_needs_the_old_one() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("alice").await;
    let session = sign_in(&fixture, "alice", PASSWORD).await.unwrap();
    let change = |previous: &str, proposed: &str| {
        fixture
            .sdk
            .change_password()
            .access_token(&session.access)
            .previous_password(previous)
            .proposed_password(proposed)
            .send()
    };
    assert_eq!(exception(change("Not-the-password-1", NEW_PASSWORD).await.unwrap_err()).0, "NotAuthorizedException");
    assert_eq!(exception(change(PASSWORD, "weak").await.unwrap_err()).0, "InvalidPasswordException");
    change(PASSWORD, NEW_PASSWORD).await.unwrap();
    assert_eq!(sign_in(&fixture, "alice", PASSWORD).await.err().unwrap().0, "NotAuthorizedException");
    sign_in(&fixture, "alice", NEW_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_the_mailed_code() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("bob").await;
    let sent = fixture.sdk.forgot_password().client_id(&fixture.client.id).username("bob").send().await.unwrap();
    assert_eq!(sent.code_delivery_details().unwrap().destination(), Some("b***@e***"));
    let code = fixture.last_code("bob").await;
    let confirm = |code: &str| {
        fixture
            .sdk
            .confirm_forgot_password()
            .client_id(&fixture.client.id)
            .username("bob")
            .confirmation_code(code)
            .password(NEW_PASSWORD)
            .send()
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(exception(confirm(wrong).await.unwrap_err()).0, "CodeMismatchException");
    confirm(&code).await.unwrap();
    sign_in(&fixture, "bob", NEW_PASSWORD).await.unwrap();
    // The code was used up.
    assert_eq!(exception(confirm(&code).await.unwrap_err()).0, "ExpiredCodeException");

    // An unknown user gets the same kind of answer as a known one, and nothing is queued.
    let outbox_size = || sqlx::query_scalar::<_, i64>("SELECT count(*) FROM outbox").fetch_one(&fixture.app.db);
    let queued_before = outbox_size().await.unwrap();
    let hidden = fixture
        .sdk
        .forgot_password()
        .client_id(&fixture.client.id)
        .username("nobody@example.com")
        .send()
        .await
        .unwrap();
    let (known, hidden) = (sent.code_delivery_details().unwrap(), hidden.code_delivery_details().unwrap());
    assert_eq!(hidden.destination(), Some("n***@e***"));
    assert_eq!((hidden.delivery_medium(), hidden.attribute_name()), (known.delivery_medium(), known.attribute_name()));
    assert_eq!(outbox_size().await.unwrap(), queued_before, "nothing is sent to an unknown user");
}

#[tokio::test]
async fn attributes_update_and_a_new_email_is_unverified() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("carol").await;
    fixture.confirmed_user("dan").await;
    let session = sign_in(&fixture, "carol", PASSWORD).await.unwrap();
    fixture
        .sdk
        .update_user_attributes()
        .access_token(&session.access)
        .user_attributes(attribute("name", "Carol"))
        .user_attributes(attribute("email", "carol@new.example"))
        .send()
        .await
        .unwrap();
    let user = fixture.sdk.get_user().access_token(&session.access).send().await.unwrap();
    let value = |name: &str| {
        user.user_attributes().iter().find(|a| a.name() == name).and_then(|a| a.value()).map(str::to_owned)
    };
    assert_eq!(value("name").as_deref(), Some("Carol"));
    assert_eq!(value("email").as_deref(), Some("carol@new.example"));
    assert_eq!(value("email_verified").as_deref(), Some("false"));

    let taken = fixture
        .sdk
        .update_user_attributes()
        .access_token(&session.access)
        .user_attributes(attribute("email", "dan@example.com"))
        .send()
        .await;
    assert_eq!(exception(taken.unwrap_err()).0, "AliasExistsException");
    let not_allowed = fixture
        .sdk
        .update_user_attributes()
        .access_token(&session.access)
        .user_attributes(attribute("sub", "x"))
        .send()
        .await;
    assert_eq!(exception(not_allowed.unwrap_err()).0, "InvalidParameterException");
}

#[tokio::test]
async fn global_sign_out_ends_every_session() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("erin").await;
    let phone = sign_in(&fixture, "erin", PASSWORD).await.unwrap();
    let laptop = sign_in(&fixture, "erin", PASSWORD).await.unwrap();
    fixture.sdk.global_sign_out().access_token(&phone.access).send().await.unwrap();
    for session in [&phone, &laptop] {
        let refused = fixture.sdk.get_user().access_token(&session.access).send().await.unwrap_err();
        assert_eq!(exception(refused).0, "NotAuthorizedException");
        assert_eq!(refresh(&fixture, &session.refresh).await.unwrap_err().0, "NotAuthorizedException");
    }
    // Signing in again works.
    let again = sign_in(&fixture, "erin", PASSWORD).await.unwrap();
    fixture.sdk.get_user().access_token(&again.access).send().await.unwrap();
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_only_that_sign_in() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("fay").await;
    let revoked = sign_in(&fixture, "fay", PASSWORD).await.unwrap();
    let kept = sign_in(&fixture, "fay", PASSWORD).await.unwrap();
    let refreshed_access = refresh(&fixture, &revoked.refresh).await.unwrap();
    fixture.sdk.revoke_token().client_id(&fixture.client.id).token(&revoked.refresh).send().await.unwrap();

    assert_eq!(refresh(&fixture, &revoked.refresh).await.unwrap_err().0, "NotAuthorizedException");
    for access in [&revoked.access, &refreshed_access] {
        let refused = fixture.sdk.get_user().access_token(access).send().await.unwrap_err();
        assert_eq!(exception(refused).1, "Access Token has been revoked");
    }
    fixture.sdk.get_user().access_token(&kept.access).send().await.unwrap();
    refresh(&fixture, &kept.refresh).await.unwrap();

    let access_as_refresh = fixture.sdk.revoke_token().client_id(&fixture.client.id).token(&kept.access).send().await;
    assert_eq!(exception(access_as_refresh.unwrap_err()).0, "UnsupportedTokenTypeException");
}

#[tokio::test]
async fn deleted_users_are_gone() {
    let fixture = PoolFixture::new().await;
    fixture.confirmed_user("gus").await;
    let session = sign_in(&fixture, "gus", PASSWORD).await.unwrap();
    fixture.sdk.delete_user().access_token(&session.access).send().await.unwrap();
    let refused = fixture.sdk.get_user().access_token(&session.access).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "NotAuthorizedException");
    assert_eq!(sign_in(&fixture, "gus", PASSWORD).await.err().unwrap().1, "Incorrect username or password.");
    // The name is free again.
    fixture.confirmed_user("gus").await;
}
