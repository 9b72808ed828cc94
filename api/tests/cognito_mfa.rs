//! TOTP MFA through the official AWS SDK, with codes computed by the test as an authenticator app would
//! (`totp-rs`, from the secret AssociateSoftwareToken hands out): the pool's MFA configuration, setting up
//! an app with an access token or during sign-in (MFA_SETUP), the SOFTWARE_TOKEN_MFA challenge after
//! password and SRP sign-in, codes refused when reused or out of their window, and wrong codes locking the
//! user out as wrong passwords do.

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use api::cognito::pools::NewPool;
use aws_sdk_cognitoidentityprovider::{
    operation::initiate_auth::InitiateAuthOutput,
    types::{
        AuthFlowType, ChallengeNameType, SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
        VerifySoftwareTokenResponseType,
    },
};
use cognito_client::AppClient;
use support::{PASSWORD, PoolFixture, exception, srp_sign_in};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// An authenticator app holding `secret` (base32, as apps take it).
fn app(secret: &str) -> Totp {
    let secret = Secret::try_from_base32(secret).unwrap();
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build()
        .unwrap()
}

/// The app's code `offset` seconds from now.
fn code(app: &Totp, offset: i64) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    app.generate(now.checked_add_signed(offset).unwrap()).to_string()
}

/// A pool whose MFA is `configuration`, with authenticator apps allowed.
async fn pool_with_mfa(configuration: UserPoolMfaType) -> PoolFixture {
    let fixture = PoolFixture::with_pool(NewPool::default()).await;
    fixture
        .admin
        .set_user_pool_mfa_config()
        .user_pool_id(&fixture.pool.id)
        .software_token_mfa_configuration(SoftwareTokenMfaConfigType::builder().enabled(true).build())
        .mfa_configuration(configuration)
        .send()
        .await
        .unwrap();
    fixture
}

fn access_token(out: &InitiateAuthOutput) -> String {
    out.authentication_result().unwrap().access_token().unwrap().to_owned()
}

/// Sets up an authenticator app for the holder of `access_token` and turns MFA by it on: the app.
async fn set_up_app(fixture: &PoolFixture, access_token: &str) -> Totp {
    let associated = fixture.sdk.associate_software_token().access_token(access_token).send().await.unwrap();
    let app = app(associated.secret_code().unwrap());
    let verify = || fixture.sdk.verify_software_token().access_token(access_token);
    let refused = verify().user_code(code(&app, -120)).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "EnableSoftwareTokenMFAException", "a code out of its window");
    let verified = verify().user_code(code(&app, 0)).friendly_device_name("phone").send().await.unwrap();
    assert_eq!(verified.status(), Some(&VerifySoftwareTokenResponseType::Success));
    let totp_on = SoftwareTokenMfaSettingsType::builder().enabled(true).preferred_mfa(true).build();
    fixture
        .sdk
        .set_user_mfa_preference()
        .access_token(access_token)
        .software_token_mfa_settings(totp_on)
        .send()
        .await
        .unwrap();
    app
}

/// Answers SOFTWARE_TOKEN_MFA with `code`.
async fn answer(fixture: &PoolFixture, session: &str, code: &str) -> Result<String, (String, String)> {
    let out = fixture
        .sdk
        .respond_to_auth_challenge()
        .client_id(&fixture.client.id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(session)
        .challenge_responses("USERNAME", "alice")
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", code)
        .send()
        .await
        .map_err(exception)?;
    Ok(out.authentication_result().unwrap().access_token().unwrap().to_owned())
}

/// A password sign-in that must stop at SOFTWARE_TOKEN_MFA: its Session.
async fn mfa_challenge(fixture: &PoolFixture) -> String {
    let out = fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SoftwareTokenMfa));
    assert!(out.authentication_result().is_none());
    out.session().unwrap().to_owned()
}

#[tokio::test]
async fn the_pools_mfa_configuration_is_read_and_set_as_aws_checks_it() {
    let fixture = PoolFixture::new().await;
    let get = || fixture.admin.get_user_pool_mfa_config().user_pool_id(&fixture.pool.id).send();
    let config = get().await.unwrap();
    assert_eq!(config.mfa_configuration(), Some(&UserPoolMfaType::Off));
    assert!(!config.software_token_mfa_configuration().unwrap().enabled());

    let set = || fixture.admin.set_user_pool_mfa_config().user_pool_id(&fixture.pool.id);
    let refused = set().mfa_configuration(UserPoolMfaType::On).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "InvalidParameterException", "ON needs a factor");
    let refused = set().mfa_configuration(UserPoolMfaType::from("SOMETIMES")).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "InvalidParameterException");
    let set_up = set()
        .software_token_mfa_configuration(SoftwareTokenMfaConfigType::builder().enabled(true).build())
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    assert_eq!(set_up.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert!(set_up.software_token_mfa_configuration().unwrap().enabled());
    assert_eq!(get().await.unwrap().mfa_configuration(), Some(&UserPoolMfaType::Optional));
    let described = fixture.admin.describe_user_pool().user_pool_id(&fixture.pool.id).send().await.unwrap();
    assert_eq!(described.user_pool().unwrap().mfa_configuration(), Some(&UserPoolMfaType::Optional));
    let refused = fixture.admin.get_user_pool_mfa_config().user_pool_id("us-east-1_Nope12345").send().await;
    assert_eq!(exception(refused.unwrap_err()).0, "ResourceNotFoundException");
}

