//! The session: who is signed in, kept across reloads in `localStorage`, shared with every
//! micro-frontend as a JS value.

use leptos::prelude::*;
use mfe_contract::Session;
use serde::Serialize;
use wasm_bindgen::JsValue;

const STORAGE_KEY: &str = "ledgerline.session";

#[derive(Clone, Copy)]
pub struct SessionStore(RwSignal<Option<Session>>);

impl SessionStore {
    /// The session saved by an earlier visit, if any.
    pub fn restore() -> Self {
        let saved = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
        Self(RwSignal::new(saved.and_then(|json| serde_json::from_str(&json).ok())))
    }

    pub fn get(&self) -> Option<Session> {
        self.0.get()
    }

    /// The session as micro-frontends receive it: an object, or `null` when signed out.
    pub fn to_js(self) -> JsValue {
        let json = serde_wasm_bindgen::Serializer::json_compatible();
        self.0.with(|session| session.serialize(&json).unwrap_or(JsValue::NULL))
    }

    pub fn sign_out(&self) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(STORAGE_KEY);
        }
        self.0.set(None);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}
