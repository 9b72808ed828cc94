//! A declarative file of pools, app clients and groups (e.g. `api/bootstrap/dev.toml`), and of
//! identity pools and the IAM roles they hand out, applied at every start: what it lists is created
//! or brought up to date, nothing else is touched. Its `frontend` client is the one the shell signs
//! people in with.

use std::{collections::BTreeMap, path::Path};

use mfe_contract::{AuthFlow, CognitoSettings, IdentityPoolSettings, MfaConfiguration};
use serde::Deserialize;
use sqlx::{PgPool, types::Json};

use super::{error::CognitoResult, pools::PasswordPolicy, user_auth};
use crate::{
    iam::policy::Policy,
    identity::{
        logins::aws_provider_name,
        pools::{Provider, Settings},
        roles::Roles,
    },
};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bootstrap {
    #[serde(default)]
    pub pools: Vec<PoolSpec>,
    #[serde(default)]
    pub identity_pools: Vec<IdentityPoolSpec>,
    #[serde(default)]
    pub iam_roles: Vec<RoleSpec>,
}

/// An identity pool accepting the ID tokens of app clients of the file's user pools.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityPoolSpec {
    /// `<region>:<uuid>`, fixed so that identities survive a restart.
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub allow_unauthenticated_identities: bool,
    /// `<user pool id>:<app client id>` of each accepted client.
    pub clients: Vec<String>,
    pub authenticated_role: Option<String>,
    pub unauthenticated_role: Option<String>,
}

/// An IAM role (at path `/`) and its inline policies, by name, as JSON documents.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSpec {
    pub name: String,
    pub assume_role_policy_document: String,
    #[serde(default)]
    pub policies: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub password_policy: PasswordPolicy,
    #[serde(default)]
    pub username_attributes: Vec<String>,
    #[serde(default)]
    pub auto_verified_attributes: Vec<String>,
    pub post_confirmation_webhook: Option<String>,
    /// OFF, OPTIONAL or ON; the second factor is an authenticator app.
    #[serde(default)]
    pub mfa_configuration: MfaConfiguration,
    /// The `SignInPolicy`'s first factors (USER_AUTH): PASSWORD, and EMAIL_OTP for sign-in by emailed code.
    #[serde(default = "password_only")]
    pub allowed_first_auth_factors: Vec<String>,
    #[serde(default)]
    pub clients: Vec<ClientSpec>,
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    pub id: String,
    pub name: String,
    pub secret: Option<String>,
    pub explicit_auth_flows: Vec<String>,
    /// The client `/config.json` hands to the shell (at most one in the file).
    #[serde(default)]
    pub frontend: bool,
    /// `RefreshTokenRotation.Feature` ENABLED: each refresh (GetTokensFromRefreshToken) replaces the token.
    #[serde(default)]
    pub refresh_token_rotation: bool,
    /// `RefreshTokenRotation.RetryGracePeriodSeconds` (0 to 60): how long a replaced token still works.
    #[serde(default)]
    pub retry_grace_period_secs: i32,
}

fn password_only() -> Vec<String> {
    vec!["PASSWORD".into()]
}

impl ClientSpec {
    fn allows(&self, flow: &str) -> bool {
        self.explicit_auth_flows.iter().any(|allowed| allowed == flow)
    }

