//! The user-pool operations a browser client needs: each builder returns a [`Request`] (operation and JSON body)
//! for the caller to POST, and the request parses the answer into its typed response.
//!
//! Operations that name the app client are methods of [`AppClient`], which adds `SECRET_HASH` when the client
//! has a secret; those that act on a signed-in user take the access token and are free functions.

use std::{collections::HashMap, fmt, marker::PhantomData};

use miniserde::{Deserialize, Serialize, json};

use crate::{
    error::CognitoError,
    secret_hash::secret_hash,
    srp::{PasswordClaim, SrpClient},
};

/// The `Content-Type` of every request.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// `X-Amz-Target` is this followed by the operation's name.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// One call: POST [`Request::body`] to the endpoint (e.g. `https://cognito-idp.us-east-1.amazonaws.com/`) with
/// [`Request::headers`], then hand the answer to [`Request::parse_response`].
pub struct Request<Output> {
    /// The operation's name, e.g. `InitiateAuth`.
    pub operation: &'static str,
    /// The JSON body.
    pub body: String,
    output: PhantomData<fn() -> Output>,
}

impl<Output> fmt::Debug for Request<Output> {
    /// Leaves the body out: it holds passwords and tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request").field("operation", &self.operation).finish_non_exhaustive()
    }
}

impl<Output: Deserialize> Request<Output> {
    fn new(operation: &'static str, body: Body) -> Self {
        Self { operation, body: body.to_json(), output: PhantomData }
    }

    /// `X-Amz-Target`'s value: `AWSCognitoIdentityProviderService.<operation>`.
    pub fn target(&self) -> String {
        format!("{TARGET_PREFIX}{}", self.operation)
    }

    /// The two headers Cognito's JSON protocol needs: `Content-Type` and `X-Amz-Target`.
    pub fn headers(&self) -> [(&'static str, String); 2] {
        [("Content-Type", CONTENT_TYPE.to_owned()), ("X-Amz-Target", self.target())]
    }

    /// The typed answer for a 2xx `status`, else the [`CognitoError`] the answer describes. `error_type_header`
    /// is the `x-amzn-ErrorType` header's value, if any.
    pub fn parse_response(
        &self,
        status: u16,
        error_type_header: Option<&str>,
        body: &[u8],
    ) -> Result<Output, CognitoError> {
        if !(200..300).contains(&status) {
            return Err(CognitoError::from_response(status, error_type_header, body));
        }
        // Not UTF-8 reads as "", which is not JSON either.
        let text = if body.is_empty() { "{}" } else { std::str::from_utf8(body).unwrap_or_default() };
        json::from_str(text).map_err(|_| {
            // miniserde's errors carry no detail: say at least whether the answer was JSON.
            let what = match json::from_str::<json::Value>(text) {
                Ok(_) => "JSON of an unexpected shape",
                Err(_) => "something other than JSON",
            };
            CognitoError::malformed(format!("{} answered with {what}", self.operation))
        })
    }
}

/// An app client of a user pool, as requests name it. Public clients (browsers) have no secret.
#[derive(Clone)]
pub struct AppClient {
    pub client_id: String,
    pub client_secret: Option<String>,
}

impl fmt::Debug for AppClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = self.client_secret.as_ref().map(|_| "..");
        f.debug_struct("AppClient").field("client_id", &self.client_id).field("client_secret", &secret).finish()
    }
}

impl AppClient {
    /// A client without a secret, such as a single-page app's.
    pub fn public(client_id: impl Into<String>) -> Self {
        Self { client_id: client_id.into(), client_secret: None }
    }

    /// A confidential client: every request that names a user carries `SECRET_HASH`.
    pub fn with_secret(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self { client_id: client_id.into(), client_secret: Some(client_secret.into()) }
    }

    /// SignUp. With a pool that signs in by email, `username` is the email address.
    pub fn sign_up(&self, username: &str, password: &str, attributes: &[Attribute]) -> Request<SignUpResponse> {
        let body = self.naming(username).field("Password", password).value("UserAttributes", json(attributes));
        Request::new("SignUp", body)
    }

    /// ConfirmSignUp with the code that was sent to the user.
    pub fn confirm_sign_up(&self, username: &str, code: &str) -> Request<Empty> {
        Request::new("ConfirmSignUp", self.naming(username).field("ConfirmationCode", code))
    }

