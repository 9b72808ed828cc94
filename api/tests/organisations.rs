//! Organisations: every role against every write, at the api and straight at the database as the
//! api's role (row-level security refuses what the role does not allow); an invitation's whole life;
//! the last owner; the audit trail; the `Admin` group's read-only view.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;
use support::{PoolFixture, RestUser, id};
use uuid::Uuid;

/// The user's `sub`, from their token.
fn sub(user: &RestUser) -> Uuid {
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(&user.token).unwrap().claims;
    claims["sub"].as_str().unwrap().parse().unwrap()
}

fn patch(user: &RestUser, path: &str, body: Value) -> reqwest::RequestBuilder {
    user.http.patch(user.url(path)).bearer_auth(&user.token).json(&body)
}

/// Status and problem `type` (empty for a success), checking that errors are problem+json.
async fn outcome(request: reqwest::RequestBuilder) -> (StatusCode, String) {
    let response = request.send().await.unwrap();
    let status = response.status();
    if status.is_success() {
        return (status, String::new());
    }
    assert_eq!(response.headers()["content-type"], "application/problem+json", "{}", response.url());
    let problem: Value = response.json().await.unwrap();
    (status, problem["type"].as_str().unwrap().to_owned())
}

async fn status(request: reqwest::RequestBuilder) -> StatusCode {
    outcome(request).await.0
}

async fn create_organisation(owner: &RestUser, name: &str) -> Uuid {
    let response = owner.post("/v1/tenants", json!({ "name": name })).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let organisation: Value = response.json().await.unwrap();
    assert_eq!((organisation["role"].as_str(), organisation["personal"].as_bool()), (Some("owner"), Some(false)));
    assert_eq!(location, format!("/v1/tenants/{}", organisation["id"].as_str().unwrap()));
    organisation["id"].as_str().unwrap().parse().unwrap()
}

/// A membership made past the api (as the database's owner), for tests about what members may do.
async fn add_member(fixture: &PoolFixture, tenant: Uuid, user: Uuid, role: &str) {
    sqlx::query("INSERT INTO tenant_members (tenant_id, user_id, role) VALUES ($1, $2, $3)")
        .bind(tenant)
        .bind(user)
        .bind(role)
        .execute(&fixture.app.db)
        .await
        .unwrap();
}

async fn invite(by: &RestUser, tenant: Uuid, email: &str, role: &str) -> (StatusCode, Value) {
    let response =
        by.post(&format!("/v1/tenants/{tenant}/invitations"), json!({ "email": email, "role": role })).send().await;
    let response = response.unwrap();
    (response.status(), response.json().await.unwrap())
}

/// The token in the newest invitation mailed to `email`, from the dev mailbox.
async fn mailed_token(fixture: &PoolFixture, email: &str) -> (String, String) {
    let mailbox: Value =
        reqwest::get(fixture.app.url(&format!("/dev/mailbox?to={email}"))).await.unwrap().json().await.unwrap();
    let body = mailbox[0]["body"].as_str().expect("an invitation was mailed").to_owned();
    let link = body.split_whitespace().find(|word| word.contains("/invitations/")).unwrap().to_owned();
    (link.rsplit('/').next().unwrap().to_owned(), body)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum As {
    Outsider,
    Viewer,
    Member,
    Admin,
    Owner,
}

const EVERYONE: [As; 5] = [As::Owner, As::Admin, As::Member, As::Viewer, As::Outsider];

impl As {
    fn role(self) -> Option<&'static str> {
        match self {
            As::Owner => Some("owner"),
            As::Admin => Some("admin"),
            As::Member => Some("member"),
            As::Viewer => Some("viewer"),
            As::Outsider => None,
        }
    }
}

/// An owner, and one person of each other role (or none), plus Tom, a member, to act on.
struct Cast {
    fixture: PoolFixture,
    owner: RestUser,
    others: Vec<(As, RestUser)>,
    tom: Uuid,
}

