//! Payments in the browser, against the real api: an admin creates a payment, a colleague (another
//! admin) approves it and the accounts' balances move in the accounts micro-frontend; the creator
//! cannot approve their own; a viewer cannot create; filters in the URL and paging; a submission
//! retried after the network failed makes one payment; a stale edit shows the conflict and offers
//! a reload; a colleague's new payment and its approval appear live; after the api restarts, live
//! updates come back with what happened meanwhile. Each page state worth a picture is a
//! screenshot, audited.

use api::testing::TestApp;
use e2e::{Browser, ENTER, PASSWORD, Stack, eventually, screenshots};
use serde_json::{Value, json};

/// The api as the person signed in to `browser` (their access token from the shell's session).
struct Rest {
    base: String,
    token: String,
}

impl Rest {
    async fn of(stack: &Stack, browser: &Browser) -> Self {
        Self { base: stack.app.url(""), token: browser.access_token().await }
    }

    /// The same person through another instance of the api.
    fn through(&self, app: &TestApp) -> Self {
        Self { base: app.url(""), token: self.token.clone() }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request =
            reqwest::Client::new().request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the api answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.send(reqwest::Method::POST, path, Some(body)).await;
        assert!((200..300).contains(&status), "POST {path}: {status} {answer}");
        answer
    }

    async fn graphql(&self, query: &str, variables: Value) -> Value {
        let answer = self.post("/graphql", json!({ "query": query, "variables": variables })).await;
        assert!(answer["errors"].is_null(), "{answer}");
        answer["data"].clone()
    }

    async fn account(&self, tenant: &str, name: &str, number: &str, balance_minor: i64) -> String {
        let body = json!({ "tenantId": tenant, "parentId": null, "name": name, "number": number, "currency": "EUR",
            "balanceMinor": balance_minor });
        self.post("/v1/accounts", body).await["id"].as_str().expect("an id").to_owned()
    }

    async fn balance(&self, id: &str) -> i64 {
        let (_, account) = self.send(reqwest::Method::GET, &format!("/v1/accounts/{id}"), None).await;
        account["balanceMinor"].as_i64().unwrap_or_else(|| panic!("a balance: {account}"))
    }
}

/// Signs in on the sign-in page `browser` shows, and waits for the top bar to show the person.
async fn sign_in(browser: &Browser, email: &str) {
    browser.fill("#sign-in-email", email).await;
    browser.fill("#sign-in-password", PASSWORD).await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.expect_text("[data-testid=shell-user]", email).await;
}

/// Works in `name` from now on (read afresh: the person may have joined it behind the page's back).
async fn switch_to(browser: &Browser, name: &str) {
    browser.client.refresh().await.expect("a reload");
    let switcher = browser.find("[data-testid=organisation-switcher]").await;
    switcher.select_by_label(name).await.expect("the switcher offers it");
    browser.expect_text("[data-testid=shell-organisation]", name).await;
}

/// A browser of `email`'s own at /payments, signed in.
async fn signed_in(stack: &Stack, email: &str) -> Browser {
    let browser = Browser::launch().await;
    browser.client.goto(&stack.app.url("/payments")).await.expect("the page opens");
    sign_in(&browser, email).await;
    browser
}

struct Acme {
    tenant: String,
    operating: String,
    savings: String,
    ann: Rest,
}

impl Acme {
    /// A payment from Operating to Savings due in 2030, made by Ann through `api` (Ann alone
    /// decides, so it is approved at once).
    async fn pay(&self, api: &Rest, amount: &str, message: &str) {
        let create = "mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }";
        let input = json!({ "amount": { "amount": amount, "currency": "EUR" }, "dueDate": "2030-01-15",
            "fromAccount": self.operating, "toAccount": self.savings, "message": message });
        api.graphql(create, json!({ "input": input })).await;
    }
}

/// Ann (the stack's browser, an owner) makes "Acme Ltd" with two accounts, and invites each of
/// `others` (email, role), who join it from browsers of their own; everyone then works in Acme.
async fn acme(stack: &Stack, others: &[(&str, &str)]) -> (Acme, Vec<Browser>) {
    stack.create_user("ann@example.com").await;
    stack.open("/payments").await;
    sign_in(&stack.browser, "ann@example.com").await;
    let ann = Rest::of(stack, &stack.browser).await;
    let tenant = ann.post("/v1/tenants", json!({ "name": "Acme Ltd" })).await["id"].as_str().unwrap().to_owned();
    let mut browsers = Vec::new();
    for (email, role) in others {
        stack.create_user(email).await;
        ann.post(&format!("/v1/tenants/{tenant}/invitations"), json!({ "email": email, "role": role })).await;
        let mailbox = stack.app.url(&format!("/dev/mailbox?to={email}"));
        let messages: Value = reqwest::get(mailbox).await.expect("the mailbox").json().await.expect("JSON");
        let body = messages[0]["body"].as_str().expect("an invitation").to_owned();
        let link = body.split_whitespace().find(|word| word.contains("/invitations/")).expect("a link");
        let token = link.rsplit('/').next().expect("a token");
        let browser = signed_in(stack, email).await;
        Rest::of(stack, &browser).await.post(&format!("/v1/invitations/{token}/accept"), json!({})).await;
        switch_to(&browser, "Acme Ltd").await;
        browsers.push(browser);
    }
    let operating = ann.account(&tenant, "Operating", "1000", 100_000).await;
    let savings = ann.account(&tenant, "Savings", "2000", 0).await;
    switch_to(&stack.browser, "Acme Ltd").await;
    (Acme { tenant, operating, savings, ann }, browsers)
}

