//! Identity pools (Cognito Identity) through the official `aws-sdk-cognitoidentity`: the admin
//! operations, GetId, GetCredentialsForIdentity and GetOpenIdToken, role resolution, and AWS's
//! refusals.

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cognitoidentity::types::{
    AmbiguousRoleResolutionType, MappingRule, MappingRuleMatchType, RoleMapping, RoleMappingType,
    RulesConfigurationType,
};
use support::identity::{AUTH_ROLE, GUEST_ROLE, IdentityFixture, identity_sdk, provider, refusal};

const ADMINS_ROLE: &str = "arn:aws:iam::123456789012:role/ledgerline-admins";
const READERS_ROLE: &str = "arn:aws:iam::123456789012:role/ledgerline-readers";

#[tokio::test]
async fn admin_operations_manage_pools_and_their_roles() {
    let fixture = IdentityFixture::new(false).await;
    let admin = &fixture.admin;
    let (region, uuid) = fixture.pool_id.split_once(':').unwrap();
    assert_eq!(region, "us-east-1");
    assert!(uuid::Uuid::parse_str(uuid).is_ok(), "{}", fixture.pool_id);

    let described = admin.describe_identity_pool().identity_pool_id(&fixture.pool_id).send().await.unwrap();
    assert_eq!(described.identity_pool_name(), "ledgerline identities");
    assert!(!described.allow_unauthenticated_identities());
    let providers = described.cognito_identity_providers();
    assert_eq!(providers.len(), 1);
    assert_eq!(providers[0].client_id(), Some(fixture.users.client.id.as_str()));

    let updated = admin
        .update_identity_pool()
        .identity_pool_id(&fixture.pool_id)
        .identity_pool_name("renamed")
        .allow_unauthenticated_identities(true)
        .allow_classic_flow(false)
        .cognito_identity_providers(provider(&fixture.users, true))
        .send()
        .await
        .unwrap();
    assert_eq!((updated.identity_pool_name(), updated.allow_classic_flow()), ("renamed", Some(false)));
    assert_eq!(updated.cognito_identity_providers()[0].server_side_token_check(), Some(true));

    let second = admin.create_identity_pool().identity_pool_name("second").allow_unauthenticated_identities(true);
    let second = second.send().await.unwrap().identity_pool_id().to_owned();
    let first_page = admin.list_identity_pools().max_results(1).send().await.unwrap();
    assert_eq!(first_page.identity_pools().len(), 1);
    let next = first_page.next_token().expect("a second page");
    let second_page = admin.list_identity_pools().max_results(1).next_token(next).send().await.unwrap();
    let mut ids: Vec<_> = [&first_page, &second_page]
        .iter()
        .flat_map(|page| page.identity_pools().iter().map(|p| p.identity_pool_id().unwrap().to_owned()))
        .collect();
    ids.sort();
    let mut expected = vec![fixture.pool_id.clone(), second.clone()];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(second_page.next_token().is_none());
    let too_many = admin.list_identity_pools().max_results(61).send().await.unwrap_err();
    assert_eq!(refusal(too_many).0, "InvalidParameterException");

    let roles = admin.get_identity_pool_roles().identity_pool_id(&fixture.pool_id).send().await.unwrap();
    assert_eq!(roles.roles().unwrap()["authenticated"], AUTH_ROLE);
    assert_eq!(roles.roles().unwrap()["unauthenticated"], GUEST_ROLE);
    let bad_role = admin.set_identity_pool_roles().identity_pool_id(&fixture.pool_id).roles("authenticated", "admins");
    assert_eq!(refusal(bad_role.send().await.unwrap_err()).0, "InvalidParameterException");

    admin.delete_identity_pool().identity_pool_id(&second).send().await.unwrap();
    let gone = admin.describe_identity_pool().identity_pool_id(&second).send().await.unwrap_err();
    assert_eq!(refusal(gone), ("ResourceNotFoundException".into(), format!("IdentityPool '{second}' not found.")));
}

