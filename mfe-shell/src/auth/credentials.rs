//! The identity pool's AWS credentials, for the apis `/config.json` authorizes with IAM: fetched
//! after sign-in and after each token refresh, kept in this tab's memory only (never in storage;
//! each tab fetches its own), renewed ahead of their expiry one fetch at a time, forgotten at
//! sign-out. Cognito Identity's calls and SigV4 are `mfe-signer`'s, a wasm module imported only when
//! they are needed, so the sign-in page carries none of it.

use std::cell::{Cell, RefCell};

use js_sys::{Array, Date, Function, Promise, Reflect};
use leptos::task::spawn_local;
use mfe_contract::ApiAuthorization;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use super::session::SessionStore;

/// Where `mfe-signer` is built.
const SIGNER: &str = "/mfe/signer/";
/// Credentials are renewed this long before they expire (at most half their lifetime), as the AWS
/// SDKs renew theirs.
const MARGIN_MS: f64 = 300_000.0;

struct Held {
    /// `{ accessKeyId, secretKey, sessionToken, expiration }`, as `mfe-signer` hands them out.
    credentials: JsValue,
    access_key_id: String,
    /// When to renew them, on the api's clock.
    due_at: f64,
    /// Fetched because the api refused the ones before: if it refuses these too, the session ends.
    after_refusal: bool,
}

thread_local! {
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
    /// The fetch under way, which every caller awaits, so there are never two at once.
    static FETCHING: RefCell<Option<Promise>> = const { RefCell::new(None) };
    /// Whether the next fetch replaces credentials the api refused.
    static AFTER_REFUSAL: Cell<bool> = const { Cell::new(false) };
    /// Bumped when the credentials are forgotten: a fetch under way for the last person keeps nothing.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
    /// The api's clock minus this one's, in milliseconds, learnt from a signature refused as out of time.
    static SKEW: Cell<f64> = const { Cell::new(0.0) };
}

/// Fetches fresh credentials, when an api is authorized with IAM: after sign-in and each token refresh.
pub fn renew(session: SessionStore) {
    if session.uses_iam() {
        spawn_local(async move {
            let _ = JsFuture::from(fetch_once(session)).await;
        });
    }
}

/// Renews the credentials if they are due (the shell's periodic check).
pub fn keep_fresh(session: SessionStore) {
    if HELD.with_borrow(|held| held.as_ref().is_some_and(|held| now() >= held.due_at)) {
        renew(session);
    }
}

/// Forgets the credentials (sign-out, or another person signed in).
pub fn forget() {
    GENERATION.set(GENERATION.get().wrapping_add(1));
    HELD.set(None);
    FETCHING.set(None);
    AFTER_REFUSAL.set(false);
}

/// The answer of `authHeaders` to `request` for an api authorized with IAM (see
/// `mfe_contract::props::AUTH_HEADERS`): its SigV4 headers; after a refusal, those to retry with, or
/// `null`.
pub async fn sign(session: SessionStore, request: JsValue) -> Result<JsValue, JsValue> {
    let refused = field(&request, "refused");
    if refused.is_object() && !retry_after(session, &refused)? {
        return Ok(JsValue::NULL);
    }
    let region = session.with_config(|config| config.identity_pool.as_ref().map(|pool| pool.region().to_owned()));
    let region = region.ok_or("config.json names no identity pool to sign with")?;
    let credentials = credentials(session).await?;
    let sign = export("sign").await?;
    sign.apply(&JsValue::NULL, &Array::of4(&credentials, &region.into(), &request, &now().into()))
}

/// Whether the api request to `url` is authorized with IAM.
pub fn is_iam(session: SessionStore, url: &str) -> bool {
    session.with_config(|config| config.authorization_of(url)) == ApiAuthorization::Iam
}

/// Credentials valid for a while yet, fetched first if need be.
async fn credentials(session: SessionStore) -> Result<JsValue, JsValue> {
    let held = HELD.with_borrow(|held| held.as_ref().filter(|held| now() < held.due_at).map(|h| h.credentials.clone()));
    match held {
        Some(credentials) => Ok(credentials),
        None => JsFuture::from(fetch_once(session)).await,
    }
}

