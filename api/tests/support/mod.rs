//! Test support for the Cognito tests: a pool with its clients made through the domain code, the
//! official AWS SDK pointed at the in-process api, and the codes the outbox would have mailed.

#![allow(dead_code)] // each test binary uses its own part of this module

pub mod boto3;
pub mod identity;
pub mod payments;
pub mod smtp;

use std::time::{SystemTime, UNIX_EPOCH};

use api::{
    cognito::pools::{self, Client, NewClient, NewPool, Pool},
    testing::TestApp,
};
use aws_sdk_cognitoidentityprovider::{
    Client as Cognito,
    config::{BehaviorVersion, Credentials, Region},
    error::ProvideErrorMetadata,
    operation::initiate_auth::InitiateAuthOutput,
    types::AuthFlowType,
    types::MessageActionType,
};
use cognito_client::{AppClient, AuthResponse, CognitoError, Request, SrpClient};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use miniserde::Deserialize;
use serde_json::Value;

pub const PASSWORD: &str = "Correct-horse-1";

/// The IAM credentials the test app accepts for admin calls.
pub const ADMIN_KEY: &str = "AKIDLEDGERLINEADMIN";
pub const ADMIN_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

pub struct PoolFixture {
    pub app: TestApp,
    pub pool: Pool,
    /// A public client (no secret) allowing password, SRP, admin password and refresh flows.
    pub client: Client,
    pub sdk: Cognito,
    /// The SDK signing with the admin credentials.
    pub admin: Cognito,
}

impl PoolFixture {
    pub async fn new() -> Self {
        Self::with_pool(NewPool::default()).await
    }

    pub async fn with_pool(new: NewPool) -> Self {
        Self::with_pool_and_args(new, &[]).await
    }

    /// The app started with extra command-line arguments (e.g. `["--api-token-use", "id"]`).
    pub async fn with_args(args: &[&str]) -> Self {
        Self::with_pool_and_args(NewPool::default(), args).await
    }

