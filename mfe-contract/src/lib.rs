//! The contract between the shell (host) and each micro-frontend (guest).
//!
//! Only JavaScript values cross the boundary at run time: each micro-frontend is its own wasm module
//! with its own memory and Leptos runtime. This crate fixes, at compile time, the names and shapes
//! both sides use. The guest side lives in `mfe-guest`, the host side in `mfe-host`.
//!
//! A micro-frontend named `accounts`:
//! - is built to `<base>/` with a [`Manifest`] at `<base>/manifest.json`;
//! - defines the custom element `<mfe-accounts>` once its module has loaded;
//! - reads the JS properties [`props::SESSION`] and [`props::PATH`] that the shell sets on it;
//! - signals upwards with bubbling, composed DOM events named in [`events`] (the sub-path it wants
//!   the URL to show goes up as [`events::NAVIGATE`]).

mod config_file;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The custom element a micro-frontend defines: `mfe-<name>`.
pub fn element_name(mfe: &str) -> String {
    format!("mfe-{mfe}")
}

/// JS properties the shell sets on a micro-frontend's element.
pub mod props {
    /// The signed-in [`Session`](super::Session), or `null`.
    pub const SESSION: &str = "session";
    /// The part of the URL below the micro-frontend's route, with the URL's query, e.g. `/42` for
    /// `/accounts/42` and `/?status=PENDING` for `/payments?status=PENDING`.
    pub const PATH: &str = "path";
    /// A function `({ method, url, headers, body, refused? }) => Promise<object | null>` resolving to
    /// the headers that authenticate that api request, fresh each time: `{ Authorization: "Bearer
    /// <access token>" }` for an api authorized by the user pool (`cognito`), SigV4 headers
    /// (`Authorization`, `X-Amz-Date`, `X-Amz-Security-Token`) for one authorized by IAM (`iam`, see
    /// [`RuntimeConfig::api_authorization`](super::RuntimeConfig::api_authorization)). `headers` are
    /// the `[[name, value]]` the request will carry besides these, `body` its text (or `null`): a
    /// signature covers both. The shell refreshes the session and the credentials behind it, so a
    /// micro-frontend never holds a token or a credential. It rejects when nobody is signed in.
    ///
    /// When the api refused the request with a gateway error (403 with `x-amzn-ErrorType`), the
    /// micro-frontend asks again with `refused: { errorType, message, date }` (the response's
    /// `x-amzn-ErrorType`, its body's message and its `Date`): the shell corrects its clock or renews
    /// the credentials and resolves to the headers to retry with, or to `null` when a retry would not
    /// help. Credentials refused again end the session (the promise rejects).
    pub const AUTH_HEADERS: &str = "authHeaders";
    /// Where the api is reached from the browser, as in `/config.json`, e.g. `https://api.example`.
    pub const API_BASE_URL: &str = "apiBaseUrl";
}

/// DOM events a micro-frontend dispatches to the shell (bubbling, composed `CustomEvent`s).
pub mod events {
    /// The person asked to sign out (or the micro-frontend found the session no longer valid).
    pub const SIGN_OUT: &str = "mfe-sign-out";
    /// The micro-frontend wants the URL below its route to become `detail` (a string such as `/42`,
    /// `?status=PENDING` for its home with a query, or `""` for its home), e.g. because the person
    /// selected something. The shell owns the URL:
    /// it navigates and hands the new sub-path back through [`props::PATH`](super::props::PATH).
    pub const NAVIGATE: &str = "mfe-navigate";
    /// The person's organisations changed (one created, joined, renamed or left): the shell reads
    /// them again. `detail` is the id of the one to work in from now on, or `null` to keep the
    /// current one (if the person is still in it). The shell owns the choice: the micro-frontends
    /// get it back in the session's [`tenant`](super::Session::tenant).
    pub const ORGANISATIONS: &str = "mfe-organisations";
}

/// Written next to each micro-frontend's build: which hashed files to load. Served with
/// `Cache-Control: no-cache`, so a micro-frontend deploys without rebuilding the shell. Written with
/// serde (by `cargo xtask`), read with miniserde (in the shell's wasm, for size).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct Manifest {
    pub name: String,
    /// The wasm-bindgen JS module, relative to the manifest.
    pub js: String,
    /// The wasm binary, relative to the manifest.
    pub wasm: String,
}

impl Manifest {
    pub const FILE_NAME: &str = "manifest.json";
}

/// The session as micro-frontends see it: who is signed in, never their tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The name shown for the person: their email address when the pool signs in by email.
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The Cognito groups the person is in (`cognito:groups`), e.g. `Admin`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The organisation the person works in, chosen in the shell's switcher; absent until the shell
    /// has read the person's organisations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Tenant>,
}

