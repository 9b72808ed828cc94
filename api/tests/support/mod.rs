//! Test support for the Cognito tests: a pool with its clients made through the domain code, the
//! official AWS SDK pointed at the in-process api, and the codes the outbox would have mailed.

#![allow(dead_code)] // each test binary uses its own part of this module

use api::{
    cognito::pools::{self, Client, NewClient, NewPool, Pool},
    testing::TestApp,
};
use aws_sdk_cognitoidentityprovider::{
    Client as Cognito,
    config::{BehaviorVersion, Credentials, Region},
    error::ProvideErrorMetadata,
};

pub const PASSWORD: &str = "Correct-horse-1";

pub struct PoolFixture {
    pub app: TestApp,
    pub pool: Pool,
    /// A public client (no secret) allowing password, SRP and refresh flows.
    pub client: Client,
    pub sdk: Cognito,
}

impl PoolFixture {
    pub async fn new() -> Self {
        Self::with_pool(NewPool::default()).await
    }

    pub async fn with_pool(new: NewPool) -> Self {
        let app = TestApp::spawn().await;
        let new = NewPool { region: "us-east-1".into(), name: "test-pool".into(), ..new };
        let pool = pools::create_pool(&app.db, &new).await.unwrap();
        let client = pools::create_client(
            &app.db,
            &pool.id,
            &NewClient {
                name: "web".into(),
                explicit_auth_flows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
                    .map(String::from)
                    .to_vec(),
                ..NewClient::default()
            },
        )
        .await
        .unwrap();
        let sdk = sdk(&app);
        Self { app, pool, client, sdk }
    }

    pub async fn client_with(&self, new: NewClient) -> Client {
        pools::create_client(&self.app.db, &self.pool.id, &new).await.unwrap()
    }

    /// The code in the newest message to `username`, as the person would read it in their email.
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

    /// Signs `username` up with an email and confirms them with the mailed code.
    pub async fn confirmed_user(&self, username: &str) {
        self.sdk
            .sign_up()
            .client_id(&self.client.id)
            .username(username)
            .password(PASSWORD)
            .user_attributes(attribute("email", &format!("{username}@example.com")))
            .send()
            .await
            .unwrap();
        let code = self.last_code(username).await;
        self.sdk
            .confirm_sign_up()
            .client_id(&self.client.id)
            .username(username)
            .confirmation_code(code)
            .send()
            .await
            .unwrap();
    }
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
