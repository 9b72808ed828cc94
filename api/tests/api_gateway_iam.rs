//! The REST api as API Gateway with AWS_IAM: identity-pool credentials used with `aws-sigv4`
//! against it, allowed and denied by the role's policy, and every refusal API Gateway's own: 403,
//! `x-amzn-ErrorType`, its body key, and the CORS headers a browser needs to read it.

mod support;

use std::time::{Duration, SystemTime};

use api::{
    iam::roles::{self, NewRole},
    testing::{Signing, TestApp, sigv4_headers_with},
};
use aws_sdk_cognitoidentity::types::Credentials as IssuedCredentials;
use serde_json::{Value, json};
use support::{
    PoolFixture,
    identity::{AUTH_ROLE, IdentityFixture},
};

const ORIGIN: &str = "http://127.0.0.1:8080";
const ACCOUNT: &str = "123456789012";

/// An identity pool whose users' role may call `GET /v1/caller`, the accounts routes, and
/// `/v1/identities/<their own identity id>`, and nothing else.
async fn fixture(args: &[&str]) -> IdentityFixture {
    let args = [&["--cors-allowed-origin", ORIGIN][..], args].concat();
    let fixture = IdentityFixture::on(PoolFixture::with_args(&args).await, false).await;
    let db = &fixture.users.app.db;
    let role = AUTH_ROLE.rsplit('/').next().unwrap();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#;
    let new = NewRole {
        name: role,
        path: "/",
        assume_role_policy_document: trust,
        description: None,
        max_session_duration: None,
    };
    roles::create(db, &new).await.unwrap();
    let api = format!("arn:aws:execute-api:us-east-1:{ACCOUNT}:ledgerline/v1");
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": [
            format!("{api}/GET/caller"),
            format!("{api}/*/accounts"),
            format!("{api}/*/accounts/*"),
            format!("{api}/GET/identities/${{cognito-identity.amazonaws.com:sub}}"),
        ]},
        {"Effect": "Deny", "Action": "execute-api:*", "Resource": format!("{api}/DELETE/*")},
    ]});
    roles::put_policy(&fixture.users.app.api_db, role, "invoke", &policy.to_string()).await.unwrap();
    fixture
}

/// A signed request's parts, to send (or spoil first).
struct Signed {
    method: reqwest::Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Signed {
    async fn send(self) -> reqwest::Response {
        let mut request =
            reqwest::Client::new().request(self.method, &self.url).body(self.body).header("origin", ORIGIN);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        request.send().await.unwrap()
    }

    fn without(mut self, header: &str) -> Self {
        self.headers.retain(|(name, _)| !name.eq_ignore_ascii_case(header));
        self
    }
}

/// Options of [`sign`]: what to sign for, when, and with which secret.
struct As<'a> {
    region: &'a str,
    service: &'a str,
    ago: Duration,
    secret: Option<&'a str>,
}

const NORMAL: As<'static> = As { region: "us-east-1", service: "execute-api", ago: Duration::ZERO, secret: None };

fn sign(app: &TestApp, method: &str, path: &str, body: &[u8], credentials: &IssuedCredentials, how: As<'_>) -> Signed {
    let url = app.url(path);
    let host = app.addr.to_string();
    let content_type = "application/json";
    let own = [("host", host.as_str()), ("content-type", content_type)];
    let key = aws_credential_types::Credentials::new(
        credentials.access_key_id().unwrap(),
        how.secret.unwrap_or(credentials.secret_key().unwrap()),
        Some(credentials.session_token().unwrap().to_owned()),
        None,
        "identity pool",
    );
    let signing = Signing { region: how.region, service: how.service, time: SystemTime::now() - how.ago };
    let mut headers = sigv4_headers_with(method, &url, &own, body, &key, &signing);
    headers.push(("content-type".into(), content_type.into()));
    Signed { method: method.parse().unwrap(), url, headers, body: body.to_vec() }
}

/// Checks a refusal as API Gateway sends it, CORS included; answers its message.
async fn refused(response: reqwest::Response, error_type: &str, key: &str) -> String {
    assert_eq!(response.status(), 403, "{error_type}");
    let headers = response.headers().clone();
    assert_eq!(headers["x-amzn-errortype"], error_type);
    assert!(headers.contains_key("x-amzn-requestid"), "{headers:?}");
    assert!(headers.contains_key("date"));
    assert_eq!(headers["access-control-allow-origin"], ORIGIN, "{error_type}: CORS headers on the refusal");
    let exposed = headers["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    for name in ["x-amzn-errortype", "x-amzn-requestid", "date"] {
        assert!(exposed.contains(name), "{name} is exposed: {exposed}");
    }
    let body: Value = response.json().await.unwrap();
    body[key].as_str().unwrap_or_else(|| panic!("{error_type}: no {key:?} in {body}")).to_owned()
}

