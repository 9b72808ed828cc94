//! Live updates: a small `graphql-transport-ws` client on the browser's WebSocket (no client
//! library: it would cost most of the budget). It connects to `<api>/graphql/ws` with the
//! session's `Authorization` in `connection_init`, subscribes to the organisation's created,
//! updated and deleted payments, and hands each to the [`Store`]. A dropped connection is tried
//! again with growing, jittered delays (1 s up to 30 s), and once back the table and the open
//! payment are read again, so nothing that happened meanwhile is missed. Closes that mean this
//! client is wrong (4400 bad message, 4409 duplicate id) are not retried.

use std::{cell::Cell, rc::Rc};

use any_spawner::Executor;
use mfe_guest::rest::{get, object, text};
use reactive_graph::{owner::StoredValue, prelude::*};
use wasm_bindgen::{JsCast, JsValue, prelude::Closure};
use web_sys::{CloseEvent, Element, MessageEvent, WebSocket};

use crate::{api::Payment, ops, store::Store};

const PROTOCOL: &str = "graphql-transport-ws";
/// The subscriptions, by the ids this client gives them.
const SUBSCRIPTIONS: [(&str, &str); 3] =
    [("created", ops::ON_CREATE), ("updated", ops::ON_UPDATE), ("deleted", ops::ON_DELETE)];
/// How long the server may take to acknowledge the connection before it is tried again.
const ACK_TIMEOUT_MS: i32 = 10_000;

/// Connects for as long as the current owner lives (the micro-frontend is mounted), saying how it
/// goes in `line`.
pub fn start(store: Store, line: Element) {
    let client = Client { store, line, state: Rc::new(State::default()) };
    client.show(Live::Connecting);
    client.connect();
    StoredValue::new_local(Connection(client));
}

/// The connection's state, shared by its handlers and the timers that outlive a connection.
/// How the live updates are doing, for the line that says so.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Live {
    #[default]
    Connecting,
    On,
    /// Lost; trying again in this many seconds.
    Retrying(u32),
    Off,
}

#[derive(Default)]
struct State {
    live: Cell<Live>,
    /// The socket, with the handlers it calls.
    socket: Cell<Option<(WebSocket, Handlers)>>,
    /// Failed attempts since the last acknowledged connection.
    attempts: Cell<u32>,
    /// Whether a connection was acknowledged before: the next one reads everything again.
    was_live: Cell<bool>,
    /// The micro-frontend left the page: no more connecting.
    ended: Cell<bool>,
}

type Handlers = (Closure<dyn Fn(JsValue)>, Closure<dyn Fn(MessageEvent)>, Closure<dyn Fn(CloseEvent)>);

#[derive(Clone)]
struct Client {
    store: Store,
    line: Element,
    state: Rc<State>,
}

impl Client {
    fn show(&self, live: Live) {
        self.state.live.set(live);
        let text = match live {
            Live::Connecting => "Connecting for live updates…",
            Live::On => "Live: colleagues' changes appear as they happen.",
            Live::Retrying(seconds) => {
                &["Live updates lost; trying again in ", &maud::Render::render(&seconds).0, " s…"].concat()
            }
            Live::Off => "Live updates are off: reload the page to see colleagues' changes.",
        };
        self.line.set_text_content(Some(text));
    }