#[tokio::test]
async fn admin_operations_need_the_admin_signature_for_cognito_identity() {
    let fixture = IdentityFixture::new(false).await;
    let app = &fixture.users.app;
    let wrong_secret = identity_sdk(app, support::ADMIN_KEY, "not-the-secret");
    let refused = wrong_secret.list_identity_pools().max_results(10).send().await.unwrap_err();
    assert_eq!(refusal(refused).0, "InvalidSignatureException");

    // Signed for the user-pool service: refused as AWS refuses a wrong scope.
    let url = app.url("/cognito");
    let host = app.addr.to_string();
    let target = "AWSCognitoIdentityService.ListIdentityPools";
    let headers = [("content-type", "application/x-amz-json-1.1"), ("x-amz-target", target), ("host", host.as_str())];
    let key = api::testing::AccessKey { id: support::ADMIN_KEY, secret: support::ADMIN_SECRET };
    let body = br#"{"MaxResults": 10}"#;
    let mut request = reqwest::Client::new().post(&url).body(&body[..]);
    for (name, value) in &headers[..2] {
        request = request.header(*name, *value);
    }
    for (name, value) in api::testing::sigv4_headers("POST", &url, &headers, body, key, "us-east-1", "cognito-idp") {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["x-amzn-errortype"], "InvalidSignatureException:");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["message"], "Credential should be scoped to correct service: 'cognito-identity'.");

    let unsigned = reqwest::Client::new()
        .post(&url)
        .header("x-amz-target", target)
        .header("content-type", "application/x-amz-json-1.1")
        .body(r#"{"MaxResults": 10}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.headers()["x-amzn-errortype"], "MissingAuthenticationTokenException:");
}

#[tokio::test]
async fn the_same_user_always_gets_the_same_identity() {
    let fixture = IdentityFixture::new(false).await;
    let token = fixture.id_token("alice").await;
    let first = fixture.identity_of(&token).await;
    assert_eq!(fixture.identity_of(&token).await, first);
    // Amplify's key: the token's issuer without its scheme; the same login, the same identity.
    let issuer_key = format!("{}/{}", fixture.users.app.addr, fixture.users.pool.id);
    let amplify = fixture.public.get_id().identity_pool_id(&fixture.pool_id).logins(issuer_key, &token);
    assert_eq!(amplify.send().await.unwrap().identity_id(), Some(first.as_str()));
    // A new sign-in of the same user: still the same identity; another user: another.
    let again = fixture.users.signed_in("alice").await.id_token;
    assert_eq!(fixture.identity_of(&again).await, first);
    let bob = fixture.identity_of(&fixture.id_token("bob").await).await;
    assert_ne!(bob, first);

    let described = fixture.admin.describe_identity().identity_id(&first).send().await.unwrap();
    assert_eq!(described.logins(), [fixture.login_key()]);
    assert!(described.creation_date().is_some());
    let listed =
        fixture.admin.list_identities().identity_pool_id(&fixture.pool_id).max_results(60).send().await.unwrap();
    assert_eq!(listed.identities().len(), 2);
}

#[tokio::test]
async fn guests_get_identities_only_where_the_pool_admits_them() {
    let closed = IdentityFixture::new(false).await;
    let refused = closed.public.get_id().identity_pool_id(&closed.pool_id).send().await.unwrap_err();
    assert_eq!(
        refusal(refused),
        ("NotAuthorizedException".into(), "Unauthenticated access is not supported for this identity pool.".into())
    );

    let open = IdentityFixture::new(true).await;
    let guest = open.public.get_id().identity_pool_id(&open.pool_id).send().await.unwrap();
    let guest = guest.identity_id().unwrap().to_owned();
    let other = open.public.get_id().identity_pool_id(&open.pool_id).send().await.unwrap();
    assert_ne!(other.identity_id(), Some(guest.as_str()), "a new guest identity at each GetId");
    let out = open.public.get_credentials_for_identity().identity_id(&guest).send().await.unwrap();
    assert_eq!(open.role_of(out.credentials().unwrap()).await, GUEST_ROLE);

    let unknown = open.public.get_id().identity_pool_id("us-east-1:00000000-0000-0000-0000-000000000000");
    assert_eq!(
        refusal(unknown.send().await.unwrap_err()),
        (
            "ResourceNotFoundException".into(),
            "IdentityPool 'us-east-1:00000000-0000-0000-0000-000000000000' not found.".into()
        )
    );
}

