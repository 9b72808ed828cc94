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
//! - signals upwards with bubbling, composed DOM events named in [`events`].

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
    /// The part of the URL below the micro-frontend's route, e.g. `/42` for `/accounts/42`.
    pub const PATH: &str = "path";
}

/// DOM events a micro-frontend dispatches to the shell (bubbling, composed `CustomEvent`s).
pub mod events {
    /// The person asked to sign out (or the micro-frontend found the session no longer valid).
    pub const SIGN_OUT: &str = "mfe-sign-out";
}

/// Written next to each micro-frontend's build: which hashed files to load. Served with
/// `Cache-Control: no-cache`, so a micro-frontend deploys without rebuilding the shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// The session as micro-frontends see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub username: String,
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
}

impl RuntimeConfig {
    pub const PATH: &str = "/config.json";
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
        };
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(json, r#"{"apiBaseUrl":"http://127.0.0.1:3000","microFrontends":{"accounts":"/mfe/accounts/"}}"#);
    }

    #[test]
    fn element_names_are_valid_custom_element_names() {
        assert_eq!(element_name("payments"), "mfe-payments");
    }
}
