//! The guest side of the micro-frontend contract (see `mfe-contract`).
//!
//! A micro-frontend calls [`define`] (a Leptos view, with the `leptos` feature) or [`define_page`]
//! (a page built by hand) from its `#[wasm_bindgen(start)]` function. From then on the browser
//! mounts the app whenever the shell puts `<mfe-NAME>` in the document, and unmounts it when the
//! element leaves. The app receives [`Props`]: the shell's session and sub-path as signals, and a
//! way to send events back up.

use std::any::Any;

pub mod rest;
#[cfg(feature = "leptos")]
mod view;

use any_spawner::Executor;
use mfe_contract::{Role, Session, Tenant, element_name, events, props};
use reactive_graph::{
    owner::{LocalStorage, Owner, StoredValue},
    prelude::*,
    signal::{ReadSignal, WriteSignal, signal, signal_local},
};
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

#[cfg(feature = "leptos")]
pub use crate::view::{SessionStatus, define};

// element.js ships as written (Trunk's minifier fails on wasm-bindgen's glue), so its notes are here:
// `define_element` defines <tag> as a custom element that mounts a micro-frontend while it is in
// the document; `props` names the JS properties the shell sets; `mount(element, initialProps)`
// returns a handle with `set(name, value)` and `unmount()`. A property set before the class was
// defined is an own property that would hide the class's accessor: connecting takes its value over.
// A session in another organisation (its tenant's id or the person's role there changed) mounts the
// micro-frontend afresh, which then loads that organisation's data: nothing of the other one stays.
#[wasm_bindgen(module = "/src/element.js")]
extern "C" {
    fn define_element(tag: &str, props: Vec<JsValue>, mount: &Closure<dyn Fn(HtmlElement, JsValue) -> Mounted>);
}

/// Why a request of a micro-frontend that left the page is not made.
const UNMOUNTED: &str = "the micro-frontend is no longer on the page";

/// What the shell hands a mounted micro-frontend.
#[derive(Clone, Copy)]
pub struct Props {
    /// The signed-in session, or `None`.
    pub session: ReadSignal<Option<Session>>,
    /// The URL below the micro-frontend's route, with its query, e.g. `/42` for `/accounts/42`.
    pub path: ReadSignal<String>,
    /// Where the api is, e.g. `https://api.example` (no trailing `/`).
    pub api_base_url: ReadSignal<String>,
    auth_headers: ReadSignal<JsValue, LocalStorage>,
    host: StoredValue<HtmlElement, LocalStorage>,
}

impl Props {
    /// The headers that authenticate the api request `method url` carrying `headers` and `body`, fresh
    /// from the shell (which refreshes the session and its credentials as needed); with `refused`, the
    /// gateway's refusal of it, those to retry with, or `None` when a retry would not help. An error
    /// means nobody is signed in or the session ended.
    pub async fn auth_headers(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
        refused: Option<&JsValue>,
    ) -> Result<Option<web_sys::Headers>, String> {
        let function: js_sys::Function = self
            .auth_headers
            .try_get_untracked()
            .ok_or(UNMOUNTED)?
            .dyn_into()
            .map_err(|_| "the shell gave no way to authenticate".to_owned())?;
        let pairs: js_sys::Array =
            headers.iter().map(|(name, value)| js_sys::Array::of2(&(*name).into(), &(*value).into())).collect();
        let mut fields = vec![("method", method.into()), ("url", url.into()), ("headers", pairs.into())];
        fields.push(("body", body.map_or(JsValue::NULL, JsValue::from)));
        fields.extend(refused.map(|refused| ("refused", refused.clone())));
        let promise: js_sys::Promise =
            function.call1(&JsValue::NULL, &rest::object(&fields)).map_err(describe)?.dyn_into().map_err(describe)?;
        let headers = wasm_bindgen_futures::JsFuture::from(promise).await.map_err(describe)?;
        if headers.is_null() {
            return Ok(None);
        }
        // `{ name: value }` is what `new Headers(...)` takes, as a record.
        web_sys::Headers::new_with_str_sequence_sequence(&headers).map(Some).map_err(describe)
    }

