//! A payment's life: dual control at and above the organisation's threshold (never by its creator),
//! straight approval below it and where nobody else may approve; each status transition and each
//! refused one; edits and deletes of pending payments with `expectedVersion`; the audit trail.

mod support;

use api::db::{self, Identity};
use serde_json::{Value, json};
use support::payments::{Answer, As, Org, PAYMENT_FIELDS, sub};

async fn set_threshold(org: &Org, who: As, amount: &str) -> Answer {
    let query = "mutation($tenant: ID!, $threshold: MoneyInput!) { \
        setApprovalThreshold(tenantId: $tenant, threshold: $threshold) { threshold { amount currency } updatedBy } }";
    org.graphql(who, query, json!({ "tenant": org.tenant, "threshold": { "amount": amount, "currency": "EUR" } })).await
}

async fn decide(org: &Org, who: As, mutation: &str, payment: &Value, version: Option<i64>) -> Answer {
    let query =
        format!("mutation($id: ID!, $v: Int) {{ {mutation}(id: $id, expectedVersion: $v) {{ {PAYMENT_FIELDS} }} }}");
    org.graphql(who, &query, json!({ "id": payment["id"], "v": version })).await
}

/// Creates a payment of `amount` EUR as `who`, due in the future (so settlement leaves it alone).
async fn pending(org: &Org, who: As, amount: &str) -> Value {
    let input = json!({ "amount": { "amount": amount, "currency": "EUR" }, "dueDate": "2099-01-01",
                        "fromAccount": org.account("A-1"), "toAccount": org.account("A-2") });
    org.create(who, input).await.ok("createPayment").clone()
}

fn user(org: &Org, who: As) -> Value {
    json!(sub(org.person(who)).to_string())
}

#[tokio::test]
async fn at_and_above_the_threshold_someone_other_than_the_creator_approves() {
    let org = Org::new().await;
    for who in [As::Member, As::Viewer, As::AdminGroup, As::Outsider] {
        assert_eq!(set_threshold(&org, who, "100").await.error_type(), Some("Unauthorized"), "{who:?}");
    }
    let set = set_threshold(&org, As::Admin, "100").await;
    assert_eq!(set.ok("setApprovalThreshold")["threshold"], json!({ "amount": "100.00", "currency": "EUR" }));

    let below = pending(&org, As::Member, "99.99").await;
    assert_eq!((below["status"].as_str(), &below["approvedBy"]), (Some("APPROVED"), &Value::Null));
    let at = pending(&org, As::Member, "100.00").await;
    assert_eq!(at["status"], "PENDING");
    for who in [As::Member, As::Viewer, As::AdminGroup] {
        let refused = decide(&org, who, "approvePayment", &at, None).await;
        assert_eq!(refused.error_type(), Some("Unauthorized"), "{who:?}");
        assert_eq!(refused.message(), "Not Authorized to access approvePayment on type Mutation");
    }
    let approved = decide(&org, As::Admin, "approvePayment", &at, Some(1)).await;
    let approved = approved.ok("approvePayment");
    assert_eq!((approved["status"].as_str(), approved["version"].as_i64()), (Some("APPROVED"), Some(2)));
    assert_eq!(approved["approvedBy"], user(&org, As::Admin));

    // The creator never approves their own, whatever their role; another admin or owner does.
    let own = pending(&org, As::Admin, "500").await;
    assert_eq!(own["status"], "PENDING");
    assert_eq!(decide(&org, As::Admin, "approvePayment", &own, None).await.error_type(), Some("Unauthorized"));
    assert_eq!(decide(&org, As::Admin, "rejectPayment", &own, None).await.error_type(), Some("Unauthorized"));
    let approved = decide(&org, As::Owner, "approvePayment", &own, None).await;
    assert_eq!(approved.ok("approvePayment")["approvedBy"], user(&org, As::Owner));

    // Without a policy for the currency, every payment needs a second person.
    let yen = json!({ "amount": { "amount": "1", "currency": "JPY" }, "dueDate": "2099-01-01",
                      "fromAccount": org.account("J-1"), "toAccount": org.account("J-2") });
    assert_eq!(org.create(As::Member, yen).await.ok("createPayment")["status"], "PENDING");
}

#[tokio::test]
async fn where_nobody_else_may_approve_a_payment_is_approved_when_created() {
    let org = Org::new().await;
    // The outsider's own tenant has one person: nobody else may approve.
    let input = json!({ "amount": { "amount": "1000000", "currency": "EUR" }, "dueDate": "2099-01-01",
                        "fromAccount": org.outsider_account, "counterparty": { "name": "Bob", "iban": "GB82WEST12345698765432" } });
    let answer = org.create(As::Outsider, input).await;
    assert_eq!(answer.ok("createPayment")["status"], "APPROVED");
    // In Acme the owner is not alone: their payment waits for the admin.
    assert_eq!(pending(&org, As::Owner, "1000000").await["status"], "PENDING");
}