#[tokio::test]
async fn signed_calls_act_as_the_user_with_api_gateways_request_context() {
    let fixture = fixture(&[]).await;
    let app = &fixture.users.app;
    let user = fixture.users.rest_user("alice").await;
    let (identity, credentials) = fixture.credentials(&user.id_token).await;

    let response = sign(app, "GET", "/v1/caller", b"", &credentials, NORMAL).send().await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-amzn-requestid"));
    let caller: Value = response.json().await.unwrap();
    let sub = caller["user"].as_str().unwrap().to_owned();
    let context = &caller["identity"];
    assert_eq!(caller["authorizer"], "iam");
    assert_eq!(context["cognitoIdentityId"], identity.as_str());
    assert_eq!(context["cognitoIdentityPoolId"], fixture.pool_id.as_str());
    assert_eq!(context["cognitoAuthenticationType"], "authenticated");
    let provider = fixture.login_key();
    assert_eq!(context["cognitoAuthenticationProvider"], format!("{provider},{provider}:CognitoSignIn:{sub}"));
    assert_eq!(
        context["userArn"],
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/ledgerline-users/CognitoIdentityCredentials")
    );
    assert_eq!(context["accessKey"], credentials.access_key_id().unwrap());
    assert_eq!(caller["tenants"].as_array().unwrap().len(), 1, "the personal tenant");

    // The same user, through either authorizer, sees the same rows: row-level security unchanged.
    let body = json!({"name": "Cash", "number": "1000", "currency": "EUR"}).to_string();
    let created = sign(app, "POST", "/v1/accounts", body.as_bytes(), &credentials, NORMAL).send().await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let listed: Value = user.get("/v1/accounts").send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"][0]["name"], "Cash", "{listed}");
    let bearer: Value = user.get("/v1/caller").send().await.unwrap().json().await.unwrap();
    assert_eq!((bearer["authorizer"].as_str(), bearer["user"].as_str()), (Some("cognito"), Some(sub.as_str())));
    assert!(bearer.get("identity").is_none());
}

#[tokio::test]
async fn the_role_policy_decides_with_explicit_denies_and_policy_variables() {
    let fixture = fixture(&[]).await;
    let app = &fixture.users.app;
    let (identity, credentials) = fixture.credentials(&fixture.id_token("alice").await).await;

    let denied = sign(app, "GET", "/v1/tenants", b"", &credentials, NORMAL).send().await;
    let message = refused(denied, "AccessDeniedException", "Message").await;
    assert_eq!(
        message,
        "User: arn:aws:sts::123456789012:assumed-role/ledgerline-users/CognitoIdentityCredentials is not authorized \
         to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:ledgerline/v1/GET/tenants"
    );
    let explicit = sign(app, "DELETE", "/v1/accounts/00000000-0000-0000-0000-000000000000", b"", &credentials, NORMAL);
    refused(explicit.send().await, "AccessDeniedException", "Message").await;

    // `${cognito-identity.amazonaws.com:sub}`: their own identity's path only (past the authorizer,
    // there is no such endpoint).
    let own = sign(app, "GET", &format!("/v1/identities/{identity}"), b"", &credentials, NORMAL).send().await;
    assert_eq!(own.status(), 404);
    let (other, _) = fixture.credentials(&fixture.id_token("bob").await).await;
    let foreign = sign(app, "GET", &format!("/v1/identities/{other}"), b"", &credentials, NORMAL).send().await;
    refused(foreign, "AccessDeniedException", "Message").await;
}

