//! The payments' GraphQL api: every rule for every role across two tenants (the `Admin` group and
//! a forged `tenantId` included), refusals in AppSync's shape, row-level security underneath, money
//! as integer minor units with each currency's decimals, and the committed SDL.

mod support;

use api::db::{self, Identity};
use serde_json::{Value, json};
use support::payments::{As, EVERYONE, Org, PAYMENT_FIELDS, sub};

const GET: &str = "query($id: ID!) { getPayment(id: $id) { id status } }";
const LIST: &str = "query($tenant: ID) { listPayments(tenantId: $tenant) { items { id tenantId } nextToken } }";

fn ids(answer: &Value) -> Vec<&str> {
    answer["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn every_role_reads_and_writes_as_appsyncs_rules_say() {
    let org = Org::new().await;
    let mut made = Vec::new();
    for who in EVERYONE {
        let answer = org.pay(who, "10.00").await;
        let allowed = matches!(who, As::Owner | As::Admin | As::Member);
        match allowed {
            true => {
                let payment = answer.ok("createPayment");
                assert_eq!(payment["tenantId"], org.tenant.to_string(), "{who:?}");
                assert_eq!(payment["createdBy"], sub(org.person(who)).to_string());
                made.push(payment["id"].as_str().unwrap().to_owned());
            }
            // The outsider cannot see Acme's account: to them it does not exist.
            false if who == As::Outsider => {
                assert_eq!(answer.error_type(), Some("ValidationError"), "{:?}", answer.body);
                assert_eq!(answer.body["errors"][0]["extensions"]["field"], "input.fromAccount");
            }
            false => {
                assert_eq!(answer.error_type(), Some("Unauthorized"), "{who:?}: {:?}", answer.body);
                assert_eq!(answer.message(), "Not Authorized to access createPayment on type Mutation");
                assert_eq!(answer.body["errors"][0]["path"], json!(["createPayment"]));
            }
        }
    }
    assert_eq!(made.len(), 3);

    // A forged tenantId: the outsider names Acme.
    let forged = json!({
        "tenantId": org.tenant, "amount": { "amount": "1.00", "currency": "EUR" }, "dueDate": "2020-01-01",
        "fromAccount": org.outsider_account, "toAccount": org.account("A-2")
    });
    let answer = org.create(As::Outsider, forged).await;
    assert_eq!(answer.error_type(), Some("Unauthorized"), "{:?}", answer.body);

    for who in EVERYONE {
        let reads = who != As::Outsider;
        for id in &made {
            let got = org.graphql(who, GET, json!({ "id": id })).await;
            let payment = got.ok("getPayment");
            assert_eq!(payment.is_null(), !reads, "{who:?} getPayment: {payment}");
        }
        let listed = org.graphql(who, LIST, json!({ "tenant": org.tenant })).await;
        match reads {
            true => {
                let mut listed = ids(listed.ok("listPayments")).into_iter().map(str::to_owned).collect::<Vec<_>>();
                listed.sort();
                let mut expected = made.clone();
                expected.sort();
                assert_eq!(listed, expected, "{who:?}");
            }
            false => {
                assert_eq!(listed.error_type(), Some("Unauthorized"));
                assert_eq!(listed.message(), "Not Authorized to access listPayments on type Query");
            }
        }
        // Without a tenant: every payment the caller may read, and so none of Acme's for the outsider.
        let all = org.graphql(who, LIST, json!({})).await;
        let all = ids(all.ok("listPayments"));
        assert_eq!(made.iter().all(|id| all.contains(&id.as_str())), reads, "{who:?}");
    }
}

#[tokio::test]
async fn the_database_refuses_what_the_role_does_not_allow_and_shows_nothing_without_an_identity() {
    let org = Org::new().await;
    let viewer = sub(org.person(As::Viewer));
    let identity = Identity { user_id: viewer, reads_all_tenants: false, sign_in: None };
    let (mut tx, _) = db::begin_request(&org.fixture.app.api_db, identity, None).await.unwrap().unwrap();
    let insert = sqlx::query(
        "INSERT INTO payments (tenant_id, id, amount_minor, currency, exponent, due_date, from_account_id, \
         to_account_id, type, created_by) VALUES ($1, gen_random_uuid(), 100, 'EUR', 2, now(), $2, $3, 'DOMESTIC', $4)",
    )
    .bind(org.tenant)
    .bind(org.account("A-1").parse::<uuid::Uuid>().unwrap())
    .bind(org.account("A-2").parse::<uuid::Uuid>().unwrap())
    .bind(viewer)
    .execute(&mut *tx)
    .await;
    let refused = insert.unwrap_err();
    assert_eq!(db::sqlstate(&refused).as_deref(), Some("42501"), "{refused}");
    drop(tx);

    org.pay(As::Member, "1.00").await.ok("createPayment");
    let mut bare = org.fixture.app.api_db.begin().await.unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM payments").fetch_one(&mut *bare).await.unwrap();
    assert_eq!(seen, 0, "row-level security fails closed");
}

#[tokio::test]
async fn requests_without_valid_credentials_get_appsyncs_401() {
    let org = Org::new().await;
    let user = org.person(As::Member);
    let body = json!({ "query": "{ listPayments { nextToken } }" });
    for authorization in [None, Some("Bearer not.a.jwt"), Some("Basic YWxpY2U6cHc=")] {
        let mut request = user.http.post(user.url("/graphql")).json(&body);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["errorType"], "UnauthorizedException");
        assert_eq!(body["errors"][0]["message"], "Valid authorization header not provided.");
    }
    // Queries also go by GET; mutations only by POST.
    let query = "{ listPayments { nextToken } }";
    let by_get = |query: &str| {
        let query: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
        user.http.get(user.url(&format!("/graphql?query={query}"))).bearer_auth(&user.token)
    };
    let get = by_get(query);
    let answer: Value = get.send().await.unwrap().json().await.unwrap();
    assert!(answer["data"]["listPayments"].is_object(), "{answer}");
    let mutation = "mutation { deletePayment(input: { id: \"x\" }) { id } }";
    assert_eq!(by_get(mutation).send().await.unwrap().status(), 405);
}