    pub fn resend_confirmation_code(&self, username: &str) -> Request<CodeDeliveryResponse> {
        Request::new("ResendConfirmationCode", self.naming(username))
    }

    /// InitiateAuth(USER_SRP_AUTH): the answer should be the `PASSWORD_VERIFIER` challenge, for
    /// [`SrpClient::answer`] and then [`AppClient::respond_password_verifier`].
    pub fn initiate_srp_auth(&self, username: &str, srp: &SrpClient) -> Request<AuthResponse> {
        self.initiate_auth(
            "USER_SRP_AUTH",
            username,
            Body::default().field("USERNAME", username).field("SRP_A", &srp.srp_a()),
        )
    }

    /// InitiateAuth(USER_PASSWORD_AUTH): the password goes to the server (over TLS); prefer SRP in browsers.
    pub fn initiate_password_auth(&self, username: &str, password: &str) -> Request<AuthResponse> {
        self.initiate_auth(
            "USER_PASSWORD_AUTH",
            username,
            Body::default().field("USERNAME", username).field("PASSWORD", password),
        )
    }

    /// InitiateAuth(REFRESH_TOKEN_AUTH): new ID and access tokens. `username` serves only SECRET_HASH, which
    /// Cognito computes over the user's internal username (the access token's `username` claim).
    pub fn initiate_refresh_auth(&self, refresh_token: &str, username: &str) -> Request<AuthResponse> {
        self.initiate_auth("REFRESH_TOKEN_AUTH", username, Body::default().field("REFRESH_TOKEN", refresh_token))
    }

    /// InitiateAuth(USER_AUTH) with `PREFERRED_CHALLENGE=EMAIL_OTP`: a sign-in code is mailed to the user, and
    /// the answer is the `EMAIL_OTP` challenge for [`AppClient::respond_email_otp`].
    pub fn initiate_email_otp_auth(&self, username: &str) -> Request<AuthResponse> {
        let parameters = Body::default().field("USERNAME", username).field("PREFERRED_CHALLENGE", "EMAIL_OTP");
        self.initiate_auth("USER_AUTH", username, parameters)
    }

    /// GetTokensFromRefreshToken: new ID and access tokens, and a new refresh token when the client rotates
    /// them (the one sent then stops working after the client's grace period). Takes the client secret itself,
    /// not a SECRET_HASH.
    /// It answers `AuthenticationResult` alone, read as an [`AuthResponse`] without a challenge.
    pub fn get_tokens_from_refresh_token(&self, refresh_token: &str) -> Request<AuthResponse> {
        let body = Body::default().field("RefreshToken", refresh_token).field("ClientId", &self.client_id);
        Request::new("GetTokensFromRefreshToken", body.optional("ClientSecret", self.client_secret.as_deref()))
    }

    /// RespondToAuthChallenge(PASSWORD_VERIFIER) with the claim [`SrpClient::answer`] computed. `session` is the
    /// challenge's `Session`, if it had one.
    pub fn respond_password_verifier(&self, claim: &PasswordClaim, session: Option<&str>) -> Request<AuthResponse> {
        let responses = Body::default()
            .field("USERNAME", &claim.username)
            .field("PASSWORD_CLAIM_SECRET_BLOCK", &claim.secret_block)
            .field("PASSWORD_CLAIM_SIGNATURE", &claim.signature)
            .field("TIMESTAMP", &claim.timestamp);
        self.respond_to_auth_challenge("PASSWORD_VERIFIER", &claim.username, responses, session)
    }

    /// RespondToAuthChallenge(NEW_PASSWORD_REQUIRED): a user who signed in with a temporary password chooses
    /// theirs. `username` is the challenge's `USER_ID_FOR_SRP`, `session` its `Session`.
    pub fn respond_new_password(&self, username: &str, new_password: &str, session: &str) -> Request<AuthResponse> {
        let responses = Body::default().field("USERNAME", username).field("NEW_PASSWORD", new_password);
        self.respond_to_auth_challenge("NEW_PASSWORD_REQUIRED", username, responses, Some(session))
    }

