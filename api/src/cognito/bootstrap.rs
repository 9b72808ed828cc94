//! A declarative file of pools, app clients and groups (e.g. `api/bootstrap/dev.toml`), applied at
//! every start: what it lists is created or brought up to date, nothing else is touched. Its
//! `frontend` client is the one the shell signs people in with.

use std::path::Path;

use mfe_contract::{AuthFlow, CognitoSettings};
use serde::Deserialize;
use sqlx::{PgPool, types::Json};

use super::{error::CognitoResult, pools::PasswordPolicy};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bootstrap {
    #[serde(default)]
    pub pools: Vec<PoolSpec>,
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
}

impl ClientSpec {
    /// SRP when the client allows it (the password never leaves the browser), else passwords.
    fn auth_flow(&self) -> AuthFlow {
        let allows = |flow: &str| self.explicit_auth_flows.iter().any(|allowed| allowed == flow);
        if !allows("ALLOW_USER_SRP_AUTH") && allows("ALLOW_USER_PASSWORD_AUTH") {
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
}

impl Bootstrap {
    pub fn load(path: &Path) -> Result<Self, BootstrapError> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|source| BootstrapError::Read { path: shown.clone(), source })?;
        let bootstrap: Self =
            toml::from_str(&text).map_err(|source| BootstrapError::Parse { path: shown.clone(), source })?;
        let frontends = bootstrap.pools.iter().flat_map(|pool| &pool.clients).filter(|client| client.frontend).count();
        if frontends > 1 {
            return Err(BootstrapError::TwoFrontends { path: shown });
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
            })
        })
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
        tx.commit().await?;
        Ok(())
    }
}

async fn upsert_pool(tx: &mut sqlx::PgConnection, pool: &PoolSpec) -> CognitoResult<()> {
    sqlx::query(
        "INSERT INTO user_pools (id, name, password_policy, username_attributes, auto_verified_attributes, \
         post_confirmation_webhook) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, password_policy = excluded.password_policy, \
         username_attributes = excluded.username_attributes, auto_verified_attributes = excluded.auto_verified_attributes, \
         post_confirmation_webhook = excluded.post_confirmation_webhook",
    )
    .bind(&pool.id)
    .bind(&pool.name)
    .bind(Json(&pool.password_policy))
    .bind(&pool.username_attributes)
    .bind(&pool.auto_verified_attributes)
    .bind(&pool.post_confirmation_webhook)
    .execute(tx)
    .await?;
    Ok(())
}

async fn upsert_client(tx: &mut sqlx::PgConnection, pool_id: &str, client: &ClientSpec) -> CognitoResult<()> {
    sqlx::query(
        "INSERT INTO user_pool_clients (id, pool_id, name, secret, explicit_auth_flows) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret = excluded.secret, \
         explicit_auth_flows = excluded.explicit_auth_flows",
    )
    .bind(&client.id)
    .bind(pool_id)
    .bind(&client.name)
    .bind(&client.secret)
    .bind(&client.explicit_auth_flows)
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
    }

    #[test]
    fn unknown_keys_are_refused() {
        let error = toml::from_str::<Bootstrap>("[[pools]]\nid = \"x\"\nname = \"y\"\ncolour = \"red\"\n").unwrap_err();
        assert!(error.to_string().contains("colour"), "{error}");
    }
}
