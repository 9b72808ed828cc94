//! The session: the person's tokens, kept in `localStorage` so a reload stays signed in, refreshed
//! before they expire, shared by every tab, and shown to micro-frontends without the tokens.

use std::{cell::RefCell, time::Duration};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use cognito_client::{AuthenticationResult, ErrorKind};
use js_sys::{Object, Promise, Reflect};
use leptos::{ev, prelude::*, task::spawn_local};
use mfe_contract::{ApiAuthorization, RuntimeConfig, Session};
use miniserde::{Deserialize, Serialize, json};
use wasm_bindgen::{JsValue, prelude::Closure};
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use super::{cognito::Cognito, credentials};
use crate::layout::Notice;

const STORAGE_KEY: &str = "ledgerline.session";
/// Tokens are refreshed this long before they expire, so a request never carries a stale one.
const MARGIN_MS: f64 = 60_000.0;
/// How often the shell checks whether the tokens are due for a refresh (timers sleep with the tab).
const CHECK_EVERY: Duration = Duration::from_secs(10);

/// What is kept in `localStorage`. Another tab reads it too.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
struct Tokens {
    #[serde(rename = "accessToken")]
    access_token: String,
    #[serde(rename = "idToken")]
    id_token: String,
    #[serde(rename = "refreshToken")]
    refresh_token: String,
    /// When the access and ID tokens expire, in milliseconds since the Unix epoch.
    #[serde(rename = "expiresAt")]
    expires_at: f64,
}

#[derive(Clone, Copy)]
pub struct SessionStore {
    tokens: RwSignal<Option<Tokens>>,
    /// Who is signed in: changes only when the person does, not when their tokens are refreshed, so
    /// pages and micro-frontends are not rendered again every few minutes.
    who: Memo<Option<Session>>,
    cognito: StoredValue<Cognito>,
    /// How each api is authorized, and the identity pool behind `iam`.
    config: StoredValue<RuntimeConfig>,
    notice: Notice,
    /// The `authHeaders` function handed to micro-frontends (one per page).
    auth_headers: StoredValue<JsValue, LocalStorage>,
}

thread_local! {
    /// The refresh under way, which every caller awaits, so there are never two at once.
    static REFRESHING: RefCell<Option<Promise>> = const { RefCell::new(None) };
}

impl SessionStore {
    /// Restores the saved session, keeps it fresh, and follows the other tabs.
    pub fn start(cognito: Cognito, config: RuntimeConfig, notice: Notice) -> Self {
        let tokens = RwSignal::new(load());
        let store = Self {
            tokens,
            who: Memo::new(move |_| tokens.with(|tokens| tokens.as_ref().map(|t| session_from(&t.id_token)))),
            cognito: StoredValue::new(cognito),
            config: StoredValue::new(config),
            notice,
            auth_headers: StoredValue::new_local(JsValue::UNDEFINED),
        };
        store.auth_headers.set_value(store.auth_headers_function());
        spawn_local(store.ensure_fresh());
        if store.tokens.with_untracked(Option::is_some) {
            credentials::renew(store);
        }
        // `set_interval` runs for the page's lifetime, like the shell itself.
        set_interval(move || spawn_local(store.ensure_fresh()), CHECK_EVERY);
        let _ = window_event_listener(ev::storage, move |event| {
            if event.key().as_deref() == Some(STORAGE_KEY) {
                store.follow_other_tab(event.new_value());
            }
        });
        store
    }

    pub fn cognito(&self) -> Cognito {
        self.cognito.get_value()
    }

    pub fn with_config<T>(&self, read: impl FnOnce(&RuntimeConfig) -> T) -> T {
        self.config.with_value(read)
    }

    /// Whether an api is authorized with IAM, with credentials of an identity pool.
    pub fn uses_iam(&self) -> bool {
        self.with_config(|config| {
            config.identity_pool.is_some() && config.api_authorization.values().any(|a| *a == ApiAuthorization::Iam)
        })
    }

    /// Who is signed in, from the ID token's claims; `None` when signed out.
    pub fn session(&self) -> Option<Session> {
        self.who.get()
    }

    /// Who is signed in (their username), untracked.
    pub fn person(&self) -> Option<String> {
        self.who.with_untracked(|who| who.as_ref().map(|session| session.username.clone()))
    }

    pub fn is_signed_in(&self) -> bool {
        self.who.with(Option::is_some)
    }

    /// Keeps the tokens of a successful sign-in.
    pub fn signed_in(&self, result: AuthenticationResult) {
        let Some(refresh_token) = result.refresh_token else { return };
        let tokens = Tokens {
            expires_at: expiry(result.expires_in),
            access_token: result.access_token,
            id_token: result.id_token,
            refresh_token,
        };
        save(Some(&tokens));
        self.tokens.set(Some(tokens));
        // What was said before signing in ("Sign in to continue", "You have been signed out") is past.
        self.notice.clear();
        credentials::forget();
        credentials::renew(*self);
    }

