//! `/config.json`: where the api, the user pool and the micro-frontends are, read at start so one
//! build of the shell runs against any backend (ours or real AWS Cognito).

use mfe_contract::RuntimeConfig;

use crate::http;

pub async fn fetch() -> Result<RuntimeConfig, String> {
    let path = RuntimeConfig::PATH;
    let reply = http::get::<&str>(path, &[]).await.map_err(|e| format!("The server could not be reached ({e})."))?;
    if !(200..300).contains(&reply.status) {
        return Err(format!("The server answered {} for {path}.", reply.status));
    }
    RuntimeConfig::from_json(&reply.body).ok_or_else(|| format!("{path} is not a valid runtime config."))
}
