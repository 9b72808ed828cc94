//! Subscriptions over WebSocket at `/graphql/ws`, in the `graphql-transport-ws` protocol (graphql-ws's
//! PROTOCOL.md). async-graphql's protocol engine ([`async_graphql::http::WebSocket`]) runs the
//! operations and speaks the messages (`connection_ack`, `next`, `complete`, `pong`, 4429 for a
//! second `connection_init`); this module stands between it and the socket for what the engine
//! leaves out or answers with other codes:
//!
//! - `connection_init` is authorized here: its payload `{"Authorization": "<token>"}` (any case;
//!   `Bearer ` optional) is checked as the REST api checks the header, for the same [`Caller`]; a
//!   refusal closes with 4403. Without an accepted `connection_init` in time: 4408.
//! - A message that is not the protocol's: 4400; `subscribe` before `connection_ack`: 4401; a
//!   `subscribe` with the id of a running one: 4409. Queries and mutations go to `POST /graphql`:
//!   over the socket they are refused with an `error` message.
//! - The token's expiry closes the socket with 4403, and so does the end of its sign-in (global
//!   sign-out, revocation, user disabled), checked every `GRAPHQL_WS_REVOCATION_CHECK_MS`.
//! - Errors in `next` messages are in AppSync's shape, as over HTTP.
//! - When the instance stops, every socket closes with 1012 (service restart): clients reconnect.