#[tokio::test]
async fn each_status_moves_only_as_a_payments_life_allows() {
    let org = Org::new().await;
    set_threshold(&org, As::Owner, "100").await.ok("setApprovalThreshold");
    let refused = |answer: &Answer| answer.error_type().map(str::to_owned);
    let conditional = Some("ConditionalCheckFailed".to_owned());

    // PENDING -> CANCELLED, by a member; then nothing more.
    let p = pending(&org, As::Member, "200").await;
    assert_eq!(refused(&decide(&org, As::Viewer, "cancelPayment", &p, None).await).as_deref(), Some("Unauthorized"));
    assert_eq!(refused(&decide(&org, As::Outsider, "cancelPayment", &p, None).await).as_deref(), Some("NotFound"));
    assert_eq!(decide(&org, As::Member, "cancelPayment", &p, None).await.ok("cancelPayment")["status"], "CANCELLED");
    for mutation in ["cancelPayment", "approvePayment", "rejectPayment"] {
        assert_eq!(refused(&decide(&org, As::Owner, mutation, &p, None).await), conditional, "{mutation}");
    }

    // PENDING -> REJECTED, by an admin; then nothing more.
    let p = pending(&org, As::Member, "200").await;
    assert_eq!(decide(&org, As::Admin, "rejectPayment", &p, None).await.ok("rejectPayment")["status"], "REJECTED");
    for mutation in ["approvePayment", "cancelPayment"] {
        assert_eq!(refused(&decide(&org, As::Owner, mutation, &p, None).await), conditional, "{mutation}");
    }

    // APPROVED -> CANCELLED (before it settles); approved is not approved or rejected again, nor
    // edited or deleted.
    let p = pending(&org, As::Member, "50").await;
    assert_eq!(p["status"], "APPROVED");
    for mutation in ["approvePayment", "rejectPayment"] {
        let answer = decide(&org, As::Owner, mutation, &p, None).await;
        assert_eq!(refused(&answer), conditional, "{mutation}");
        assert!(answer.message().contains("APPROVED"), "{}", answer.message());
    }
    let edit = update(&org, As::Member, &p, json!({ "message": "changed" }), 1).await;
    assert_eq!(refused(&edit), conditional);
    assert_eq!(refused(&delete(&org, As::Member, &p).await), conditional);
    assert_eq!(decide(&org, As::Member, "cancelPayment", &p, None).await.ok("cancelPayment")["status"], "CANCELLED");

    // Only settlement settles or fails a payment: the database refuses it to a request.
    let p = pending(&org, As::Member, "50").await;
    let owner = sub(org.person(As::Owner));
    for status in ["SETTLED", "FAILED"] {
        let identity = Identity { user_id: owner, reads_all_tenants: false, sign_in: None };
        let (mut tx, _) = db::begin_request(&org.fixture.app.api_db, identity, None).await.unwrap().unwrap();
        let id: uuid::Uuid = p["id"].as_str().unwrap().parse().unwrap();
        let error =
            sqlx::query("UPDATE payments SET status = $1 WHERE id = $2").bind(status).bind(id).execute(&mut *tx).await;
        assert_eq!(db::sqlstate(&error.unwrap_err()).as_deref(), Some("42501"), "{status}");
    }
}

async fn update(org: &Org, who: As, payment: &Value, changes: Value, version: i64) -> Answer {
    let mut input = changes;
    input["id"] = payment["id"].clone();
    let query = format!(
        "mutation($input: UpdatePaymentInput!, $v: Int!) {{ updatePayment(input: $input, expectedVersion: $v) {{ {PAYMENT_FIELDS} }} }}"
    );
    org.graphql(who, &query, json!({ "input": input, "v": version })).await
}

async fn delete(org: &Org, who: As, payment: &Value) -> Answer {
    let query = format!("mutation($id: ID!) {{ deletePayment(input: {{ id: $id }}) {{ {PAYMENT_FIELDS} }} }}");
    org.graphql(who, &query, json!({ "id": payment["id"] })).await
}

#[tokio::test]
async fn pending_payments_are_edited_at_their_version_and_deleted() {
    let org = Org::new().await;
    let p = pending(&org, As::Member, "200").await;
    let changes = json!({ "amount": { "amount": "250.5", "currency": "EUR" }, "message": "new rent" });
    let updated = update(&org, As::Admin, &p, changes.clone(), 1).await;
    let updated = updated.ok("updatePayment").clone();
    assert_eq!((updated["version"].as_i64(), updated["message"].as_str()), (Some(2), Some("new rent")));
    assert_eq!(updated["amount"]["amount"], "250.50");
    assert_eq!(
        (&updated["toAccount"], &updated["dueDate"]),
        (&p["toAccount"], &p["dueDate"]),
        "what it left out stays"
    );

    let stale = update(&org, As::Member, &p, json!({ "message": "late" }), 1).await;
    assert_eq!(stale.error_type(), Some("ConflictUnhandled"), "{:?}", stale.body);
    assert_eq!(stale.body["errors"][0]["extensions"]["version"], 2);
    assert_eq!(update(&org, As::Viewer, &p, json!({ "message": "x" }), 2).await.error_type(), Some("Unauthorized"));
    let invalid = update(&org, As::Member, &p, json!({ "amount": { "amount": "1.001", "currency": "EUR" } }), 2).await;
    assert_eq!(invalid.body["errors"][0]["extensions"]["field"], "input.amount.amount");
    let stale = decide(&org, As::Admin, "approvePayment", &p, Some(1)).await;
    assert_eq!(stale.error_type(), Some("ConflictUnhandled"));

    assert_eq!(delete(&org, As::Viewer, &p).await.error_type(), Some("Unauthorized"));
    let deleted = delete(&org, As::Member, &p).await;
    assert_eq!(deleted.ok("deletePayment")["id"], p["id"]);
    let read =
        org.graphql(As::Member, "query($id: ID!) { getPayment(id: $id) { id } }", json!({ "id": p["id"] })).await;
    assert!(read.ok("getPayment").is_null());
    assert_eq!(delete(&org, As::Member, &p).await.error_type(), Some("NotFound"));

    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM tenant_audit WHERE details ->> 'payment' = $1 ORDER BY seq")
            .bind(p["id"].as_str().unwrap())
            .fetch_all(&org.fixture.app.db)
            .await
            .unwrap();
    assert_eq!(actions, ["payment.created", "payment.updated", "payment.deleted"]);
}
