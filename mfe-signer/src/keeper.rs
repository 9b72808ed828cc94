//! The identity pool's credentials as the shell keeps them for the apis `/config.json` authorizes
//! with IAM: fetched after sign-in and after each token refresh, kept in this tab's memory only
//! (never in storage; each tab fetches its own), renewed ahead of their expiry one fetch at a time,
//! forgotten at sign-out. They live in this module, which the shell loads only once someone signed
//! in, so the sign-in page carries none of this code; the shell hands over its session's ID token and
//! a way to end the session ([`start`]).

use std::cell::{Cell, RefCell};

use js_sys::{Date, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise, spawn_local};

use crate::{credentials, field, sign, text};

/// Credentials are renewed this long before they expire (at most half their lifetime), as the AWS
/// SDKs renew theirs.
const MARGIN_MS: f64 = 300_000.0;

/// What [`start`] hands over.
struct Shell {
    endpoint: String,
    identity_pool_id: String,
    provider: String,
    region: String,
    /// `() => Promise<string>`: the person's ID token, fresh.
    id_token: Function,
    /// `(message) => void`: ends the session, telling the person why.
    end: Function,
}

struct Held {
    /// `{ accessKeyId, secretKey, sessionToken, expiration }`, as [`credentials`] resolves them.
    credentials: JsValue,
    access_key_id: String,
    /// When to renew them, on the api's clock.
    due_at: f64,
    /// Fetched because the api refused the ones before: if it refuses these too, the session ends.
    after_refusal: bool,
}

thread_local! {
    static SHELL: RefCell<Option<Shell>> = const { RefCell::new(None) };
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

/// The shell's identity pool (Cognito Identity's `endpoint`, the pool, the user pool `provider` as
/// Logins names it, the `region` api requests are signed for) and its session's hooks.
#[wasm_bindgen]
pub fn start(
    endpoint: String,
    identity_pool_id: String,
    provider: String,
    region: String,
    id_token: Function,
    end: Function,
) {
    SHELL.set(Some(Shell { endpoint, identity_pool_id, provider, region, id_token, end }));
}

/// Fetches fresh credentials: after sign-in and each token refresh.
#[wasm_bindgen]
pub fn renew() {
    spawn_local(async {
        let _ = JsFuture::from(fetch_once()).await;
    });
}

/// Renews the credentials if they are due (the shell's periodic check).
#[wasm_bindgen]
pub fn keep_fresh() {
    if HELD.with_borrow(|held| held.as_ref().is_some_and(|held| now() >= held.due_at)) {
        renew();
    }
}

/// Forgets the credentials (sign-out, or another person signed in).
#[wasm_bindgen]
pub fn forget() {
    GENERATION.set(GENERATION.get().wrapping_add(1));
    HELD.set(None);
    FETCHING.set(None);
    AFTER_REFUSAL.set(false);
}

/// The answer of `authHeaders` to `request` for an api authorized with IAM (see
/// `mfe_contract::props::AUTH_HEADERS`): its SigV4 headers; after a refusal, those to retry with, or
/// `null`.
#[wasm_bindgen]
pub async fn auth_headers(request: JsValue) -> Result<JsValue, JsValue> {
    let refused = field(&request, "refused");
    if refused.is_object() && !retry_after(&refused)? {
        return Ok(JsValue::NULL);
    }
    let region = SHELL.with_borrow(|shell| shell.as_ref().map(|shell| shell.region.clone())).ok_or("not started")?;
    let credentials = current().await?;
    sign(&credentials, &region, &request, now())
}

/// Credentials valid for a while yet, fetched first if need be.
async fn current() -> Result<JsValue, JsValue> {
    let held = HELD.with_borrow(|held| held.as_ref().filter(|held| now() < held.due_at).map(|h| h.credentials.clone()));
    match held {
        Some(credentials) => Ok(credentials),
        None => JsFuture::from(fetch_once()).await,
    }
}

fn fetch_once() -> Promise {
    FETCHING.with_borrow_mut(|fetching| {
        fetching
            .get_or_insert_with(|| {
                let generation = GENERATION.get();
                future_to_promise(async move {
                    let fetched = fetch().await;
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
async fn fetch() -> Result<Held, JsValue> {
    let after_refusal = AFTER_REFUSAL.replace(false);
    let shell = SHELL.with_borrow(|shell| {
        shell.as_ref().map(|s| (s.endpoint.clone(), s.identity_pool_id.clone(), s.provider.clone(), s.id_token.clone()))
    });
    let (endpoint, pool, provider, id_token) = shell.ok_or("not started")?;
    let id_token = JsFuture::from(id_token.call0(&JsValue::NULL)?.dyn_into::<Promise>()?).await?;
    let answer = credentials(endpoint, pool, provider, id_token.as_string().unwrap_or_default()).await;
    let credentials = answer.inspect_err(|error| {
        if text(error, "type") == "NotAuthorizedException" {
            end(&["The identity pool refused your sign-in (", &text(error, "message"), "). Please sign in again."]
                .concat());
        }
    })?;
    let expiration = field(&credentials, "expiration").as_f64().unwrap_or_default();
    let due_at = expiration - MARGIN_MS.min((expiration - now()) / 2.0);
    Ok(Held { access_key_id: text(&credentials, "accessKeyId"), credentials, due_at, after_refusal })
}

/// Whether to retry a request the api refused (`refused` is `{ errorType, message, date,
/// authorization }`): with the clock corrected by the api's `Date` if the signature was out of time,
/// with fresh credentials if they were refused (once: refused again, they end the session).
fn retry_after(refused: &JsValue) -> Result<bool, JsValue> {
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
                    end(&["The api refused your AWS credentials (", &message, "). Please sign in again."].concat());
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

/// Ends the shell's session with `message`.
fn end(message: &str) {
    let end = SHELL.with_borrow(|shell| shell.as_ref().map(|shell| shell.end.clone()));
    if let Some(end) = end {
        let _ = end.call1(&JsValue::NULL, &message.into());
    }
}

/// The time on the api's clock, in milliseconds since the epoch.
fn now() -> f64 {
    Date::now() + SKEW.get()
}