    /// RespondToAuthChallenge(SOFTWARE_TOKEN_MFA) with the code the user's authenticator app shows.
    pub fn respond_software_token_mfa(&self, username: &str, code: &str, session: &str) -> Request<AuthResponse> {
        let responses = Body::default().field("USERNAME", username).field("SOFTWARE_TOKEN_MFA_CODE", code);
        self.respond_to_auth_challenge("SOFTWARE_TOKEN_MFA", username, responses, Some(session))
    }

    /// RespondToAuthChallenge(MFA_SETUP), once an app was associated and verified with the challenge's session:
    /// `session` is [`VerifySoftwareTokenResponse::session`].
    pub fn respond_mfa_setup(&self, username: &str, session: &str) -> Request<AuthResponse> {
        let responses = Body::default().field("USERNAME", username);
        self.respond_to_auth_challenge("MFA_SETUP", username, responses, Some(session))
    }

    /// RespondToAuthChallenge(EMAIL_OTP) with the code that was mailed.
    pub fn respond_email_otp(&self, username: &str, code: &str, session: &str) -> Request<AuthResponse> {
        let responses = Body::default().field("USERNAME", username).field("EMAIL_OTP_CODE", code);
        self.respond_to_auth_challenge("EMAIL_OTP", username, responses, Some(session))
    }

    /// ForgotPassword: sends a code for [`AppClient::confirm_forgot_password`].
    pub fn forgot_password(&self, username: &str) -> Request<CodeDeliveryResponse> {
        Request::new("ForgotPassword", self.naming(username))
    }

    pub fn confirm_forgot_password(&self, username: &str, code: &str, new_password: &str) -> Request<Empty> {
        let body = self.naming(username).field("ConfirmationCode", code).field("Password", new_password);
        Request::new("ConfirmForgotPassword", body)
    }

    /// RevokeToken: the refresh token, and the tokens issued from it, stop working (Amplify's sign-out).
    pub fn revoke_token(&self, refresh_token: &str) -> Request<Empty> {
        let body = Body::default().field("ClientId", &self.client_id).field("Token", refresh_token);
        Request::new("RevokeToken", body.optional("ClientSecret", self.client_secret.as_deref()))
    }

    /// `ClientId`, `Username` and, for a client with a secret, `SecretHash`.
    fn naming(&self, username: &str) -> Body {
        let body = Body::default().field("ClientId", &self.client_id).field("Username", username);
        body.optional("SecretHash", self.secret_hash(username).as_deref())
    }

    fn initiate_auth(&self, flow: &str, username: &str, parameters: Body) -> Request<AuthResponse> {
        let parameters = parameters.optional("SECRET_HASH", self.secret_hash(username).as_deref());
        let body = Body::default().field("AuthFlow", flow).field("ClientId", &self.client_id);
        Request::new("InitiateAuth", body.value("AuthParameters", parameters.to_json()))
    }

    fn respond_to_auth_challenge(
        &self,
        challenge: &str,
        username: &str,
        responses: Body,
        session: Option<&str>,
    ) -> Request<AuthResponse> {
        let responses = responses.optional("SECRET_HASH", self.secret_hash(username).as_deref());
        let body = Body::default().field("ChallengeName", challenge).field("ClientId", &self.client_id);
        Request::new(
            "RespondToAuthChallenge",
            body.value("ChallengeResponses", responses.to_json()).optional("Session", session),
        )
    }

    fn secret_hash(&self, username: &str) -> Option<String> {
        self.client_secret.as_deref().map(|secret| secret_hash(secret, username, &self.client_id))
    }
}

/// GetUser: the signed-in user's username and attributes.
pub fn get_user(access_token: &str) -> Request<GetUserResponse> {
    Request::new("GetUser", with_token(access_token))
}

/// UpdateUserAttributes: a changed email must be verified again; the answer says where the code went.
pub fn update_user_attributes(access_token: &str, attributes: &[Attribute]) -> Request<UpdateUserAttributesResponse> {
    Request::new("UpdateUserAttributes", with_token(access_token).value("UserAttributes", json(attributes)))
}

pub fn change_password(access_token: &str, previous_password: &str, proposed_password: &str) -> Request<Empty> {
    let body = with_token(access_token).field("PreviousPassword", previous_password);
    Request::new("ChangePassword", body.field("ProposedPassword", proposed_password))
}