/// An organisation (the api's tenant) and the person's role in it: an item of `GET /v1/tenants`
/// (the shell reads that list with miniserde, which skips the other fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// A member's role in an organisation, from least to most, as the api names them
/// (`docs/organisations.md`; the api's own type also maps them to its database).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, miniserde::Deserialize)]
pub enum Role {
    #[serde(rename = "viewer")]
    Viewer,
    #[serde(rename = "member")]
    Member,
    #[serde(rename = "admin")]
    Admin,
    #[serde(rename = "owner")]
    Owner,
}

impl Role {
    pub const ALL: [Self; 4] = [Self::Viewer, Self::Member, Self::Admin, Self::Owner];

    pub fn name(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Member => "member",
            Self::Admin => "admin",
            Self::Owner => "owner",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.name() == name)
    }

    /// Viewers only read; members and above change accounts (and payments).
    pub fn writes(self) -> bool {
        self >= Self::Member
    }

    /// The roles someone with this one may grant, change or take away in others: owners all,
    /// admins those below admin, the others none.
    pub fn manages(self, role: Self) -> bool {
        match self {
            Self::Owner => true,
            Self::Admin => role < Self::Admin,
            Self::Member | Self::Viewer => false,
        }
    }
}

impl Session {
    pub const ADMIN_GROUP: &str = "Admin";

    pub fn is_admin(&self) -> bool {
        self.groups.iter().any(|group| group == Self::ADMIN_GROUP)
    }
}

/// The shell's runtime configuration, fetched from `/config.json` at start, so one build runs
/// against any backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeConfig {
    /// Where the api is reached from the browser.
    pub api_base_url: String,
    /// Micro-frontend name to the URL of its build directory (ending in `/`).
    pub micro_frontends: BTreeMap<String, String>,
    /// The user pool the shell signs people in to; absent when none is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cognito: Option<CognitoSettings>,
    /// Development only: where the api lists the messages (codes) it sent, `<devMailbox>?to=<email>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev_mailbox: Option<String>,
    /// The identity pool whose AWS credentials sign the calls to `iam` apis; absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_pool: Option<IdentityPoolSettings>,
    /// How each api below `apiBaseUrl` is authorized, by its path (`/v1`, `/graphql`): an api not
    /// listed takes the user pool's access token.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub api_authorization: BTreeMap<String, ApiAuthorization>,
}

impl RuntimeConfig {
    /// How the api request to `url` is authorized: by the longest listed path it is below.
    pub fn authorization_of(&self, url: &str) -> ApiAuthorization {
        let Some(path) = url.strip_prefix(self.api_base_url.as_str()) else { return ApiAuthorization::Cognito };
        self.api_authorization
            .iter()
            .filter(|(api, _)| {
                path.strip_prefix(api.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
            })
            .max_by_key(|(api, _)| api.len())
            .map_or(ApiAuthorization::Cognito, |(_, authorization)| *authorization)
    }
}

/// How an api authorizes its callers, as API Gateway's authorizers do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub enum ApiAuthorization {
    /// `Authorization: Bearer <access token>` of the user pool (a Cognito authorizer).
    #[default]
    #[serde(rename = "cognito")]
    Cognito,
    /// SigV4 for `execute-api` with the identity pool's credentials (AWS_IAM).
    #[serde(rename = "iam")]
    Iam,
}

/// A Cognito identity pool: the shell trades the ID token for AWS credentials there (GetId,
/// GetCredentialsForIdentity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityPoolSettings {
    /// `<region>:<uuid>`; the region is also the one api requests are signed for.
    pub id: String,
    /// Cognito Identity's endpoint; absent for AWS's own, `https://cognito-identity.<region>.amazonaws.com/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

impl IdentityPoolSettings {
    pub fn region(&self) -> &str {
        self.id.split(':').next().unwrap_or_default()
    }

    pub fn endpoint(&self) -> String {
        self.endpoint.clone().unwrap_or_else(|| format!("https://cognito-identity.{}.amazonaws.com/", self.region()))
    }
}