fn fetch_once(session: SessionStore) -> Promise {
    FETCHING.with_borrow_mut(|fetching| {
        fetching
            .get_or_insert_with(|| {
                let generation = GENERATION.get();
                future_to_promise(async move {
                    let fetched = fetch(session).await;
                    if GENERATION.get() != generation {
                        return Err("Nobody is signed in.".into());
                    }
                    FETCHING.set(None);
                    let held = fetched?;
                    let credentials = held.credentials.clone();
                    HELD.set(Some(held));
                    Ok(credentials)
                })
            })
            .clone()
    })
}

/// GetId and GetCredentialsForIdentity with the person's ID token. The identity pool refusing it
/// (NotAuthorizedException) ends the session.
async fn fetch(session: SessionStore) -> Result<Held, JsValue> {
    let after_refusal = AFTER_REFUSAL.replace(false);
    let pool = session.with_config(|config| {
        let (pool, cognito) = (config.identity_pool.as_ref()?, config.cognito.as_ref()?);
        let provider = format!("cognito-idp.{}.amazonaws.com/{}", cognito.region, cognito.user_pool_id);
        Some([pool.endpoint(), pool.id.clone(), provider])
    });
    let [endpoint, pool_id, provider] = pool.ok_or("config.json names no identity pool")?;
    let id_token = session.id_token().await?;
    let fetch = export("credentials").await?;
    let arguments = Array::of4(&endpoint.into(), &pool_id.into(), &provider.into(), &id_token.into());
    let answer = JsFuture::from(fetch.apply(&JsValue::NULL, &arguments)?.dyn_into::<Promise>()?).await;
    let credentials = answer.inspect_err(|error| {
        if text(error, "type") == "NotAuthorizedException" {
            session.end(&format!(
                "The identity pool refused your sign-in ({}). Please sign in again.",
                text(error, "message")
            ));
        }
    })?;
    let expiration = field(&credentials, "expiration").as_f64().unwrap_or_default();
    let due_at = expiration - MARGIN_MS.min((expiration - now()) / 2.0);
    Ok(Held { access_key_id: text(&credentials, "accessKeyId"), credentials, due_at, after_refusal })
}

/// Whether to retry a request the api refused (`refused` is `{ errorType, message, date,
/// authorization }`): with the clock corrected by the api's `Date` if the signature was out of time,
/// with fresh credentials if they were refused (once: refused again, they end the session).
fn retry_after(session: SessionStore, refused: &JsValue) -> Result<bool, JsValue> {
    let message = text(refused, "message");
    match text(refused, "errorType").as_str() {
        "InvalidSignatureException"
            if message.starts_with("Signature expired") || message.starts_with("Signature not yet current") =>
        {
            let api_time = Date::parse(&text(refused, "date"));
            SKEW.set(api_time - Date::now());
            Ok(!api_time.is_nan())
        }
        "ExpiredTokenException" | "UnrecognizedClientException" => {
            let authorization = text(refused, "authorization");
            let refused_key = authorization.split("Credential=").nth(1).and_then(|rest| rest.split('/').next());
            let held = HELD.with_borrow(|held| held.as_ref().map(|h| (h.access_key_id.clone(), h.after_refusal)));
            match held {
                // Renewed since that request was signed.
                Some((key, _)) if Some(key.as_str()) != refused_key => Ok(true),
                Some((_, true)) => {
                    session.end(&format!("The api refused your AWS credentials ({message}). Please sign in again."));
                    Err("The api refused the credentials.".into())
                }
                _ => {
                    HELD.set(None);
                    AFTER_REFUSAL.set(true);
                    Ok(true)
                }
            }
        }
        _ => Ok(false),
    }
}

/// A function `mfe-signer` exports.
async fn export(name: &str) -> Result<Function, JsValue> {
    let signer = mfe_host::import(SIGNER).await.map_err(|error| JsValue::from(error.0))?;
    Reflect::get(&signer, &name.into())?.dyn_into()
}

/// The time on the api's clock, in milliseconds since the epoch.
fn now() -> f64 {
    Date::now() + SKEW.get()
}

fn field(object: &JsValue, name: &str) -> JsValue {
    if object.is_object() {
        Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn text(object: &JsValue, name: &str) -> String {
    field(object, name).as_string().unwrap_or_default()
}