/// GlobalSignOut: revokes every refresh token of the user, on every device.
pub fn global_sign_out(access_token: &str) -> Request<Empty> {
    Request::new("GlobalSignOut", with_token(access_token))
}

pub fn delete_user(access_token: &str) -> Request<Empty> {
    Request::new("DeleteUser", with_token(access_token))
}

/// Who sets up an authenticator app: a signed-in user, or one in the middle of signing in to a pool that
/// requires MFA (the MFA_SETUP challenge's `Session`, then each answer's).
#[derive(Debug, Clone, Copy)]
pub enum SettingUp<'a> {
    AccessToken(&'a str),
    Session(&'a str),
}

impl SettingUp<'_> {
    fn body(self) -> Body {
        match self {
            Self::AccessToken(token) => with_token(token),
            Self::Session(session) => Body::default().field("Session", session),
        }
    }
}

/// AssociateSoftwareToken: a new secret for an authenticator app, in use once [`verify_software_token`] got a
/// right code from the app.
pub fn associate_software_token(who: SettingUp) -> Request<AssociateSoftwareTokenResponse> {
    Request::new("AssociateSoftwareToken", who.body())
}

/// VerifySoftwareToken: the code the newly set-up app shows; the app replaces any earlier one.
pub fn verify_software_token(who: SettingUp, code: &str) -> Request<VerifySoftwareTokenResponse> {
    Request::new("VerifySoftwareToken", who.body().field("UserCode", code))
}

/// SetUserMFAPreference for authenticator apps: `enabled` asks for a code at every sign-in (and makes the app
/// the preferred factor); off, the password alone signs in again (unless the pool requires MFA).
pub fn set_software_token_mfa(access_token: &str, enabled: bool) -> Request<Empty> {
    let settings = [r#"{"Enabled":"#, bool_json(enabled), r#","PreferredMfa":"#, bool_json(enabled), "}"].concat();
    Request::new("SetUserMFAPreference", with_token(access_token).value("SoftwareTokenMfaSettings", settings))
}

fn bool_json(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

fn with_token(access_token: &str) -> Body {
    Body::default().field("AccessToken", access_token)
}

fn json(attributes: &[Attribute]) -> String {
    json::to_string(attributes)
}

/// A JSON object under construction: each name with its value's JSON. Optional fields are left out
/// rather than sent as `null`.
#[derive(Default)]
struct Body(Vec<(&'static str, String)>);

impl Body {
    fn field(self, name: &'static str, value: &str) -> Self {
        self.value(name, json::to_string(value))
    }

    fn optional(self, name: &'static str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.field(name, value),
            None => self,
        }
    }

    fn value(mut self, name: &'static str, json: String) -> Self {
        self.0.push((name, json));
        self
    }

    fn to_json(&self) -> String {
        let fields: Vec<String> =
            self.0.iter().map(|(name, json)| [&json::to_string(name), ":", json].concat()).collect();
        ["{", &fields.join(","), "}"].concat()
    }
}

/// A user attribute, such as `email` or `custom:tenant`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Value")]
    pub value: String,
}

impl Attribute {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self { name: name.into(), value: value.into() }
    }
}

/// Where a code was sent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CodeDeliveryDetails {
    /// Masked, e.g. `a***@e***`.
    #[serde(rename = "Destination")]
    pub destination: Option<String>,
    /// `EMAIL` or `SMS`.
    #[serde(rename = "DeliveryMedium")]
    pub delivery_medium: Option<String>,
    #[serde(rename = "AttributeName")]
    pub attribute_name: Option<String>,
}

/// An operation that answers `{}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Empty {}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SignUpResponse {
    #[serde(rename = "UserConfirmed")]
    pub user_confirmed: bool,
    #[serde(rename = "UserSub")]
    pub user_sub: String,
    #[serde(rename = "CodeDeliveryDetails")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
}

/// ResendConfirmationCode's and ForgotPassword's answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CodeDeliveryResponse {
    #[serde(rename = "CodeDeliveryDetails")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
}