use std::{
    collections::HashSet,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use async_graphql::{
    Data,
    futures_util::{StreamExt, stream},
    http::{ClientMessage, WebSocketProtocols, WsMessage},
    parser::types::OperationType,
};
use axum::{
    extract::{
        State,
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
    },
    response::Response,
};
use serde_json::{Value, json};
use tokio::{
    sync::{mpsc, oneshot},
    time::{Instant, MissedTickBehavior, interval_at, sleep_until},
};

use super::Subscriber;
use crate::{
    AppState,
    auth::{self, AuthError, Caller},
    db::{self, Identity},
};

pub const PATH: &str = "/graphql/ws";
pub const PROTOCOL: &str = "graphql-transport-ws";

/// The protocol's close codes (4429, too many `connection_init`s, is the engine's).
pub mod close {
    pub const BAD_MESSAGE: u16 = 4400;
    pub const UNAUTHORIZED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const SUBPROTOCOL_NOT_ACCEPTABLE: u16 = 4406;
    pub const INIT_TIMEOUT: u16 = 4408;
    pub const DUPLICATE_ID: u16 = 4409;
    pub const INTERNAL_ERROR: u16 = 1011;
    pub const SERVICE_RESTART: u16 = 1012;
}

pub async fn upgrade(State(state): State<AppState>, socket: WebSocketUpgrade) -> Response {
    let socket = socket.protocols([PROTOCOL]);
    let speaks_protocol = socket.selected_protocol().is_some();
    socket.on_upgrade(move |mut socket| async move {
        match speaks_protocol {
            true => Connection::new(state).serve(socket).await,
            false => {
                let reason = "Subprotocol not acceptable";
                drop(socket.send(close_message(close::SUBPROTOCOL_NOT_ACCEPTABLE, reason)).await);
            }
        }
    })
}

/// What the loop does next.
enum Step {
    Continue,
    Send(String),
    Close(u16, String),
    End,
}

fn refuse(code: u16, reason: impl Into<String>) -> Step {
    Step::Close(code, reason.into())
}

/// One socket's state, beside the engine's.
struct Connection {
    state: AppState,
    /// Hands the authorized subscriber to the engine's `on_connection_init`; taken by the first
    /// `connection_init`.
    grant: Option<oneshot::Sender<Data>>,
    /// Who the socket acts for, and when their token expires, once authorized.
    signed_in: Option<(Identity, Instant)>,
    acknowledged: bool,
    /// The ids of the operations running.
    running: HashSet<String>,
    /// The ids of those the client completed, until the engine confirms (the confirmation is not
    /// passed on: the client knows, and the id may already name a new operation).
    stopping: HashSet<String>,
}

impl Connection {
    fn new(state: AppState) -> Self {
        let (running, stopping) = (HashSet::new(), HashSet::new());
        Self { state, grant: None, signed_in: None, acknowledged: false, running, stopping }
    }

    async fn serve(mut self, mut socket: WebSocket) {
        let config = self.state.config.clone();
        let (to_engine, mut engine_input) = mpsc::unbounded_channel();
        let (grant, granted) = oneshot::channel::<Data>();
        self.grant = Some(grant);
        let input = stream::poll_fn(move |cx| engine_input.poll_recv(cx));
        let engine = async_graphql::http::WebSocket::from_message_stream(
            self.state.graphql.clone(),
            input,
            WebSocketProtocols::GraphQLWS,
        )
        .on_connection_init(|_payload| async move {
            // Only sent once this module authorized the connection_init.
            granted.await.map_err(|_| async_graphql::Error::new("Forbidden"))
        });
        let mut engine = std::pin::pin!(engine);
        let init_deadline = Instant::now() + config.graphql_ws_init_timeout();
        let check = config.graphql_ws_revocation_check();
        let mut revocation_checks = interval_at(Instant::now() + check, check);
        revocation_checks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut stopping = self.state.stopping.subscribe();
        loop {
            let (deadline, code, reason) = match (self.acknowledged, self.signed_in) {
                (true, Some((_, expires))) => (expires, close::FORBIDDEN, "Forbidden: the token has expired"),
                _ => (init_deadline, close::INIT_TIMEOUT, "Connection initialisation timeout"),
            };
            let step = tokio::select! {
                message = socket.recv() => self.on_client_message(message, &to_engine).await,
                message = engine.next() => self.on_engine_message(message),
                _ = sleep_until(deadline) => refuse(code, reason),
                _ = revocation_checks.tick(), if self.acknowledged => self.check_sign_in().await,
                () = stopped(&mut stopping) => refuse(close::SERVICE_RESTART, "Service restart"),
            };
            let sent = match step {
                Step::Continue => Ok(()),
                Step::Send(text) => socket.send(Message::Text(text.into())).await,
                Step::Close(code, reason) => {
                    drop(socket.send(close_message(code, &reason)).await);
                    return;
                }
                Step::End => return,
            };
            if sent.is_err() {
                return;
            }
        }
    }

    async fn on_client_message(
        &mut self,
        message: Option<Result<Message, axum::Error>>,
        engine: &mpsc::UnboundedSender<serde_json::Result<ClientMessage>>,
    ) -> Step {
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Binary(_))) => return refuse(close::BAD_MESSAGE, "Invalid message received"),
            // The WebSocket's own pings are answered beneath us.
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => return Step::Continue,
            Some(Ok(Message::Close(_)) | Err(_)) | None => return Step::End,
        };
        let message = match serde_json::from_str::<ClientMessage>(&text) {
            Ok(message) => message,
            Err(error) => return refuse(close::BAD_MESSAGE, format!("Invalid message received: {error}")),
        };
        let message = match message {
            ClientMessage::ConnectionInit { payload } if self.grant.is_some() => {
                if let Err(refusal) = self.authorize(payload.as_ref()).await {
                    return refusal;
                }
                ClientMessage::ConnectionInit { payload: None }
            }
            ClientMessage::Start { id, mut payload } => {
                if !self.acknowledged {
                    return refuse(close::UNAUTHORIZED, "Unauthorized");
                }
                if self.running.contains(&id) {
                    return refuse(close::DUPLICATE_ID, format!("Subscriber for {id} already exists"));
                }
                if !subscribes_only(&mut payload) {
                    return Step::Send(only_subscriptions(&id));
                }
                if !self.state.config.graphql_introspection {
                    payload = payload.disable_introspection();
                }
                self.running.insert(id.clone());
                ClientMessage::Start { id, payload }
            }
            ClientMessage::Stop { id } => {
                if self.running.remove(&id) {
                    self.stopping.insert(id.clone());
                }
                ClientMessage::Stop { id }
            }
            other => other,
        };
        // The engine ends only after this loop does.
        drop(engine.send(Ok(message)));
        Step::Continue
    }

    fn on_engine_message(&mut self, message: Option<WsMessage>) -> Step {
        let text = match message {
            Some(WsMessage::Text(text)) => text,
            Some(WsMessage::Close(code, reason)) => return Step::Close(code, reason),
            None => return Step::End,
        };
        let Ok(mut message) = serde_json::from_str::<Value>(&text) else { return Step::Send(text) };
        match message["type"].as_str() {
            Some("connection_ack") => self.acknowledged = true,
            Some("complete") if message["id"].as_str().is_some_and(|id| self.stopping.remove(id)) => {
                return Step::Continue;
            }
            Some("complete" | "error") => {
                if let Some(id) = message["id"].as_str() {
                    self.running.remove(id);
                }
            }
            Some("next") => {
                super::appsync_errors(&mut message["payload"]);
                return Step::Send(message.to_string());
            }
            _ => {}
        }
        Step::Send(text)
    }

    /// Authorizes a `connection_init` and hands its subscriber to the engine.
    async fn authorize(&mut self, payload: Option<&Value>) -> Result<(), Step> {
        let forbidden = |reason: &str| refuse(close::FORBIDDEN, format!("Forbidden: {reason}"));
        let token =
            payload.and_then(authorization).ok_or_else(|| forbidden("connection_init has no Authorization."))?;
        let (principal, expires) = auth::cognito::verify(token, &self.state).await.map_err(|error| match error {
            AuthError::InvalidToken(reason) => forbidden(reason),
            AuthError::Unavailable => refuse(close::INTERNAL_ERROR, "Try again in a moment."),
            AuthError::Missing | AuthError::Revoked | AuthError::Guest => forbidden("the token is not valid here."),
        })?;
        let identity = principal.identity();
        let caller = match self.current_caller(identity, principal).await {
            Ok(Some(caller)) => caller,
            Ok(None) => return Err(forbidden("the sign-in behind this token has ended.")),
            Err(_) => return Err(refuse(close::INTERNAL_ERROR, "Try again in a moment.")),
        };
        let mut data = Data::default();
        data.insert(Arc::new(Subscriber { caller, identity, db: self.state.db.clone() }));
        if let Some(grant) = self.grant.take() {
            drop(grant.send(data));
        }
        self.signed_in = Some((identity, instant_of(expires)));
        Ok(())
    }

    /// The caller with their organisations now, unless their sign-in has ended.
    async fn current_caller(&self, identity: Identity, principal: auth::Principal) -> sqlx::Result<Option<Caller>> {
        let Some((tx, memberships)) = db::begin_request(&self.state.db, identity, None).await? else { return Ok(None) };
        db::end_reading(tx);
        Ok(Some(principal.into_caller(memberships)))
    }

    async fn check_sign_in(&self) -> Step {
        let Some((identity, _)) = self.signed_in else { return Step::Continue };
        match db::begin_request(&self.state.db, identity, None).await {
            Ok(Some((tx, _))) => {
                db::end_reading(tx);
                Step::Continue
            }
            Ok(None) => refuse(close::FORBIDDEN, "Forbidden: the sign-in behind this token has ended."),
            // The next check may succeed; the token's expiry still applies.
            Err(error) => {
                tracing::warn!(%error, "graphql ws: checking a sign-in");
                Step::Continue
            }
        }
    }
}