    /// `method <api><path>` as the signed-in person, with `headers` and a `json` body (its text); the
    /// api's response whatever its status. A gateway's refusal (a 403 with `x-amzn-ErrorType`: a
    /// signature out of time, credentials refused) goes back to the shell, which says whether to
    /// retry (see `mfe_contract::props::AUTH_HEADERS`); at most twice, for the clock and for the
    /// credentials. An error means the request could not be made or sent.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        json: Option<&JsValue>,
    ) -> Result<web_sys::Response, String> {
        // A task may outlive its mount (the shell remounts a micro-frontend in another organisation).
        let url = format!("{}{path}", self.api_base_url.try_get_untracked().ok_or(UNMOUNTED)?);
        let mut headers = headers.to_vec();
        if json.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        let body = json.and_then(JsValue::as_string);
        let mut refused = None;
        let mut answered = None;
        for _ in 0..3 {
            let Some(sent) = self.auth_headers(method, &url, &headers, body.as_deref(), refused.as_ref()).await? else {
                break;
            };
            let response = send(method, &url, &headers, json, &sent).await?;
            refused = refusal(&response, &sent).await;
            answered = Some(response);
            if refused.is_none() {
                break;
            }
        }
        answered.ok_or_else(|| "the shell gave no way to authenticate".to_owned())
    }

    /// The organisation the person works in, as the shell says (the same for the micro-frontend's
    /// lifetime: another one mounts it afresh); `None` when the shell names none, and once the mount
    /// is gone (a task may outlive it, and its request then fails as unmounted).
    pub fn tenant_id(&self) -> Option<String> {
        self.session.try_with_untracked(|session| Some(session.as_ref()?.tenant.as_ref()?.id.clone())).flatten()
    }

    /// The micro-frontend's element, for an app that builds its page by hand rather than as a view.
    pub fn host(&self) -> HtmlElement {
        self.host.get_value()
    }

    /// Asks the shell to show `path` (below the micro-frontend's route) in the URL; see
    /// [`events::NAVIGATE`].
    pub fn navigate(&self, path: &str) {
        self.dispatch(events::NAVIGATE, &path.into());
    }

    /// Tells the shell that the person's organisations changed, and to work in `switch_to` from now
    /// on if given; see [`events::ORGANISATIONS`].
    pub fn organisations_changed(&self, switch_to: Option<&str>) {
        self.dispatch(events::ORGANISATIONS, &switch_to.map_or(JsValue::NULL, JsValue::from));
    }

    /// Dispatches a bubbling, composed DOM event from the element, for the shell to handle.
    pub fn emit(&self, event: &str) {
        self.dispatch(event, &JsValue::NULL);
    }

    fn dispatch(&self, event: &str, detail: &JsValue) {
        let init = CustomEventInit::new();
        init.set_detail(detail);
        init.set_bubbles(true);
        init.set_composed(true);
        // Not `expect`: it would print the JsValue, whose Debug brings its formatter into the wasm.
        let Ok(event) = CustomEvent::new_with_event_init_dict(event, &init) else { unreachable!("a valid event name") };
        let _ = self.host.with_value(|host| host.dispatch_event(&event));
    }
}

/// `method url` with `headers`, the `json` body and the authenticating headers `sent`.
async fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    json: Option<&JsValue>,
    sent: &web_sys::Headers,
) -> Result<web_sys::Response, String> {
    for (name, value) in headers {
        sent.set(name, value).map_err(describe)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(json) = json {
        init.set_body(json);
    }
    init.set_headers(sent);
    let window = web_sys::window().ok_or("no window")?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| "the api cannot be reached".to_owned())?;
    Ok(response.unchecked_into())
}

