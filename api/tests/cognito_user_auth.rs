//! USER_AUTH, choice-based sign-in, through the official AWS SDK: the pool's SignInPolicy, SELECT_CHALLENGE
//! with the AvailableChallenges, PREFERRED_CHALLENGE, the PASSWORD, PASSWORD_SRP and EMAIL_OTP factors (the
//! code read from the outbox as the person would read their mail), and the auto sign-in that SignUp's and
//! ConfirmSignUp's Sessions allow, once and briefly.

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use api::cognito::pools::{NewClient, NewPool};
use aws_sdk_cognitoidentityprovider::{
    operation::{initiate_auth::InitiateAuthOutput, respond_to_auth_challenge::RespondToAuthChallengeOutput},
    types::{AuthFactorType, AuthFlowType, ChallengeNameType, SignInPolicyType, UserPoolPolicyType},
};
use cognito_client::SrpClient;
use support::{PASSWORD, PoolFixture, attribute, exception};

/// A pool offering `factors` first, and an app client allowing USER_AUTH (and refresh): its id.
async fn fixture(factors: &[&str]) -> (PoolFixture, String) {
    let factors = factors.iter().map(|factor| factor.to_string()).collect();
    let fixture =
        PoolFixture::with_pool(NewPool { allowed_first_auth_factors: Some(factors), ..NewPool::default() }).await;
    let flows = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"].map(String::from).to_vec();
    let client = fixture
        .client_with(NewClient { name: "choices".into(), explicit_auth_flows: flows, ..NewClient::default() })
        .await;
    (fixture, client.id)
}

async fn user_auth(
    fixture: &PoolFixture,
    client_id: &str,
    parameters: &[(&str, &str)],
    session: Option<&str>,
) -> Result<InitiateAuthOutput, (String, String)> {
    let call = fixture.sdk.initiate_auth().client_id(client_id).auth_flow(AuthFlowType::UserAuth);
    let call = parameters.iter().fold(call, |call, (name, value)| call.auth_parameters(*name, *value));
    call.set_session(session.map(String::from)).send().await.map_err(exception)
}

async fn respond(
    fixture: &PoolFixture,
    client_id: &str,
    challenge: ChallengeNameType,
    responses: &[(&str, &str)],
    session: &str,
) -> Result<RespondToAuthChallengeOutput, (String, String)> {
    let call = fixture.sdk.respond_to_auth_challenge().client_id(client_id).challenge_name(challenge).session(session);
    let call = responses.iter().fold(call, |call, (name, value)| call.challenge_responses(*name, *value));
    call.send().await.map_err(exception)
}

async fn email_code(
    fixture: &PoolFixture,
    client_id: &str,
    session: &str,
    code: &str,
) -> Result<RespondToAuthChallengeOutput, (String, String)> {
    let responses = [("USERNAME", "alice"), ("EMAIL_OTP_CODE", code)];
    respond(fixture, client_id, ChallengeNameType::EmailOtp, &responses, session).await
}

fn names(challenges: &[ChallengeNameType]) -> Vec<&str> {
    challenges.iter().map(ChallengeNameType::as_str).collect()
}

#[tokio::test]
async fn select_challenge_offers_the_pools_factors_and_signs_in_with_the_chosen_one() {
    let (fixture, client_id) = fixture(&["PASSWORD", "EMAIL_OTP"]).await;
    fixture.confirmed_user("alice").await;
    let out = user_auth(&fixture, &client_id, &[("USERNAME", "alice")], None).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SelectChallenge));
    assert_eq!(names(out.available_challenges()), ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]);
    let session = out.session().unwrap();

    let choose = |responses: &'static [(&'static str, &'static str)]| {
        respond(&fixture, &client_id, ChallengeNameType::SelectChallenge, responses, session)
    };
    let wrong = choose(&[("USERNAME", "alice"), ("ANSWER", "PASSWORD"), ("PASSWORD", "Wrong-horse-1")]).await;
    assert_eq!(wrong.unwrap_err().0, "NotAuthorizedException");
    let unknown = choose(&[("USERNAME", "alice"), ("ANSWER", "SMS_OTP")]).await;
    assert_eq!(unknown.unwrap_err().0, "InvalidParameterException");
    let signed_in = choose(&[("USERNAME", "alice"), ("ANSWER", "PASSWORD"), ("PASSWORD", PASSWORD)]).await.unwrap();
    let access_token = signed_in.authentication_result().unwrap().access_token().unwrap();
    fixture.sdk.get_user().access_token(access_token).send().await.unwrap();
    let again = choose(&[("USERNAME", "alice"), ("ANSWER", "PASSWORD"), ("PASSWORD", PASSWORD)]).await;
    assert_eq!(again.unwrap_err().0, "NotAuthorizedException", "the session was spent");

    // Where the pool allows only passwords, no code is offered, nor accepted.
    let (fixture, client_id) = self::fixture(&["PASSWORD"]).await;
    fixture.confirmed_user("alice").await;
    let out = user_auth(&fixture, &client_id, &[("USERNAME", "alice")], None).await.unwrap();
    assert_eq!(names(out.available_challenges()), ["PASSWORD", "PASSWORD_SRP"]);
    let refused = respond(
        &fixture,
        &client_id,
        ChallengeNameType::SelectChallenge,
        &[("USERNAME", "alice"), ("ANSWER", "EMAIL_OTP")],
        out.session().unwrap(),
    );
    assert_eq!(refused.await.unwrap_err().0, "InvalidParameterException");
    // USER_AUTH is a flow the client must allow.
    let refused = user_auth(&fixture, &fixture.client.id, &[("USERNAME", "alice")], None).await.unwrap_err();
    assert_eq!(refused.0, "InvalidParameterException");
}