    async fn with_pool_and_args(new: NewPool, args: &[&str]) -> Self {
        let app = admin_app(args).await;
        let new = NewPool { region: "us-east-1".into(), name: "test-pool".into(), ..new };
        let pool = pools::create_pool(&app.db, &new).await.unwrap();
        let client = pools::create_client(
            &app.db,
            &pool.id,
            &NewClient {
                name: "web".into(),
                explicit_auth_flows: [
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                ]
                .map(String::from)
                .to_vec(),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let sdk = sdk(&app);
        let admin = sdk_with_credentials(&app, ADMIN_KEY, ADMIN_SECRET);
        Self { app, pool, client, sdk, admin }
    }

    /// The same data served by a new app, started with `args`, after this one has stopped: e.g. after a key
    /// rotation.
    pub async fn restart_with(self, args: &[&str]) -> Self {
        let database = self.app.database();
        self.app.stop().await;
        let app = TestApp::spawn_on(database, &[&admin_args()[..], args].concat()).await;
        let (sdk, admin) = (sdk(&app), sdk_with_credentials(&app, ADMIN_KEY, ADMIN_SECRET));
        Self { app, sdk, admin, ..self }
    }

    pub async fn client_with(&self, new: NewClient) -> Client {
        pools::create_client(&self.app.db, &self.pool.id, &new).await.unwrap()
    }

    /// USER_PASSWORD_AUTH through the fixture's client, as the SDK answers it.
    pub async fn password_sign_in(
        &self,
        username: &str,
        password: &str,
    ) -> Result<InitiateAuthOutput, (String, String)> {
        self.sdk
            .initiate_auth()
            .client_id(&self.client.id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
            .map_err(exception)
    }

    /// REFRESH_TOKEN_AUTH through the fixture's client, as the SDK answers it.
    pub async fn refresh(&self, refresh_token: &str) -> Result<InitiateAuthOutput, (String, String)> {
        self.sdk
            .initiate_auth()
            .client_id(&self.client.id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh_token)
            .send()
            .await
            .map_err(exception)
    }

    /// The code (or temporary password) ending the newest message to `username`, as the person
    /// would read it in their email.
    pub async fn last_code(&self, username: &str) -> String {
        let body: String = sqlx::query_scalar(
            "SELECT body FROM outbox o JOIN users u ON u.pool_id = o.pool_id AND u.username = o.username \
             WHERE o.pool_id = $1 AND (u.username = $2 OR u.attributes ->> 'email' = $2) ORDER BY o.id DESC LIMIT 1",
        )
        .bind(&self.pool.id)
        .bind(username)
        .fetch_one(&self.app.db)
        .await
        .unwrap();
        body.rsplit(' ').next().unwrap().to_owned()
    }

    /// Creates `username` (with an email) through AdminCreateUser, with this temporary password and
    /// no welcome message.
    pub async fn invited_user(&self, username: &str, temporary_password: &str) {
        self.admin
            .admin_create_user()
            .user_pool_id(&self.pool.id)
            .username(username)
            .temporary_password(temporary_password)
            .user_attributes(attribute("email", &format!("{username}@example.com")))
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
    }

    /// Verifies `token` with the key the JWKS publishes for its `kid`, as API Gateway would.
    pub async fn verified_claims(&self, token: &str, audience: Option<&str>) -> Value {
        let issuer = format!("http://{}/{}", self.app.addr, self.pool.id);
        let discovery: Value =
            reqwest::get(format!("{issuer}/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
        assert_eq!(discovery["issuer"], issuer.as_str());
        let jwks: Value = reqwest::get(discovery["jwks_uri"].as_str().unwrap()).await.unwrap().json().await.unwrap();
        let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
        let jwk =
            jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid.as_str()).expect("the kid is in the JWKS");
        let key = DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap()).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[issuer]);
        match audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        jsonwebtoken::decode::<Value>(token, &key, &validation).unwrap().claims
    }

    /// Signs `username` up with the email `<username>@example.com`.
    pub async fn signed_up_user(&self, username: &str) {
        self.sdk
            .sign_up()
            .client_id(&self.client.id)
            .username(username)
            .password(PASSWORD)
            .user_attributes(attribute("email", &format!("{username}@example.com")))
            .send()
            .await
            .unwrap();
    }

    /// Signs `username` up with an email and confirms them with the mailed code.
    pub async fn confirmed_user(&self, username: &str) {
        self.signed_up_user(username).await;
        self.confirm(username, &self.last_code(username).await).await;
    }

    /// ConfirmSignUp with this code, which must be right.
    pub async fn confirm(&self, username: &str, code: &str) {
        self.try_confirm(username, code).await.unwrap();
    }

    /// ConfirmSignUp with this code; AWS's exception when it is refused.
    pub async fn try_confirm(&self, username: &str, code: &str) -> Result<(), (String, String)> {
        let confirm = self.sdk.confirm_sign_up().client_id(&self.client.id).username(username).confirmation_code(code);
        confirm.send().await.map(drop).map_err(exception)
    }
}

/// POSTs one of cognito-client's requests to the api, as the shell does through `fetch`.
pub async fn send<T: Deserialize>(app: &TestApp, request: &Request<T>) -> Result<T, CognitoError> {
    let mut post = reqwest::Client::new().post(app.url("/cognito")).body(request.body.clone());
    for (name, value) in request.headers() {
        post = post.header(name, value);
    }
    let response = post.send().await.expect("the api answers");
    let status = response.status().as_u16();
    let error_type = response.headers().get("x-amzn-ErrorType").map(|value| value.to_str().unwrap().to_owned());
    let body = response.bytes().await.expect("the api sends its body");
    request.parse_response(status, error_type.as_deref(), &body)
}

/// USER_SRP_AUTH's two steps through cognito-client and `client`, of the pool `pool_id`.
pub async fn srp_sign_in(
    app: &TestApp,
    pool_id: &str,
    client: &AppClient,
    username: &str,
    password: &str,
) -> Result<AuthResponse, CognitoError> {
    let srp = SrpClient::new(pool_id).unwrap();
    let challenge = send(app, &client.initiate_srp_auth(username, &srp)).await?;
    assert_eq!(challenge.challenge_name.as_deref(), Some("PASSWORD_VERIFIER"));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let claim = srp.answer(&challenge.challenge_parameters.unwrap_or_default(), password, now).unwrap();
    send(app, &client.respond_password_verifier(&claim, challenge.session.as_deref())).await
}

/// An account's id, as the REST api writes it.
pub fn id(account: &Value) -> &str {
    account["id"].as_str().expect("an account with an id")
}

/// The app, accepting admin calls signed with [`ADMIN_KEY`] and [`ADMIN_SECRET`], with `extra` arguments.
pub async fn admin_app(extra: &[&str]) -> TestApp {
    TestApp::spawn_with(&[&admin_args()[..], extra].concat()).await
}

fn admin_args() -> [&'static str; 4] {
    ["--cognito-admin-access-key-id", ADMIN_KEY, "--cognito-admin-secret-access-key", ADMIN_SECRET]
}

/// The SDK as an application would configure it, with `endpoint_url` pointing at us.
pub fn sdk(app: &TestApp) -> Cognito {
    sdk_with_credentials(app, "AKIDEXAMPLE", "not-used-by-public-calls")
}

/// The SDK signing its calls with these IAM credentials.
pub fn sdk_with_credentials(app: &TestApp, access_key_id: &str, secret: &str) -> Cognito {
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(app.url("/cognito"))
        .credentials_provider(Credentials::new(access_key_id, secret, None, None, "test"))
        .build();
    Cognito::from_conf(config)
}

pub fn attribute(name: &str, value: &str) -> aws_sdk_cognitoidentityprovider::types::AttributeType {
    aws_sdk_cognitoidentityprovider::types::AttributeType::builder().name(name).value(value).build().unwrap()
}

/// The exception name the SDK parsed from a failed call.
pub fn exception<E, R>(error: aws_sdk_cognitoidentityprovider::error::SdkError<E, R>) -> (String, String)
where
    E: ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    match error.as_service_error() {
        Some(service) => {
            (service.code().unwrap_or("<none>").to_owned(), service.message().unwrap_or_default().to_owned())
        }
        None => panic!("expected a service error, got {error:?}"),
    }
}

/// A signed-in user's view of the REST api: requests carry their access token.
pub struct RestUser {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub id_token: String,
}

impl RestUser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(&self.token)
    }

    pub fn post(&self, path: &str, body: Value) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(&self.token).json(&body)
    }

    pub fn patch(&self, path: &str, etag: &str, body: Value) -> reqwest::RequestBuilder {
        self.http.patch(self.url(path)).bearer_auth(&self.token).header("if-match", etag).json(&body)
    }

    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.delete(self.url(path)).bearer_auth(&self.token)
    }

    /// Creates an account (under `parent`, if any) and answers it; panics unless 201.
    pub async fn create(&self, name: &str, number: &str, parent: Option<&str>) -> Value {
        let body = serde_json::json!({ "name": name, "number": number, "currency": "EUR", "parentId": parent });
        let response = self.post("/v1/accounts", body).send().await.unwrap();
        assert_eq!(response.status(), 201, "create {name}: {}", response.text().await.unwrap());
        response.json().await.unwrap()
    }
}