#[tokio::test]
async fn bad_signatures_are_refused_as_api_gateway_refuses_them() {
    let fixture = fixture(&[]).await;
    let app = &fixture.users.app;
    let (_, credentials) = fixture.credentials(&fixture.id_token("alice").await).await;
    let mismatch = "The request signature we calculated does not match the signature you provided. Check your AWS \
                    Secret Access Key and signing method. Consult the service documentation for details.";

    let wrong_secret = As { secret: Some("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), ..NORMAL };
    let response = sign(app, "GET", "/v1/caller", b"", &credentials, wrong_secret).send().await;
    assert_eq!(refused(response, "InvalidSignatureException", "message").await, mismatch);

    let mut tampered =
        sign(app, "POST", "/v1/accounts", br#"{"name":"Cash","number":"1000","currency":"EUR"}"#, &credentials, NORMAL);
    tampered.body = br#"{"name":"Bank","number":"1000","currency":"EUR"}"#.to_vec();
    assert_eq!(refused(tampered.send().await, "InvalidSignatureException", "message").await, mismatch);

    let late = As { ago: Duration::from_secs(6 * 60), ..NORMAL };
    let message = refused(
        sign(app, "GET", "/v1/caller", b"", &credentials, late).send().await,
        "InvalidSignatureException",
        "message",
    )
    .await;
    assert!(message.starts_with("Signature expired: ") && message.ends_with(" - 5 min.)"), "{message}");

    let s3 = As { service: "s3", ..NORMAL };
    let message = refused(
        sign(app, "GET", "/v1/caller", b"", &credentials, s3).send().await,
        "InvalidSignatureException",
        "message",
    )
    .await;
    assert_eq!(message, "Credential should be scoped to correct service: 'execute-api'.");
    let ireland = As { region: "eu-west-1", ..NORMAL };
    let message = refused(
        sign(app, "GET", "/v1/caller", b"", &credentials, ireland).send().await,
        "InvalidSignatureException",
        "message",
    )
    .await;
    assert_eq!(message, "Credential should be scoped to a valid region, not 'eu-west-1'.");

    let tokenless = sign(app, "GET", "/v1/caller", b"", &credentials, NORMAL).without("x-amz-security-token");
    let message = refused(tokenless.send().await, "UnrecognizedClientException", "message").await;
    assert_eq!(message, "The security token included in the request is invalid.");
    let mut forged = sign(app, "GET", "/v1/caller", b"", &credentials, NORMAL).without("x-amz-security-token");
    forged.headers.push(("x-amz-security-token".into(), "bm90IGEgdG9rZW4=".into()));
    refused(forged.send().await, "UnrecognizedClientException", "message").await;
}

#[tokio::test]
async fn expired_credentials_are_refused_with_expired_token() {
    let fixture = fixture(&["--identity-credentials-lifetime-secs", "1"]).await;
    let app = &fixture.users.app;
    let (_, credentials) = fixture.credentials(&fixture.id_token("alice").await).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let response = sign(app, "GET", "/v1/caller", b"", &credentials, NORMAL).send().await;
    let message = refused(response, "ExpiredTokenException", "message").await;
    assert_eq!(message, "The security token included in the request is expired");
}

#[tokio::test]
async fn preflights_are_answered_before_any_authorizer_and_unsigned_calls_refused_when_only_iam() {
    let fixture = fixture(&["--api-authorizer", "iam"]).await;
    let app = &fixture.users.app;
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, app.url("/v1/caller"))
        .header("origin", ORIGIN)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization,x-amz-date,x-amz-security-token,x-amz-content-sha256")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    assert_eq!(preflight.headers()["access-control-allow-origin"], ORIGIN);
    let allowed = preflight.headers()["access-control-allow-headers"].to_str().unwrap().to_owned();
    assert!(allowed.contains("x-amz-security-token") && allowed.contains("authorization"), "{allowed}");

    let unsigned = reqwest::Client::new().get(app.url("/v1/caller")).header("origin", ORIGIN).send().await.unwrap();
    assert_eq!(
        refused(unsigned, "MissingAuthenticationTokenException", "message").await,
        "Missing Authentication Token"
    );
    let user = fixture.users.rest_user("alice").await;
    let bearer = user.get("/v1/caller").header("origin", ORIGIN).send().await.unwrap();
    let message = refused(bearer, "IncompleteSignatureException", "message").await;
    assert!(message.starts_with("Authorization header requires 'Credential' parameter."), "{message}");
    assert!(message.ends_with(&format!("Authorization=Bearer {}", user.token)), "{message}");
}

#[tokio::test]
async fn credentials_work_on_every_instance_and_only_where_iam_is_accepted() {
    let fixture = fixture(&[]).await;
    let (_, credentials) = fixture.credentials(&fixture.id_token("alice").await).await;
    let other = TestApp::spawn_on(fixture.users.app.database(), &["--cors-allowed-origin", ORIGIN]).await;
    let response = sign(&other, "GET", "/v1/caller", b"", &credentials, NORMAL).send().await;
    assert_eq!(response.status(), 200, "another instance on the same database accepts them");

    let cognito_only = TestApp::spawn_on(fixture.users.app.database(), &["--api-authorizer", "cognito"]).await;
    let response = sign(&cognito_only, "GET", "/v1/caller", b"", &credentials, NORMAL).send().await;
    assert_eq!(response.status(), 401, "a Cognito-only api refuses SigV4 as its bearer authorizer does");
}

/// `cargo xtask dev`'s bootstrap file: sign-up and SRP sign-in on the dev user pool, GetId and
/// GetCredentialsForIdentity on the dev identity pool (with Amplify's Logins key), then signed calls
/// that the dev role's policy allows.
#[tokio::test]
async fn the_dev_bootstrap_runs_the_whole_chain() {
    let dev_file = concat!(env!("CARGO_MANIFEST_DIR"), "/bootstrap/dev.toml");
    let app = support::admin_app(&["--cognito-bootstrap", dev_file, "--cors-allowed-origin", ORIGIN]).await;
    let (user_pool, web_client) = ("us-east-1_LedgerDev", "ledgerlineweb0000000000001");
    let users = support::sdk(&app);
    let sign_up = users.sign_up().client_id(web_client).username("ada@example.com").password(support::PASSWORD);
    sign_up.send().await.unwrap();
    let admin = support::sdk_with_credentials(&app, support::ADMIN_KEY, support::ADMIN_SECRET);
    admin.admin_confirm_sign_up().user_pool_id(user_pool).username("ada@example.com").send().await.unwrap();
    let client = cognito_client::AppClient::public(web_client);
    let signed_in = support::srp_sign_in(&app, user_pool, &client, "ada@example.com", support::PASSWORD).await.unwrap();
    let id_token = signed_in.authentication_result.unwrap().id_token;

    let identities = support::identity::identity_sdk(&app, "unused", "unused");
    let pool = "us-east-1:1ed9e5d1-0000-4000-8000-00000000de01";
    let amplify_key = format!("{}/{user_pool}", app.addr);
    let identity = identities.get_id().identity_pool_id(pool).logins(&amplify_key, &id_token).send().await.unwrap();
    let identity = identity.identity_id().unwrap().to_owned();
    let out = identities.get_credentials_for_identity().identity_id(&identity).logins(&amplify_key, &id_token);
    let out = out.send().await.unwrap();
    let credentials = out.credentials().unwrap();

    let response = sign(&app, "GET", "/v1/caller", b"", credentials, NORMAL).send().await;
    assert_eq!(response.status(), 200);
    let caller: Value = response.json().await.unwrap();
    assert_eq!(caller["identity"]["cognitoIdentityId"], identity.as_str());
    assert_eq!(
        caller["identity"]["userArn"],
        "arn:aws:sts::123456789012:assumed-role/ledgerline-dev-users/CognitoIdentityCredentials"
    );
    let body = json!({"name": "Cash", "number": "1000", "currency": "EUR"}).to_string();
    let created = sign(&app, "POST", "/v1/accounts", body.as_bytes(), credentials, NORMAL).send().await;
    assert_eq!(created.status(), 201);
}

/// Guests' credentials pass the signature and the policy, but `/v1` acts for a user: refused there.
#[tokio::test]
async fn guest_credentials_reach_no_user_endpoint() {
    let args = ["--cors-allowed-origin", ORIGIN];
    let fixture = IdentityFixture::on(PoolFixture::with_args(&args).await, true).await;
    let db = &fixture.users.app.api_db;
    let role = support::identity::GUEST_ROLE.rsplit('/').next().unwrap();
    let new = NewRole {
        name: role,
        path: "/",
        assume_role_policy_document: "{}",
        description: None,
        max_session_duration: None,
    };
    roles::create(db, &new).await.unwrap();
    let policy =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}}"#;
    roles::put_policy(db, role, "invoke", policy).await.unwrap();
    let guest = fixture.public.get_id().identity_pool_id(&fixture.pool_id).send().await.unwrap();
    let out = fixture.public.get_credentials_for_identity().identity_id(guest.identity_id().unwrap()).send().await;
    let out = out.unwrap();
    let response = sign(&fixture.users.app, "GET", "/v1/caller", b"", out.credentials().unwrap(), NORMAL).send().await;
    assert_eq!(response.status(), 403);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
}