/// A gateway's refusal of the request sent with `sent`, as the shell reads it: `{ errorType,
/// message, date, authorization }`; `None` for any other answer. Read from a copy: the answer's body
/// stays for the caller.
async fn refusal(response: &web_sys::Response, sent: &web_sys::Headers) -> Option<JsValue> {
    let error_type = response.headers().get("x-amzn-ErrorType").ok().flatten().filter(|_| response.status() == 403)?;
    let copy = response.clone().ok()?;
    let json = wasm_bindgen_futures::JsFuture::from(copy.json().ok()?).await.unwrap_or(JsValue::NULL);
    let header = |headers: &web_sys::Headers, name| headers.get(name).ok().flatten().unwrap_or_default();
    let date = header(&response.headers(), "Date");
    let fields = [
        ("errorType", error_type.into()),
        ("message", rest::get(&json, "message")),
        ("date", date.into()),
        ("authorization", header(sent, "Authorization").into()),
    ];
    Some(rest::object(&fields))
}

/// Registers the custom element `mfe-<name>`, whose `app` builds its page in [`Props::host`]; the
/// effects and values it creates last until the element leaves the document.
pub fn define_page(name: &str, app: fn(Props)) {
    register(name, move |host, props| {
        app(props);
        Box::new(Page(host))
    });
}

/// Empties the element of a page built by hand when it unmounts, as a Leptos view removes itself.
struct Page(HtmlElement);

impl Drop for Page {
    fn drop(&mut self) {
        self.0.set_text_content(None);
    }
}

/// `mount` puts the app in the element and returns what keeps it there.
pub(crate) fn register(name: &str, mount: impl Fn(HtmlElement, Props) -> Box<dyn Any> + 'static) {
    ui_kit::log_panics();
    // Effects and tasks run on wasm-bindgen's executor; a second call finds it already set.
    let _ = Executor::init_wasm_bindgen();
    let mount = Closure::<dyn Fn(HtmlElement, JsValue) -> Mounted>::new(move |host, initial| {
        Mounted::new(host, &initial, &mount)
    });
    let names = [props::SESSION, props::PATH, props::API_BASE_URL, props::AUTH_HEADERS].map(JsValue::from).to_vec();
    define_element(&element_name(name), names, &mount);
    // The element class keeps calling it for the page's lifetime.
    mount.forget();
}

/// A mounted micro-frontend, owned by its element (JS calls `set` and `unmount`).
#[wasm_bindgen]
pub struct Mounted {
    owner: Owner,
    session: WriteSignal<Option<Session>>,
    path: WriteSignal<String>,
    api_base_url: WriteSignal<String>,
    auth_headers: WriteSignal<JsValue, LocalStorage>,
    view: Box<dyn Any>,
}

impl Mounted {
    fn new(host: HtmlElement, initial: &JsValue, mount: &dyn Fn(HtmlElement, Props) -> Box<dyn Any>) -> Self {
        let owner = Owner::new();
        owner.with(|| {
            let prop = |name: &str| js_sys::Reflect::get(initial, &name.into()).unwrap_or(JsValue::UNDEFINED);
            let (session, set_session) = signal(parse_session(prop(props::SESSION)));
            let (path, set_path) = signal(prop(props::PATH).as_string().unwrap_or_default());
            let (api_base_url, set_api_base_url) = signal(prop(props::API_BASE_URL).as_string().unwrap_or_default());
            let (auth_headers, set_auth_headers) = signal_local(prop(props::AUTH_HEADERS));
            let props = Props { session, path, api_base_url, auth_headers, host: StoredValue::new_local(host.clone()) };
            let view = mount(host, props);
            Self {
                owner: owner.clone(),
                session: set_session,
                path: set_path,
                api_base_url: set_api_base_url,
                auth_headers: set_auth_headers,
                view,
            }
        })
    }
}

#[wasm_bindgen]
impl Mounted {
    /// The shell set a property on the element.
    pub fn set(&self, name: &str, value: JsValue) {
        match name {
            props::SESSION => self.session.set(parse_session(value)),
            props::PATH => self.path.set(value.as_string().unwrap_or_default()),
            props::API_BASE_URL => self.api_base_url.set(value.as_string().unwrap_or_default()),
            props::AUTH_HEADERS => self.auth_headers.set(value),
            _ => {}
        }
    }