/// Fills the new-payment form (the page must show it) from Operating to Savings and sends it.
async fn create_payment(browser: &Browser, amount: &str, message: &str) {
    browser.find("[data-testid=new-payment-form]").await;
    // The accounts arrive after the form: the pickers fill then.
    browser.find("#new-payment-fromAccount option:nth-child(2)").await;
    browser.fill("#new-payment-find", "Operating").await;
    let from = browser.find("#new-payment-fromAccount").await;
    from.select_by_label("Operating · 1000 · EUR").await.expect("Operating is offered");
    browser.fill("#new-payment-find", "2000").await;
    browser.find("#new-payment-toAccount").await.select_by_label("Savings · 2000 · EUR").await.expect("Savings");
    browser.fill("#new-payment-amount", amount).await;
    browser.fill("#new-payment-message", message).await;
    browser.click("[data-testid=new-payment-form] button[type=submit]").await;
}

async fn assert_no_console_errors(browser: &Browser) {
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[tokio::test]
async fn an_admin_creates_a_payment_another_approves_it_and_the_balances_move_a_viewer_only_reads() {
    let stack = Stack::start(&[]).await;
    let (ann, shots) = (&stack.browser, screenshots());
    let (acme, others) = acme(&stack, &[("bob@example.com", "admin"), ("carol@example.com", "viewer")]).await;
    let (bob, carol) = (&others[0], &others[1]);

    // Bob pays 250.00 from Operating to Savings: it waits for a second person.
    bob.find("[data-testid=payments-empty]").await;
    bob.screenshot(&shots, "80-payments-empty").await;
    bob.click("[data-testid=new-payment]").await;
    bob.find("[data-testid=new-payment-form]").await;
    bob.fill("#new-payment-amount", "1.234").await;
    bob.click("[data-testid=new-payment-form] button[type=submit]").await;
    bob.expect_text("#new-payment-amount-error", "2 decimals").await;
    bob.screenshot(&shots, "81-payments-new-invalid").await;
    create_payment(bob, "250.00", "Rent for May").await;
    bob.expect_text("[data-testid=payment-details] .badge", "Pending approval").await;
    bob.expect_text("[data-testid=own-payment]", "another admin or owner approves it").await;
    assert!(!bob.is_present("[data-action=approve]").await, "the creator cannot approve their own payment");
    bob.screenshot(&shots, "82-payments-own-pending").await;

    // Ann finds it in the table and opens it with the keyboard.
    stack.open("/payments").await;
    ann.expect_text("[data-testid=payments-table]", "€250.00").await;
    ann.expect_text("[data-testid=payments-table]", "bob@example.com").await;
    ann.screenshot(&shots, "83-payments-table").await;
    ann.find("[data-testid=payments-table] a[data-open]").await.send_keys(ENTER).await.expect("Enter");
    ann.expect_text("[data-testid=payment-details] h2", "€250.00 to Savings").await;
    assert!(ann.path().await.starts_with("/payments/"), "the payment is in the address");
    // Moments to the minute, their zone named.
    let created = ann.find("[data-testid=detail-created]").await.text().await.expect("the creation time");
    assert!(is_to_the_minute_in_utc(&created), "{created}");
    ann.expect_text("[data-testid=payment-history]", " UTC: created by bob@example.com").await;
    ann.click("[data-action=approve]").await;
    ann.expect_text("[data-testid=payment-confirmation]", "Approve this payment?").await;
    ann.expect_focus("[data-testid=keep]").await;
    ann.screenshot(&shots, "84-payments-approve-confirm").await;
    ann.click("[data-testid=confirm]").await;

    // Due today, it settles at once (the open payment follows it live, past "Approved"): the
    // balances move, in the api and in the accounts micro-frontend.
    ann.expect_text("[data-testid=payment-details] .badge", "Settled").await;
    let operating = eventually(|| acme.ann.balance(&acme.operating), |balance| *balance == 75_000).await;
    assert_eq!(operating, 75_000, "250.00 left Operating");
    assert_eq!(acme.ann.balance(&acme.savings).await, 25_000, "and reached Savings");
    ann.click("nav a[href='/accounts']").await;
    ann.expect_text("[data-testid=accounts-tree]", "€750.00").await;
    ann.expect_text("[data-testid=accounts-tree]", "€250.00").await;

    // Carol, a viewer, reads the payment and has no way to make or decide one.
    carol.client.refresh().await.expect("a reload");
    carol.expect_text("[data-testid=payments-table]", "€250.00").await;
    assert!(!carol.is_present("[data-testid=new-payment]").await, "no new payment for a viewer");
    carol.click("[data-testid=payments-table] a[data-open]").await;
    carol.find("[data-testid=payment-details]").await;
    assert!(!carol.is_present("[data-testid=payment-actions] button").await, "no decisions for a viewer");
    carol.client.goto(&stack.app.url("/payments/new")).await.expect("the page opens");
    carol.expect_text("[data-testid=cannot-create]", "members create them").await;
    carol.screenshot(&shots, "85-payments-viewer").await;

    // Another organisation's payment, or none, is not found.
    carol.client.goto(&stack.app.url("/payments/00000000-0000-4000-8000-000000000000")).await.expect("opens");
    carol.expect_text("[data-testid=payment-not-found]", "Payment not found").await;
    let _ = acme.tenant;
    for browser in [ann, bob, carol] {
        assert_no_console_errors(browser).await;
    }
}

#[tokio::test]
async fn filters_live_in_the_url_and_more_rows_load_by_next_token() {
    let stack = Stack::start(&[]).await;
    let (ann, shots) = (&stack.browser, screenshots());
    let (acme, _) = acme(&stack, &[]).await;
    // 105 payments, three of them for rent.
    for n in 0..105 {
        let message = if n % 40 == 0 { format!("Rent {n}") } else { format!("Supplies {n}") };
        acme.pay(&acme.ann, &format!("{}.00", n + 1), &message).await;
    }
    stack.open("/payments").await;
    ann.expect_text("[data-testid=payments-count]", "100 payments, more to load").await;
    ann.click("[data-testid=load-more]").await;
    ann.expect_text("[data-testid=payments-count]", "105 payments").await;
    assert!(!ann.is_present("[data-testid=load-more]").await, "nothing more to load");

    // A filter goes into the address, and the address brings it back.
    ann.fill("#filter-q", "Rent").await;
    ann.click("[data-testid=filters] button[type=submit]").await;
    ann.expect_text("[data-testid=payments-count]", "3 payments").await;
    assert_eq!(ann.path().await, "/payments?q=Rent");
    ann.screenshot(&shots, "86-payments-filtered").await;
    stack.open("/payments?q=Rent&min=50").await;
    ann.expect_text("[data-testid=payments-count]", "1 payment").await;
    ann.expect_text("[data-testid=payments-table]", "€81.00").await;
    stack.open("/payments?q=nothing-like-this").await;
    ann.expect_text("[data-testid=payments-empty]", "No payments match these filters.").await;
    ann.click("[data-testid=payments-empty] [data-action=clear-filters]").await;
    ann.expect_text("[data-testid=payments-count]", "100 payments").await;
    assert_eq!(ann.path().await, "/payments");
    assert_no_console_errors(ann).await;
}

#[tokio::test]
async fn a_submission_retried_after_the_network_failed_makes_one_payment_and_a_stale_edit_offers_a_reload() {
    let stack = Stack::start(&[]).await;
    let shots = screenshots();
    let (acme, others) = acme(&stack, &[("bob@example.com", "admin")]).await;
    let bob = &others[0];

    // The first createPayment reaches the api, but its answer is lost on the way back.
    bob.execute(
        r#"const real = window.fetch; let failed = false;
           window.fetch = async (url, init) => {
             const answer = await real(url, init);
             if (!failed && init && typeof init.body === "string" && init.body.includes("createPayment")) {
               failed = true;
               throw new TypeError("Failed to fetch");
             }
             return answer;
           };"#,
    )
    .await;
    bob.click("[data-testid=new-payment]").await;
    create_payment(bob, "12.50", "Flaky network").await;
    bob.expect_text("[data-testid=form-error]", "it will not be made twice").await;
    bob.screenshot(&shots, "87-payments-network-failed").await;
    bob.click("[data-testid=new-payment-form] button[type=submit]").await;
    bob.expect_text("[data-testid=payment-details] .badge", "Pending approval").await;
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM payments WHERE tenant_id = $1::uuid")
        .bind(&acme.tenant)
        .fetch_one(&stack.app.db)
        .await
        .expect("counted");
    assert_eq!(count, 1, "the retry answered the payment the first attempt made");

    // Bob edits it while Ann changes it: saving says so, and reloading shows Ann's change.
    bob.click("[data-action=edit]").await;
    bob.find("[data-testid=edit-payment-form]").await;
    let id = bob.path().await.rsplit('/').next().expect("an id").to_owned();
    let update = "mutation($input: UpdatePaymentInput!, $v: Int!) { updatePayment(input: $input, expectedVersion: $v) { version } }";
    let version = acme.ann.graphql("query($id: ID!) { getPayment(id: $id) { version } }", json!({ "id": id })).await;
    let version = &version["getPayment"]["version"];
    acme.ann.graphql(update, json!({ "input": { "id": id, "message": "Changed by Ann" }, "v": version })).await;
    bob.fill("#edit-payment-amount", "13.00").await;
    bob.click("[data-testid=edit-payment-form] button[type=submit]").await;
    bob.expect_text("[data-testid=payment-notice]", "Someone else changed this payment meanwhile").await;
    bob.screenshot(&shots, "88-payments-stale-edit").await;
    bob.click("[data-testid=reload-payment]").await;
    bob.expect_text("[data-testid=detail-message]", "Changed by Ann").await;
    bob.expect_text("[data-testid=detail-amount]", "€12.50").await;
    let console: Vec<String> =
        bob.console_errors().await.into_iter().filter(|error| !error.contains("Failed to fetch")).collect();
    assert!(console.is_empty(), "console errors: {console:#?}");
}

#[tokio::test]
async fn a_colleagues_payment_and_its_approval_appear_live() {
    let stack = Stack::start(&[]).await;
    let (ann, shots) = (&stack.browser, screenshots());
    let (_acme, others) = acme(&stack, &[("bob@example.com", "admin")]).await;
    let bob = &others[0];
    ann.find("[data-testid=payments-empty]").await;
    ann.expect_text("[data-testid=live]", "Live").await;

    // Bob creates one: it appears in Ann's table, highlighted, without a reload.
    bob.expect_text("[data-testid=live]", "Live").await;
    bob.click("[data-testid=new-payment]").await;
    create_payment(bob, "42.00", "Live one").await;
    bob.expect_text("[data-testid=payment-details] .badge", "Pending approval").await;
    ann.expect_text("[data-testid=payments-table]", "€42.00").await;
    ann.find(".payments__row--fresh").await;
    ann.screenshot(&shots, "89-payments-live-row").await;

    // Ann approves it: Bob's open payment follows it, approved, then settled (it is due today).
    ann.click("[data-testid=payments-table] a[data-open]").await;
    ann.click("[data-action=approve]").await;
    ann.click("[data-testid=confirm]").await;
    bob.expect_text("[data-testid=payment-details] .badge", "Settled").await;
    bob.screenshot(&shots, "90-payments-live-approved").await;
    for browser in [ann, bob] {
        assert_no_console_errors(browser).await;
    }
}

#[tokio::test]
async fn live_updates_come_back_after_the_api_restarts_with_what_happened_meanwhile() {
    let mut stack = Stack::start(&[]).await;
    let shots = screenshots();
    let (acme, _) = acme(&stack, &[]).await;
    let ann = &stack.browser;
    ann.find("[data-testid=payments-empty]").await;
    ann.expect_text("[data-testid=live]", "Live").await;
    // Another instance on the same database, with the same public address (the tokens' issuer).
    let base = stack.app.config.public_base_url.to_string();
    let other = TestApp::spawn_on(stack.app.database(), &["--public-base-url", &base]).await;

    // While the page's api restarts, a payment is made through the other: no open socket sees it.
    stack
        .app
        .restart(async {
            ann.expect_text("[data-testid=live]", "Live updates lost; trying again in").await;
            ann.screenshot(&shots, "91-payments-live-lost").await;
            acme.pay(&acme.ann.through(&other), "64.00", "Made meanwhile").await;
        })
        .await;

    // The page connects again and reads the table afresh; later changes arrive live again.
    ann.expect_text("[data-testid=live]", "Live: colleagues").await;
    ann.expect_text("[data-testid=payments-table]", "€64.00").await;
    acme.pay(&acme.ann, "65.00", "Made after").await;
    ann.expect_text("[data-testid=payments-table]", "€65.00").await;
    ann.screenshot(&shots, "92-payments-live-again").await;
    other.stop().await;
    // The browser reports the refused connections while the api was down; nothing else.
    let console: Vec<String> =
        ann.console_errors().await.into_iter().filter(|error| !error.contains("WebSocket connection")).collect();
    assert!(console.is_empty(), "console errors: {console:#?}");
}

/// `2026-12-06 20:17 UTC`: what a person reads, not the api's `2026-12-06T20:17:02.409554Z`.
fn is_to_the_minute_in_utc(text: &str) -> bool {
    let shape = text.chars().map(|c| if c.is_ascii_digit() { '9' } else { c }).collect::<String>();
    shape == "9999-99-99 99:99 UTC"
}
