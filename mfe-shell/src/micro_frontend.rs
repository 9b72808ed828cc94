//! Renders a micro-frontend's section: loads its module at run time and puts the section's custom
//! element on the page, with the session (and the organisation) and sub-path as JS properties and
//! the shell listening for its events (sign-out, navigation within its route, a change to the
//! person's organisations). Built by hand (see `ui_kit`), for wasm size.

use js_sys::Reflect;
use leptos::prelude::*;
use maud::html;
use mfe_contract::{RuntimeConfig, element_name, events, props};
use ui_kit::dom::{Place, follow, insert, listen, set, target};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, Element};

use crate::{
    auth::session::SessionStore,
    layout::loading_markup,
    organisations::Organisations,
    router::{Router, Section, sub_path},
};

/// The `section` in `frame`: the rest of the URL's path below `/<path>` is its own.
pub fn show(frame: &Element, section: &'static Section) {
    let config = expect_context::<RuntimeConfig>();
    let session = expect_context::<SessionStore>();
    let organisations = expect_context::<Organisations>();
    let router = expect_context::<Router>();
    let name = section.path;
    frame.set_class_name("mfe-frame");
    // With the query: a micro-frontend's view (its filters, say) can be bookmarked.
    let path = Memo::new(move |_| [sub_path(&router.path(), name).unwrap_or("/"), &router.search()].concat());
    // `None` while loading; a failed load can be tried again.
    let load = RwSignal::new(None::<Result<(), String>>);
    let mfe = section.mfe;
    let base = config.micro_frontends.get(mfe).cloned();
    let start_load = move || {
        load.set(None);
        let base = base.clone();
        leptos::task::spawn_local(async move {
            let outcome = match base {
                Some(base) => mfe_host::load(&base).await.map_err(|e| e.to_string()),
                None => Err(format!("config.json names no micro-frontend called \"{mfe}\".")),
            };
            load.set(Some(outcome));
        });
    };
    start_load();
    show_load(frame, name, load);
    listen(frame, "click", move |event| {
        if target(&event).is_some_and(|t| t.matches("[role=alert] button").unwrap_or(false)) {
            start_load();
        }
    });
    // The element is on the page from the start: it upgrades itself once its module has loaded.
    let document = frame.owner_document().expect("an element has a document");
    let element = document.create_element(&element_name(name)).expect("a valid custom element name");
    set_prop(&element, props::API_BASE_URL, &config.api_base_url.as_str().into());
    set_prop(&element, props::AUTH_HEADERS, &session.auth_headers());
    // The path first: a session in another organisation mounts the micro-frontend afresh, which must
    // not start from a path of the last one (switching leaves `/accounts/<id>` for `/accounts`).
    let shown = element.clone();
    follow(move |_: Option<()>| {
        set_prop(&shown, props::PATH, &path.with(|p| JsValue::from_str(p)));
        set_prop(&shown, props::SESSION, &organisations.session_js());
    });
    // A micro-frontend that asks to sign out signs the whole app out: after this handler, as
    // signing out takes this page (and the handler) away.
    listen(&element, events::SIGN_OUT, move |_| leptos::task::spawn_local(async move { session.sign_out() }));
    // The shell owns the URL: a micro-frontend asks for its sub-path and gets it back as `path`.
    listen(&element, events::NAVIGATE, move |event| {
        let detail = event.unchecked_into::<CustomEvent>().detail().as_string();
        if let Some(sub_path) = detail.filter(|p| p.is_empty() || p.starts_with(['/', '?'])) {
            router.navigate(&format!("/{name}{sub_path}"));
        }
    });
    // And the person's organisations: it reads them again, and switches if asked to.
    listen(&element, events::ORGANISATIONS, move |event| {
        organisations.reload(event.unchecked_into::<CustomEvent>().detail().as_string());
    });
    // Added once its properties are set, as a defined element upgrades at once.
    let _ = frame.append_child(&element);
}

fn set_prop(element: &Element, name: &str, value: &JsValue) {
    let _ = Reflect::set(element, &name.into(), value);
}

/// While loading, a spinner; if the load failed, why, and a button to try again.
fn show_load(frame: &Element, name: &'static str, load: RwSignal<Option<Result<(), String>>>) {
    let frame = frame.clone();
    follow(move |shown: Option<Option<Element>>| {
        if let Some(old) = shown.flatten() {
            old.remove();
        }
        let markup = load.with(|load| match load {
            None => Some(loading_markup(&format!("Loading {name}…"))),
            // The page's only heading: the section that would have had one is not there.
            Some(Err(error)) => Some(html! {
                div class="alert alert--error" role="alert" {
                    h1 class="alert__title" { "The " (name) " section could not be loaded." }
                    p class="muted" { (error) }
                    button type="button" class="button" { "Try again" }
                }
            }),
            Some(Ok(())) => None,
        });
        set(&frame, "aria-busy", if load.with(Option::is_none) { "true" } else { "false" });
        insert(&frame, Place::Start, markup?)
    });
}