    /// The element left the document: remove the view and dispose of its reactive graph.
    pub fn unmount(self) {
        drop(self.view);
        self.owner.cleanup();
    }
}

/// Helpers for the micro-frontends' own wasm tests.
pub mod testing {
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::HtmlElement;

    /// Puts `<mfe-NAME>` with the given properties into the document, as the shell would, and
    /// returns it once mounted. The micro-frontend's start function must have run.
    pub fn mount(name: &str, session: Option<&mfe_contract::Session>, path: &str) -> HtmlElement {
        let document = web_sys::window().and_then(|w| w.document()).expect("a document");
        let element: HtmlElement =
            document.create_element(&mfe_contract::element_name(name)).expect("an element").unchecked_into();
        let session = serde_wasm_bindgen::to_value(&session).expect("a session");
        js_sys::Reflect::set(&element, &mfe_contract::props::SESSION.into(), &session).expect("session set");
        js_sys::Reflect::set(&element, &mfe_contract::props::PATH.into(), &JsValue::from_str(path)).expect("path set");
        document.body().expect("a body").append_child(&element).expect("appended");
        element
    }
}

fn describe(error: JsValue) -> String {
    error
        .as_string()
        .or_else(|| error.dyn_ref::<js_sys::Error>().map(|e| e.message().into()))
        .or_else(|| js_sys::JSON::stringify(&error).ok().map(String::from))
        .unwrap_or_else(|| "an error the browser cannot describe".to_owned())
}

/// `null`/`undefined` mean signed out; a malformed session is reported and treated as signed out.
/// Read by hand rather than through serde, whose error messages bring float and debug formatting
/// into every micro-frontend's wasm.
fn parse_session(value: JsValue) -> Option<Session> {
    if value.is_null() || value.is_undefined() {
        return None;
    }
    let (username, email, groups, tenant) =
        (field(&value, "username"), field(&value, "email"), field(&value, "groups"), field(&value, "tenant"));
    let groups = match groups.dyn_into::<js_sys::Array>() {
        Ok(groups) => groups.iter().map(|group| group.as_string()).collect(),
        Err(absent) => absent.is_undefined().then(Vec::new),
    };
    let session = match (value.is_object(), username.as_string(), optional(email, |email| email.as_string()), groups) {
        (true, Some(username), Some(email), Some(groups)) => {
            optional(tenant, parse_tenant).map(|tenant| Session { username, email, groups, tenant })
        }
        _ => None,
    };
    if session.is_none() {
        web_sys::console::warn_2(&"ignoring a malformed session:".into(), &value);
    }
    session
}

/// `{ id, name, role }`.
fn parse_tenant(value: JsValue) -> Option<Tenant> {
    let text = |name| field(&value, name).as_string();
    Some(Tenant { id: text("id")?, name: text("name")?, role: Role::parse(&text("role")?)? })
}

/// An absent member (`undefined` or `null`) is `Some(None)`; one `parse` cannot read is `None`.
fn optional<T>(value: JsValue, parse: fn(JsValue) -> Option<T>) -> Option<Option<T>> {
    if value.is_undefined() || value.is_null() { Some(None) } else { parse(value).map(Some) }
}