    /// Signs out here and in every other tab, and revokes the refresh token so it is useless even
    /// if it was copied.
    pub fn sign_out(&self) {
        self.end("You have been signed out.");
    }

    /// Signs out as [`SessionStore::sign_out`] does, telling the person `why`.
    pub fn end(&self, why: &str) {
        if let Some(tokens) = self.tokens.get_untracked() {
            let cognito = self.cognito();
            spawn_local(async move {
                // Best effort: signed out locally whether or not the server hears it.
                let _ = cognito.call(cognito.client.revoke_token(&tokens.refresh_token)).await;
            });
        }
        self.forget(why);
    }

    /// Forgets the session (here and, through storage, in the other tabs) and tells the person why.
    pub fn forget(&self, why: &str) {
        credentials::forget();
        save(None);
        self.tokens.set(None);
        self.notice.show(why);
    }

    /// An access token valid for at least the margin, refreshed first if needed.
    pub async fn access_token(self) -> Result<String, String> {
        self.fresh_tokens().await.map(|tokens| tokens.access_token)
    }

    /// An ID token valid for at least the margin, refreshed first if needed.
    pub async fn id_token(self) -> Result<String, String> {
        self.fresh_tokens().await.map(|tokens| tokens.id_token)
    }

    async fn fresh_tokens(self) -> Result<Tokens, String> {
        let tokens = self.tokens.get_untracked().ok_or("Nobody is signed in.")?;
        if !is_due(&tokens) {
            return Ok(tokens);
        }
        JsFuture::from(self.refresh_once())
            .await
            .map_err(|error| error.as_string().unwrap_or_else(|| "The session could not be refreshed.".into()))?;
        self.tokens.get_untracked().ok_or_else(|| "Nobody is signed in.".into())
    }

    pub fn auth_headers(&self) -> JsValue {
        self.auth_headers.get_value()
    }

    async fn ensure_fresh(self) {
        if self.tokens.with_untracked(|tokens| tokens.as_ref().is_some_and(is_due)) {
            let _ = JsFuture::from(self.refresh_once()).await;
        }
        credentials::keep_fresh();
    }

    fn refresh_once(self) -> Promise {
        REFRESHING.with_borrow_mut(|refreshing| {
            refreshing
                .get_or_insert_with(|| {
                    future_to_promise(async move {
                        let outcome = self.refresh().await;
                        REFRESHING.with_borrow_mut(|refreshing| *refreshing = None);
                        outcome.map(JsValue::from).map_err(JsValue::from)
                    })
                })
                .clone()
        })
    }

    /// GetTokensFromRefreshToken, keeping the new refresh token when the client rotates them. Another tab
    /// may have refreshed first: its tokens, if still fresh, are taken rather than refreshing with a refresh
    /// token it already replaced. A refused refresh token (revoked, expired, reused, user deleted) ends the
    /// session; a network failure keeps it for the next try.
    async fn refresh(self) -> Result<String, String> {
        let tokens = self.tokens.get_untracked().ok_or("Nobody is signed in.")?;
        if let Some(saved) = load().filter(|saved| *saved != tokens && !is_due(saved)) {
            let access_token = saved.access_token.clone();
            self.tokens.set(Some(saved));
            return Ok(access_token);
        }
        let cognito = self.cognito();
        match cognito.call(cognito.client.get_tokens_from_refresh_token(&tokens.refresh_token)).await {
            Ok(answer) => {
                let result = answer.authentication_result.ok_or("The refresh answered without tokens.")?;
                let refreshed = Tokens {
                    expires_at: expiry(result.expires_in),
                    access_token: result.access_token,
                    id_token: result.id_token,
                    refresh_token: result.refresh_token.unwrap_or(tokens.refresh_token),
                };
                save(Some(&refreshed));
                let access_token = refreshed.access_token.clone();
                self.tokens.set(Some(refreshed));
                credentials::renew(self);
                Ok(access_token)
            }
            Err(error)
                if matches!(error.kind, ErrorKind::NotAuthorizedException | ErrorKind::RefreshTokenReuseException) =>
            {
                self.forget("Your session has ended. Please sign in again.");
                Err(error.message)
            }
            Err(error) => Err(error.message),
        }
    }

    /// Another tab signed in, refreshed or signed out.
    fn follow_other_tab(&self, saved: Option<String>) {
        match saved.and_then(|json| from_json(&json)) {
            Some(tokens) => {
                if !self.is_signed_in() {
                    // Signed in over there: "You signed out in another tab" is past here too.
                    self.notice.clear();
                }
                self.tokens.set(Some(tokens));
                // New tokens, perhaps of another person: this tab's own credentials for them.
                credentials::forget();
                credentials::renew(*self);
                spawn_local(self.ensure_fresh());
            }
            None if self.is_signed_in() => {
                credentials::forget();
                self.tokens.set(None);
                self.notice.show("You signed out in another tab.");
            }
            None => {}
        }
    }

