//! The subscriptions over `graphql-transport-ws` at `/graphql/ws`: each subscriber gets the payments
//! of their own tenants only, from whichever api instance made the change; a forged `tenantId` is
//! refused; every status change (decisions, settlement) is an `onUpdatePayment`; the protocol's
//! close codes; a token's expiry and the end of its sign-in close the socket; a subscriber removed
//! from an organisation gets its payments no more; the database listener comes back after its
//! connection is killed; a restarting api closes its sockets with 1012 and serves them again.

mod support;

use std::time::{Duration, Instant};

use api::testing::TestApp;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use support::{
    forged,
    payments::{As, Org, PAYMENT_FIELDS, add_member, sub},
};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest},
};

/// How long a test waits for something that should happen.
const PATIENCE: Duration = Duration::from_secs(10);

/// A graphql-transport-ws client, as the browser's speaks it.
struct Socket(WebSocketStream<MaybeTlsStream<TcpStream>>);

impl Socket {
    async fn open(addr: std::net::SocketAddr) -> Self {
        Self::open_with(addr, Some("graphql-transport-ws")).await
    }

    async fn open_with(addr: std::net::SocketAddr, protocol: Option<&str>) -> Self {
        let mut request = format!("ws://{addr}/graphql/ws").into_client_request().unwrap();
        if let Some(protocol) = protocol {
            request.headers_mut().insert("sec-websocket-protocol", protocol.parse().unwrap());
        }
        let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
        if protocol.is_some() {
            assert_eq!(response.headers()["sec-websocket-protocol"], "graphql-transport-ws");
        }
        Self(socket)
    }

    /// A socket authorized as `token`, acknowledged.
    async fn signed_in(addr: std::net::SocketAddr, token: &str) -> Self {
        let mut socket = Self::open(addr).await;
        socket.send(json!({ "type": "connection_init", "payload": { "Authorization": token } })).await;
        assert_eq!(socket.next().await, json!({ "type": "connection_ack" }));
        socket
    }

    async fn send(&mut self, message: Value) {
        self.send_text(&message.to_string()).await;
    }

    async fn send_text(&mut self, text: &str) {
        self.0.send(Message::text(text)).await.unwrap();
    }

    async fn subscribe(&mut self, id: &str, field: &str, tenant: Option<&str>) {
        let query = format!("subscription($tenant: ID) {{ {field}(tenantId: $tenant) {{ {PAYMENT_FIELDS} }} }}");
        let payload = json!({ "query": query, "variables": { "tenant": tenant } });
        self.send(json!({ "type": "subscribe", "id": id, "payload": payload })).await;
    }

    /// The next protocol message; panics on a close or after [`PATIENCE`].
    async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.0.next()).await.expect("a message in time");
            match message.expect("the socket is open").unwrap() {
                Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("expected a message, got {other:?}"),
            }
        }
    }

    /// The payment of the next `next` message of subscription `id`.
    async fn payment(&mut self, id: &str, field: &str) -> Value {
        let message = self.next().await;
        assert_eq!((message["type"].as_str(), message["id"].as_str()), (Some("next"), Some(id)), "{message}");
        assert!(message["payload"].get("errors").is_none(), "{message}");
        message["payload"]["data"][field].clone()
    }

    /// The close code and reason the server ends the socket with; panics on any other message.
    async fn closed(&mut self) -> (u16, String) {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.0.next()).await.expect("a close in time");
            match message {
                Some(Ok(Message::Close(Some(frame)))) => return (frame.code.into(), frame.reason.to_string()),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    }
}