impl PoolFixture {
    /// Signs `username` up, confirms and signs them in (password flow): their personal tenant exists.
    pub async fn rest_user(&self, username: &str) -> RestUser {
        self.confirmed_user(username).await;
        self.signed_in(username).await
    }

    /// Signs an existing user in again (e.g. to pick up new groups).
    pub async fn signed_in(&self, username: &str) -> RestUser {
        let out = self.password_sign_in(username, PASSWORD).await.unwrap();
        let tokens = out.authentication_result.unwrap();
        RestUser {
            http: reqwest::Client::new(),
            base: format!("http://{}", self.app.addr),
            token: tokens.access_token.unwrap(),
            id_token: tokens.id_token.unwrap(),
        }
    }
}

/// SECRET_HASH as clients with a secret compute it: Base64(HMAC-SHA256(secret, username + client id)).
pub fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    use aws_lc_rs::hmac;
    use base64::Engine;
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    base64::prelude::BASE64_STANDARD.encode(hmac::sign(&key, format!("{username}{client_id}").as_bytes()))
}

/// A token with the claims of `token` changed by `edit`, signed with `pool`'s access key.
pub async fn forged(fixture: &PoolFixture, token: &str, key_of_pool: &str, edit: impl FnOnce(&mut Value)) -> String {
    use base64::{Engine, prelude::BASE64_URL_SAFE_NO_PAD};
    use jsonwebtoken::{EncodingKey, Header};
    let mut claims: Value =
        serde_json::from_slice(&BASE64_URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    edit(&mut claims);
    let pkcs8: Vec<u8> =
        sqlx::query_scalar("SELECT private_key FROM signing_keys WHERE pool_id = $1 AND token_use = 'access'")
            .bind(key_of_pool)
            .fetch_one(&fixture.app.db)
            .await
            .unwrap();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::prelude::BASE64_STANDARD.encode(pkcs8)
    );
    let kid = jsonwebtoken::decode_header(token).unwrap().kid;
    let header = Header { kid, ..Header::new(Algorithm::RS256) };
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()).unwrap()
}