/// Completes once the instance stops.
async fn stopped(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    // The sender lives in the state this socket holds: no error before the end.
    let _ = stopping.wait_for(|stopping| *stopping).await;
}

/// The token of `{"Authorization": "[Bearer ]<token>"}`, the key in any case.
fn authorization(payload: &Value) -> Option<&str> {
    let (_, value) = payload.as_object()?.iter().find(|(key, _)| key.eq_ignore_ascii_case("authorization"))?;
    let value = value.as_str()?.trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => value,
    };
    (!token.is_empty()).then_some(token)
}

/// Whether every operation of the request is a subscription (a request that does not parse is
/// left to the engine, which answers why).
fn subscribes_only(request: &mut async_graphql::Request) -> bool {
    request.parsed_query().map_or(true, |document| {
        document.operations.iter().all(|(_, operation)| operation.node.ty == OperationType::Subscription)
    })
}

fn only_subscriptions(id: &str) -> String {
    let (error_type, message) =
        ("BadRequestException", "Only subscriptions are served here: send queries and mutations to POST /graphql.");
    json!({ "type": "error", "id": id,
            "payload": [{ "errorType": error_type, "message": message, "extensions": { "errorType": error_type } }] })
    .to_string()
}

/// The instant of `exp` (seconds since the epoch).
fn instant_of(exp: u64) -> Instant {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    Instant::now() + Duration::from_secs(exp).saturating_sub(now)
}

/// A close frame; its reason cut to the 123 bytes a frame holds.
fn close_message(code: u16, reason: &str) -> Message {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Message::Close(Some(CloseFrame { code, reason: reason[..end].into() }))
}