/// Waits until exactly `count` subscriptions follow `app`'s events (a subscribe message is served
/// after the socket has taken it).
async fn until_subscribed(app: &TestApp, count: usize) {
    let started = Instant::now();
    while app.state.payment_events.subscriptions() != count {
        assert!(
            started.elapsed() < PATIENCE,
            "{} subscriptions, not {count}",
            app.state.payment_events.subscriptions()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until `count` connections of the database listen for payments' events.
async fn until_listening(db: &sqlx::PgPool, count: usize) -> Vec<i32> {
    let started = Instant::now();
    loop {
        let listeners = sqlx::query_scalar::<_, i32>(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN %payment_events%'",
        )
        .fetch_all(db)
        .await
        .unwrap();
        if listeners.len() == count {
            return listeners;
        }
        assert!(started.elapsed() < PATIENCE, "{} listening, not {count}", listeners.len());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn token(org: &Org, who: As) -> &str {
    &org.person(who).token
}

/// A payment of `amount` EUR from A-1 to A-2 made by `who`, due in the future (unsettled).
async fn pending(org: &Org, who: As, amount: &str) -> Value {
    let input = json!({ "amount": { "amount": amount, "currency": "EUR" }, "dueDate": "2099-01-01",
                        "fromAccount": org.account("A-1"), "toAccount": org.account("A-2") });
    org.create(who, input).await.ok("createPayment").clone()
}

/// A payment by the outsider in their own tenant.
async fn outsiders(org: &Org) -> Value {
    let input = json!({ "amount": { "amount": "5", "currency": "EUR" }, "dueDate": "2099-01-01",
                        "fromAccount": org.outsider_account,
                        "counterparty": { "name": "Bob", "iban": "GB82WEST12345698765432" } });
    org.create(As::Outsider, input).await.ok("createPayment").clone()
}

#[tokio::test]
async fn each_subscriber_gets_the_payments_of_their_own_tenants_only() {
    let org = Org::new().await;
    // A second admin in the outsider's tenant: their payments wait for approval, so they can delete them.
    add_member(&org.fixture, org.outsider_tenant, sub(org.person(As::Admin)), "admin").await;
    let addr = org.fixture.app.addr;
    let mut viewer = Socket::signed_in(addr, token(&org, As::Viewer)).await;
    let mut outsider = Socket::signed_in(addr, token(&org, As::Outsider)).await;
    let mut admin_group = Socket::signed_in(addr, token(&org, As::AdminGroup)).await;
    for socket in [&mut viewer, &mut outsider, &mut admin_group] {
        socket.subscribe("c", "onCreatePayment", None).await;
        socket.subscribe("d", "onDeletePayment", None).await;
    }
    until_subscribed(&org.fixture.app, 6).await;

    let acme = pending(&org, As::Member, "10").await;
    let theirs = outsiders(&org).await;
    let second = pending(&org, As::Member, "20").await;
    // Each subscriber's events come in order: the viewer's next after Acme's first is Acme's
    // second, never the outsider's payment in between; the outsider's first is their own.
    assert_eq!(viewer.payment("c", "onCreatePayment").await, acme);
    assert_eq!(viewer.payment("c", "onCreatePayment").await, second);
    assert_eq!(outsider.payment("c", "onCreatePayment").await, theirs);
    // The Admin group reads every tenant.
    for expected in [&acme, &theirs, &second] {
        assert_eq!(&admin_group.payment("c", "onCreatePayment").await, expected);
    }

    // A deleted payment arrives as it was, to its tenant's subscribers only.
    let query = format!("mutation($id: ID!) {{ deletePayment(input: {{ id: $id }}) {{ {PAYMENT_FIELDS} }} }}");
    org.graphql(As::Member, &query, json!({ "id": acme["id"] })).await.ok("deletePayment");
    let query = format!("mutation($id: ID!) {{ deletePayment(input: {{ id: $id }}) {{ {PAYMENT_FIELDS} }} }}");
    org.graphql(As::Outsider, &query, json!({ "id": theirs["id"] })).await.ok("deletePayment");
    assert_eq!(viewer.payment("d", "onDeletePayment").await, acme);
    assert_eq!(outsider.payment("d", "onDeletePayment").await, theirs);
    assert_eq!(admin_group.payment("d", "onDeletePayment").await, acme);
    assert_eq!(admin_group.payment("d", "onDeletePayment").await, theirs);
}

#[tokio::test]
async fn a_change_made_through_one_instance_reaches_subscribers_of_another() {
    let org = Org::new().await;
    let base = org.fixture.app.config.public_base_url.to_string();
    let other = TestApp::spawn_on(org.fixture.app.database(), &["--public-base-url", &base]).await;
    let mut viewer = Socket::signed_in(other.addr, token(&org, As::Viewer)).await;
    viewer.subscribe("c", "onCreatePayment", None).await;
    viewer.subscribe("u", "onUpdatePayment", None).await;
    until_subscribed(&other, 2).await;
    until_listening(&org.fixture.app.db, 2).await;
    // The mutations go to the first instance.
    let payment = pending(&org, As::Member, "10").await;
    assert_eq!(viewer.payment("c", "onCreatePayment").await, payment);
    let query = format!("mutation($id: ID!) {{ cancelPayment(id: $id) {{ {PAYMENT_FIELDS} }} }}");
    let cancelled = org.graphql(As::Member, &query, json!({ "id": payment["id"] })).await;
    assert_eq!(viewer.payment("u", "onUpdatePayment").await, *cancelled.ok("cancelPayment"));
    other.stop().await;
}

#[tokio::test]
async fn a_tenant_id_that_is_not_the_callers_is_refused() {
    let org = Org::new().await;
    let addr = org.fixture.app.addr;
    let (acme, outsiders_tenant) = (org.tenant.to_string(), org.outsider_tenant.to_string());
    for (who, forged_tenant) in [(As::Viewer, &outsiders_tenant), (As::Outsider, &acme)] {
        let mut socket = Socket::signed_in(addr, token(&org, who)).await;
        for field in ["onCreatePayment", "onUpdatePayment", "onDeletePayment"] {
            socket.subscribe("forged", field, Some(forged_tenant)).await;
            let refused = socket.next().await;
            let error = &refused["payload"]["errors"][0];
            assert_eq!((refused["type"].as_str(), refused["id"].as_str()), (Some("next"), Some("forged")), "{refused}");
            assert_eq!(error["errorType"], "Unauthorized", "{refused}");
            assert_eq!(error["extensions"]["errorType"], "Unauthorized", "{refused}");
            assert_eq!(error["message"], format!("Not Authorized to access {field} on type Subscription"));
            assert_eq!(socket.next().await, json!({ "type": "complete", "id": "forged" }));
        }
    }
    // Their own tenant, named, is theirs.
    let mut viewer = Socket::signed_in(addr, token(&org, As::Viewer)).await;
    viewer.subscribe("c", "onCreatePayment", Some(&acme)).await;
    until_subscribed(&org.fixture.app, 1).await;
    outsiders(&org).await;
    let payment = pending(&org, As::Member, "10").await;
    assert_eq!(viewer.payment("c", "onCreatePayment").await, payment);
}

#[tokio::test]
async fn decisions_and_settlement_are_updates() {
    let org = Org::new().await;
    let mut viewer = Socket::signed_in(org.fixture.app.addr, token(&org, As::Viewer)).await;
    viewer.subscribe("u", "onUpdatePayment", None).await;
    until_subscribed(&org.fixture.app, 1).await;
    let decide = |mutation: &str| format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ {PAYMENT_FIELDS} }} }}");

    let rejected = pending(&org, As::Member, "10").await;
    let answer = org.graphql(As::Admin, &decide("rejectPayment"), json!({ "id": rejected["id"] })).await;
    assert_eq!(viewer.payment("u", "onUpdatePayment").await, *answer.ok("rejectPayment"));

    // Approved and due: settlement fails it (A-1 has no funds and allows no overdraft), then,
    // with an overdraft allowed, settles another.
    for (allow_overdraft, status) in [(false, "FAILED"), (true, "SETTLED")] {
        sqlx::query("UPDATE accounts SET allow_overdraft = $2 WHERE id = $1::uuid")
            .bind(org.account("A-1"))
            .bind(allow_overdraft)
            .execute(&org.fixture.app.db)
            .await
            .unwrap();
        let due = org.pay(As::Member, "10").await.ok("createPayment").clone();
        assert_eq!(due["status"], "PENDING");
        let approve = org.graphql(As::Admin, &decide("approvePayment"), json!({ "id": due["id"] })).await;
        approve.ok("approvePayment");
        // The approval's event, then settlement's (each read when it arrives, so the first may
        // already show the payment settled).
        let approved = viewer.payment("u", "onUpdatePayment").await;
        assert_eq!(approved["id"], due["id"]);
        let settled = viewer.payment("u", "onUpdatePayment").await;
        assert_eq!((&settled["id"], settled["status"].as_str()), (&due["id"], Some(status)), "{settled}");
        assert_eq!(settled["failureReason"].is_string(), status == "FAILED", "{settled}");
    }
}

#[tokio::test]
async fn the_protocol_closes_with_its_codes() {
    let org = Org::new().await;
    let addr = org.fixture.app.addr;
    let viewer = token(&org, As::Viewer);
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {viewer}") } });

    // Pings are answered, before and after connection_init (whose key may be in any case, with
    // `Bearer ` or without).
    let mut socket = Socket::open(addr).await;
    socket.send(json!({ "type": "ping" })).await;
    assert_eq!(socket.next().await, json!({ "type": "pong" }));
    socket.send(init.clone()).await;
    assert_eq!(socket.next().await, json!({ "type": "connection_ack" }));
    socket.send(json!({ "type": "ping", "payload": { "at": 1 } })).await;
    assert_eq!(socket.next().await["type"], "pong");

    // 4400: what is not a protocol message.
    for bad in ["not json", r#"{"type":"subscribe","payload":{"query":"subscription { x }"}}"#, r#"{"type":"hello"}"#] {
        let mut socket = Socket::signed_in(addr, viewer).await;
        socket.send_text(bad).await;
        assert_eq!(socket.closed().await.0, 4400, "{bad}");
    }
    // 4401: a subscribe before connection_ack.
    let mut socket = Socket::open(addr).await;
    socket.subscribe("1", "onCreatePayment", None).await;
    assert_eq!(socket.closed().await, (4401, "Unauthorized".into()));
    // 4403: connection_init without a valid token.
    for payload in [json!({}), json!({ "Authorization": "Bearer not.a.jwt" }), json!({ "Authorization": "" })] {
        let mut socket = Socket::open(addr).await;
        socket.send(json!({ "type": "connection_init", "payload": payload })).await;
        let (code, reason) = socket.closed().await;
        assert_eq!(code, 4403, "{payload}");
        assert!(reason.starts_with("Forbidden"), "{reason}");
    }
    // 4409: a subscribe with the id of one that runs.
    let mut socket = Socket::signed_in(addr, viewer).await;
    socket.subscribe("1", "onCreatePayment", None).await;
    socket.subscribe("1", "onUpdatePayment", None).await;
    assert_eq!(socket.closed().await, (4409, "Subscriber for 1 already exists".into()));
    // ... while the id of one that completed is free again.
    let mut socket = Socket::signed_in(addr, viewer).await;
    socket.subscribe("1", "onCreatePayment", None).await;
    until_subscribed(&org.fixture.app, 1).await;
    socket.send(json!({ "type": "complete", "id": "1" })).await;
    until_subscribed(&org.fixture.app, 0).await;
    socket.subscribe("1", "onCreatePayment", None).await;
    until_subscribed(&org.fixture.app, 1).await;
    let payment = pending(&org, As::Member, "10").await;
    assert_eq!(socket.payment("1", "onCreatePayment").await, payment);
    socket.subscribe("1", "onUpdatePayment", None).await;
    assert_eq!(socket.closed().await.0, 4409, "the new one runs under the id");
    // 4429: a second connection_init.
    let mut socket = Socket::signed_in(addr, viewer).await;
    socket.send(init).await;
    assert_eq!(socket.closed().await.0, 4429);
    // 4406: a WebSocket without the protocol.
    let mut socket = Socket::open_with(addr, None).await;
    assert_eq!(socket.closed().await.0, 4406);

    // Queries and mutations belong to POST /graphql.
    let mut socket = Socket::signed_in(addr, viewer).await;
    let payload = json!({ "query": "{ listPayments { items { id } } }" });
    socket.send(json!({ "type": "subscribe", "id": "q", "payload": payload })).await;
    let refused = socket.next().await;
    assert_eq!((refused["type"].as_str(), refused["id"].as_str()), (Some("error"), Some("q")), "{refused}");
}

#[tokio::test]
async fn without_connection_init_in_time_the_socket_closes_with_4408() {
    let app = TestApp::spawn_with(&["--graphql-ws-init-timeout-ms", "300"]).await;
    let started = Instant::now();
    let mut socket = Socket::open(app.addr).await;
    assert_eq!(socket.closed().await, (4408, "Connection initialisation timeout".into()));
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn an_expired_token_or_an_ended_sign_in_ends_the_subscription() {
    let org = Org::with_args(&["--graphql-ws-revocation-check-ms", "200"]).await;
    let addr = org.fixture.app.addr;
    let viewer = org.person(As::Viewer);
    let short_lived = forged(&org.fixture, &viewer.token, &org.fixture.pool.id, |claims| {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        claims["exp"] = json!(now + 2);
    })
    .await;
    let mut socket = Socket::signed_in(addr, &short_lived).await;
    socket.subscribe("c", "onCreatePayment", None).await;
    until_subscribed(&org.fixture.app, 1).await;
    let payment = pending(&org, As::Member, "10").await;
    assert_eq!(socket.payment("c", "onCreatePayment").await, payment, "served until it expires");
    let (code, reason) = socket.closed().await;
    assert_eq!((code, reason.as_str()), (4403, "Forbidden: the token has expired"));

    // A global sign-out ends the sign-in: its sockets close at the next check.
    let mut socket = Socket::signed_in(addr, &viewer.token).await;
    socket.subscribe("c", "onCreatePayment", None).await;
    org.fixture.sdk.global_sign_out().access_token(&viewer.token).send().await.unwrap();
    let started = Instant::now();
    let (code, reason) = socket.closed().await;
    assert_eq!((code, reason.as_str()), (4403, "Forbidden: the sign-in behind this token has ended."));
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    // And its token opens no other.
    let mut socket = Socket::open(addr).await;
    socket.send(json!({ "type": "connection_init", "payload": { "Authorization": viewer.token } })).await;
    assert_eq!(socket.closed().await.0, 4403);
}

#[tokio::test]
async fn the_listener_comes_back_when_its_connection_is_killed() {
    let org = Org::new().await;
    let mut viewer = Socket::signed_in(org.fixture.app.addr, token(&org, As::Viewer)).await;
    viewer.subscribe("c", "onCreatePayment", None).await;
    until_subscribed(&org.fixture.app, 1).await;
    let before = until_listening(&org.fixture.app.db, 1).await;
    sqlx::query("SELECT pg_terminate_backend($1)").bind(before[0]).execute(&org.fixture.app.db).await.unwrap();
    let started = Instant::now();
    while until_listening(&org.fixture.app.db, 1).await == before {
        assert!(started.elapsed() < PATIENCE, "listening again");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let payment = pending(&org, As::Member, "10").await;
    assert_eq!(viewer.payment("c", "onCreatePayment").await, payment);
}

#[tokio::test]
async fn a_restarting_api_closes_its_sockets_with_1012_and_serves_them_again() {
    let mut org = Org::new().await;
    let mut socket = Socket::signed_in(org.fixture.app.addr, token(&org, As::Viewer)).await;
    socket.subscribe("c", "onCreatePayment", None).await;
    until_subscribed(&org.fixture.app, 1).await;
    let restarted = tokio::time::timeout(PATIENCE, org.fixture.app.restart(async {}));
    let (closed, restarted) = tokio::join!(socket.closed(), restarted);
    restarted.expect("an open socket does not hold the shutdown");
    assert_eq!(closed, (1012, "Service restart".into()));

    // The same token and address, on the restarted api.
    let mut socket = Socket::signed_in(org.fixture.app.addr, token(&org, As::Viewer)).await;
    socket.subscribe("c", "onCreatePayment", None).await;
    until_subscribed(&org.fixture.app, 1).await;
    let payment = pending(&org, As::Member, "10").await;
    assert_eq!(socket.payment("c", "onCreatePayment").await, payment);
}

#[tokio::test]
async fn a_subscriber_removed_from_the_organisation_sees_its_payments_no_more() {
    let org = Org::new().await;
    let viewer = org.person(As::Viewer);
    let own_account = viewer.create("Vic's", "V-1", None).await["id"].clone();
    let mut socket = Socket::signed_in(org.fixture.app.addr, &viewer.token).await;
    socket.subscribe("c", "onCreatePayment", None).await;
    socket.subscribe("d", "onDeletePayment", None).await;
    until_subscribed(&org.fixture.app, 2).await;
    sqlx::query("DELETE FROM tenant_members WHERE tenant_id = $1 AND user_id = $2")
        .bind(org.tenant)
        .bind(sub(viewer))
        .execute(&org.fixture.app.db)
        .await
        .unwrap();
    let acme = pending(&org, As::Member, "10").await;
    let query = format!("mutation($id: ID!) {{ deletePayment(input: {{ id: $id }}) {{ {PAYMENT_FIELDS} }} }}");
    org.graphql(As::Member, &query, json!({ "id": acme["id"] })).await.ok("deletePayment");
    // Their own payment is the first event they get: Acme's were withheld.
    let input = json!({ "amount": { "amount": "5", "currency": "EUR" }, "dueDate": "2099-01-01",
                        "fromAccount": own_account, "counterparty": { "name": "Bob", "iban": "GB82WEST12345698765432" } });
    let own = org.create(As::Viewer, input).await.ok("createPayment").clone();
    assert_eq!(socket.payment("c", "onCreatePayment").await, own);
}
