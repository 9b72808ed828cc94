//! The host side of the micro-frontend contract (see `mfe-contract`).
//!
//! [`load`] fetches `<base>/manifest.json`, imports the micro-frontend's JS module with a dynamic
//! `import()` and initialises its wasm; the module's start function then defines its custom element,
//! which upgrades any `<mfe-NAME>` already in the document. One load per base URL per page. [`import`]
//! loads a module the same way and hands back its exports (the shell's own lazily loaded parts).

use std::{cell::RefCell, collections::HashMap};

use js_sys::{Object, Promise, Reflect};
use mfe_contract::{Manifest, Session};
use wasm_bindgen::{JsCast, prelude::*};
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{RequestCache, RequestInit, Response, Url};

#[wasm_bindgen(inline_js = "export function import_module(url) { return import(url); }")]
extern "C" {
    /// wasm-bindgen cannot express `import()` itself.
    fn import_module(url: &str) -> Promise;
}

/// Why a micro-frontend could not be loaded, in words for the person looking at the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(pub String);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

thread_local! {
    static LOADS: RefCell<HashMap<String, Promise>> = RefCell::new(HashMap::new());
}

/// Loads the micro-frontend built at `base_url` (absolute or relative to the page, ending in `/`).
/// Concurrent and repeated calls share one load; a failed load is retried by the next call.
pub async fn load(base_url: &str) -> Result<(), LoadError> {
    import(base_url).await.map(drop)
}

/// Loads the module built at `base_url` as [`load`] does, and returns its exports (the wasm-bindgen JS
/// module's namespace, its wasm started).
pub async fn import(base_url: &str) -> Result<JsValue, LoadError> {
    let base = absolute(base_url)?;
    let promise = LOADS.with_borrow_mut(|loads| {
        loads.entry(base.clone()).or_insert_with(|| future_to_promise(load_module(base.clone()))).clone()
    });
    let outcome = JsFuture::from(promise).await;
    if outcome.is_err() {
        LOADS.with_borrow_mut(|loads| loads.remove(&base));
    }
    outcome.map_err(|error| LoadError(error.as_string().unwrap_or_else(|| format!("{error:?}"))))
}

async fn load_module(base: String) -> Result<JsValue, JsValue> {
    let manifest = fetch_manifest(&base).await?;
    let module = JsFuture::from(import_module(&resolve(&manifest.js, &base)?))
        .await
        .map_err(|e| failure(&base, "cannot import its module", &e))?;
    let init: js_sys::Function = Reflect::get(&module, &"default".into())?.dyn_into()?;
    let options = Object::new();
    Reflect::set(&options, &"module_or_path".into(), &resolve(&manifest.wasm, &base)?.into())?;
    let started: Promise = init.call1(&JsValue::NULL, &options)?.dyn_into()?;
    JsFuture::from(started).await.map_err(|e| failure(&base, "cannot start its wasm", &e))?;
    Ok(module)
}

/// The manifest is revalidated on every load so a new deployment of the micro-frontend shows up.
async fn fetch_manifest(base: &str) -> Result<Manifest, JsValue> {
    let url = resolve(Manifest::FILE_NAME, base)?;
    let init = RequestInit::new();
    init.set_cache(RequestCache::NoCache);
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|e| failure(base, "is unreachable", &e))?
        .dyn_into()?;
    if !response.ok() {
        return Err(format!("{url} answered {}", response.status()).into());
    }
    // miniserde, which the shell links anyway for Cognito's answers.
    let text = JsFuture::from(response.text()?).await.map_err(|e| failure(base, "sent an unreadable manifest", &e))?;
    miniserde::json::from_str(&text.as_string().unwrap_or_default())
        .map_err(|_| format!("{url} is not a micro-frontend manifest").into())
}

fn failure(base: &str, what: &str, cause: &JsValue) -> JsValue {
    let cause =
        cause.as_string().or_else(|| cause.dyn_ref::<js_sys::Error>().map(|e| e.message().into())).unwrap_or_default();
    format!("{base} {what}: {cause}").into()
}

fn absolute(base_url: &str) -> Result<String, LoadError> {
    let page = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    Url::new_with_base(base_url, &page)
        .map(|url| url.href())
        .map_err(|_| LoadError(format!("{base_url:?} is not a URL")))
}

fn resolve(relative: &str, base: &str) -> Result<String, JsValue> {
    Ok(Url::new_with_base(relative, base)?.href())
}

/// The session as the micro-frontends' `session` property carries it (`mfe-guest` reads it back):
/// `{ username, email?, groups, tenant?: { id, name, role } }`, or `null` when signed out.
pub fn session_to_js(session: Option<&Session>) -> JsValue {
    let Some(session) = session else { return JsValue::NULL };
    let groups: js_sys::Array = session.groups.iter().map(|group| JsValue::from_str(group)).collect();
    let mut fields = vec![("username", JsValue::from_str(&session.username)), ("groups", groups.into())];
    fields.extend(session.email.as_deref().map(|email| ("email", JsValue::from_str(email))));
    fields.extend(session.tenant.as_ref().map(|tenant| {
        let tenant = [("id", tenant.id.as_str()), ("name", &tenant.name), ("role", tenant.role.name())]
            .map(|(name, value)| (name, JsValue::from_str(value)));
        ("tenant", object(&tenant))
    }));
    object(&fields)
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        // Setting a property of a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object.into()
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn field(object: &JsValue, name: &str) -> JsValue {
        Reflect::get(object, &name.into()).unwrap()
    }

    #[wasm_bindgen_test]
    fn a_session_becomes_a_plain_object_and_signed_out_is_null() {
        let session = Session { username: "ada".into(), groups: vec!["Admin".into()], ..Session::default() };
        let object = session_to_js(Some(&session));
        assert_eq!(field(&object, "username"), "ada");
        assert!(!Reflect::has(&object, &"email".into()).unwrap(), "an absent email is left out");
        assert!(!Reflect::has(&object, &"tenant".into()).unwrap(), "so is an organisation not chosen yet");
        let groups: js_sys::Array = field(&object, "groups").dyn_into().unwrap();
        assert_eq!(groups.to_vec(), vec![JsValue::from_str("Admin")]);
        assert!(session_to_js(None).is_null());
    }

    #[wasm_bindgen_test]
    async fn a_micro_frontend_without_a_manifest_fails_to_load_and_says_why() {
        let error = load("/no-such-micro-frontend/").await.unwrap_err();
        assert!(error.0.contains("/no-such-micro-frontend/manifest.json answered 404"), "{error}");
    }
}
