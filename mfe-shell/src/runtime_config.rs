//! `/config.json`: where the api and the micro-frontends are, read at start so one build of the
//! shell runs against any backend.

use gloo_net::http::Request;
use mfe_contract::RuntimeConfig;
use web_sys::RequestCache;

pub async fn fetch() -> Result<RuntimeConfig, String> {
    let response = Request::get(RuntimeConfig::PATH)
        .cache(RequestCache::NoCache)
        .send()
        .await
        .map_err(|e| format!("The server could not be reached ({e})."))?;
    if !response.ok() {
        return Err(format!("The server answered {} for {}.", response.status(), RuntimeConfig::PATH));
    }
    response.json().await.map_err(|e| format!("{} is not valid: {e}", RuntimeConfig::PATH))
}