    /// SRP when the client allows it (the password never leaves the browser), else passwords.
    fn auth_flow(&self) -> AuthFlow {
        if !self.allows("ALLOW_USER_SRP_AUTH") && self.allows("ALLOW_USER_PASSWORD_AUTH") {
            AuthFlow::UserPasswordAuth
        } else {
            AuthFlow::UserSrpAuth
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    pub name: String,
    pub description: Option<String>,
    pub precedence: Option<i32>,
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} is not a valid bootstrap file: {source}")]
    Parse { path: String, source: toml::de::Error },
    #[error("{path}: more than one client is marked `frontend`")]
    TwoFrontends { path: String },
    #[error("{path}: pool {pool}: {error}")]
    Invalid { path: String, pool: String, error: String },
    #[error("{path}: the policy {policy} of the role {role} is not a policy this server evaluates: {message}")]
    Policy { path: String, role: String, policy: String, message: String },
    #[error("{path}: the identity pool {pool} names the client {client}, which is not `<user pool id>:<client id>`")]
    Client { path: String, pool: String, client: String },
}

impl Bootstrap {
    pub fn load(path: &Path) -> Result<Self, BootstrapError> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|source| BootstrapError::Read { path: shown.clone(), source })?;
        let bootstrap: Self =
            toml::from_str(&text).map_err(|source| BootstrapError::Parse { path: shown.clone(), source })?;
        for pool in &bootstrap.pools {
            // The database refuses them too, but less clearly.
            user_auth::check_first_factors(&pool.allowed_first_auth_factors).map_err(|error| {
                BootstrapError::Invalid { path: shown.clone(), pool: pool.id.clone(), error: error.message }
            })?;
        }
        let frontends = bootstrap.pools.iter().flat_map(|pool| &pool.clients).filter(|client| client.frontend).count();
        if frontends > 1 {
            return Err(BootstrapError::TwoFrontends { path: shown });
        }
        for role in &bootstrap.iam_roles {
            for (policy, document) in &role.policies {
                Policy::parse(document).map_err(|error| BootstrapError::Policy {
                    path: shown.clone(),
                    role: role.name.clone(),
                    policy: policy.clone(),
                    message: error.0,
                })?;
            }
        }
        for pool in &bootstrap.identity_pools {
            if let Some(client) = pool.clients.iter().find(|client| !client.contains(':')) {
                return Err(BootstrapError::Client { path: shown, pool: pool.id.clone(), client: client.clone() });
            }
        }
        Ok(bootstrap)
    }

    /// What the shell needs to sign people in through the `frontend` client, if there is one.
    pub fn frontend(&self, endpoint: &str) -> Option<CognitoSettings> {
        self.pools.iter().find_map(|pool| {
            let client = pool.clients.iter().find(|client| client.frontend)?;
            Some(CognitoSettings {
                region: pool.id.split('_').next().unwrap_or_default().to_owned(),
                user_pool_id: pool.id.clone(),
                user_pool_client_id: client.id.clone(),
                endpoint: endpoint.to_owned(),
                auth_flow: client.auth_flow(),
                password_policy: pool.password_policy.rules(),
                mfa_configuration: pool.mfa_configuration,
                // Reached through USER_AUTH only, and not offered by Cognito when MFA is required.
                email_otp: client.allows("ALLOW_USER_AUTH")
                    && pool.mfa_configuration != MfaConfiguration::On
                    && pool.allowed_first_auth_factors.iter().any(|factor| factor == "EMAIL_OTP"),
            })
        })
    }

    /// The identity pool that accepts the `frontend` client's ID tokens, if one does: where the shell
    /// gets the credentials that sign its calls to `iam` apis.
    pub fn frontend_identity_pool(&self, endpoint: &str) -> Option<IdentityPoolSettings> {
        let frontend = self.pools.iter().find_map(|pool| {
            pool.clients.iter().find(|client| client.frontend).map(|client| format!("{}:{}", pool.id, client.id))
        })?;
        let pool = self.identity_pools.iter().find(|pool| pool.clients.contains(&frontend))?;
        Some(IdentityPoolSettings { id: pool.id.clone(), endpoint: Some(endpoint.to_owned()) })
    }

    /// Creates or updates everything listed, in one transaction.
    pub async fn apply(&self, db: &PgPool) -> CognitoResult<()> {
        let mut tx = db.begin().await?;
        for pool in &self.pools {
            upsert_pool(&mut tx, pool).await?;
            for client in &pool.clients {
                upsert_client(&mut tx, &pool.id, client).await?;
            }
            for group in &pool.groups {
                upsert_group(&mut tx, &pool.id, group).await?;
            }
        }
        for role in &self.iam_roles {
            upsert_role(&mut tx, role).await?;
        }
        for pool in &self.identity_pools {
            upsert_identity_pool(&mut tx, pool).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// As Cognito and the database write it.
fn mfa_configuration_name(configuration: MfaConfiguration) -> &'static str {
    match configuration {
        MfaConfiguration::Off => "OFF",
        MfaConfiguration::Optional => "OPTIONAL",
        MfaConfiguration::On => "ON",
    }
}

async fn upsert_pool(tx: &mut sqlx::PgConnection, pool: &PoolSpec) -> CognitoResult<()> {
    // The only second factor is the authenticator app: it is enabled whenever MFA is.
    sqlx::query(
        "INSERT INTO user_pools (id, name, password_policy, username_attributes, auto_verified_attributes, \
         post_confirmation_webhook, mfa_configuration, software_token_mfa, allowed_first_auth_factors) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7 <> 'OFF', $8) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, password_policy = excluded.password_policy, \
         username_attributes = excluded.username_attributes, auto_verified_attributes = excluded.auto_verified_attributes, \
         post_confirmation_webhook = excluded.post_confirmation_webhook, mfa_configuration = excluded.mfa_configuration, \
         software_token_mfa = excluded.software_token_mfa, allowed_first_auth_factors = excluded.allowed_first_auth_factors",
    )
    .bind(&pool.id)
    .bind(&pool.name)
    .bind(Json(&pool.password_policy))
    .bind(&pool.username_attributes)
    .bind(&pool.auto_verified_attributes)
    .bind(&pool.post_confirmation_webhook)
    .bind(mfa_configuration_name(pool.mfa_configuration))
    .bind(&pool.allowed_first_auth_factors)
    .execute(tx)
    .await?;
    Ok(())
}

async fn upsert_client(tx: &mut sqlx::PgConnection, pool_id: &str, client: &ClientSpec) -> CognitoResult<()> {
    sqlx::query(
        "INSERT INTO user_pool_clients (id, pool_id, name, secret, explicit_auth_flows, refresh_token_rotation, \
         retry_grace_period_secs) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret = excluded.secret, \
         explicit_auth_flows = excluded.explicit_auth_flows, refresh_token_rotation = excluded.refresh_token_rotation, \
         retry_grace_period_secs = excluded.retry_grace_period_secs",
    )
    .bind(&client.id)
    .bind(pool_id)
    .bind(&client.name)
    .bind(&client.secret)
    .bind(&client.explicit_auth_flows)
    .bind(client.refresh_token_rotation)
    .bind(client.retry_grace_period_secs)
    .execute(tx)
    .await?;
    Ok(())
}

async fn upsert_group(tx: &mut sqlx::PgConnection, pool_id: &str, group: &GroupSpec) -> CognitoResult<()> {
    sqlx::query(
        "INSERT INTO user_groups (pool_id, name, description, precedence) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (pool_id, name) DO UPDATE SET description = excluded.description, precedence = excluded.precedence",
    )
    .bind(pool_id)
    .bind(&group.name)
    .bind(&group.description)
    .bind(group.precedence)
    .execute(tx)
    .await?;
    Ok(())
}

async fn upsert_role(tx: &mut sqlx::PgConnection, role: &RoleSpec) -> CognitoResult<()> {
    let role_id = format!("AROA{}", super::pools::random_string(17, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
    sqlx::query(
        "INSERT INTO iam_roles (name, role_id, assume_role_policy_document) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET assume_role_policy_document = excluded.assume_role_policy_document",
    )
    .bind(&role.name)
    .bind(role_id)
    .bind(&role.assume_role_policy_document)
    .execute(&mut *tx)
    .await?;
    for (policy, document) in &role.policies {
        sqlx::query(
            "INSERT INTO iam_role_policies (role_name, policy_name, document) VALUES ($1, $2, $3) \
             ON CONFLICT (role_name, policy_name) DO UPDATE SET document = excluded.document",
        )
        .bind(&role.name)
        .bind(policy)
        .bind(document)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn upsert_identity_pool(tx: &mut sqlx::PgConnection, pool: &IdentityPoolSpec) -> CognitoResult<()> {
    let providers = pool
        .clients
        .iter()
        .filter_map(|client| client.split_once(':'))
        .map(|(user_pool, client)| Provider {
            provider_name: aws_provider_name(user_pool),
            client_id: client.to_owned(),
            server_side_token_check: false,
        })
        .collect();
    let settings = Settings {
        allow_unauthenticated_identities: pool.allow_unauthenticated_identities,
        allow_classic_flow: None,
        supported_login_providers: BTreeMap::new(),
        developer_provider_name: None,
        open_id_connect_provider_arns: Vec::new(),
        cognito_identity_providers: providers,
        saml_provider_arns: Vec::new(),
        identity_pool_tags: BTreeMap::new(),
    };
    let roles =
        Roles { authenticated: pool.authenticated_role.clone(), unauthenticated: pool.unauthenticated_role.clone() };
    sqlx::query(
        "INSERT INTO identity_pools (id, name, settings, roles) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, settings = excluded.settings, roles = excluded.roles",
    )
    .bind(&pool.id)
    .bind(&pool.name)
    .bind(Json(&settings))
    .bind(Json(&roles))
    .execute(tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dev_file_parses_and_names_one_frontend_client() {
        let dev = Bootstrap::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/bootstrap/dev.toml"))).unwrap();
        let settings = dev.frontend("http://127.0.0.1:3000/cognito").unwrap();
        assert_eq!(settings.region, "us-east-1");
        assert_eq!(settings.user_pool_id, "us-east-1_LedgerDev");
        assert!(dev.pools[0].groups.iter().any(|group| group.name == "Admin"));
        assert!(dev.pools[0].clients.iter().any(|client| client.secret.is_some()));
        // What the shell's MFA set-up, sign-in by emailed code and refresh-token rotation need.
        assert_eq!(settings.mfa_configuration, MfaConfiguration::Optional);
        assert!(settings.email_otp);
        assert!(dev.pools[0].clients.iter().any(|client| client.frontend && client.refresh_token_rotation));
        let identities = &dev.identity_pools[0];
        assert_eq!(identities.clients, ["us-east-1_LedgerDev:ledgerlineweb0000000000001"]);
        let role = identities.authenticated_role.as_deref().unwrap();
        assert!(dev.iam_roles.iter().any(|r| role.ends_with(&format!(":role/{}", r.name)) && !r.policies.is_empty()));
        let shells = dev.frontend_identity_pool("http://127.0.0.1:3000/cognito").unwrap();
        assert_eq!(
            (shells.id.as_str(), shells.endpoint.as_deref()),
            (identities.id.as_str(), Some("http://127.0.0.1:3000/cognito"))
        );
    }

    #[test]
    fn sign_in_by_emailed_code_needs_a_client_that_allows_user_auth_and_mfa_not_required() {
        let file = r#"[[pools]]
            id = "us-east-1_X"
            name = "x"
            allowed_first_auth_factors = ["PASSWORD", "EMAIL_OTP"]
            [[pools.clients]]
            id = "c"
            name = "c"
            frontend = true
            explicit_auth_flows = ["ALLOW_USER_SRP_AUTH"]"#;
        let email_otp = |file: &str| toml::from_str::<Bootstrap>(file).unwrap().frontend("e").unwrap().email_otp;
        assert!(!email_otp(file));
        let user_auth = file.replace("ALLOW_USER_SRP_AUTH\"]", "ALLOW_USER_SRP_AUTH\", \"ALLOW_USER_AUTH\"]");
        assert!(email_otp(&user_auth));
        assert!(!email_otp(&user_auth.replace("name = \"x\"", "name = \"x\"\nmfa_configuration = \"ON\"")));
    }

    #[test]
    fn mfa_and_first_factors_are_checked_when_the_file_is_loaded() {
        for (pool, refused) in [
            ("mfa_configuration = \"SOMETIMES\"", "SOMETIMES"),
            ("allowed_first_auth_factors = [\"EMAIL_OTP\"]", "must include PASSWORD"),
            ("allowed_first_auth_factors = [\"PASSWORD\", \"SMS_OTP\"]", "SMS_OTP"),
        ] {
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), format!("[[pools]]\nid = \"us-east-1_X\"\nname = \"x\"\n{pool}\n")).unwrap();
            let error = Bootstrap::load(file.path()).unwrap_err().to_string();
            assert!(error.contains(refused), "{pool}: {error}");
        }
    }

    #[test]
    fn policies_that_do_not_parse_are_refused_at_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        let text =
            "[[iam_roles]]\nname = \"r\"\nassume_role_policy_document = \"{}\"\n[iam_roles.policies]\np = \"{}\"\n";
        std::fs::write(&path, text).unwrap();
        let error = Bootstrap::load(&path).unwrap_err().to_string();
        assert!(error.contains("the policy p of the role r"), "{error}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let error = toml::from_str::<Bootstrap>("[[pools]]\nid = \"x\"\nname = \"y\"\ncolour = \"red\"\n").unwrap_err();
        assert!(error.to_string().contains("colour"), "{error}");
    }
}
