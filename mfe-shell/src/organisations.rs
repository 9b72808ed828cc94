//! The person's organisations and the one they work in: read from the api (`GET /v1/tenants`) when
//! someone signs in and when a micro-frontend says they changed, chosen in the top bar's switcher,
//! remembered per person (in `localStorage`), and handed to the micro-frontends in the session's
//! `tenant`.

use js_sys::{Array, JSON, Object, Reflect};
use leptos::{prelude::*, task::spawn_local};
use mfe_contract::{Session, Tenant};
use ui_kit::dom::follow;
use wasm_bindgen::{JsCast, JsValue};

use crate::{
    auth::session::{SessionStore, storage},
    http,
};

/// Where each person's choice is kept: this, then their username.
const STORAGE_PREFIX: &str = "ledgerline.organisation.";

/// The person's organisations (oldest membership first), or why they could not be read; `None`
/// while they load or when nobody is signed in.
pub type Listed = Option<Result<Vec<Tenant>, String>>;

#[derive(Clone, Copy)]
pub struct Organisations {
    session: SessionStore,
    pub list: RwSignal<Listed>,
    /// The id of the organisation the person chose last, if any.
    chosen: RwSignal<Option<String>>,
    tenants_url: StoredValue<String>,
}

impl Organisations {
    /// Follows who is signed in: each person's own organisations and choice.
    pub fn start(session: SessionStore, api_base_url: &str) -> Self {
        let organisations = Self {
            session,
            list: RwSignal::new(None),
            chosen: RwSignal::new(None),
            tenants_url: StoredValue::new([api_base_url, "/v1/tenants"].concat()),
        };
        follow(move |_: Option<()>| {
            let person = session.session().map(|session| session.username);
            organisations.list.set(None);
            organisations.chosen.set(person.as_deref().and_then(remembered));
            if person.is_some() {
                organisations.reload(None);
            }
        });
        organisations
    }

    /// Reads the person's organisations again; then works in `switch_to`, if given.
    pub fn reload(self, switch_to: Option<String>) {
        let person = self.session.person();
        spawn_local(async move {
            let read = self.read().await;
            // Someone else signed in meanwhile: theirs are being read.
            if self.session.person() != person {
                return;
            }
            if let Some(id) = switch_to {
                self.choose(&id);
            }
            self.list.set(Some(read));
        });
    }

    async fn read(self) -> Result<Vec<Tenant>, String> {
        let url = self.tenants_url.get_value();
        let request = Object::new();
        for (name, value) in [("method", "GET".into()), ("url", url.as_str().into()), ("headers", Array::new().into())]
        {
            let _ = Reflect::set(&request, &name.into(), &value);
        }
        let (mut reply, authorization) = self.get(&url, &request).await?.ok_or("Nobody is signed in.")?;
        // A gateway's refusal (a signature out of time, refused credentials): once more, if the shell says so.
        if let (403, Some(error_type)) = (reply.status, reply.error_type.as_deref()) {
            let message = JSON::parse(&reply.body).ok().and_then(|json| Reflect::get(&json, &"message".into()).ok());
            let refused = Object::new();
            let _ = Reflect::set(&refused, &"errorType".into(), &error_type.into());
            let _ = Reflect::set(&refused, &"message".into(), &message.unwrap_or_default());
            let _ = Reflect::set(&refused, &"date".into(), &reply.date.as_deref().unwrap_or_default().into());
            let _ = Reflect::set(&refused, &"authorization".into(), &authorization.into());
            let _ = Reflect::set(&request, &"refused".into(), &refused);
            if let Some((retried, _)) = self.get(&url, &request).await? {
                reply = retried;
            }
        }
        if reply.status != 200 {
            return Err(format!("The api answered {}.", reply.status));
        }
        miniserde::json::from_str(&reply.body).map_err(|_| "The api's answer is not a list of organisations.".into())
    }

    /// GETs `url` with the headers the session gives `request`, and the `Authorization` sent; `None`
    /// when it gives none.
    async fn get(self, url: &str, request: &Object) -> Result<Option<(http::Reply, String)>, String> {
        let headers =
            self.session.authenticate(request.into()).await.map_err(|error| {
                error.as_string().unwrap_or_else(|| "The request could not be authenticated.".into())
            })?;
        if headers.is_null() {
            return Ok(None);
        }
        let headers: Vec<(String, String)> = Object::entries(headers.unchecked_ref())
            .iter()
            .filter_map(|entry| {
                Some((Reflect::get_u32(&entry, 0).ok()?.as_string()?, Reflect::get_u32(&entry, 1).ok()?.as_string()?))
            })
            .collect();
        let authorization = headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("authorization"));
        let authorization = authorization.map(|(_, value)| value.clone()).unwrap_or_default();
        Ok(Some((http::get(url, &headers).await?, authorization)))
    }

    /// The organisation the person works in: the one they chose while they are in it, else their
    /// first (their personal one). Tracked.
    pub fn current(&self) -> Option<Tenant> {
        let chosen = self.chosen.get();
        self.list.with(|list| {
            let list = list.as_ref()?.as_ref().ok()?;
            list.iter().find(|tenant| Some(&tenant.id) == chosen.as_ref()).or(list.first()).cloned()
        })
    }

    /// Works in the organisation `id` from now on, also after a reload or the next sign-in.
    pub fn choose(&self, id: &str) {
        if let (Some(storage), Some(person)) = (storage(), self.session.person()) {
            let _ = storage.set_item(&[STORAGE_PREFIX, &person].concat(), id);
        }
        self.chosen.set(Some(id.to_owned()));
    }

    /// The session as micro-frontends receive it, with the organisation: an object, or `null` when
    /// nobody is signed in. Tracked.
    pub fn session_js(&self) -> JsValue {
        let session = self.session.session().map(|session| Session { tenant: self.current(), ..session });
        mfe_host::session_to_js(session.as_ref())
    }
}

/// The organisation `person` chose last in this browser.
fn remembered(person: &str) -> Option<String> {
    storage()?.get_item(&[STORAGE_PREFIX, person].concat()).ok().flatten()
}