#[tokio::test]
async fn a_preferred_password_or_srp_sign_in_needs_no_choice() {
    let (fixture, client_id) = fixture(&["PASSWORD"]).await;
    fixture.confirmed_user("alice").await;
    let out = user_auth(
        &fixture,
        &client_id,
        &[("USERNAME", "alice"), ("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)],
        None,
    );
    assert!(out.await.unwrap().authentication_result().unwrap().refresh_token().is_some());

    let srp = SrpClient::new(&fixture.pool.id).unwrap();
    let srp_a = srp.srp_a();
    let parameters = [("USERNAME", "alice"), ("PREFERRED_CHALLENGE", "PASSWORD_SRP"), ("SRP_A", srp_a.as_str())];
    let out = user_auth(&fixture, &client_id, &parameters, None);
    let out = out.await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::PasswordVerifier));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let claim = srp.answer(out.challenge_parameters().unwrap(), PASSWORD, now).unwrap();
    let responses = [
        ("USERNAME", claim.username.as_str()),
        ("PASSWORD_CLAIM_SECRET_BLOCK", &claim.secret_block),
        ("PASSWORD_CLAIM_SIGNATURE", &claim.signature),
        ("TIMESTAMP", &claim.timestamp),
    ];
    let signed_in = respond(&fixture, &client_id, ChallengeNameType::PasswordVerifier, &responses, "").await.unwrap();
    assert!(signed_in.authentication_result().is_some());
}