    /// `authHeaders` (see `mfe_contract::props::AUTH_HEADERS`).
    fn auth_headers_function(self) -> JsValue {
        Closure::<dyn Fn(JsValue) -> Promise>::new(move |request: JsValue| {
            future_to_promise(async move { self.authenticate(request).await })
        })
        .into_js_value()
    }

    /// The headers that authenticate `request` (`{ method, url, headers, body, refused? }`): SigV4 for
    /// an api authorized with IAM, else the access token; after a refusal, those to retry with or `null`.
    pub async fn authenticate(self, request: JsValue) -> Result<JsValue, JsValue> {
        let url = Reflect::get(&request, &"url".into())?.as_string().unwrap_or_default();
        if credentials::is_iam(self, &url) {
            return credentials::sign(self, request).await;
        }
        if Reflect::get(&request, &"refused".into())?.is_object() {
            return Ok(JsValue::NULL);
        }
        let token = self.access_token().await?;
        let headers = Object::new();
        Reflect::set(&headers, &"Authorization".into(), &format!("Bearer {token}").into())?;
        Ok(headers.into())
    }
}

fn is_due(tokens: &Tokens) -> bool {
    is_due_at(tokens.expires_at, js_sys::Date::now())
}

/// Whether tokens expiring at `expires_at` must be refreshed at `now` (both in ms since the epoch).
fn is_due_at(expires_at: f64, now: f64) -> bool {
    expires_at - MARGIN_MS <= now
}

fn expiry(expires_in_seconds: u64) -> f64 {
    js_sys::Date::now() + expires_in_seconds as f64 * 1000.0
}

/// The claims the shell reads; the api verifies the tokens, the shell only displays them.
#[derive(Deserialize)]
struct Claims {
    email: Option<String>,
    #[serde(rename = "cognito:username")]
    cognito_username: Option<String>,
    #[serde(rename = "cognito:groups")]
    groups: Option<Vec<String>>,
}

fn claims(jwt: &str) -> Option<Claims> {
    let payload = URL_SAFE_NO_PAD.decode(jwt.split('.').nth(1)?).ok()?;
    from_json(std::str::from_utf8(&payload).ok()?)
}

fn session_from(id_token: &str) -> Session {
    let claims = claims(id_token);
    let Some(Claims { email, cognito_username, groups, .. }) = claims else { return Session::default() };
    Session {
        username: email.clone().or(cognito_username).unwrap_or_default(),
        email,
        groups: groups.unwrap_or_default(),
        tenant: None,
    }
}

fn load() -> Option<Tokens> {
    let saved = storage()?.get_item(STORAGE_KEY).ok().flatten()?;
    from_json(&saved)
}

fn save(tokens: Option<&Tokens>) {
    let Some(storage) = storage() else { return };
    let _ = match tokens.map(json::to_string) {
        Some(json) => storage.set_item(STORAGE_KEY, &json),
        None => storage.remove_item(STORAGE_KEY),
    };
}

/// miniserde, which cognito-client links anyway.
fn from_json<T: Deserialize>(json: &str) -> Option<T> {
    json::from_str(json).ok()
}

pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    #[wasm_bindgen_test]
    fn tokens_are_refreshed_a_minute_before_they_expire() {
        let now = 1_000_000_000.0;
        assert!(!is_due_at(now + 61_000.0, now));
        assert!(is_due_at(now + 60_000.0, now));
        assert!(is_due_at(now + 59_000.0, now));
        assert!(is_due_at(now - 1.0, now), "expired tokens are due");
    }

    fn jwt(claims: &str) -> String {
        format!("header.{}.signature", URL_SAFE_NO_PAD.encode(claims))
    }

    #[wasm_bindgen_test]
    fn the_session_is_read_from_the_id_tokens_claims() {
        let session =
            session_from(&jwt(r#"{"email":"ada@example.com","cognito:username":"u-1","cognito:groups":["Admin"]}"#));
        assert_eq!(session.username, "ada@example.com");
        assert_eq!(session.email.as_deref(), Some("ada@example.com"));
        assert_eq!(session.groups, ["Admin"]);
        let without_email = session_from(&jwt(r#"{"cognito:username":"u-1"}"#));
        assert_eq!(
            (without_email.username.as_str(), without_email.email, without_email.groups.len()),
            ("u-1", None, 0)
        );
        assert_eq!(session_from("not a token").username, "", "an unreadable token is nobody");
    }
}