impl Cast {
    async fn new(args: &[&str]) -> Self {
        let fixture = PoolFixture::with_args(args).await;
        let owner = fixture.rest_user("olga").await;
        let mut others = Vec::new();
        for (who, name) in [(As::Admin, "adam"), (As::Member, "mia"), (As::Viewer, "vic"), (As::Outsider, "xena")] {
            others.push((who, fixture.rest_user(name).await));
        }
        let tom = sub(&fixture.rest_user("tom").await);
        Self { fixture, owner, others, tom }
    }

    fn actor(&self, who: As) -> &RestUser {
        match who {
            As::Owner => &self.owner,
            _ => &self.others.iter().find(|(role, _)| *role == who).unwrap().1,
        }
    }

    /// A fresh organisation with the actor in their role, Tom a member, an account and an invitation.
    async fn scene(&self, who: As) -> Scene {
        let tenant = create_organisation(&self.owner, "Acme").await;
        if let (Some(role), true) = (who.role(), who != As::Owner) {
            add_member(&self.fixture, tenant, sub(self.actor(who)), role).await;
        }
        add_member(&self.fixture, tenant, self.tom, "member").await;
        let body = json!({ "name": "Cash", "number": "C-1", "currency": "EUR", "tenantId": tenant });
        let account: Value = self.owner.post("/v1/accounts", body).send().await.unwrap().json().await.unwrap();
        let (_, invitation) = invite(&self.owner, tenant, "pending@example.com", "member").await;
        Scene {
            tenant,
            account: id(&account).parse().unwrap(),
            invitation: invitation["id"].as_str().unwrap().parse().unwrap(),
        }
    }
}

struct Scene {
    tenant: Uuid,
    account: Uuid,
    invitation: Uuid,
}

