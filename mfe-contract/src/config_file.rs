//! `/config.json` as the shell reads it: with miniserde (the shell's only JSON library, for wasm
//! size) into the file's shape, every optional part optional, then completed with the defaults
//! [`RuntimeConfig`] documents. The api writes the file with serde; the tests check that both sides
//! agree on the shape.

use std::collections::BTreeMap;

use miniserde::{Deserialize, json};

use crate::{
    ApiAuthorization, AuthFlow, CognitoSettings, IdentityPoolSettings, MfaConfiguration, PasswordPolicy, RuntimeConfig,
};

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(rename = "apiBaseUrl")]
    api_base_url: String,
    #[serde(rename = "microFrontends")]
    micro_frontends: BTreeMap<String, String>,
    cognito: Option<CognitoFile>,
    #[serde(rename = "devMailbox")]
    dev_mailbox: Option<String>,
    #[serde(rename = "identityPool")]
    identity_pool: Option<IdentityPoolFile>,
    #[serde(rename = "apiAuthorization")]
    api_authorization: Option<BTreeMap<String, ApiAuthorization>>,
}

#[derive(Deserialize)]
struct IdentityPoolFile {
    id: String,
    endpoint: Option<String>,
}

#[derive(Deserialize)]
struct CognitoFile {
    region: String,
    #[serde(rename = "userPoolId")]
    user_pool_id: String,
    #[serde(rename = "userPoolClientId")]
    user_pool_client_id: String,
    endpoint: String,
    #[serde(rename = "authFlow")]
    auth_flow: Option<AuthFlow>,
    #[serde(rename = "passwordPolicy")]
    password_policy: Option<PolicyFile>,
    #[serde(rename = "mfaConfiguration")]
    mfa_configuration: Option<MfaConfiguration>,
    #[serde(rename = "emailOtp")]
    email_otp: Option<bool>,
}

#[derive(Deserialize)]
struct PolicyFile {
    #[serde(rename = "minimumLength")]
    minimum_length: Option<u32>,
    #[serde(rename = "requireUppercase")]
    require_uppercase: Option<bool>,
    #[serde(rename = "requireLowercase")]
    require_lowercase: Option<bool>,
    #[serde(rename = "requireNumbers")]
    require_numbers: Option<bool>,
    #[serde(rename = "requireSymbols")]
    require_symbols: Option<bool>,
}

impl RuntimeConfig {
    /// The runtime config in `text`; `None` if `text` is not one.
    pub fn from_json(text: &str) -> Option<Self> {
        let file: ConfigFile = json::from_str(text).ok()?;
        Some(Self {
            api_base_url: file.api_base_url,
            micro_frontends: file.micro_frontends,
            cognito: file.cognito.map(CognitoSettings::from),
            dev_mailbox: file.dev_mailbox,
            identity_pool: file.identity_pool.map(|pool| IdentityPoolSettings { id: pool.id, endpoint: pool.endpoint }),
            api_authorization: file.api_authorization.unwrap_or_default(),
        })
    }
}

impl From<CognitoFile> for CognitoSettings {
    fn from(file: CognitoFile) -> Self {
        Self {
            region: file.region,
            user_pool_id: file.user_pool_id,
            user_pool_client_id: file.user_pool_client_id,
            endpoint: file.endpoint,
            auth_flow: file.auth_flow.unwrap_or_default(),
            password_policy: file.password_policy.map(PasswordPolicy::from).unwrap_or_default(),
            mfa_configuration: file.mfa_configuration.unwrap_or_default(),
            email_otp: file.email_otp.unwrap_or_default(),
        }
    }
}