#[tokio::test]
async fn email_otp_signs_in_with_the_mailed_code_alone() {
    let (fixture, client_id) = fixture(&["PASSWORD", "EMAIL_OTP"]).await;
    fixture.confirmed_user("alice").await;
    let out = user_auth(&fixture, &client_id, &[("USERNAME", "alice"), ("PREFERRED_CHALLENGE", "EMAIL_OTP")], None);
    let out = out.await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let parameters = out.challenge_parameters().unwrap();
    assert_eq!(
        (parameters["CODE_DELIVERY_DELIVERY_MEDIUM"].as_str(), parameters["CODE_DELIVERY_DESTINATION"].as_str()),
        ("EMAIL", "a***@e***")
    );
    let session = out.session().unwrap();
    let code = fixture.last_code("alice").await;
    assert_eq!(email_code(&fixture, &client_id, session, "000000").await.unwrap_err().0, "CodeMismatchException");
    let signed_in = email_code(&fixture, &client_id, session, &code).await.unwrap();
    let tokens = signed_in.authentication_result().unwrap();
    let claims = fixture.verified_claims(tokens.id_token().unwrap(), Some(&client_id)).await;
    assert_eq!(claims["cognito:username"], "alice");
    assert_eq!(
        email_code(&fixture, &client_id, session, &code).await.unwrap_err().0,
        "NotAuthorizedException",
        "code and session work once"
    );

    // Chosen through SELECT_CHALLENGE, the same.
    let out = user_auth(&fixture, &client_id, &[("USERNAME", "alice")], None).await.unwrap();
    let chosen = respond(
        &fixture,
        &client_id,
        ChallengeNameType::SelectChallenge,
        &[("USERNAME", "alice"), ("ANSWER", "EMAIL_OTP")],
        out.session().unwrap(),
    );
    let chosen = chosen.await.unwrap();
    assert_eq!(chosen.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let code = fixture.last_code("alice").await;
    let responses = [("USERNAME", "alice"), ("EMAIL_OTP_CODE", code.as_str())];
    let signed_in =
        respond(&fixture, &client_id, ChallengeNameType::EmailOtp, &responses, chosen.session().unwrap()).await;
    assert!(signed_in.unwrap().authentication_result().is_some());

    // Someone unknown gets a challenge all the same, which no code answers.
    let out = user_auth(
        &fixture,
        &client_id,
        &[("USERNAME", "nobody@example.com"), ("PREFERRED_CHALLENGE", "EMAIL_OTP")],
        None,
    );
    let out = out.await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let responses = [("USERNAME", "nobody@example.com"), ("EMAIL_OTP_CODE", "123456")];
    let refused = respond(&fixture, &client_id, ChallengeNameType::EmailOtp, &responses, out.session().unwrap()).await;
    assert_eq!(refused.unwrap_err().0, "NotAuthorizedException");
}

#[tokio::test]
async fn sign_up_and_confirmation_sessions_sign_the_new_user_in_once() {
    let (fixture, client_id) = fixture(&["PASSWORD"]).await;
    let sign_up = |username: &str| {
        fixture
            .sdk
            .sign_up()
            .client_id(&client_id)
            .username(username)
            .password(PASSWORD)
            .user_attributes(attribute("email", &format!("{username}@example.com")))
            .send()
    };
    let signed_up = sign_up("alice").await.unwrap();
    let confirm = |username: &str, code: String, session: Option<&str>| {
        let call = fixture.sdk.confirm_sign_up().client_id(&client_id).username(username).confirmation_code(code);
        call.set_session(session.map(String::from)).send()
    };
    let confirmed = confirm("alice", fixture.last_code("alice").await, signed_up.session()).await.unwrap();
    let session = confirmed.session().expect("ConfirmSignUp answers a session for the auto sign-in");
    let expires_in: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM max(expires_at) - now())::float8 FROM auth_sessions WHERE step = 'AUTO_SIGN_IN'",
    )
    .fetch_one(&fixture.app.db)
    .await
    .unwrap();
    assert!(expires_in <= 180.0, "short-lived: {expires_in} s");

    sign_up("bob").await.unwrap();
    let refused = user_auth(&fixture, &client_id, &[("USERNAME", "bob")], Some(session)).await.unwrap_err();
    assert_eq!(refused.0, "NotAuthorizedException", "another user's session");
    let signed_in = user_auth(&fixture, &client_id, &[("USERNAME", "alice")], Some(session)).await.unwrap();
    let access_token = signed_in.authentication_result().unwrap().access_token().unwrap();
    assert_eq!(fixture.sdk.get_user().access_token(access_token).send().await.unwrap().username(), "alice");
    let again = user_auth(&fixture, &client_id, &[("USERNAME", "alice")], Some(session)).await.unwrap_err();
    assert_eq!(again.0, "NotAuthorizedException", "once only");
    let reused = user_auth(&fixture, &client_id, &[("USERNAME", "alice")], signed_up.session()).await.unwrap_err();
    assert_eq!(reused.0, "NotAuthorizedException", "SignUp's session does not sign in");

    // Confirmed without SignUp's session (as Amplify confirms), the same; once expired, no auto sign-in.
    let confirmed = confirm("bob", fixture.last_code("bob").await, None).await.unwrap();
    let signed_in = user_auth(&fixture, &client_id, &[("USERNAME", "bob")], confirmed.session()).await.unwrap();
    assert!(signed_in.authentication_result().is_some());
    let carol = sign_up("carol").await.unwrap();
    let confirmed = confirm("carol", fixture.last_code("carol").await, carol.session()).await.unwrap();
    sqlx::query("UPDATE auth_sessions SET expires_at = now() - interval '1 second' WHERE step = 'AUTO_SIGN_IN'")
        .execute(&fixture.app.db)
        .await
        .unwrap();
    let expired = user_auth(&fixture, &client_id, &[("USERNAME", "carol")], confirmed.session()).await.unwrap_err();
    assert_eq!(expired, ("NotAuthorizedException".into(), "Invalid session for the user, session is expired.".into()));
}

#[tokio::test]
async fn the_sign_in_policy_is_set_and_described_as_aws_checks_it() {
    let fixture = PoolFixture::new().await;
    let policy = |factors: &[AuthFactorType]| {
        let sign_in =
            factors.iter().fold(SignInPolicyType::builder(), |b, f| b.allowed_first_auth_factors(f.clone())).build();
        UserPoolPolicyType::builder().sign_in_policy(sign_in).build()
    };
    let update = |factors: &[AuthFactorType]| {
        fixture.admin.update_user_pool().user_pool_id(&fixture.pool.id).policies(policy(factors)).send()
    };
    update(&[AuthFactorType::Password, AuthFactorType::EmailOtp]).await.unwrap();
    let described = fixture.admin.describe_user_pool().user_pool_id(&fixture.pool.id).send().await.unwrap();
    let factors =
        described.user_pool().unwrap().policies().unwrap().sign_in_policy().unwrap().allowed_first_auth_factors();
    assert_eq!(factors, [AuthFactorType::Password, AuthFactorType::EmailOtp]);
    for refused in [&[AuthFactorType::EmailOtp][..], &[AuthFactorType::Password, AuthFactorType::WebAuthn]] {
        assert_eq!(exception(update(refused).await.unwrap_err()).0, "InvalidParameterException", "{refused:?}");
    }
    let created = fixture
        .admin
        .create_user_pool()
        .pool_name("otp")
        .policies(policy(&[AuthFactorType::Password, AuthFactorType::EmailOtp]))
        .send()
        .await
        .unwrap();
    let factors = created
        .user_pool()
        .unwrap()
        .policies()
        .unwrap()
        .sign_in_policy()
        .unwrap()
        .allowed_first_auth_factors()
        .to_vec();
    assert_eq!(factors, [AuthFactorType::Password, AuthFactorType::EmailOtp]);
}