#[tokio::test]
async fn an_app_set_up_with_an_access_token_is_asked_for_after_password_sign_in_and_each_code_works_once() {
    let fixture = pool_with_mfa(UserPoolMfaType::Optional).await;
    fixture.confirmed_user("alice").await;
    let first = fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    assert!(first.challenge_name().is_none(), "OPTIONAL: no MFA before the user turns it on");
    let totp_on = SoftwareTokenMfaSettingsType::builder().enabled(true).build();
    let refused = fixture
        .sdk
        .set_user_mfa_preference()
        .access_token(access_token(&first))
        .software_token_mfa_settings(totp_on)
        .send()
        .await
        .unwrap_err();
    assert_eq!(exception(refused).0, "InvalidParameterException", "no verified app yet");
    let app = set_up_app(&fixture, &access_token(&first)).await;
    let user = fixture.sdk.get_user().access_token(access_token(&first)).send().await.unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["SOFTWARE_TOKEN_MFA"]);
    assert_eq!(user.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));

    let session = mfa_challenge(&fixture).await;
    // The verification used this step's code; the next step's is the next usable one.
    let next = code(&app, 30);
    assert_eq!(
        answer(&fixture, &session, &code(&app, -90)).await.unwrap_err().0,
        "CodeMismatchException",
        "out of window"
    );
    assert_eq!(answer(&fixture, &session, "12345x").await.unwrap_err().0, "CodeMismatchException");
    let signed_in = answer(&fixture, &session, &next).await.unwrap();
    fixture.sdk.get_user().access_token(&signed_in).send().await.unwrap();
    let spent = answer(&fixture, &session, &code(&app, 30)).await.unwrap_err();
    assert_eq!(spent.0, "NotAuthorizedException", "a session signs in once");

    let session = mfa_challenge(&fixture).await;
    let reused = answer(&fixture, &session, &next).await.unwrap_err();
    assert_eq!(reused, ("ExpiredCodeException".into(), "Your software token has already been used once.".into()));
    let older = answer(&fixture, &session, &code(&app, -30)).await.unwrap_err();
    assert_eq!(older.0, "ExpiredCodeException", "no code older than the last one used");

    // Turned off, sign-in needs the password alone again.
    let totp_off = SoftwareTokenMfaSettingsType::builder().enabled(false).build();
    fixture
        .sdk
        .set_user_mfa_preference()
        .access_token(&signed_in)
        .software_token_mfa_settings(totp_off)
        .send()
        .await
        .unwrap();
    assert!(fixture.password_sign_in("alice", PASSWORD).await.unwrap().authentication_result().is_some());
}

#[tokio::test]
async fn srp_sign_in_is_asked_for_a_code_too() {
    let fixture = pool_with_mfa(UserPoolMfaType::Optional).await;
    fixture.confirmed_user("alice").await;
    let first = fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    let app = set_up_app(&fixture, &access_token(&first)).await;

    let client = AppClient::public(&fixture.client.id);
    let challenged = srp_sign_in(&fixture.app, &fixture.pool.id, &client, "alice", PASSWORD).await.unwrap();
    assert_eq!(challenged.challenge_name.as_deref(), Some("SOFTWARE_TOKEN_MFA"));
    assert!(challenged.authentication_result.is_none());
    let signed_in = answer(&fixture, &challenged.session.unwrap(), &code(&app, 30)).await.unwrap();
    let claims = fixture.verified_claims(&signed_in, None).await;
    assert_eq!(claims["username"], "alice");
    // A wrong password never reaches the second factor.
    let refused = srp_sign_in(&fixture.app, &fixture.pool.id, &client, "alice", "Wrong-horse-1").await.unwrap_err();
    assert!(format!("{refused:?}").contains("NotAuthorized"), "{refused:?}");
}