fn field(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

#[cfg(test)]
mod tests {
    use leptos::prelude::*;
    use wasm_bindgen_test::*;

    // Named: Leptos's prelude has a `Props` trait.
    use super::{Props, *};

    wasm_bindgen_test_configure!(run_in_browser);

    fn probe(props: Props) -> impl IntoView {
        view! {
            <SessionStatus props/>
            <p class="path">{move || props.path.get()}</p>
        }
    }

    fn document() -> web_sys::Document {
        web_sys::window().unwrap().document().unwrap()
    }

    fn text(selector: &str) -> String {
        document().query_selector(selector).unwrap().map(|e| e.text_content().unwrap_or_default()).unwrap_or_default()
    }

    #[wasm_bindgen_test]
    async fn element_mounts_takes_properties_emits_events_and_unmounts() {
        // A property set before the element is defined must still arrive.
        let element: HtmlElement = document().create_element("mfe-probe").unwrap().unchecked_into();
        let session = mfe_host::session_to_js(Some(&Session { username: "ada".into(), ..Session::default() }));
        js_sys::Reflect::set(&element, &"session".into(), &session).unwrap();
        define("probe", probe);
        document().body().unwrap().append_child(&element).unwrap();
        assert_eq!(text("mfe-probe [data-testid=session-user]"), "ada");

        js_sys::Reflect::set(&element, &"path".into(), &"/42".into()).unwrap();
        leptos::task::tick().await;
        assert_eq!(text("mfe-probe .path"), "/42");

        let heard = std::rc::Rc::new(std::cell::Cell::new(false));
        let on_sign_out = Closure::<dyn Fn()>::new({
            let heard = heard.clone();
            move || heard.set(true)
        });
        document().add_event_listener_with_callback(events::SIGN_OUT, on_sign_out.as_ref().unchecked_ref()).unwrap();
        let button: web_sys::HtmlElement =
            document().query_selector("mfe-probe button").unwrap().unwrap().unchecked_into();
        button.click();
        assert!(heard.get(), "the sign-out event bubbles to the document");

        element.remove();
        assert_eq!(element.child_element_count(), 0, "unmounting removes the view");
    }

    thread_local! {
        static KEPT: std::cell::Cell<Option<Props>> = const { std::cell::Cell::new(None) };
    }

    /// A micro-frontend that keeps its properties, as a task that outlives its mount does.
    fn keeper(props: Props) -> impl IntoView {
        KEPT.with(|kept| kept.set(Some(props)));
    }

    #[wasm_bindgen_test]
    async fn properties_kept_past_the_mount_say_it_is_gone_without_panicking() {
        let tenant = Tenant { id: "t-1".into(), name: "Acme".into(), role: Role::Viewer };
        let session = Session { username: "ada".into(), tenant: Some(tenant), ..Session::default() };
        define("keeper", keeper);
        let element = testing::mount("keeper", Some(&session), "");
        let props = KEPT.with(std::cell::Cell::get).expect("mounted");
        assert_eq!(props.tenant_id().as_deref(), Some("t-1"));

        element.remove();
        assert_eq!(props.tenant_id(), None, "the organisation went with the mount");
        let request = props.request("GET", "/v1/accounts", &[], None).await;
        assert_eq!(request.err().as_deref(), Some(UNMOUNTED));
    }

    #[wasm_bindgen_test]
    fn malformed_sessions_count_as_signed_out() {
        assert_eq!(parse_session(JsValue::NULL), None);
        assert_eq!(parse_session(JsValue::from_str("nope")), None);
        let json = |text: &str| js_sys::JSON::parse(text).unwrap();
        assert_eq!(parse_session(json(r#"{"email":"ada@example.com"}"#)), None, "no username");
        assert_eq!(parse_session(json(r#"{"username":"ada","groups":[1]}"#)), None, "a group that is no name");
        let tenant = r#"{"username":"ada","tenant":{"id":"t","name":"Acme","role":"boss"}}"#;
        assert_eq!(parse_session(json(tenant)), None, "a role the contract does not name");
    }

    #[wasm_bindgen_test]
    fn sessions_read_as_the_shell_sends_them() {
        let tenant = Tenant { id: "t-1".into(), name: "Acme".into(), role: Role::Viewer };
        let full = Session {
            username: "ada".into(),
            email: Some("ada@example.com".into()),
            groups: vec!["Admin".into()],
            tenant: Some(tenant),
        };
        let bare = Session { username: "grace".into(), ..Session::default() };
        for session in [full, bare] {
            assert_eq!(parse_session(mfe_host::session_to_js(Some(&session))), Some(session));
        }
        assert_eq!(parse_session(mfe_host::session_to_js(None)), None, "signed out");
    }
}