/// Where the shell finds its Cognito user pool: ours, or real AWS Cognito (its endpoint is then
/// `https://cognito-idp.<region>.amazonaws.com/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CognitoSettings {
    pub region: String,
    pub user_pool_id: String,
    pub user_pool_client_id: String,
    pub endpoint: String,
    /// How the shell signs people in; SRP unless the client only allows passwords.
    #[serde(default)]
    pub auth_flow: AuthFlow,
    /// The pool's password rules, shown and checked as the person types (the server checks again).
    #[serde(default)]
    pub password_policy: PasswordPolicy,
    /// The pool's MfaConfiguration: with OPTIONAL the profile offers to set up an authenticator app;
    /// with ON sign-in has the person set one up if they have none.
    #[serde(default)]
    pub mfa_configuration: MfaConfiguration,
    /// Whether the shell offers sign-in by emailed code: the pool's `SignInPolicy` allows `EMAIL_OTP`, its
    /// client `ALLOW_USER_AUTH`, and MFA is not required (Cognito does not offer the code then).
    #[serde(default)]
    pub email_otp: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub enum AuthFlow {
    /// The password never leaves the browser.
    #[default]
    #[serde(rename = "USER_SRP_AUTH")]
    UserSrpAuth,
    #[serde(rename = "USER_PASSWORD_AUTH")]
    UserPasswordAuth,
}

/// A pool's password policy, as Cognito's `PasswordPolicyType`; the default is a new pool's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PasswordPolicy {
    pub minimum_length: u32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
        }
    }
}

impl PasswordPolicy {
    /// The rules this policy requires, in the order Cognito checks them (and names the first broken).
    pub fn rules(&self) -> Vec<PasswordRule> {
        let optional = [
            (self.require_lowercase, PasswordRule::Lowercase),
            (self.require_uppercase, PasswordRule::Uppercase),
            (self.require_numbers, PasswordRule::Number),
            (self.require_symbols, PasswordRule::Symbol),
        ];
        let required = optional.into_iter().filter(|(required, _)| *required).map(|(_, rule)| rule);
        std::iter::once(PasswordRule::MinimumLength(self.minimum_length)).chain(required).collect()
    }

    /// The first rule `password` breaks, if any: what the server refuses it for.
    pub fn first_broken(&self, password: &str) -> Option<PasswordRule> {
        self.rules().into_iter().find(|rule| !rule.is_kept_by(password))
    }
}

/// One rule of a [`PasswordPolicy`]. The api enforces these and the shell shows them as the person
/// types, so both sides agree on what a valid password is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRule {
    MinimumLength(u32),
    Lowercase,
    Uppercase,
    Number,
    /// One of Cognito's symbols: ASCII punctuation or the space.
    Symbol,
}

impl PasswordRule {
    pub fn is_kept_by(self, password: &str) -> bool {
        let has = |test: fn(&char) -> bool| password.chars().any(|c| test(&c));
        match self {
            Self::MinimumLength(length) => password.chars().count() >= length as usize,
            Self::Lowercase => has(|c| c.is_lowercase()),
            Self::Uppercase => has(|c| c.is_uppercase()),
            Self::Number => has(char::is_ascii_digit),
            Self::Symbol => has(|c| c.is_ascii_punctuation() || *c == ' '),
        }
    }
}

impl RuntimeConfig {
    pub const PATH: &str = "/config.json";
}