    fn connect(&self) {
        let client = self.clone();
        Executor::spawn_local(async move {
            let url = client.url();
            // A fresh token from the shell for each connection (it may have been refreshed).
            let authorization = match client.store.api.0.auth_headers("GET", &url, &[], None, None).await {
                Ok(headers) => headers.and_then(|h| h.get("Authorization").ok().flatten()).unwrap_or_default(),
                Err(_) => return client.retry(),
            };
            if client.state.ended.get() {
                return;
            }
            let Ok(socket) = WebSocket::new_with_str(&url, PROTOCOL) else { return client.retry() };
            client.show(Live::Connecting);
            let on_open = {
                let socket = socket.clone();
                Closure::<dyn Fn(JsValue)>::new(move |_| {
                    let payload = object(&[("Authorization", authorization.as_str().into())]);
                    send(&socket, &[("type", "connection_init".into()), ("payload", payload)]);
                })
            };
            let on_message = {
                let (client, socket) = (client.clone(), socket.clone());
                Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
                    client.on_message(&socket, &event.data())
                })
            };
            let on_close = {
                let client = client.clone();
                Closure::<dyn Fn(CloseEvent)>::new(move |event: CloseEvent| client.on_close(event.code()))
            };
            socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
            client.state.socket.set(Some((socket.clone(), (on_open, on_message, on_close))));
            // No acknowledgement in time: the connection is useless; close it and try again.
            let waiting = client.clone();
            later(ACK_TIMEOUT_MS, move || {
                if waiting.state.live.get() != Live::On && socket.ready_state() != WebSocket::CLOSED {
                    let _ = socket.close();
                }
            });
        });
    }

    /// `ws(s)://<api>/graphql/ws`.
    fn url(&self) -> String {
        let base = self.store.api.0.api_base_url.get_untracked();
        let base = if base.is_empty() {
            web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
        } else {
            base
        };
        // http(s) → ws(s); by prefix, not `replacen` (its substring search costs wasm size).
        ["ws", base.strip_prefix("http").unwrap_or(&base), "/graphql/ws"].concat()
    }

    fn on_message(&self, socket: &WebSocket, data: &JsValue) {
        let Some(message) = data.as_string().and_then(|json| js_sys::JSON::parse(&json).ok()) else { return };
        match text(&message, "type").as_str() {
            "connection_ack" => {
                let tenant = self.store.api.0.tenant_id().map_or(JsValue::NULL, JsValue::from);
                for (id, query) in SUBSCRIPTIONS {
                    let payload =
                        object(&[("query", query.into()), ("variables", object(&[("tenantId", tenant.clone())]))]);
                    send(socket, &[("id", id.into()), ("type", "subscribe".into()), ("payload", payload)]);
                }
                self.state.attempts.set(0);
                self.show(Live::On);
                // Back after a drop: what happened meanwhile is read again.
                if self.state.was_live.replace(true) {
                    self.store.reload();
                }
            }
            "next" => {
                let data = get(&get(&message, "payload"), "data");
                let id = text(&message, "id");
                let Some(field) = SUBSCRIPTIONS.iter().position(|(known, _)| *known == id) else { return };
                let payment = get(&data, ["onCreatePayment", "onUpdatePayment", "onDeletePayment"][field]);
                if !payment.is_object() {
                    return;
                }
                let payment = Payment::from_json(&payment);
                match field {
                    2 => self.store.removed(&payment.id),
                    _ => Executor::spawn_local(self.store.arrived(payment)),
                }
            }
            "ping" => send(socket, &[("type", "pong".into())]),
            _ => {}
        }
    }

    fn on_close(&self, code: u16) {
        if let Some((socket, _handlers)) = self.state.socket.take() {
            detach(&socket);
        }
        if self.state.ended.get() {
            return;
        }
        match code {
            4400 | 4409 => {
                self.show(Live::Off);
            }
            _ => self.retry(),
        }
    }

    /// Connects again after a delay that doubles with each failed attempt (at most 30 s), jittered
    /// so that a restarted api is not met by every browser at once.
    fn retry(&self) {
        let attempts = self.state.attempts.get();
        self.state.attempts.set(attempts + 1);
        let seconds = 1u32 << attempts.min(5);
        let delay = f64::from(seconds.min(30) * 1000) * (0.5 + js_sys::Math::random() / 2.0);
        self.show(Live::Retrying((delay / 1000.0).ceil() as u32));
        let client = self.clone();
        later(delay as i32, move || {
            if !client.state.ended.get() {
                client.connect();
            }
        });
    }
}

/// The client as its owner holds it: dropped when the micro-frontend leaves the page (the handlers
/// and timers hold clones of the client, which may go before or after it).
struct Connection(Client);

impl Drop for Connection {
    /// The micro-frontend left the page: the connection closes, and no handler runs after.
    fn drop(&mut self) {
        self.0.state.ended.set(true);
        if let Some((socket, _handlers)) = self.0.state.socket.take() {
            detach(&socket);
            let _ = socket.close_with_code(1000);
        }
    }
}

fn detach(socket: &WebSocket) {
    socket.set_onopen(None);
    socket.set_onmessage(None);
    socket.set_onclose(None);
}

fn send(socket: &WebSocket, fields: &[(&str, JsValue)]) {
    if let Ok(json) = js_sys::JSON::stringify(&object(fields)) {
        let _ = socket.send_with_str(&String::from(json));
    }
}

/// Runs `then` after `ms` milliseconds.
fn later(ms: i32, then: impl FnOnce() + 'static) {
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(Closure::once_into_js(then).unchecked_ref(), ms);
    }
}
