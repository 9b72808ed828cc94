//! The identity pool's AWS credentials, for the apis `/config.json` authorizes with IAM. Keeping
//! them (fetched after sign-in and each token refresh, in memory only, renewed ahead of expiry,
//! forgotten at sign-out) and signing with them is `mfe-signer`'s: a wasm module imported only once
//! someone signed in, so the sign-in page carries none of it. This is the shell's side of it.

use std::cell::RefCell;

use js_sys::{Array, Function, Promise, Reflect};
use leptos::task::spawn_local;
use mfe_contract::ApiAuthorization;
use wasm_bindgen::{JsCast, JsValue, prelude::Closure};
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use super::session::SessionStore;

/// Where `mfe-signer` is built.
const SIGNER: &str = "/mfe/signer/";

thread_local! {
    /// `mfe-signer`'s exports, once it is loaded and started.
    static SIGNER_MODULE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Fetches fresh credentials, when an api is authorized with IAM: after sign-in and each token refresh.
pub fn renew(session: SessionStore) {
    if session.uses_iam() {
        spawn_local(async move {
            let _ = call(session, "renew", &JsValue::UNDEFINED).await;
        });
    }
}

/// Renews the credentials if they are due (the shell's periodic check).
pub fn keep_fresh() {
    call_loaded("keep_fresh");
}

/// Forgets the credentials (sign-out, or another person signed in).
pub fn forget() {
    call_loaded("forget");
}

/// Whether the api request to `url` is authorized with IAM.
pub fn is_iam(session: SessionStore, url: &str) -> bool {
    session.with_config(|config| config.authorization_of(url)) == ApiAuthorization::Iam
}

/// `authHeaders`' answer to `request` for an api authorized with IAM.
pub async fn sign(session: SessionStore, request: JsValue) -> Result<JsValue, JsValue> {
    let headers = call(session, "auth_headers", &request).await?;
    match headers.dyn_into::<Promise>() {
        Ok(promise) => JsFuture::from(promise).await,
        Err(headers) => Ok(headers),
    }
}

fn call_loaded(name: &str) {
    if let Some(signer) = SIGNER_MODULE.with_borrow(Clone::clone) {
        let _ = function(&signer, name).and_then(|f| f.call0(&JsValue::NULL));
    }
}

/// Calls `mfe-signer`'s `name` with `argument`, loading and starting the module first if need be.
async fn call(session: SessionStore, name: &str, argument: &JsValue) -> Result<JsValue, JsValue> {
    let signer = match SIGNER_MODULE.with_borrow(Clone::clone) {
        Some(signer) => signer,
        None => {
            let signer = mfe_host::import(SIGNER).await.map_err(|error| JsValue::from(error.0))?;
            start(session, &signer)?;
            SIGNER_MODULE.set(Some(signer.clone()));
            signer
        }
    };
    function(&signer, name)?.call1(&JsValue::NULL, argument)
}

/// Hands the signer the identity pool and the session's ID token and end.
fn start(session: SessionStore, signer: &JsValue) -> Result<(), JsValue> {
    let settings = session.with_config(|config| {
        let (pool, cognito) = (config.identity_pool.as_ref()?, config.cognito.as_ref()?);
        let provider = ["cognito-idp.", &cognito.region, ".amazonaws.com/", &cognito.user_pool_id].concat();
        Some([pool.endpoint(), pool.id.clone(), provider, pool.region().to_owned()])
    });
    let settings = settings.ok_or("config.json names no identity pool")?;
    let id_token = Closure::<dyn Fn() -> Promise>::new(move || {
        future_to_promise(async move { session.id_token().await.map(JsValue::from).map_err(JsValue::from) })
    });
    let end = Closure::<dyn Fn(String)>::new(move |why: String| session.end(&why));
    let arguments: Array = settings.into_iter().map(JsValue::from).collect();
    arguments.push(&id_token.into_js_value());
    arguments.push(&end.into_js_value());
    function(signer, "start")?.apply(&JsValue::NULL, &arguments).map(drop)
}

fn function(signer: &JsValue, name: &str) -> Result<Function, JsValue> {
    Reflect::get(signer, &name.into())?.dyn_into()
}