/// InitiateAuth's and RespondToAuthChallenge's answer: tokens, or a challenge to answer next.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuthResponse {
    #[serde(rename = "AuthenticationResult")]
    pub authentication_result: Option<AuthenticationResult>,
    /// `PASSWORD_VERIFIER`, `NEW_PASSWORD_REQUIRED`, ...
    #[serde(rename = "ChallengeName")]
    pub challenge_name: Option<String>,
    /// Absent when Cognito leaves it out, as it may with tokens.
    #[serde(rename = "ChallengeParameters")]
    pub challenge_parameters: Option<HashMap<String, String>>,
    #[serde(rename = "Session")]
    pub session: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuthenticationResult {
    #[serde(rename = "AccessToken")]
    pub access_token: String,
    #[serde(rename = "IdToken")]
    pub id_token: String,
    /// Absent from a refresh's answer unless the pool rotates refresh tokens.
    #[serde(rename = "RefreshToken")]
    pub refresh_token: Option<String>,
    /// Seconds the access and ID tokens live.
    #[serde(rename = "ExpiresIn")]
    pub expires_in: u64,
    /// `Bearer`.
    #[serde(rename = "TokenType")]
    pub token_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GetUserResponse {
    #[serde(rename = "Username")]
    pub username: String,
    #[serde(rename = "UserAttributes")]
    pub user_attributes: Option<Vec<Attribute>>,
    /// The second factors in use, e.g. `SOFTWARE_TOKEN_MFA`.
    #[serde(rename = "UserMFASettingList")]
    pub user_mfa_setting_list: Option<Vec<String>>,
    #[serde(rename = "PreferredMfaSetting")]
    pub preferred_mfa_setting: Option<String>,
}

impl GetUserResponse {
    /// Whether sign-in asks this user for an authenticator app's code.
    pub fn has_software_token_mfa(&self) -> bool {
        self.user_mfa_setting_list.iter().flatten().any(|setting| setting == "SOFTWARE_TOKEN_MFA")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AssociateSoftwareTokenResponse {
    /// The app's secret, base32, as authenticator apps take it.
    #[serde(rename = "SecretCode")]
    pub secret_code: String,
    /// The next step's session, when setting up during sign-in.
    #[serde(rename = "Session")]
    pub session: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VerifySoftwareTokenResponse {
    /// `SUCCESS` (a wrong code is an EnableSoftwareTokenMFAException).
    #[serde(rename = "Status")]
    pub status: Option<String>,
    /// For RespondToAuthChallenge(MFA_SETUP), when setting up during sign-in.
    #[serde(rename = "Session")]
    pub session: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UpdateUserAttributesResponse {
    #[serde(rename = "CodeDeliveryDetailsList")]
    pub code_delivery_details_list: Option<Vec<CodeDeliveryDetails>>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const CLIENT_ID: &str = "ledgerlinebackend000000001";
    const SECRET: &str = "local-development-secret-do-not-deploy-0000000000";
    /// secret_hash(SECRET, "alice@example.com", CLIENT_ID), as in secret_hash.rs's tests.
    const ALICE_HASH: &str = "7P0fm3pOlGsQvkiRawzW70tGldx+TdsHR7TF6wqt3U4=";

    fn body<T>(request: &Request<T>) -> serde_json::Value {
        serde_json::from_str(&request.body).unwrap()
    }

    #[test]
    fn requests_name_their_target_and_content_type() {
        let request = get_user("token");
        assert_eq!(request.operation, "GetUser");
        assert_eq!(
            request.headers(),
            [
                ("Content-Type", "application/x-amz-json-1.1".to_owned()),
                ("X-Amz-Target", "AWSCognitoIdentityProviderService.GetUser".to_owned())
            ]
        );
        assert_eq!(body(&request), json!({"AccessToken": "token"}));
        assert_eq!(format!("{request:?}"), r#"Request { operation: "GetUser", .. }"#);
    }

    #[test]
    fn a_public_client_sends_no_secret_hash() {
        let client = AppClient::public("spa");
        let request =
            client.sign_up("alice@example.com", "Pass-word-1", &[Attribute::new("email", "alice@example.com")]);
        assert_eq!(
            body(&request),
            json!({
                "ClientId": "spa",
                "Username": "alice@example.com",
                "Password": "Pass-word-1",
                "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}],
            })
        );
        assert_eq!(
            body(&client.initiate_password_auth("alice@example.com", "Pass-word-1")),
            json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": "spa",
                "AuthParameters": {"USERNAME": "alice@example.com", "PASSWORD": "Pass-word-1"},
            })
        );
    }

    #[test]
    fn a_confidential_client_adds_its_secret_hash_where_each_operation_wants_it() {
        let client = AppClient::with_secret(CLIENT_ID, SECRET);
        let alice = "alice@example.com";
        assert_eq!(body(&client.confirm_sign_up(alice, "123456"))["SecretHash"], ALICE_HASH);
        assert_eq!(body(&client.forgot_password(alice))["SecretHash"], ALICE_HASH);
        assert_eq!(body(&client.initiate_password_auth(alice, "pw"))["AuthParameters"]["SECRET_HASH"], ALICE_HASH);
        assert_eq!(body(&client.initiate_refresh_auth("opaque", alice))["AuthParameters"]["SECRET_HASH"], ALICE_HASH);
        let new_password = client.respond_new_password(alice, "New-pass-1", "session");
        assert_eq!(
            body(&new_password),
            json!({
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "ClientId": CLIENT_ID,
                "ChallengeResponses": {"USERNAME": alice, "NEW_PASSWORD": "New-pass-1", "SECRET_HASH": ALICE_HASH},
                "Session": "session",
            })
        );
        assert_eq!(
            body(&client.revoke_token("opaque")),
            json!({"ClientId": CLIENT_ID, "Token": "opaque", "ClientSecret": SECRET})
        );
        assert!(!format!("{client:?}").contains(SECRET));
    }

    #[test]
    fn srp_requests_carry_a_and_then_the_claim() {
        let (client, srp) = (AppClient::public("spa"), SrpClient::new("us-east-1_Pool").unwrap());
        let initiate = body(&client.initiate_srp_auth("alice", &srp));
        assert_eq!(initiate["AuthFlow"], "USER_SRP_AUTH");
        assert_eq!(initiate["AuthParameters"], json!({"USERNAME": "alice", "SRP_A": srp.srp_a()}));
        let claim = PasswordClaim {
            username: "0a8f2e4c".into(),
            secret_block: "YmxvY2s=".into(),
            timestamp: "Tue Mar 3 09:05:07 UTC 2026".into(),
            signature: "c2ln".into(),
        };
        assert_eq!(
            body(&client.respond_password_verifier(&claim, None)),
            json!({
                "ChallengeName": "PASSWORD_VERIFIER",
                "ClientId": "spa",
                "ChallengeResponses": {
                    "USERNAME": "0a8f2e4c",
                    "PASSWORD_CLAIM_SECRET_BLOCK": "YmxvY2s=",
                    "PASSWORD_CLAIM_SIGNATURE": "c2ln",
                    "TIMESTAMP": "Tue Mar 3 09:05:07 UTC 2026",
                },
            })
        );
    }

    #[test]
    fn token_operations_carry_the_access_token() {
        let attributes = [Attribute::new("custom:tenant", "acme")];
        assert_eq!(
            body(&update_user_attributes("t", &attributes)),
            json!({"AccessToken": "t", "UserAttributes": [{"Name": "custom:tenant", "Value": "acme"}]})
        );
        assert_eq!(
            body(&change_password("t", "Old-pass-1", "New-pass-1")),
            json!({"AccessToken": "t", "PreviousPassword": "Old-pass-1", "ProposedPassword": "New-pass-1"})
        );
        assert_eq!(
            (global_sign_out("t").operation, body(&delete_user("t"))),
            ("GlobalSignOut", json!({"AccessToken": "t"}))
        );
    }

    #[test]
    fn refreshing_with_get_tokens_from_refresh_token_sends_the_secret_itself() {
        let public = AppClient::public("spa").get_tokens_from_refresh_token("opaque");
        assert_eq!(public.operation, "GetTokensFromRefreshToken");
        assert_eq!(body(&public), json!({"RefreshToken": "opaque", "ClientId": "spa"}));
        let confidential = AppClient::with_secret(CLIENT_ID, SECRET).get_tokens_from_refresh_token("opaque");
        assert_eq!(
            body(&confidential),
            json!({"RefreshToken": "opaque", "ClientId": CLIENT_ID, "ClientSecret": SECRET})
        );
        let rotated = public
            .parse_response(
                200,
                None,
                br#"{"AuthenticationResult":{"AccessToken":"a","IdToken":"i","RefreshToken":"r2","ExpiresIn":3600,"TokenType":"Bearer"}}"#,
            )
            .unwrap();
        assert_eq!(rotated.authentication_result.unwrap().refresh_token.as_deref(), Some("r2"));
        let reused = public
            .parse_response(
                400,
                Some("RefreshTokenReuseException:"),
                br#"{"message":"Refresh token has already been used."}"#,
            )
            .unwrap_err();
        assert_eq!(reused.kind, crate::ErrorKind::RefreshTokenReuseException);
    }

    #[test]
    fn mfa_challenges_are_answered_with_the_apps_code_or_after_setting_it_up() {
        let client = AppClient::with_secret(CLIENT_ID, SECRET);
        let alice = "alice@example.com";
        assert_eq!(
            body(&client.respond_software_token_mfa(alice, "123456", "s")),
            json!({
                "ChallengeName": "SOFTWARE_TOKEN_MFA",
                "ClientId": CLIENT_ID,
                "ChallengeResponses": {"USERNAME": alice, "SOFTWARE_TOKEN_MFA_CODE": "123456", "SECRET_HASH": ALICE_HASH},
                "Session": "s",
            })
        );
        assert_eq!(
            body(&AppClient::public("spa").respond_mfa_setup(alice, "verified")),
            json!({
                "ChallengeName": "MFA_SETUP",
                "ClientId": "spa",
                "ChallengeResponses": {"USERNAME": alice},
                "Session": "verified",
            })
        );
    }

    #[test]
    fn an_authenticator_app_is_set_up_with_an_access_token_or_a_sign_in_session() {
        let signed_in = associate_software_token(SettingUp::AccessToken("t"));
        assert_eq!((signed_in.operation, body(&signed_in)), ("AssociateSoftwareToken", json!({"AccessToken": "t"})));
        let signing_in = associate_software_token(SettingUp::Session("s1"));
        assert_eq!(body(&signing_in), json!({"Session": "s1"}));
        let associated =
            signing_in.parse_response(200, None, br#"{"SecretCode":"JBSWY3DPEHPK3PXP","Session":"s2"}"#).unwrap();
        assert_eq!((associated.secret_code.as_str(), associated.session.as_deref()), ("JBSWY3DPEHPK3PXP", Some("s2")));

        let verify = verify_software_token(SettingUp::Session("s2"), "123456");
        assert_eq!(
            (verify.operation, body(&verify)),
            ("VerifySoftwareToken", json!({"Session": "s2", "UserCode": "123456"}))
        );
        assert_eq!(
            body(&verify_software_token(SettingUp::AccessToken("t"), "1")),
            json!({"AccessToken": "t", "UserCode": "1"})
        );
        let verified = verify.parse_response(200, None, br#"{"Status":"SUCCESS","Session":"s3"}"#).unwrap();
        assert_eq!((verified.status.as_deref(), verified.session.as_deref()), (Some("SUCCESS"), Some("s3")));
        let wrong = verify
            .parse_response(400, Some("EnableSoftwareTokenMFAException:"), br#"{"message":"Code mismatch"}"#)
            .unwrap_err();
        assert_eq!(wrong.kind, crate::ErrorKind::EnableSoftwareTokenMFAException);

        let on = set_software_token_mfa("t", true);
        assert_eq!(
            (on.operation, body(&on)),
            (
                "SetUserMFAPreference",
                json!({"AccessToken": "t", "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}})
            )
        );
        assert_eq!(
            body(&set_software_token_mfa("t", false))["SoftwareTokenMfaSettings"],
            json!({"Enabled": false, "PreferredMfa": false})
        );
    }

    #[test]
    fn a_sign_in_by_emailed_code_prefers_the_email_otp_challenge() {
        let client = AppClient::public("spa");
        assert_eq!(
            body(&client.initiate_email_otp_auth("alice@example.com")),
            json!({
                "AuthFlow": "USER_AUTH",
                "ClientId": "spa",
                "AuthParameters": {"USERNAME": "alice@example.com", "PREFERRED_CHALLENGE": "EMAIL_OTP"},
            })
        );
        assert_eq!(
            body(&client.respond_email_otp("alice@example.com", "654321", "s")),
            json!({
                "ChallengeName": "EMAIL_OTP",
                "ClientId": "spa",
                "ChallengeResponses": {"USERNAME": "alice@example.com", "EMAIL_OTP_CODE": "654321"},
                "Session": "s",
            })
        );
    }

    #[test]
    fn parses_tokens_and_challenges() {
        let request = AppClient::public("spa").initiate_password_auth("alice", "pw");
        let signed_in = request
            .parse_response(
                200,
                None,
                br#"{"AuthenticationResult":{"AccessToken":"a","IdToken":"i","RefreshToken":"r","ExpiresIn":3600,"TokenType":"Bearer"},"ChallengeParameters":{}}"#,
            )
            .unwrap();
        let tokens = signed_in.authentication_result.unwrap();
        assert_eq!(
            (tokens.access_token.as_str(), tokens.refresh_token.as_deref(), tokens.expires_in),
            ("a", Some("r"), 3600)
        );

        let challenged = request
            .parse_response(
                200,
                None,
                br#"{"ChallengeName":"NEW_PASSWORD_REQUIRED","Session":"s","ChallengeParameters":{"USER_ID_FOR_SRP":"alice"}}"#,
            )
            .unwrap();
        assert_eq!(challenged.authentication_result, None);
        assert_eq!(
            (challenged.challenge_name.as_deref(), challenged.session.as_deref()),
            (Some("NEW_PASSWORD_REQUIRED"), Some("s"))
        );
        assert_eq!(challenged.challenge_parameters.unwrap()["USER_ID_FOR_SRP"], "alice");
    }

    #[test]
    fn parses_users_and_code_deliveries() {
        let user = get_user("t")
            .parse_response(200, None, br#"{"Username":"u-1","UserAttributes":[{"Name":"email","Value":"a@b.c"}]}"#)
            .unwrap();
        assert!(!user.has_software_token_mfa());
        assert_eq!(
            (user.username.as_str(), user.user_attributes),
            ("u-1", Some(vec![Attribute::new("email", "a@b.c")]))
        );
        let with_app = get_user("t")
            .parse_response(
                200,
                None,
                br#"{"Username":"u-1","UserMFASettingList":["SOFTWARE_TOKEN_MFA"],"PreferredMfaSetting":"SOFTWARE_TOKEN_MFA"}"#,
            )
            .unwrap();
        assert!(with_app.has_software_token_mfa());
        assert_eq!(with_app.preferred_mfa_setting.as_deref(), Some("SOFTWARE_TOKEN_MFA"));
        let signed_up = AppClient::public("spa")
            .sign_up("a@b.c", "pw", &[])
            .parse_response(
                200,
                None,
                br#"{"UserConfirmed":false,"UserSub":"s-1","CodeDeliveryDetails":{"Destination":"a***@b***","DeliveryMedium":"EMAIL","AttributeName":"email"}}"#,
            )
            .unwrap();
        let delivery = signed_up.code_delivery_details.unwrap();
        assert_eq!((signed_up.user_sub.as_str(), delivery.delivery_medium.as_deref()), ("s-1", Some("EMAIL")));
        let updated = update_user_attributes("t", &[]).parse_response(200, None, b"{}").unwrap();
        assert_eq!(updated.code_delivery_details_list, None);
    }

    #[test]
    fn an_empty_answer_is_empty_and_an_unexpected_or_foreign_one_is_malformed() {
        assert_eq!(global_sign_out("t").parse_response(200, None, b""), Ok(Empty {}));
        let malformed = get_user("t").parse_response(200, None, br#"{"UserAttributes":[]}"#).unwrap_err();
        assert_eq!(malformed.kind, crate::ErrorKind::MalformedResponse);
        assert_eq!(malformed.message, "GetUser answered with JSON of an unexpected shape");
        let not_json = get_user("t").parse_response(200, None, b"<html>Bad gateway</html>").unwrap_err();
        assert_eq!(
            (not_json.kind, not_json.message.as_str()),
            (crate::ErrorKind::MalformedResponse, "GetUser answered with something other than JSON")
        );
    }

    #[test]
    fn error_answers_become_cognito_errors() {
        let refused = AppClient::public("spa")
            .initiate_password_auth("alice", "wrong")
            .parse_response(
                400,
                Some("NotAuthorizedException:"),
                br#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#,
            )
            .unwrap_err();
        assert_eq!(refused.kind, crate::ErrorKind::NotAuthorizedException);
        assert_eq!(refused.message, "Incorrect username or password.");
    }
}