#[tokio::test]
async fn every_role_against_every_action_at_the_api() {
    let cast = Cast::new(&[]).await;
    let tom = cast.tom;
    // (action, who may: the least role; denied above Outsider: 403, Outsider: 404 unless stated)
    type Request = fn(&RestUser, &Scene, Uuid) -> reqwest::RequestBuilder;
    let actions: [(&str, As, Request); 15] = [
        ("rename", As::Owner, |u, s, _| patch(u, &format!("/v1/tenants/{}", s.tenant), json!({ "name": "Renamed" }))),
        ("create an account", As::Member, |u, s, _| {
            u.post("/v1/accounts", json!({ "name": "New", "number": "N-1", "currency": "EUR", "tenantId": s.tenant }))
        }),
        ("change an account", As::Member, |u, s, _| {
            u.patch(&format!("/v1/accounts/{}", s.account), "*", json!({ "name": "Changed" }))
        }),
        ("delete an account", As::Member, |u, s, _| u.delete(&format!("/v1/accounts/{}", s.account))),
        ("invite a member", As::Admin, |u, s, _| {
            u.post(
                &format!("/v1/tenants/{}/invitations", s.tenant),
                json!({ "email": "n@example.com", "role": "member" }),
            )
        }),
        ("invite an admin", As::Owner, |u, s, _| {
            u.post(
                &format!("/v1/tenants/{}/invitations", s.tenant),
                json!({ "email": "n@example.com", "role": "admin" }),
            )
        }),
        ("revoke an invitation", As::Admin, |u, s, _| {
            u.delete(&format!("/v1/tenants/{}/invitations/{}", s.tenant, s.invitation))
        }),
        ("make a member a viewer", As::Admin, |u, s, tom| {
            patch(u, &format!("/v1/tenants/{}/members/{tom}", s.tenant), json!({ "role": "viewer" }))
        }),
        ("make a member an admin", As::Owner, |u, s, tom| {
            patch(u, &format!("/v1/tenants/{}/members/{tom}", s.tenant), json!({ "role": "admin" }))
        }),
        ("remove a member", As::Admin, |u, s, tom| u.delete(&format!("/v1/tenants/{}/members/{tom}", s.tenant))),
        ("transfer ownership", As::Owner, |u, s, tom| {
            u.post(&format!("/v1/tenants/{}/transfer", s.tenant), json!({ "userId": tom }))
        }),
        ("delete the organisation", As::Owner, |u, s, _| u.delete(&format!("/v1/tenants/{}", s.tenant))),
        ("read the members", As::Viewer, |u, s, _| u.get(&format!("/v1/tenants/{}/members", s.tenant))),
        ("read the invitations", As::Admin, |u, s, _| u.get(&format!("/v1/tenants/{}/invitations", s.tenant))),
        ("read the audit trail", As::Admin, |u, s, _| u.get(&format!("/v1/tenants/{}/audit", s.tenant))),
    ];
    let mut wrong = Vec::new();
    for (action, least, request) in actions {
        for who in EVERYONE {
            let scene = cast.scene(who).await;
            let (got, kind) = outcome(request(cast.actor(who), &scene, tom)).await;
            let expected = match who {
                _ if who >= least => "2xx",
                // An account's tenant named in the body: refused as not the caller's (as before organisations).
                As::Outsider if action == "create an account" => "403",
                As::Outsider => "404",
                _ => "403",
            };
            let seen = if got.is_success() { "2xx".to_owned() } else { got.as_str().to_owned() };
            if seen != expected {
                wrong.push(format!("{who:?} {action}: {got} {kind}, expected {expected}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What a statement did as the api's role, with the identity of `caller` set as the api sets it:
/// changed rows, or was refused (an error, or no row changed as the policies hid every row from it).
/// The statement reads its values from `v`: the tenant, Tom, the account, the caller, a fresh id.
async fn attempt(fixture: &PoolFixture, caller: Uuid, sql: &str, scene: &Scene, tom: Uuid) -> Result<(), String> {
    let mut connection = fixture.app.api_db.acquire().await.unwrap();
    let mut tx = connection.begin().await.unwrap();
    sqlx::query("SELECT begin_request($1, false, NULL)").bind(caller).execute(&mut *tx).await.unwrap();
    let sql = format!(
        "WITH v (tenant, tom, account, me, fresh) AS (SELECT $1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid) {sql}"
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(scene.tenant)
        .bind(tom)
        .bind(scene.account)
        .bind(caller)
        .bind(Uuid::new_v4())
        .execute(&mut *tx)
        .await;
    tx.rollback().await.unwrap();
    match done {
        Ok(result) if result.rows_affected() > 0 => Ok(()),
        Ok(_) => Err("no row".into()),
        Err(error) => Err(error.to_string()),
    }
}

/// Each write, and the least role allowed to make it (`None`: nobody).
const STATEMENTS: [(&str, Option<As>); 17] = [
    (
        "INSERT INTO accounts (id, tenant_id, name, number, currency) SELECT fresh, tenant, 'X', 'X-1', 'EUR' FROM v",
        Some(As::Member),
    ),
    ("UPDATE accounts SET name = 'X' FROM v WHERE accounts.id = v.account", Some(As::Member)),
    ("DELETE FROM accounts USING v WHERE accounts.id = v.account", Some(As::Member)),
    ("UPDATE tenants SET name = 'X' FROM v WHERE tenants.id = v.tenant", Some(As::Owner)),
    ("DELETE FROM tenants USING v WHERE tenants.id = v.tenant", Some(As::Owner)),
    ("INSERT INTO tenant_members (tenant_id, user_id, role) SELECT tenant, fresh, 'member' FROM v", Some(As::Admin)),
    ("INSERT INTO tenant_members (tenant_id, user_id, role) SELECT tenant, fresh, 'admin' FROM v", Some(As::Owner)),
    (
        "UPDATE tenant_members m SET role = 'viewer' FROM v WHERE m.tenant_id = v.tenant AND m.user_id = v.tom",
        Some(As::Admin),
    ),
    (
        "UPDATE tenant_members m SET role = 'admin' FROM v WHERE m.tenant_id = v.tenant AND m.user_id = v.tom",
        Some(As::Owner),
    ),
    ("DELETE FROM tenant_members m USING v WHERE m.tenant_id = v.tenant AND m.user_id = v.tom", Some(As::Admin)),
    // Promoting oneself: only an owner "may", to what they are.
    (
        "UPDATE tenant_members m SET role = 'owner' FROM v WHERE m.tenant_id = v.tenant AND m.user_id = v.me",
        Some(As::Owner),
    ),
    (
        "INSERT INTO invitations (tenant_id, id, email, role, token_hash, invited_by, expires_at) \
         SELECT tenant, fresh, 'x@example.com', 'member', '\\x00', me, now() + interval '1 day' FROM v",
        Some(As::Admin),
    ),
    (
        "UPDATE invitations i SET revoked_at = now(), revoked_by = v.me FROM v WHERE i.tenant_id = v.tenant",
        Some(As::Admin),
    ),
    // The audit trail: written by the triggers only, changed by nobody.
    ("INSERT INTO tenant_audit (tenant_id, actor, action) SELECT tenant, me, 'forged' FROM v", None),
    ("UPDATE tenant_audit a SET action = 'x' FROM v WHERE a.tenant_id = v.tenant", None),
    ("DELETE FROM tenant_audit a USING v WHERE a.tenant_id = v.tenant", None),
    ("SELECT audit(tenant, 'forged', tom, '{}') FROM v", None),
];

#[tokio::test]
async fn the_database_refuses_what_a_role_does_not_allow_whatever_the_api_does() {
    let cast = Cast::new(&[]).await;
    let mut wrong = Vec::new();
    for who in EVERYONE {
        let scene = cast.scene(who).await;
        let caller = sub(cast.actor(who));
        for (sql, least) in STATEMENTS {
            let done = attempt(&cast.fixture, caller, sql, &scene, cast.tom).await;
            let allowed = least.is_some_and(|least| who >= least);
            if done.is_ok() != allowed {
                wrong
                    .push(format!("{who:?}: {sql}\n  {done:?}, expected {}", if allowed { "done" } else { "refused" }));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn an_invitation_is_mailed_accepted_after_sign_up_and_used_once() {
    let fixture = PoolFixture::with_args(&["--dev-mode", "--site-url", "https://ledgerline.example"]).await;
    let alice = fixture.rest_user("alice").await;
    let tenant = create_organisation(&alice, "Acme").await;

    // Sent before Bob has an account.
    let (sent, invitation) = invite(&alice, tenant, "Bob@Example.com", "member").await;
    assert_eq!(sent, StatusCode::CREATED, "{invitation}");
    assert_eq!(
        (invitation["email"].as_str(), invitation["state"].as_str()),
        (Some("bob@example.com"), Some("pending"))
    );
    assert!(invitation.get("token").is_none() && !invitation.to_string().contains("token"));
    let (token, body) = mailed_token(&fixture, "bob@example.com").await;
    assert!(body.contains(&format!("https://ledgerline.example/invitations/{token}")), "{body}");
    assert!(body.contains("alice@example.com invited you to join Acme") && body.contains("as a member"), "{body}");

    // Bob signs up with that address; the link still works.
    let bob = fixture.rest_user("bob").await;
    let received: Value = bob.get(&format!("/v1/invitations/{token}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(received["organisation"], "Acme");
    assert_eq!((received["role"].as_str(), received["state"].as_str()), (Some("member"), Some("pending")));
    let accepted = bob.post(&format!("/v1/invitations/{token}/accept"), json!({})).send().await.unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);
    let joined: Value = accepted.json().await.unwrap();
    assert_eq!((joined["id"].as_str(), joined["role"].as_str()), (Some(tenant.to_string().as_str()), Some("member")));
    let mine: Value = bob.get("/v1/tenants").send().await.unwrap().json().await.unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 2, "his personal organisation and Acme: {mine}");
    // The shared tree: Bob writes, Alice reads.
    let body = json!({ "name": "Shared", "number": "S-1", "currency": "EUR", "tenantId": tenant });
    assert_eq!(status(bob.post("/v1/accounts", body)).await, StatusCode::CREATED);
    let roots: Value = alice.get(&format!("/v1/accounts?tenant={tenant}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(roots["items"][0]["name"], "Shared");

    // Used once: not again, by him or anyone.
    let carol = fixture.rest_user("carol").await;
    for who in [&bob, &carol] {
        let again = outcome(who.post(&format!("/v1/invitations/{token}/accept"), json!({}))).await;
        assert_eq!(again, (StatusCode::GONE, "/problems/invitation-used".into()));
    }
    // An address that belongs to a member is refused clearly.
    let (again, problem) = invite(&alice, tenant, "BOB@example.com", "viewer").await;
    assert_eq!((again, problem["type"].as_str()), (StatusCode::CONFLICT, Some("/problems/already-member")));
    assert_eq!(problem["field"], "email");

    // Only the address it was sent to, verified, accepts it.
    invite(&alice, tenant, "dave@example.com", "viewer").await;
    let (dave_token, _) = mailed_token(&fixture, "dave@example.com").await;
    let wrong = outcome(carol.post(&format!("/v1/invitations/{dave_token}/accept"), json!({}))).await;
    assert_eq!(wrong, (StatusCode::FORBIDDEN, "/problems/email-mismatch".into()));
    // Nor in the database: Carol holding Dave's token cannot add herself.
    let hash = api::organisations::token::Token::parse(&dave_token).unwrap().hash();
    let mut tx = fixture.app.api_db.begin().await.unwrap();
    sqlx::query("SELECT begin_request($1, false, NULL)").bind(sub(&carol)).execute(&mut *tx).await.unwrap();
    sqlx::query("SELECT set_config('app.invitation', $1, true)")
        .bind(hex::encode(hash))
        .execute(&mut *tx)
        .await
        .unwrap();
    let join = sqlx::query("INSERT INTO tenant_members (tenant_id, user_id, role) VALUES ($1, $2, 'viewer')")
        .bind(tenant)
        .bind(sub(&carol))
        .execute(&mut *tx)
        .await;
    assert!(join.unwrap_err().to_string().contains("row-level security"));
    drop(tx);
    let (twice, problem) = invite(&alice, tenant, "dave@example.com", "viewer").await;
    assert_eq!((twice, problem["type"].as_str()), (StatusCode::CONFLICT, Some("/problems/already-invited")));

    // Revoked: refused, and revoking again says it is gone.
    let path = format!("/v1/tenants/{tenant}/invitations");
    let dave_invitation = {
        let all: Value = alice.get(&path).send().await.unwrap().json().await.unwrap();
        all.as_array().unwrap().iter().find(|i| i["email"] == "dave@example.com").unwrap()["id"].clone()
    };
    let revoke = format!("{path}/{}", dave_invitation.as_str().unwrap());
    assert_eq!(status(alice.delete(&revoke)).await, StatusCode::NO_CONTENT);
    assert_eq!(outcome(alice.delete(&revoke)).await, (StatusCode::GONE, "/problems/invitation-revoked".into()));
    let dave = fixture.rest_user("dave").await;
    let revoked = outcome(dave.post(&format!("/v1/invitations/{dave_token}/accept"), json!({}))).await;
    assert_eq!(revoked, (StatusCode::GONE, "/problems/invitation-revoked".into()));

    // Expired: refused.
    invite(&alice, tenant, "erin@example.com", "member").await;
    let (erin_token, _) = mailed_token(&fixture, "erin@example.com").await;
    // Its week is over (set as the tables' owner, past the trigger that freezes invitations).
    let mut tx = fixture.app.db.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *tx).await.unwrap();
    sqlx::query("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE email = 'erin@example.com'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let erin = fixture.rest_user("erin").await;
    let expired = outcome(erin.post(&format!("/v1/invitations/{erin_token}/accept"), json!({}))).await;
    assert_eq!(expired, (StatusCode::GONE, "/problems/invitation-expired".into()));

    // An address that is not verified does not accept, though it is the one invited.
    invite(&alice, tenant, "fay@example.com", "member").await;
    let (fay_token, _) = mailed_token(&fixture, "fay@example.com").await;
    let fay = fixture.rest_user("fay").await;
    sqlx::query("UPDATE users SET attributes = attributes || '{\"email_verified\": \"false\"}' WHERE username = 'fay'")
        .execute(&fixture.app.db)
        .await
        .unwrap();
    let unverified = outcome(fay.post(&format!("/v1/invitations/{fay_token}/accept"), json!({}))).await;
    assert_eq!(unverified, (StatusCode::FORBIDDEN, "/problems/email-mismatch".into()));

    let states: Value = alice.get(&path).send().await.unwrap().json().await.unwrap();
    let mut states: Vec<_> =
        states.as_array().unwrap().iter().map(|i| format!("{} {}", i["email"], i["state"])).collect();
    states.sort();
    assert_eq!(
        states,
        [
            r#""bob@example.com" "accepted""#,
            r#""dave@example.com" "revoked""#,
            r#""erin@example.com" "expired""#,
            r#""fay@example.com" "pending""#
        ]
    );
    // A token that never was, or is no token.
    let unknown = format!("/v1/invitations/{}{}/accept", &erin_token[..22], "A".repeat(42));
    assert_eq!(status(erin.post(&unknown, json!({}))).await, StatusCode::NOT_FOUND);
    assert_eq!(status(erin.get("/v1/invitations/not-a-token")).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_last_owner_can_neither_leave_nor_be_demoted() {
    let fixture = PoolFixture::new().await;
    let alice = fixture.rest_user("alice").await;
    let bob = fixture.rest_user("bob").await;
    let tenant = create_organisation(&alice, "Acme").await;
    add_member(&fixture, tenant, sub(&bob), "admin").await;
    let (alice_path, bob_path) = (
        format!("/v1/tenants/{tenant}/members/{}", sub(&alice)),
        format!("/v1/tenants/{tenant}/members/{}", sub(&bob)),
    );
    let last_owner = (StatusCode::CONFLICT, "/problems/last-owner".to_owned());

    assert_eq!(outcome(alice.delete(&alice_path)).await, last_owner);
    assert_eq!(outcome(patch(&alice, &alice_path, json!({ "role": "admin" }))).await, last_owner);
    // Nor in the database, whatever the api checked.
    for sql in [
        "UPDATE tenant_members SET role = 'admin' WHERE tenant_id = $1 AND user_id = $2",
        "DELETE FROM tenant_members WHERE tenant_id = $1 AND user_id = $2",
    ] {
        let mut tx = fixture.app.api_db.begin().await.unwrap();
        sqlx::query("SELECT begin_request($1, false, NULL)").bind(sub(&alice)).execute(&mut *tx).await.unwrap();
        let error = sqlx::query(sql).bind(tenant).bind(sub(&alice)).execute(&mut *tx).await.unwrap_err();
        assert!(error.to_string().contains("keeps at least one owner"), "{sql}: {error}");
    }
    // Her personal organisation too.
    let personal: Value = alice.get("/v1/tenants").send().await.unwrap().json().await.unwrap();
    let personal = personal[0]["id"].as_str().unwrap();
    assert_eq!(outcome(alice.delete(&format!("/v1/tenants/{personal}/members/{}", sub(&alice)))).await, last_owner);
    let undeletable = outcome(alice.delete(&format!("/v1/tenants/{personal}"))).await;
    assert_eq!(undeletable, (StatusCode::CONFLICT, "/problems/personal-organisation".into()));

    // Once Bob owns it, Alice may go, and Bob is the last owner.
    let transfer = alice.post(&format!("/v1/tenants/{tenant}/transfer"), json!({ "userId": sub(&bob) }));
    assert_eq!(status(transfer).await, StatusCode::NO_CONTENT);
    let members: Value = bob.get(&format!("/v1/tenants/{tenant}/members")).send().await.unwrap().json().await.unwrap();
    let roles: Vec<_> = members.as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["admin", "owner"]);
    assert_eq!(outcome(bob.delete(&bob_path)).await, last_owner);
    assert_eq!(status(alice.delete(&alice_path)).await, StatusCode::NO_CONTENT);
    assert_eq!(status(alice.get(&format!("/v1/tenants/{tenant}"))).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_audit_trail_records_every_change_with_who_and_which_request() {
    let fixture = PoolFixture::with_args(&["--dev-mode"]).await;
    let alice = fixture.rest_user("alice").await;
    let bob = fixture.rest_user("bob").await;
    let carol = fixture.rest_user("carol").await;
    let tenant = create_organisation(&alice, "Acme").await;
    let t = |path: &str| format!("/v1/tenants/{tenant}{path}");

    let renamed = patch(&alice, &t(""), json!({ "name": "Acme Ltd" })).header("x-request-id", "rename-42");
    assert_eq!(status(renamed).await, StatusCode::OK);
    invite(&alice, tenant, "bob@example.com", "viewer").await;
    let (token, _) = mailed_token(&fixture, "bob@example.com").await;
    assert_eq!(status(bob.post(&format!("/v1/invitations/{token}/accept"), json!({}))).await, StatusCode::OK);
    let (_, carols) = invite(&alice, tenant, "carol@example.com", "member").await;
    assert_eq!(
        status(alice.delete(&t(&format!("/invitations/{}", carols["id"].as_str().unwrap())))).await,
        StatusCode::NO_CONTENT
    );
    let promote = patch(&alice, &t(&format!("/members/{}", sub(&bob))), json!({ "role": "admin" }));
    assert_eq!(status(promote).await, StatusCode::OK);
    add_member(&fixture, tenant, sub(&carol), "member").await;
    assert_eq!(status(bob.delete(&t(&format!("/members/{}", sub(&carol))))).await, StatusCode::NO_CONTENT);
    assert_eq!(status(bob.delete(&t(&format!("/members/{}", sub(&bob))))).await, StatusCode::NO_CONTENT);

    // Page through it, two entries at a time, newest first.
    let mut entries = Vec::new();
    let mut next = Some(String::new());
    while let Some(cursor) = next {
        let query = if cursor.is_empty() { "?limit=2".to_owned() } else { format!("?limit=2&cursor={cursor}") };
        let page: Value = alice.get(&t(&format!("/audit{query}"))).send().await.unwrap().json().await.unwrap();
        entries.extend(page["items"].as_array().unwrap().iter().cloned());
        next = page["nextCursor"].as_str().map(str::to_owned);
    }
    entries.reverse();
    let (alice_id, bob_id, carol_id) = (sub(&alice).to_string(), sub(&bob).to_string(), sub(&carol).to_string());
    let who = |id: &Value| match id.as_str() {
        Some(id) if id == alice_id => "alice",
        Some(id) if id == bob_id => "bob",
        Some(id) if id == carol_id => "carol",
        Some(_) => "someone",
        None => "-",
    };
    let trail: Vec<String> = entries
        .iter()
        .map(|e| {
            format!("{} {} {} {}", who(&e["actor"]), e["action"].as_str().unwrap(), who(&e["subject"]), e["details"])
        })
        .collect();
    assert_eq!(
        trail,
        [
            r#"alice organisation.created - {"name":"Acme"}"#.to_owned(),
            r#"alice member.added alice {"role":"owner"}"#.into(),
            r#"alice organisation.renamed - {"from":"Acme","to":"Acme Ltd"}"#.into(),
            format!(
                r#"alice invitation.sent - {{"email":"bob@example.com","expiresAt":{},"invitation":{},"role":"viewer"}}"#,
                entries[3]["details"]["expiresAt"], entries[3]["details"]["invitation"]
            ),
            r#"bob member.added bob {"role":"viewer"}"#.into(),
            format!(
                r#"bob invitation.accepted bob {{"email":"bob@example.com","invitation":{},"role":"viewer"}}"#,
                entries[3]["details"]["invitation"]
            ),
            format!(
                r#"alice invitation.sent - {{"email":"carol@example.com","expiresAt":{},"invitation":"{}","role":"member"}}"#,
                entries[6]["details"]["expiresAt"],
                carols["id"].as_str().unwrap()
            ),
            format!(
                r#"alice invitation.revoked - {{"email":"carol@example.com","invitation":"{}","role":"member"}}"#,
                carols["id"].as_str().unwrap()
            ),
            r#"alice member.role_changed bob {"from":"viewer","to":"admin"}"#.into(),
            // Carol was added past the api: no one is named as having done it.
            r#"- member.added carol {"role":"member"}"#.into(),
            r#"bob member.removed carol {"role":"member"}"#.into(),
            r#"bob member.left bob {"role":"admin"}"#.into(),
        ]
    );
    assert_eq!(entries[2]["requestId"], "rename-42");
    assert_eq!(entries[2]["actorEmail"], "alice@example.com");
    assert!(entries[4]["requestId"].as_str().is_some_and(|id| Uuid::parse_str(id).is_ok()), "the api's own id");

    // Who may read it; and deleting the organisation keeps it (for the Admin group and operators).
    add_member(&fixture, tenant, sub(&carol), "member").await;
    assert_eq!(status(carol.get(&t("/audit"))).await, StatusCode::FORBIDDEN);
    assert_eq!(status(bob.get(&t("/audit"))).await, StatusCode::NOT_FOUND);
    assert_eq!(status(alice.delete(&t(""))).await, StatusCode::NO_CONTENT);
    let kept: Vec<String> =
        sqlx::query_scalar("SELECT action FROM tenant_audit WHERE tenant_id = $1 ORDER BY seq DESC")
            .bind(tenant)
            .fetch_all(&fixture.app.db)
            .await
            .unwrap();
    assert_eq!((kept.len(), kept[0].as_str(), kept[1].as_str()), (14, "organisation.deleted", "member.added"));
}

#[tokio::test]
async fn the_admin_group_reads_every_organisation_and_changes_none() {
    let fixture = PoolFixture::with_args(&["--dev-mode"]).await;
    let alice = fixture.rest_user("alice").await;
    let tenant = create_organisation(&alice, "Acme").await;
    invite(&alice, tenant, "bob@example.com", "member").await;
    fixture.rest_user("root").await;
    fixture.admin.create_group().user_pool_id(&fixture.pool.id).group_name("Admin").send().await.unwrap();
    let add = fixture.admin.admin_add_user_to_group().user_pool_id(&fixture.pool.id);
    add.username("root").group_name("Admin").send().await.unwrap();
    let root = fixture.signed_in("root").await;
    let t = |path: &str| format!("/v1/tenants/{tenant}{path}");

    let organisation: Value = root.get(&t("")).send().await.unwrap().json().await.unwrap();
    assert_eq!(organisation["name"], "Acme");
    assert!(organisation.get("role").is_none(), "{organisation}");
    for path in ["/members", "/invitations", "/audit"] {
        assert_eq!(status(root.get(&t(path))).await, StatusCode::OK, "{path}");
    }
    let (invited, _) = invite(&root, tenant, "eve@example.com", "member").await;
    assert_eq!(invited, StatusCode::FORBIDDEN);
    assert_eq!(status(patch(&root, &t(""), json!({ "name": "Mine" }))).await, StatusCode::FORBIDDEN);
    assert_eq!(status(root.delete(&t(""))).await, StatusCode::FORBIDDEN);
    assert_eq!(status(root.delete(&t(&format!("/members/{}", sub(&alice))))).await, StatusCode::FORBIDDEN);
    // A tenant that does not exist is not found, for them too.
    assert_eq!(status(root.get(&format!("/v1/tenants/{}", Uuid::new_v4()))).await, StatusCode::NOT_FOUND);
}