impl From<PolicyFile> for PasswordPolicy {
    fn from(file: PolicyFile) -> Self {
        let default = Self::default();
        Self {
            minimum_length: file.minimum_length.unwrap_or(default.minimum_length),
            require_uppercase: file.require_uppercase.unwrap_or(default.require_uppercase),
            require_lowercase: file.require_lowercase.unwrap_or(default.require_lowercase),
            require_numbers: file.require_numbers.unwrap_or(default.require_numbers),
            require_symbols: file.require_symbols.unwrap_or(default.require_symbols),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_config() -> RuntimeConfig {
        RuntimeConfig {
            api_base_url: "http://127.0.0.1:3000".into(),
            micro_frontends: [("accounts".into(), "/mfe/accounts/".into()), ("payments".into(), "/p/".into())].into(),
            cognito: Some(CognitoSettings {
                region: "us-east-1".into(),
                user_pool_id: "us-east-1_Abc".into(),
                user_pool_client_id: "client".into(),
                endpoint: "https://cognito-idp.us-east-1.amazonaws.com/".into(),
                auth_flow: AuthFlow::UserPasswordAuth,
                password_policy: PasswordPolicy {
                    minimum_length: 12,
                    require_uppercase: false,
                    require_lowercase: true,
                    require_numbers: false,
                    require_symbols: true,
                },
                mfa_configuration: MfaConfiguration::Optional,
                email_otp: true,
            }),
            dev_mailbox: Some("/dev/mailbox".into()),
            identity_pool: Some(IdentityPoolSettings {
                id: "us-east-1:1ed9e5d1-0000-4000-8000-00000000de01".into(),
                endpoint: Some("http://127.0.0.1:3000/cognito".into()),
            }),
            api_authorization: [("/v1".into(), ApiAuthorization::Iam), ("/graphql".into(), ApiAuthorization::Cognito)]
                .into(),
        }
    }

    #[test]
    fn reads_what_the_api_writes() {
        let bare = RuntimeConfig {
            cognito: None,
            dev_mailbox: None,
            identity_pool: None,
            api_authorization: BTreeMap::new(),
            ..full_config()
        };
        let aws_pool = RuntimeConfig {
            identity_pool: Some(IdentityPoolSettings { id: "eu-west-1:abc".into(), endpoint: None }),
            ..full_config()
        };
        for config in [full_config(), bare, aws_pool] {
            let written = serde_json::to_string(&config).unwrap();
            assert_eq!(RuntimeConfig::from_json(&written), Some(config), "{written}");
        }
    }

    #[test]
    fn what_a_person_may_leave_out_takes_its_default() {
        let json = r#"{"apiBaseUrl":"/","microFrontends":{},"devMailbox":null,
            "cognito":{"region":"r","userPoolId":"p","userPoolClientId":"c","endpoint":"e","passwordPolicy":{"minimumLength":6}}}"#;
        let cognito = RuntimeConfig::from_json(json).unwrap().cognito.unwrap();
        assert_eq!(cognito.auth_flow, AuthFlow::UserSrpAuth);
        assert_eq!(cognito.password_policy, PasswordPolicy { minimum_length: 6, ..PasswordPolicy::default() });
        assert_eq!(cognito.mfa_configuration, MfaConfiguration::Off);
        assert!(!cognito.email_otp);
        let json = r#"{"apiBaseUrl":"/","microFrontends":{},"cognito":{"region":"r","userPoolId":"p","userPoolClientId":"c","endpoint":"e"}}"#;
        assert_eq!(RuntimeConfig::from_json(json).unwrap().cognito.unwrap().password_policy, PasswordPolicy::default());
    }

    #[test]
    fn anything_else_is_refused() {
        let missing_pool = r#"{"apiBaseUrl":"/","microFrontends":{},"cognito":{"region":"r","endpoint":"e"}}"#;
        let unknown_flow = r#"{"apiBaseUrl":"/","microFrontends":{},"cognito":{"region":"r","userPoolId":"p","userPoolClientId":"c","endpoint":"e","authFlow":"CUSTOM_AUTH"}}"#;
        let unknown_authorization = r#"{"apiBaseUrl":"/","microFrontends":{},"apiAuthorization":{"/v1":"jwt"}}"#;
        let pool_without_id = r#"{"apiBaseUrl":"/","microFrontends":{},"identityPool":{"endpoint":"e"}}"#;
        let cases = [missing_pool, unknown_flow, unknown_authorization, pool_without_id];
        for text in ["", "<html></html>", r#"{"microFrontends":{}}"#].into_iter().chain(cases) {
            assert_eq!(RuntimeConfig::from_json(text), None, "{text}");
        }
    }
}