#[tokio::test]
async fn credentials_look_like_aws_ones_and_survive_a_restart_on_another_instance() {
    let fixture = IdentityFixture::new(false).await;
    let token = fixture.id_token("alice").await;
    let (identity, credentials) = fixture.credentials(&token).await;
    let key = credentials.access_key_id().unwrap();
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert!(key.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{key}");
    assert_eq!(credentials.secret_key().unwrap().len(), 40);
    assert!(credentials.session_token().unwrap().len() > 100);
    let expires = credentials.expiration().unwrap().secs();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((3590..=3600).contains(&(expires - now)), "one hour: {}", expires - now);
    assert_eq!(fixture.role_of(&credentials).await, AUTH_ROLE);

    // Another instance on the same database reads them alike (so does this one after a restart).
    let other = api::testing::TestApp::spawn_on(fixture.users.app.database(), &[]).await;
    let (session, secret) = api::identity::credentials::open(
        &other.state,
        key,
        credentials.session_token().unwrap(),
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!((session.identity_id.as_str(), secret.as_str()), (identity.as_str(), credentials.secret_key().unwrap()));
    let forged = api::identity::credentials::open(
        &other.state,
        "ASIAAAAAAAAAAAAAAAAA",
        credentials.session_token().unwrap(),
        time::OffsetDateTime::now_utc(),
    );
    assert!(forged.await.unwrap().is_err(), "a token opens only for its own key");
}

#[tokio::test]
async fn logins_are_checked_as_aws_checks_them() {
    let fixture = IdentityFixture::new(false).await;
    let alice = fixture.users.rest_user("alice").await;
    let get_id = |key: String, token: String| {
        let call = fixture.public.get_id().identity_pool_id(&fixture.pool_id).logins(key, token);
        async move { refusal(call.send().await.unwrap_err()) }
    };
    let not_authorized = |message: &str| ("NotAuthorizedException".to_owned(), message.to_owned());
    assert_eq!(
        get_id(fixture.login_key(), alice.token.clone()).await,
        not_authorized("Invalid login token. Missing a required claim: aud")
    );
    let other_pool = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Otherpool".to_owned();
    assert_eq!(
        get_id(other_pool, alice.id_token.clone()).await,
        not_authorized("Invalid login token. Issuer doesn't match providerName")
    );
    let mut tampered = alice.id_token.clone();
    let at = tampered.len() - 5;
    tampered.replace_range(at..at + 1, if &tampered[at..at + 1] == "A" { "B" } else { "A" });
    assert_eq!(
        get_id(fixture.login_key(), tampered).await,
        not_authorized("Invalid login token. Couldn't verify signed token.")
    );
    assert_eq!(
        get_id(fixture.login_key(), "not a token".into()).await,
        not_authorized("Invalid login token. Not a Cognito token.")
    );

    // A client of the user pool that the identity pool does not list.
    let other_client = fixture
        .users
        .client_with(api::cognito::pools::NewClient {
            name: "other".into(),
            explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
            ..Default::default()
        })
        .await;
    let signed_in = fixture
        .users
        .sdk
        .initiate_auth()
        .client_id(&other_client.id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", support::PASSWORD)
        .send()
        .await
        .unwrap();
    let other_token = signed_in.authentication_result().unwrap().id_token().unwrap().to_owned();
    assert_eq!(
        get_id(fixture.login_key(), other_token).await,
        not_authorized("Token is not from a supported provider of this identity pool.")
    );

    // An authenticated identity: only with its own login.
    let identity = fixture.identity_of(&alice.id_token).await;
    let bare = fixture.public.get_credentials_for_identity().identity_id(&identity).send().await.unwrap_err();
    assert_eq!(refusal(bare), not_authorized(&format!("Access to Identity '{identity}' is forbidden.")));
    let bob = fixture.id_token("bob").await;
    let foreign = fixture.public.get_credentials_for_identity().identity_id(&identity).logins(fixture.login_key(), bob);
    assert_eq!(
        refusal(foreign.send().await.unwrap_err()),
        not_authorized(
            "Logins don't match. Please include at least one valid login for this identity or identity pool."
        )
    );
    let unknown =
        fixture.public.get_credentials_for_identity().identity_id("us-east-1:00000000-0000-0000-0000-000000000001");
    assert_eq!(
        refusal(unknown.send().await.unwrap_err()),
        (
            "ResourceNotFoundException".into(),
            "Identity 'us-east-1:00000000-0000-0000-0000-000000000001' not found.".into()
        )
    );
}

#[tokio::test]
async fn server_side_token_check_refuses_signed_out_users() {
    let fixture = IdentityFixture::new(false).await;
    let alice = fixture.users.rest_user("alice").await;
    let update = fixture
        .admin
        .update_identity_pool()
        .identity_pool_id(&fixture.pool_id)
        .identity_pool_name("checked")
        .allow_unauthenticated_identities(false)
        .cognito_identity_providers(provider(&fixture.users, true));
    update.send().await.unwrap();
    let identity = fixture.identity_of(&alice.id_token).await;
    fixture.users.sdk.global_sign_out().access_token(&alice.token).send().await.unwrap();
    let refused = fixture
        .public
        .get_credentials_for_identity()
        .identity_id(&identity)
        .logins(fixture.login_key(), &alice.id_token)
        .send()
        .await
        .unwrap_err();
    let (code, message) = refusal(refused);
    assert_eq!(code, "NotAuthorizedException");
    assert!(message.starts_with("Invalid login token."), "{message}");
}

#[tokio::test]
async fn roles_are_resolved_as_aws_resolves_them() {
    let fixture = IdentityFixture::new(false).await;
    let users = &fixture.users;
    for (group, precedence, role) in [("admins", 1, ADMINS_ROLE), ("readers", 2, READERS_ROLE)] {
        let create = users.admin.create_group().user_pool_id(&users.pool.id).group_name(group);
        create.precedence(precedence).role_arn(role).send().await.unwrap();
    }
    users.confirmed_user("alice").await;
    for group in ["admins", "readers"] {
        let add = users.admin.admin_add_user_to_group().user_pool_id(&users.pool.id).username("alice");
        add.group_name(group).send().await.unwrap();
    }
    let alice = users.signed_in("alice").await.id_token;
    let bob = fixture.id_token("bob").await;
    let mapping_key = format!("{}:{}", fixture.login_key(), users.client.id);
    let set_mapping = |mapping: RoleMapping| {
        let call = fixture
            .admin
            .set_identity_pool_roles()
            .identity_pool_id(&fixture.pool_id)
            .roles("authenticated", AUTH_ROLE)
            .role_mappings(&mapping_key, mapping);
        async move { call.send().await.unwrap() }
    };
    let role_for = |token: String, custom: Option<&'static str>| {
        let fixture = &fixture;
        async move {
            let identity = fixture.identity_of(&token).await;
            let call =
                fixture.public.get_credentials_for_identity().identity_id(identity).logins(fixture.login_key(), token);
            match call.set_custom_role_arn(custom.map(str::to_owned)).send().await {
                Ok(out) => Ok(fixture.role_of(out.credentials().unwrap()).await),
                Err(error) => Err(refusal(error)),
            }
        }
    };
    // No mapping: the default role.
    assert_eq!(role_for(alice.clone(), None).await.unwrap(), AUTH_ROLE);

    // Token: the preferred role (lowest precedence), a custom one among the user's, ambiguity.
    let token = RoleMapping::builder().r#type(RoleMappingType::Token);
    set_mapping(token.clone().ambiguous_role_resolution(AmbiguousRoleResolutionType::Deny).build().unwrap()).await;
    assert_eq!(role_for(alice.clone(), None).await.unwrap(), ADMINS_ROLE);
    assert_eq!(role_for(alice.clone(), Some(READERS_ROLE)).await.unwrap(), READERS_ROLE);
    assert_eq!(role_for(alice.clone(), Some(AUTH_ROLE)).await.unwrap_err().0, "NotAuthorizedException");
    assert_eq!(
        role_for(bob.clone(), None).await.unwrap_err(),
        ("NotAuthorizedException".into(), "The ambiguous role mapping rules denied this request.".into())
    );
    set_mapping(token.ambiguous_role_resolution(AmbiguousRoleResolutionType::AuthenticatedRole).build().unwrap()).await;
    assert_eq!(role_for(bob.clone(), None).await.unwrap(), AUTH_ROLE);

    // Rules: the first match.
    let rule = |claim: &str, kind, value: &str, role: &str| {
        MappingRule::builder().claim(claim).match_type(kind).value(value).role_arn(role).build().unwrap()
    };
    let rules = RulesConfigurationType::builder()
        .rules(rule("cognito:groups", MappingRuleMatchType::Contains, "read", READERS_ROLE))
        .rules(rule("email", MappingRuleMatchType::StartsWith, "bob", ADMINS_ROLE))
        .build()
        .unwrap();
    let by_rules = RoleMapping::builder()
        .r#type(RoleMappingType::Rules)
        .ambiguous_role_resolution(AmbiguousRoleResolutionType::Deny)
        .rules_configuration(rules);
    set_mapping(by_rules.build().unwrap()).await;
    assert_eq!(role_for(alice.clone(), None).await.unwrap(), READERS_ROLE);
    assert_eq!(role_for(bob.clone(), None).await.unwrap(), ADMINS_ROLE);

    // No default role for users: the pool is misconfigured.
    let clear =
        fixture.admin.set_identity_pool_roles().identity_pool_id(&fixture.pool_id).roles("unauthenticated", GUEST_ROLE);
    clear.send().await.unwrap();
    assert_eq!(
        role_for(bob, None).await.unwrap_err(),
        (
            "InvalidIdentityPoolConfigurationException".into(),
            "Invalid identity pool configuration. Check assigned IAM roles for this pool.".into()
        )
    );
}

#[tokio::test]
async fn open_id_tokens_are_rs512_jwts_of_the_identity() {
    let fixture = IdentityFixture::new(false).await;
    let token = fixture.id_token("alice").await;
    let identity = fixture.identity_of(&token).await;
    let out = fixture.public.get_open_id_token().identity_id(&identity).logins(fixture.login_key(), &token);
    let jwt = out.send().await.unwrap().token().unwrap().to_owned();
    let header = jsonwebtoken::decode_header(&jwt).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS512);
    let jwks: serde_json::Value = reqwest::get(fixture.users.app.url("/cognito-identity/.well-known/jwks_uri"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwk = &jwks["keys"][0];
    assert_eq!(jwk["kid"], header.kid.unwrap().as_str());
    let key =
        jsonwebtoken::DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS512);
    validation.set_audience(&[&fixture.pool_id]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(&jwt, &key, &validation).unwrap().claims;
    assert_eq!(claims["sub"], identity.as_str());
    assert_eq!(claims["amr"][0], "authenticated");
    assert_eq!(claims["amr"][1], fixture.login_key().as_str());
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 600);

    let classic_off = fixture
        .admin
        .update_identity_pool()
        .identity_pool_id(&fixture.pool_id)
        .identity_pool_name("enhanced only")
        .allow_unauthenticated_identities(false)
        .allow_classic_flow(false)
        .cognito_identity_providers(provider(&fixture.users, false));
    classic_off.send().await.unwrap();
    let refused = fixture.public.get_open_id_token().identity_id(&identity).logins(fixture.login_key(), &token);
    assert_eq!(
        refusal(refused.send().await.unwrap_err()),
        ("InvalidParameterException".into(), "Basic (classic) flow is not enabled, please use enhanced flow.".into())
    );
}

/// boto3's `cognito-identity` client through the whole enhanced flow and the admin operations.
#[tokio::test]
async fn boto3_runs_the_enhanced_flow() {
    use serde_json::json;
    use support::boto3::{Signer, boto3, error};
    let fixture = IdentityFixture::new(false).await;
    let token = fixture.id_token("alice").await;
    let admin = Signer { key: support::ADMIN_KEY, secret: support::ADMIN_SECRET, token: None };
    let logins = json!({ fixture.login_key(): token });
    let pool = &fixture.pool_id;
    let results = boto3(
        &fixture.users.app,
        "cognito-identity",
        "/cognito",
        admin,
        json!([
            ["describe_identity_pool", {"IdentityPoolId": pool}],
            ["get_identity_pool_roles", {"IdentityPoolId": pool}],
            ["list_identity_pools", {"MaxResults": 60}],
            ["get_id", {"IdentityPoolId": pool, "Logins": logins}],
            ["get_id", {"IdentityPoolId": pool}],
        ]),
    )
    .await;
    assert_eq!(results[0]["ok"]["IdentityPoolName"], "ledgerline identities");
    assert_eq!(results[1]["ok"]["Roles"]["authenticated"], AUTH_ROLE);
    assert_eq!(results[2]["ok"]["IdentityPools"][0]["IdentityPoolId"], pool.as_str());
    let identity = results[3]["ok"]["IdentityId"].as_str().unwrap().to_owned();
    assert_eq!(error(&results[4]), ("NotAuthorizedException", 400));

    let unsigned = Signer { key: "unused", secret: "unused", token: None };
    let results = boto3(
        &fixture.users.app,
        "cognito-identity",
        "/cognito",
        unsigned,
        json!([
            ["get_credentials_for_identity", {"IdentityId": identity, "Logins": logins}],
            ["describe_identity", {"IdentityId": identity}],
        ]),
    )
    .await;
    let credentials = &results[0]["ok"]["Credentials"];
    assert!(credentials["AccessKeyId"].as_str().unwrap().starts_with("ASIA"), "{credentials}");
    // botocore parsed Expiration (epoch seconds) into a datetime.
    assert!(credentials["Expiration"].as_str().unwrap().starts_with("20"), "{credentials}");
    assert_eq!(error(&results[1]), ("UnrecognizedClientException", 400), "admin operations need the admin key");
}