/// A pool's MfaConfiguration; the second factor is an authenticator app (TOTP).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub enum MfaConfiguration {
    #[default]
    #[serde(rename = "OFF")]
    Off,
    /// Each person chooses.
    #[serde(rename = "OPTIONAL")]
    Optional,
    /// Required of everyone.
    #[serde(rename = "ON")]
    On,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_config_wire_shape_is_camel_case() {
        let config = RuntimeConfig {
            api_base_url: "http://127.0.0.1:3000".into(),
            micro_frontends: [("accounts".into(), "/mfe/accounts/".into())].into(),
            cognito: None,
            dev_mailbox: None,
            identity_pool: None,
            api_authorization: BTreeMap::new(),
        };
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(json, r#"{"apiBaseUrl":"http://127.0.0.1:3000","microFrontends":{"accounts":"/mfe/accounts/"}}"#);
    }

    #[test]
    fn cognito_settings_without_the_newer_fields_still_parse() {
        let json =
            r#"{"region":"us-east-1","userPoolId":"us-east-1_Abc","userPoolClientId":"c","endpoint":"https://e/"}"#;
        let settings: CognitoSettings = serde_json::from_str(json).unwrap();
        assert_eq!(settings.auth_flow, AuthFlow::UserSrpAuth);
        assert_eq!(settings.password_policy, PasswordPolicy::default());
        let json =
            r#"{"region":"r","userPoolId":"p","userPoolClientId":"c","endpoint":"e","authFlow":"USER_PASSWORD_AUTH"}"#;
        assert_eq!(serde_json::from_str::<CognitoSettings>(json).unwrap().auth_flow, AuthFlow::UserPasswordAuth);
    }

    #[test]
    fn the_password_policy_names_its_rules_in_cognitos_order() {
        let policy = PasswordPolicy { require_symbols: false, ..PasswordPolicy::default() };
        use PasswordRule::*;
        assert_eq!(policy.rules(), [MinimumLength(8), Lowercase, Uppercase, Number]);
        assert_eq!(PasswordPolicy::default().rules().len(), 5);
        assert_eq!(policy.first_broken(""), Some(MinimumLength(8)));
        assert_eq!(policy.first_broken("Correct-horse-1"), None);
        assert_eq!(policy.first_broken("lowercase1"), Some(Uppercase));
        assert_eq!(policy.first_broken("ABCDEFG1"), Some(Lowercase));
        assert_eq!(policy.first_broken("Abcdefgh"), Some(Number));
    }

    #[test]
    fn symbols_are_cognitos() {
        // Cognito's documented set for RequireSymbols.
        let cognito = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";
        assert!(cognito.chars().all(|c| PasswordRule::Symbol.is_kept_by(&c.to_string())));
        let kept = (0..=0x7f_u8).map(char::from).filter(|c| PasswordRule::Symbol.is_kept_by(&c.to_string()));
        assert_eq!(kept.count(), cognito.len());
        assert!(!PasswordRule::Symbol.is_kept_by("Abc123é"));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(PasswordRule::MinimumLength(3).is_kept_by("ééé"));
        assert!(!PasswordRule::MinimumLength(4).is_kept_by("ééé"));
    }

    #[test]
    fn admins_are_in_the_admin_group() {
        let session = Session { username: "a".into(), groups: vec!["Admin".into()], ..Session::default() };
        assert!(session.is_admin());
        assert!(!Session::default().is_admin());
    }

    #[test]
    fn roles_read_as_the_api_writes_them_and_manage_those_below() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.name()), Some(role));
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{}\"", role.name()));
        }
        assert_eq!(Role::parse("Owner"), None);
        let managed = |by: Role| Role::ALL.into_iter().filter(|role| by.manages(*role)).collect::<Vec<_>>();
        assert_eq!(managed(Role::Owner), Role::ALL);
        assert_eq!(managed(Role::Admin), [Role::Viewer, Role::Member]);
        assert!(managed(Role::Member).is_empty());
        assert_eq!(Role::ALL.map(Role::writes), [false, true, true, true]);
    }

    #[test]
    fn the_apis_list_of_organisations_reads_as_tenants() {
        let json =
            r#"[{"id":"t-1","name":"Acme","role":"viewer","personal":false,"createdAt":"2026-12-05T10:00:00Z"}]"#;
        let tenants: Vec<Tenant> = miniserde::json::from_str(json).unwrap();
        assert_eq!(tenants, [Tenant { id: "t-1".into(), name: "Acme".into(), role: Role::Viewer }]);
    }

    #[test]
    fn each_api_is_authorized_as_its_longest_listed_path_says() {
        let config = RuntimeConfig {
            api_base_url: "https://api.example".into(),
            micro_frontends: BTreeMap::new(),
            cognito: None,
            dev_mailbox: None,
            identity_pool: None,
            api_authorization: [
                ("/v1".into(), ApiAuthorization::Iam),
                ("/v1/public".into(), ApiAuthorization::Cognito),
            ]
            .into(),
        };
        let of = |url: &str| config.authorization_of(url);
        assert_eq!(of("https://api.example/v1/accounts?limit=2"), ApiAuthorization::Iam);
        assert_eq!(of("https://api.example/v1"), ApiAuthorization::Iam);
        assert_eq!(of("https://api.example/v1?x=1"), ApiAuthorization::Iam);
        assert_eq!(of("https://api.example/v1/public/x"), ApiAuthorization::Cognito);
        assert_eq!(of("https://api.example/v10/x"), ApiAuthorization::Cognito, "a path, not a prefix of a name");
        assert_eq!(of("https://api.example/graphql"), ApiAuthorization::Cognito, "not listed");
        assert_eq!(of("https://elsewhere.example/v1/x"), ApiAuthorization::Cognito, "not this api");
    }

    #[test]
    fn an_identity_pool_without_an_endpoint_is_aws_own() {
        let pool = IdentityPoolSettings { id: "eu-west-1:1ed9e5d1-0000-4000-8000-00000000de01".into(), endpoint: None };
        assert_eq!(pool.region(), "eu-west-1");
        assert_eq!(pool.endpoint(), "https://cognito-identity.eu-west-1.amazonaws.com/");
        let local = IdentityPoolSettings { endpoint: Some("http://127.0.0.1:3000/cognito".into()), ..pool };
        assert_eq!(local.endpoint(), "http://127.0.0.1:3000/cognito");
    }

    #[test]
    fn element_names_are_valid_custom_element_names() {
        assert_eq!(element_name("payments"), "mfe-payments");
    }
}