#[tokio::test]
async fn a_pool_that_requires_mfa_has_the_app_set_up_during_sign_in() {
    let fixture = pool_with_mfa(UserPoolMfaType::On).await;
    fixture.confirmed_user("alice").await;
    let out = fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    assert_eq!(out.challenge_parameters().unwrap()["MFAS_CAN_SETUP"], r#"["SOFTWARE_TOKEN_MFA"]"#);
    let associated = fixture.sdk.associate_software_token().session(out.session().unwrap()).send().await.unwrap();
    let app = app(associated.secret_code().unwrap());
    let verify = || fixture.sdk.verify_software_token().session(associated.session().unwrap());
    assert_eq!(exception(verify().user_code("000000").send().await.unwrap_err()).0, "EnableSoftwareTokenMFAException");
    let verified = verify().user_code(code(&app, 0)).send().await.unwrap();
    assert_eq!(verified.status(), Some(&VerifySoftwareTokenResponseType::Success));

    let respond = || {
        fixture
            .sdk
            .respond_to_auth_challenge()
            .client_id(&fixture.client.id)
            .challenge_name(ChallengeNameType::MfaSetup)
            .challenge_responses("USERNAME", "alice")
    };
    let refused = respond().session(out.session().unwrap()).send().await.unwrap_err();
    assert_eq!(exception(refused).0, "NotAuthorizedException", "the first session is spent");
    let done = respond().session(verified.session().unwrap()).send().await.unwrap();
    let tokens = done.authentication_result().unwrap();
    let user = fixture.sdk.get_user().access_token(tokens.access_token().unwrap()).send().await.unwrap();
    assert_eq!(user.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));
    assert!(respond().session(verified.session().unwrap()).send().await.is_err(), "once only");

    // From now on, the app's code is asked for.
    let session = mfa_challenge(&fixture).await;
    answer(&fixture, &session, &code(&app, 30)).await.unwrap();

    // The secret is kept sealed, not as the app has it.
    let stored: Vec<u8> = sqlx::query_scalar("SELECT sealed_secret FROM software_tokens WHERE username = 'alice'")
        .fetch_one(&fixture.app.db)
        .await
        .unwrap();
    let secret = Secret::try_from_base32(associated.secret_code().unwrap()).unwrap();
    assert!(!stored.windows(secret.as_bytes().len()).any(|window| window == secret.as_bytes()));
}

#[tokio::test]
async fn wrong_codes_lock_the_user_out_as_wrong_passwords_do() {
    let fixture = pool_with_mfa(UserPoolMfaType::Optional).await;
    fixture.confirmed_user("alice").await;
    let first = fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    let app = set_up_app(&fixture, &access_token(&first)).await;
    let session = mfa_challenge(&fixture).await;
    for _ in 0..6 {
        assert_eq!(answer(&fixture, &session, "000000").await.unwrap_err().0, "CodeMismatchException");
    }
    let locked = answer(&fixture, &session, &code(&app, 30)).await.unwrap_err();
    assert_eq!(locked, ("NotAuthorizedException".into(), "Password attempts exceeded".into()));
}

#[tokio::test]
async fn admins_set_the_preference_and_answer_the_challenge_for_server_side_sign_in() {
    let fixture = pool_with_mfa(UserPoolMfaType::Optional).await;
    fixture.confirmed_user("alice").await;
    let first = fixture.password_sign_in("alice", PASSWORD).await.unwrap();
    let app = set_up_app(&fixture, &access_token(&first)).await;
    let admin_preference = |enabled: bool| {
        fixture
            .admin
            .admin_set_user_mfa_preference()
            .user_pool_id(&fixture.pool.id)
            .username("alice")
            .software_token_mfa_settings(SoftwareTokenMfaSettingsType::builder().enabled(enabled).build())
            .send()
    };
    admin_preference(false).await.unwrap();
    let user = fixture.admin.admin_get_user().user_pool_id(&fixture.pool.id).username("alice").send().await.unwrap();
    assert!(user.user_mfa_setting_list().is_empty() && user.preferred_mfa_setting().is_none());
    admin_preference(true).await.unwrap();
    let user = fixture.admin.admin_get_user().user_pool_id(&fixture.pool.id).username("alice").send().await.unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["SOFTWARE_TOKEN_MFA"]);

    let challenged = fixture
        .admin
        .admin_initiate_auth()
        .user_pool_id(&fixture.pool.id)
        .client_id(&fixture.client.id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(challenged.challenge_name(), Some(&ChallengeNameType::SoftwareTokenMfa));
    let respond = fixture
        .admin
        .admin_respond_to_auth_challenge()
        .user_pool_id(&fixture.pool.id)
        .client_id(&fixture.client.id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(challenged.session().unwrap())
        .challenge_responses("USERNAME", "alice")
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", code(&app, 30))
        .send()
        .await
        .unwrap();
    assert!(respond.authentication_result().unwrap().refresh_token().is_some());
    let refused = fixture
        .admin
        .admin_set_user_mfa_preference()
        .user_pool_id(&fixture.pool.id)
        .username("nobody")
        .software_token_mfa_settings(SoftwareTokenMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .unwrap_err();
    assert_eq!(exception(refused).0, "UserNotFoundException");
}
