//! Identity pools through the official `aws-sdk-cognitoidentity`, beside the user-pool fixture.

use api::testing::TestApp;
use aws_sdk_cognitoidentity::{
    Client as CognitoIdentity,
    config::{BehaviorVersion, Credentials, Region},
    error::{ProvideErrorMetadata, SdkError},
    types::CognitoIdentityProvider,
};

use super::{ADMIN_KEY, ADMIN_SECRET, PoolFixture};

pub const AUTH_ROLE: &str = "arn:aws:iam::123456789012:role/ledgerline-users";
pub const GUEST_ROLE: &str = "arn:aws:iam::123456789012:role/ledgerline-guests";

/// A user pool (the [`PoolFixture`]) and an identity pool accepting its client's ID tokens, with
/// default roles for users and guests.
pub struct IdentityFixture {
    pub users: PoolFixture,
    /// Signs with the admin credentials, for `cognito-identity`.
    pub admin: CognitoIdentity,
    /// Unsigned calls, as apps make them.
    pub public: CognitoIdentity,
    pub pool_id: String,
}

impl IdentityFixture {
    pub async fn new(allow_guests: bool) -> Self {
        Self::on(PoolFixture::new().await, allow_guests).await
    }

    pub async fn on(users: PoolFixture, allow_guests: bool) -> Self {
        let admin = identity_sdk(&users.app, ADMIN_KEY, ADMIN_SECRET);
        let public = identity_sdk(&users.app, "AKIDNOTUSED", "unsigned-calls-do-not-use-it");
        let created = admin
            .create_identity_pool()
            .identity_pool_name("ledgerline identities")
            .allow_unauthenticated_identities(allow_guests)
            .cognito_identity_providers(provider(&users, false))
            .send()
            .await
            .unwrap();
        let pool_id = created.identity_pool_id().to_owned();
        admin
            .set_identity_pool_roles()
            .identity_pool_id(&pool_id)
            .roles("authenticated", AUTH_ROLE)
            .roles("unauthenticated", GUEST_ROLE)
            .send()
            .await
            .unwrap();
        Self { users, admin, public, pool_id }
    }

    /// The Logins key as SDK users write it.
    pub fn login_key(&self) -> String {
        format!("cognito-idp.us-east-1.amazonaws.com/{}", self.users.pool.id)
    }

    /// `username` signed up, confirmed and signed in: their ID token.
    pub async fn id_token(&self, username: &str) -> String {
        self.users.rest_user(username).await.id_token
    }

    /// GetId with this ID token.
    pub async fn identity_of(&self, id_token: &str) -> String {
        let out = self.public.get_id().identity_pool_id(&self.pool_id).logins(self.login_key(), id_token).send().await;
        out.unwrap().identity_id().unwrap().to_owned()
    }

    /// GetCredentialsForIdentity with this ID token (GetId first).
    pub async fn credentials(&self, id_token: &str) -> (String, aws_sdk_cognitoidentity::types::Credentials) {
        let identity = self.identity_of(id_token).await;
        let out = self
            .public
            .get_credentials_for_identity()
            .identity_id(&identity)
            .logins(self.login_key(), id_token)
            .send()
            .await
            .unwrap();
        (identity, out.credentials().unwrap().clone())
    }

    /// The role the session token of `credentials` is for, as the api reads it.
    pub async fn role_of(&self, credentials: &aws_sdk_cognitoidentity::types::Credentials) -> String {
        let (session, _) = api::identity::credentials::open(
            &self.users.app.state,
            credentials.access_key_id().unwrap(),
            credentials.session_token().unwrap(),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap()
        .unwrap();
        session.role_arn
    }
}

/// The fixture's user pool and app client as an identity provider.
pub fn provider(users: &PoolFixture, server_side_token_check: bool) -> CognitoIdentityProvider {
    CognitoIdentityProvider::builder()
        .provider_name(format!("cognito-idp.us-east-1.amazonaws.com/{}", users.pool.id))
        .client_id(&users.client.id)
        .server_side_token_check(server_side_token_check)
        .build()
}

pub fn identity_sdk(app: &TestApp, access_key_id: &str, secret: &str) -> CognitoIdentity {
    let config = aws_sdk_cognitoidentity::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(app.url("/cognito"))
        .credentials_provider(Credentials::new(access_key_id, secret, None, None, "test"))
        .build();
    CognitoIdentity::from_conf(config)
}

/// The exception name and message the SDK parsed from a failed call.
pub fn refusal<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    error: SdkError<E, R>,
) -> (String, String) {
    match error.as_service_error() {
        Some(service) => {
            (service.code().unwrap_or("<none>").to_owned(), service.message().unwrap_or_default().to_owned())
        }
        None => panic!("expected a service error, got {error:?}"),
    }
}
