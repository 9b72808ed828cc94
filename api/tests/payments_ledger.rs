//! Settlement and the double-entry ledger: a due approved payment settles into two balanced entries
//! that move the accounts' balances and their ancestors' rollups; an overdraft fails the payment
//! with its reason unless the account allows one; payments out post against a clearing account;
//! and under concurrent payments settled by two api instances, money is conserved, no account that
//! allows no overdraft goes below zero, and every rollup is the sum of its subtree.

mod support;

use std::time::{Duration, Instant};

use api::testing::TestApp;
use serde_json::{Value, json};
use support::{
    id,
    payments::{As, Org},
};
use uuid::Uuid;

/// Lets members' payments in Acme be approved as they are made.
async fn no_dual_control(org: &Org) {
    let query = "mutation($t: ID!) { setApprovalThreshold(tenantId: $t, threshold: { amount: \"100000000000\", currency: \"EUR\" }) { tenantId } }";
    org.graphql(As::Owner, query, json!({ "t": org.tenant })).await.ok("setApprovalThreshold");
}

/// An EUR account of Acme, under `parent`, opened with `opening` minor units.
async fn account(org: &Org, number: &str, parent: Option<&str>, opening: i64) -> String {
    let body = json!({ "name": number, "number": number, "currency": "EUR", "tenantId": org.tenant,
                       "parentId": parent, "balanceMinor": opening });
    let response = org.person(As::Owner).post("/v1/accounts", body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    id(&response.json().await.unwrap()).to_owned()
}

async fn pay(org: &Org, from: &str, to: &str, amount: &str) -> Value {
    let input = json!({ "amount": { "amount": amount, "currency": "EUR" }, "dueDate": "2020-01-01",
                        "fromAccount": from, "toAccount": to });
    org.create(As::Member, input).await.ok("createPayment").clone()
}

/// The payment once settlement has decided it (SETTLED or FAILED).
async fn settled(org: &Org, payment: &Value) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let query = "query($id: ID!) { getPayment(id: $id) { id status failureReason version } }";
        let answer = org.graphql(As::Viewer, query, json!({ "id": payment["id"] })).await;
        let current = answer.ok("getPayment").clone();
        if current["status"] != "APPROVED" || Instant::now() > deadline {
            return current;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn balance(org: &Org, account: &str) -> (i64, i64) {
    sqlx::query_as("SELECT balance_minor, coalesce((rollup ->> 'EUR')::bigint, 0) FROM accounts WHERE id = $1")
        .bind(account.parse::<Uuid>().unwrap())
        .fetch_one(&org.fixture.app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_due_payment_settles_into_balanced_entries_that_move_balances_and_rollups() {
    let org = Org::new().await;
    no_dual_control(&org).await;
    let parent = account(&org, "P", None, 0).await;
    let (c1, c2) = (account(&org, "C1", Some(&parent), 10_000).await, account(&org, "C2", Some(&parent), 0).await);
    let d = account(&org, "D", None, 0).await;

    let p = pay(&org, &c1, &c2, "50.00").await;
    assert_eq!(settled(&org, &p).await["status"], "SETTLED");
    assert_eq!((balance(&org, &c1).await.0, balance(&org, &c2).await.0), (5_000, 5_000));
    assert_eq!(balance(&org, &parent).await.1, 10_000, "within P's subtree the rollup does not change");
    let entries: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT amount_minor, balance_after FROM ledger_entries WHERE payment_id = $1 ORDER BY amount_minor",
    )
    .bind(p["id"].as_str().unwrap().parse::<Uuid>().unwrap())
    .fetch_all(&org.fixture.app.db)
    .await
    .unwrap();
    assert_eq!(entries, [(-5_000, 5_000), (5_000, 5_000)]);

    let p = pay(&org, &c1, &d, "20.00").await;
    assert_eq!(settled(&org, &p).await["status"], "SETTLED");
    assert_eq!((balance(&org, &parent).await.1, balance(&org, &d).await), (8_000, (2_000, 2_000)));

    // An overdraft fails the payment with the reason, unless the account allows one.
    let p = pay(&org, &c2, &d, "100.00").await;
    let failed = settled(&org, &p).await;
    assert_eq!(failed["status"], "FAILED");
    assert!(failed["failureReason"].as_str().unwrap().contains("Insufficient funds"), "{failed}");
    assert_eq!(balance(&org, &c2).await.0, 5_000);
    allow_overdraft(&org, &c2).await;
    let p = pay(&org, &c2, &d, "100.00").await;
    assert_eq!(settled(&org, &p).await["status"], "SETTLED");
    assert_eq!(balance(&org, &c2).await.0, -5_000);

    // Out to a counterparty: against the tenant's clearing account.
    let input = json!({ "amount": { "amount": "5", "currency": "EUR" }, "dueDate": "2020-01-01", "fromAccount": d,
                        "counterparty": { "name": "Bob", "iban": "GB82WEST12345698765432" } });
    let p = org.create(As::Member, input).await.ok("createPayment").clone();
    assert_eq!(settled(&org, &p).await["status"], "SETTLED");
    let clearing: i64 =
        sqlx::query_scalar("SELECT balance_minor FROM accounts WHERE tenant_id = $1 AND number = 'CLEARING-EUR'")
            .bind(org.tenant)
            .fetch_one(&org.fixture.app.db)
            .await
            .unwrap();
    assert_eq!((clearing, balance(&org, &d).await.0), (500, 11_500));

    // Settlement is in the audit trail, as the system's (no actor), and accounts with payments stay.
    let settled_entries: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tenant_audit WHERE tenant_id = $1 AND action = 'payment.settled' AND actor IS NULL",
    )
    .bind(org.tenant)
    .fetch_one(&org.fixture.app.db)
    .await
    .unwrap();
    assert_eq!(settled_entries, 4);
    let delete = org.person(As::Owner).delete(&format!("/v1/accounts/{d}")).send().await.unwrap();
    assert_eq!(delete.status(), 409);
}

/// Allows `account` an overdraft through the REST api: a member may not, an owner may.
async fn allow_overdraft(org: &Org, account: &str) {
    let path = format!("/v1/accounts/{account}");
    let etag = |response: &reqwest::Response| response.headers()["etag"].to_str().unwrap().to_owned();
    let current = org.person(As::Member).get(&path).send().await.unwrap();
    let body = json!({ "allowOverdraft": true });
    let refused = org.person(As::Member).patch(&path, &etag(&current), body.clone()).send().await.unwrap();
    assert_eq!(refused.status(), 403, "a member does not allow overdrafts");
    let allowed = org.person(As::Owner).patch(&path, &etag(&current), body).send().await.unwrap();
    assert_eq!(allowed.status(), 200);
    let account: Value = allowed.json().await.unwrap();
    assert_eq!(account["allowOverdraft"], true);
}

/// A deterministic stream of numbers (a linear congruential generator): the same run each time.
struct Numbers(u64);

impl Numbers {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[tokio::test]
async fn money_is_conserved_when_two_instances_settle_concurrent_payments() {
    let org = Org::new().await;
    no_dual_control(&org).await;
    // A tree, two roots deep, and two hot accounts that most payments touch.
    let root = account(&org, "ROOT", None, 0).await;
    let (left, right) = (account(&org, "L", Some(&root), 1_000).await, account(&org, "R", Some(&root), 1_000).await);
    let mut accounts = vec![root.clone(), left.clone(), right.clone()];
    for (i, parent) in [&left, &left, &right, &right].into_iter().enumerate() {
        accounts.push(account(&org, &format!("LEAF-{i}"), Some(parent), 20_000).await);
    }
    accounts.push(account(&org, "SOLO", None, 3_000).await);
    let hot = [accounts[3].clone(), accounts[5].clone()];
    let total_before: i64 = sum_of_balances(&org).await;

    let second = TestApp::spawn_on(org.fixture.app.database(), &[]).await;
    let mut numbers = Numbers(23);
    let mut plans = Vec::new();
    for i in 0..160 {
        let (from, to) = match i % 2 {
            0 => (hot[i / 2 % 2].clone(), hot[(i / 2 + 1) % 2].clone()),
            _ => {
                let from = numbers.below(accounts.len());
                let to = (from + 1 + numbers.below(accounts.len() - 1)) % accounts.len();
                (accounts[from].clone(), accounts[to].clone())
            }
        };
        plans.push((from, to, format!("{}.{:02}", 1 + numbers.below(30), numbers.below(100))));
    }
    let made = futures_util::future::join_all(plans.iter().map(|(from, to, amount)| pay(&org, from, to, amount))).await;
    for payment in &made {
        let status = settled(&org, payment).await["status"].as_str().unwrap().to_owned();
        assert!(status == "SETTLED" || status == "FAILED", "{status}");
    }
    second.stop().await;

    let db = &org.fixture.app.db;
    assert_eq!(sum_of_balances(&org).await, total_before, "internal payments conserve the tenant's money");
    let overdrawn: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE balance_minor < 0 AND NOT allow_overdraft")
            .fetch_one(db)
            .await
            .unwrap();
    assert_eq!(overdrawn, 0);
    // Every rollup is the sum of its subtree's balances.
    let wrong_rollups: i64 = sqlx::query_scalar(
        "WITH RECURSIVE below AS (SELECT id AS top, id FROM accounts UNION ALL \
             SELECT below.top, a.id FROM accounts a JOIN below ON a.parent_id = below.id) \
         SELECT count(*) FROM accounts t WHERE coalesce((t.rollup ->> 'EUR')::bigint, 0) <> \
             (SELECT sum(a.balance_minor) FROM below JOIN accounts a USING (id) WHERE below.top = t.id)",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(wrong_rollups, 0);
    // Each settled payment has two entries that sum to zero; a failed one has none.
    let unbalanced: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM payments p WHERE (SELECT count(*) FROM ledger_entries e WHERE e.payment_id = p.id) \
             <> CASE p.status WHEN 'SETTLED' THEN 2 ELSE 0 END \
           OR coalesce((SELECT sum(amount_minor) FROM ledger_entries e WHERE e.payment_id = p.id), 0) <> 0",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(unbalanced, 0);
    // Each account's entries chain: every balance after is the one before plus the entry, the last
    // one the account's balance.
    let broken_chains: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT balance_after - amount_minor AS before, \
             lag(balance_after) OVER (PARTITION BY account_id ORDER BY id) AS previous FROM ledger_entries) e \
         WHERE e.previous <> e.before",
    )
    .fetch_one(db)
    .await
    .unwrap();
    let stale_last: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM accounts a WHERE a.balance_minor <> coalesce((SELECT balance_after FROM ledger_entries e \
             WHERE e.account_id = a.id ORDER BY e.id DESC LIMIT 1), a.balance_minor)",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!((broken_chains, stale_last), (0, 0), "the ledger's running balances");
    let settled: i64 =
        sqlx::query_scalar("SELECT count(*) FROM payments WHERE status = 'SETTLED'").fetch_one(db).await.unwrap();
    assert!(settled > 100, "most payments settle: {settled}");
}

async fn sum_of_balances(org: &Org) -> i64 {
    sqlx::query_scalar("SELECT sum(balance_minor)::bigint FROM accounts WHERE tenant_id = $1 AND currency = 'EUR'")
        .bind(org.tenant)
        .fetch_one(&org.fixture.app.db)
        .await
        .unwrap()
}