#[tokio::test]
async fn money_is_minor_units_with_each_currencys_decimals_and_errors_name_the_field() {
    let org = Org::new().await;
    let pay = |from: &str, to: &str, amount: &str, currency: &str| {
        json!({ "amount": { "amount": amount, "currency": currency }, "dueDate": "2030-01-01",
                "fromAccount": org.account(from), "toAccount": org.account(to) })
    };
    for (from, to, amount, currency, minor) in [
        ("A-1", "A-2", "12.34", "EUR", "1234"),
        ("J-1", "J-2", "1200", "JPY", "1200"),
        ("B-1", "B-2", "1.234", "BHD", "1234"),
    ] {
        let answer = org.create(As::Member, pay(from, to, amount, currency)).await;
        let money = &answer.ok("createPayment")["amount"];
        assert_eq!(money, &json!({ "amount": amount, "minorUnits": minor, "currency": currency }));
    }
    let normalised = org.create(As::Member, pay("A-1", "A-2", "12.5", "EUR")).await;
    assert_eq!(normalised.ok("createPayment")["amount"]["amount"], "12.50");

    let refused = [
        (pay("A-1", "A-2", "12.345", "EUR"), "input.amount.amount"),
        (pay("J-1", "J-2", "12.5", "JPY"), "input.amount.amount"),
        (pay("A-1", "A-2", "0", "EUR"), "input.amount.amount"),
        (pay("A-1", "A-2", "100000000000.01", "EUR"), "input.amount.amount"),
        (pay("A-1", "A-2", "1", "XXX"), "input.amount.currency"),
        (pay("A-1", "J-2", "1", "EUR"), "input.toAccount"),
        (pay("J-1", "J-2", "1", "EUR"), "input.amount.currency"),
        (pay("A-1", "A-1", "1", "EUR"), "input.toAccount"),
    ];
    for (input, field) in refused {
        let answer = org.create(As::Member, input.clone()).await;
        assert_eq!(answer.error_type(), Some("ValidationError"), "{input}: {:?}", answer.body);
        assert_eq!(answer.body["errors"][0]["extensions"]["field"], field, "{input}");
        assert!(answer.message().starts_with(&format!("{field}: ")), "{}", answer.message());
    }
    // A float never carries money: GraphQL itself refuses it.
    let float = json!({ "amount": { "amount": 12.34, "currency": "EUR" }, "dueDate": "2030-01-01",
                        "fromAccount": org.account("A-1"), "toAccount": org.account("A-2") });
    assert!(org.create(As::Member, float).await.body["errors"].is_array());

    // Out to a counterparty: an IBAN with valid check digits.
    let external = |iban: &str| {
        json!({ "amount": { "amount": "5", "currency": "EUR" }, "dueDate": "2030-01-01", "type": "INTERNATIONAL",
                "fromAccount": org.account("A-1"), "counterparty": { "name": "Bob", "iban": iban } })
    };
    let bad = org.create(As::Member, external("GB83 WEST 1234 5698 7654 32")).await;
    assert_eq!(bad.body["errors"][0]["extensions"]["field"], "input.counterparty.iban");
    let good = org.create(As::Member, external("GB82 WEST 1234 5698 7654 32")).await;
    let payment = good.ok("createPayment");
    assert_eq!(payment["counterparty"], json!({ "name": "Bob", "iban": "GB82WEST12345698765432" }));
    assert_eq!((payment["toAccount"].is_null(), payment["type"].as_str()), (true, Some("INTERNATIONAL")));
}

#[tokio::test]
async fn a_payment_reads_back_as_it_was_created() {
    let org = Org::new().await;
    let created = org.pay(As::Member, "10").await;
    let created = created.ok("createPayment").clone();
    let query = format!("query($id: ID!) {{ getPayment(id: $id) {{ {PAYMENT_FIELDS} }} }}");
    let read = org.graphql(As::Viewer, &query, json!({ "id": created["id"] })).await;
    assert_eq!(read.ok("getPayment"), &created);
    assert_eq!((created["version"].as_i64(), created["dueDate"].as_str()), (Some(1), Some("2020-01-01")));
    let unknown = org.graphql(As::Viewer, GET, json!({ "id": uuid::Uuid::new_v4() })).await;
    assert!(unknown.ok("getPayment").is_null());
}

#[test]
fn the_committed_sdl_is_the_schemas() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let sdl = api::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &sdl).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == sdl,
        "api/schema.graphql differs from the schema in the code: run `UPDATE_SCHEMA=1 cargo test -p api --test payments the_committed_sdl` and commit it"
    );
}
