//! The accounts micro-frontend in the shell, against the real api: a tree built, expanded and
//! collapsed, walked with the keyboard, renamed, moved, refused a cyclic move, deleted, a change
//! someone else made meanwhile, and a deep link reloaded; a delete confirmed only after its count
//! was read afresh; a move by drag-and-drop; a node with 10,000 children; and the micro-frontend
//! alone in its own harness; the panel's ids and focus; names that are markup shown as text.

use e2e::{
    ENTER, IAM, PASSWORD, Stack,
    accounts::{Accounts, id, seed_children},
    screenshots,
};
use fantoccini::key::Key;
use serde_json::{Value, json};

/// The tree row of an account (by id), and the CSS for it.
fn row(account: &Value) -> String {
    format!("[role=treeitem][data-id='{}']", account["id"].as_str().expect("an id"))
}

/// A row's own line (its name, number, balance), without the rows below it: what a click aims at.
fn line(account: &Value) -> String {
    format!("{} > .tree__row", row(account))
}

/// Signs a new user in on the accounts page (recording the page's api calls); the api as that user,
/// for what happens in other tabs.
async fn signed_in_at_accounts(stack: &Stack, email: &str) -> Accounts {
    stack.create_user(email).await;
    stack.open("/accounts").await;
    stack.browser.find("[data-testid=sign-in-form]").await;
    stack.browser.record_api_calls().await;
    stack.sign_in_on_page(email, PASSWORD).await;
    stack.browser.find("mfe-accounts [data-testid=mfe-accounts]").await;
    Accounts::of_signed_in(stack).await
}

/// Presses keys on whatever has the focus, as a person at the keyboard does.
async fn press(stack: &Stack, keys: &str) {
    let focused = stack.browser.client.active_element().await.expect("a focused element");
    focused.send_keys(keys).await.expect("keys sent");
}

/// The id of the focused tree row.
async fn focused_row(stack: &Stack) -> String {
    let id = stack.browser.execute("return document.activeElement.dataset.id || null").await;
    id.as_str().unwrap_or("(no tree row has the focus)").to_owned()
}

async fn attribute(stack: &Stack, css: &str, name: &str) -> String {
    let element = stack.browser.find(css).await;
    element.attr(name).await.expect("an attribute").unwrap_or_default()
}

/// Fails on console errors other than the api's deliberate refusals (the 400, 409 and 412 answers
/// this test provokes), which Chromium logs as failed loads.
async fn assert_no_console_errors(stack: &Stack) {
    let errors: Vec<String> = stack
        .browser
        .console_errors()
        .await
        .into_iter()
        .filter(|error| {
            let refusal = ["status of 400", "status of 409", "status of 412"].iter().any(|s| error.contains(s));
            !(error.contains("/v1/accounts") && refusal)
        })
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[tokio::test]
async fn build_walk_edit_move_delete_and_deep_link_the_accounts_tree() {
    build_walk_edit_move_delete_and_deep_link(&Stack::start(&[]).await, "Bearer", &screenshots()).await;
}

/// The same with the shell signing its calls (SigV4 with the identity pool's credentials).
#[tokio::test]
async fn build_walk_edit_move_delete_and_deep_link_the_accounts_tree_in_iam_mode() {
    let stack = Stack::start(&IAM).await;
    build_walk_edit_move_delete_and_deep_link(&stack, "AWS4-HMAC-SHA256", &screenshots().join("iam")).await;
    // The api took the shell's own calls as an identity pool's, as API Gateway's request context says.
    let caller = stack
        .browser
        .client
        .execute_async(
            r#"const done = arguments[0];
               const element = document.querySelector("mfe-accounts");
               const url = element.apiBaseUrl + "/v1/caller";
               element.authHeaders({ method: "GET", url, headers: [], body: null })
                 .then((headers) => fetch(url, { headers })).then((response) => response.json()).then(done);"#,
            vec![],
        )
        .await
        .expect("the caller");
    assert_eq!(caller["authorizer"], "iam", "{caller}");
    assert_eq!(caller["identity"]["cognitoAuthenticationType"], "authenticated", "{caller}");
    assert!(caller["identity"]["accessKey"].as_str().is_some_and(|key| key.starts_with("ASIA")), "{caller}");
}

/// Builds, walks, edits, moves and deletes a tree; every api call of the page before its first
/// reload carried an `Authorization` of `scheme`.
async fn build_walk_edit_move_delete_and_deep_link(stack: &Stack, scheme: &str, shots: &std::path::Path) {
    let browser = &stack.browser;
    let shots = shots.to_owned();
    let api = signed_in_at_accounts(stack, "tree-user@example.com").await;

    // No accounts yet: an invitation to create the first one, which then opens.
    browser.expect_text("[data-testid=accounts-empty]", "No accounts yet").await;
    browser.screenshot(&shots, "10-accounts-empty").await;
    browser.click("[data-testid=accounts-empty] button").await;
    browser.find("[data-testid=new-account-form]").await;
    browser.screenshot(&shots, "10-accounts-empty-new-form").await;
    browser.fill("[data-testid=new-account-form] [name=name]", "Assets").await;
    browser.fill("[data-testid=new-account-form] [name=number]", "1000").await;
    browser.click("[data-testid=new-account-form] button[type=submit]").await;
    browser.expect_text("[role=tree]", "Assets").await;
    browser.expect_text("[data-testid=account-details] h2", "Assets").await;
    assert!(browser.path().await.starts_with("/accounts/"), "opening an account puts it in the URL");
    browser.audit("accounts, an account open").await;

    // A child through the panel; the rest of three levels through the api.
    browser.click("[data-testid=account-details] .actions button").await;
    browser.find("[data-testid=new-account-form]").await;
    browser.audit("accounts, a child account's form").await;
    browser.fill("[data-testid=new-account-form] [name=name]", "Bank").await;
    browser.fill("[data-testid=new-account-form] [name=number]", "1100").await;
    browser.click("[data-testid=new-account-form] button[type=submit]").await;
    browser.expect_text("[data-testid=account-details] h2", "Bank").await;
    let bank_id = browser.path().await.trim_start_matches("/accounts/").to_owned();
    let bank = api.get(&bank_id).await.expect("Bank exists");
    let assets = api.get(bank["parentId"].as_str().expect("Bank is below Assets")).await.expect("Assets exists");
    let checking = api.create(Some(&bank), "Checking", "1110", 123_456).await;
    let savings = api.create(Some(&bank), "Savings", "1120", 50_000).await;
    let cash = api.create(Some(&assets), "Cash", "1200", 5_000).await;
    let equity = api.create(None, "Equity", "3000", 0).await;
    let calls = browser.api_calls().await;
    let to_the_api: Vec<&Value> =
        calls.iter().filter(|call| call["path"].as_str().unwrap().starts_with("/v1/")).collect();
    assert!(to_the_api.len() >= 4, "the page called the api: {calls:#?}");
    assert!(to_the_api.iter().all(|call| call["scheme"] == scheme), "every call with {scheme}: {to_the_api:#?}");

    // Reloaded at the accounts home: the roots, collapsed, with their rolled-up balances.
    stack.open("/accounts").await;
    browser.find(&row(&equity)).await;
    browser.expect_text(&line(&assets), "€1,784.56").await;
    assert_eq!(attribute(&stack, &row(&assets), "aria-expanded").await, "false");
    assert!(!browser.is_present(&row(&bank)).await, "children load only when expanded");
    browser.screenshot(&shots, "11-accounts-roots").await;

    // Expand and collapse with the mouse.
    browser.click(&format!("{} .tree__toggle", row(&assets))).await;
    browser.find(&row(&cash)).await;
    assert_eq!(attribute(&stack, &row(&assets), "aria-expanded").await, "true");
    assert_eq!(attribute(&stack, &row(&bank), "aria-level").await, "2");
    assert_eq!(attribute(&stack, &row(&cash), "aria-posinset").await, "2");
    assert_eq!(attribute(&stack, &row(&cash), "aria-setsize").await, "2");
    browser.screenshot(&shots, "12-accounts-expanded").await;
    browser.click(&format!("{} .tree__toggle", row(&assets))).await;
    assert_eq!(attribute(&stack, &row(&assets), "aria-expanded").await, "false");
    assert!(!browser.is_present(&row(&bank)).await, "collapsed");

    // The keyboard, across three levels: one tab stop that moves with the focus.
    browser.execute("document.querySelector('[role=treeitem][tabindex=\"0\"]').focus()").await;
    assert_eq!(focused_row(&stack).await, id(&assets));
    press(&stack, &format!("{}", Key::Right)).await; // expands Assets
    browser.find(&row(&bank)).await;
    press(&stack, &format!("{}", Key::Right)).await; // to its first child
    assert_eq!(focused_row(&stack).await, id(&bank));
    press(&stack, &format!("{}", Key::Right)).await; // expands Bank
    browser.find(&row(&checking)).await;
    press(&stack, &format!("{}", Key::Down)).await;
    assert_eq!(focused_row(&stack).await, id(&checking));
    assert_eq!(attribute(&stack, &row(&checking), "aria-level").await, "3");
    assert_eq!(attribute(&stack, &row(&checking), "tabindex").await, "0", "the tab stop moved");
    assert_eq!(attribute(&stack, &row(&assets), "tabindex").await, "-1");
    press(&stack, &format!("{}", Key::Down)).await;
    assert_eq!(focused_row(&stack).await, id(&savings));
    press(&stack, &format!("{}", Key::Left)).await; // to the parent
    assert_eq!(focused_row(&stack).await, id(&bank));
    press(&stack, &format!("{}", Key::Left)).await; // collapses Bank
    assert_eq!(attribute(&stack, &row(&bank), "aria-expanded").await, "false");
    press(&stack, &format!("{}", Key::End)).await;
    assert_eq!(focused_row(&stack).await, id(&equity));
    press(&stack, &format!("{}", Key::Home)).await;
    assert_eq!(focused_row(&stack).await, id(&assets));
    press(&stack, "c").await; // type-ahead
    assert_eq!(focused_row(&stack).await, id(&cash));
    browser.screenshot(&shots, "13-accounts-keyboard").await;
    browser.execute("window.mountedTree = document.querySelector('mfe-accounts')").await;
    press(&stack, &format!("{}", Key::Enter)).await; // opens the details
    browser.expect_text("[data-testid=account-details] h2", "Cash").await;
    assert_eq!(browser.path().await, format!("/accounts/{}", id(&cash)));
    let same = browser.execute("return window.mountedTree === document.querySelector('mfe-accounts')").await;
    assert_eq!(same, true, "the shell changed the URL without mounting the micro-frontend afresh");

    // Rename in place (F2), then an invalid number: the api's message sits next to the field.
    press(&stack, &format!("{}", Key::F2)).await;
    browser.fill(".tree__rename input", "Petty cash").await;
    press(&stack, &format!("{}", Key::Enter)).await;
    browser.expect_text(&line(&cash), "Petty cash").await;
    assert_eq!(api.get(id(&cash)).await.expect("Cash exists")["name"], "Petty cash");
    browser.fill("[data-testid=edit-form] [name=number]", "no spaces allowed").await;
    browser.click("[data-testid=edit-form] button[type=submit]").await;
    browser.expect_text("#edit-account-number-error", "letters, digits or dashes").await;
    browser.expect_text(&line(&cash), "1200").await; // rolled back
    browser.screenshot(&shots, "14-accounts-renamed-and-invalid").await;

    // Move: the picker refuses Bank's own subtree; Savings moves under Equity.
    browser.click(&line(&bank)).await;
    browser.expect_text("[data-testid=account-details] h2", "Bank").await;
    browser.click("[data-testid=account-details] .actions button:nth-child(2)").await;
    for inside in [&bank, &checking, &savings] {
        let option = format!("#move-to option[value='{}']", id(inside));
        assert_eq!(attribute(&stack, &option, "disabled").await, "true", "{} is refused", inside["name"]);
    }
    assert_eq!(attribute(&stack, &format!("#move-to option[value='{}']", id(&equity)), "disabled").await, "");
    browser.screenshot(&shots, "15-accounts-move-refuses-own-subtree").await;
    browser.click("[data-testid=move-form] button[type=button]").await;
    browser.click(&format!("{} .tree__toggle", row(&bank))).await;
    browser.click(&line(&savings)).await;
    browser.expect_text("[data-testid=account-details] h2", "Savings").await;
    browser.click("[data-testid=account-details] .actions button:nth-child(2)").await;
    browser.find("#move-to").await.select_by_value(id(&equity)).await.expect("Equity picked");
    browser.click("[data-testid=move-form] button[type=submit]").await;
    browser.find(&format!("{} [role=group] {}", row(&equity), row(&savings))).await;
    browser.expect_text(&line(&equity), "€500.00").await;
    assert_eq!(api.get(id(&savings)).await.expect("Savings exists")["parentId"], equity["id"]);
    browser.screenshot(&shots, "16-accounts-moved").await;

    // Someone else renames Equity meanwhile: the save is refused (412), undone, and reloadable.
    browser.click(&line(&equity)).await;
    browser.expect_text("[data-testid=account-details] h2", "Equity").await;
    api.rename(id(&equity), "Equity (renamed elsewhere)").await;
    browser.fill("[data-testid=edit-form] [name=name]", "Owners' equity").await;
    browser.click("[data-testid=edit-form] button[type=submit]").await;
    browser.expect_text("[data-testid=accounts-notice]", "Someone else changed").await;
    browser.expect_text(&format!("{} .tree__name", row(&equity)), "Equity").await;
    browser.screenshot(&shots, "17-accounts-conflict").await;
    browser.click("[data-testid=reload-account]").await;
    browser.expect_text(&line(&equity), "Equity (renamed elsewhere)").await;
    assert!(!browser.is_present("[data-testid=accounts-notice]").await, "the notice went with the reload");

    // A deep link, reloaded: the tree opens down to Checking and selects it.
    stack.open(&format!("/accounts/{}", id(&checking))).await;
    browser.find(&format!("{}[aria-selected=true]", row(&checking))).await;
    browser.expect_text("[data-testid=account-details] h2", "Checking").await;
    assert_eq!(attribute(&stack, &row(&bank), "aria-expanded").await, "true");
    browser.screenshot(&shots, "18-accounts-deep-link").await;

    // Delete Assets: the confirmation counts what goes with it (Bank, Checking, Petty cash).
    browser.click(&line(&assets)).await;
    browser.expect_text("[data-testid=account-details] h2", "Assets").await;
    browser.click("[data-testid=account-details] .actions .button--danger").await;
    browser.expect_text("[data-testid=delete-confirmation]", "the 3 accounts below it").await;
    browser.screenshot(&shots, "19-accounts-delete-confirmation").await;
    browser.click("[data-testid=delete-confirmation] .button--danger").await;
    browser.expect_text("[role=tree]", "Equity").await;
    assert!(!browser.is_present(&row(&assets)).await, "Assets left the tree");
    // Once the api has deleted it, the account closes.
    browser.expect_text(".panel__hint", "Select an account").await;
    assert!(api.get(id(&assets)).await.is_none() && api.get(id(&checking)).await.is_none());
    assert_eq!(browser.path().await, "/accounts");
    browser.screenshot(&shots, "20-accounts-deleted").await;

    assert_no_console_errors(&stack).await;
}

#[tokio::test]
async fn a_delete_is_counted_afresh_and_sent_only_once_confirmed() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let api = signed_in_at_accounts(&stack, "delete-count@example.com").await;
    let parent = api.create(None, "Parent", "P-1", 0).await;
    let child = api.create(Some(&parent), "Child", "P-2", 0).await;
    stack.open(&format!("/accounts/{}", id(&parent))).await;
    browser.expect_text("[data-testid=account-details] h2", "Parent").await;

    // Its child goes in another tab: the tree still says one is below it.
    api.delete(id(&child)).await;
    browser.click("[data-testid=account-details] .actions .button--danger").await;
    browser.expect_text("[data-testid=delete-confirmation]", "Delete “Parent”? This cannot be undone.").await;
    assert!(api.get(id(&parent)).await.is_some(), "nothing is deleted before the person confirms");
    browser.click("[data-testid=delete-confirmation] .button--danger").await;
    browser.expect_text(".panel__hint", "Select an account").await;
    assert!(api.get(id(&parent)).await.is_none(), "deleted once confirmed");
    assert_no_console_errors(&stack).await;
}

/// Drags the row line `from` over the row line `to` with the browser's drag events (WebDriver's
/// pointer actions do not start HTML drag-and-drop), and drops it there when `drop`; returns whether
/// `to` accepted it. Without `drop` the drag stays where it is, over `to`.
async fn drag(stack: &Stack, from: &str, to: &str, drop: bool) -> bool {
    let script = format!(
        r#"const from = document.querySelector({}), to = document.querySelector({});
           const data = new DataTransfer();
           const fire = (element, type) =>
             element.dispatchEvent(new DragEvent(type, {{ bubbles: true, cancelable: true, dataTransfer: data }}));
           fire(from, "dragstart");
           const accepted = !fire(to, "dragover");
           if ({drop}) {{ if (accepted) fire(to, "drop"); fire(from, "dragend"); }}
           return accepted;"#,
        Value::from(from),
        Value::from(to),
    );
    stack.browser.execute(&script).await.as_bool().expect("whether the drop was accepted")
}

#[tokio::test]
async fn an_account_moves_by_drag_and_drop_but_never_into_itself() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let api = signed_in_at_accounts(&stack, "drag-user@example.com").await;
    let assets = api.create(None, "Assets", "1000", 0).await;
    let bank = api.create(Some(&assets), "Bank", "1100", 12_345).await;
    let equity = api.create(None, "Equity", "3000", 0).await;
    stack.open("/accounts").await;
    browser.click(&format!("{} .tree__toggle", row(&assets))).await;
    browser.find(&row(&bank)).await;

    // Not into its own subtree, nor where it already is.
    assert!(!drag(&stack, &line(&assets), &line(&bank), true).await, "Assets refused below itself");
    assert!(!drag(&stack, &line(&bank), &line(&assets), true).await, "Bank is already below Assets");
    assert!(api.get(id(&assets)).await.expect("Assets exists")["parentId"].is_null());

    // Over Equity the drop target is marked; dropped, Bank moves there with its balance.
    assert!(drag(&stack, &line(&bank), &line(&equity), false).await, "Equity accepts Bank");
    browser.find(&format!("{}[data-drop-target]", line(&equity))).await;
    browser.screenshot(&screenshots(), "25-accounts-drag-over").await;
    assert!(drag(&stack, &line(&bank), &line(&equity), true).await);
    browser.find(&format!("{} {}", row(&equity), row(&bank))).await;
    browser.expect_text(&line(&equity), "€123.45").await;
    assert!(!browser.is_present("[data-drop-target]").await, "no mark is left after the drop");
    assert_eq!(
        api.get(id(&bank)).await.expect("Bank exists")["parentId"],
        equity["id"],
        "the api has Bank below Equity"
    );
    browser.screenshot(&screenshots(), "26-accounts-dragged").await;
    assert_no_console_errors(&stack).await;
}

#[tokio::test]
async fn a_node_with_ten_thousand_children_pages_and_stays_responsive() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let api = signed_in_at_accounts(&stack, "big-tree@example.com").await;
    let big = api.create(None, "Big", "BIG", 0).await;
    seed_children(&stack, &big, 10_000).await;
    // Rows are built as markup: a name that is markup itself must show as text and never run.
    let hostile_name = r#"<img src=x onerror="window.injected=1"> & "Co""#;
    let hostile = api.create(None, hostile_name, "EVIL", 0).await;

    stack.open("/accounts").await;
    browser.expect_text(&format!("{} .tree__name", row(&hostile)), hostile_name).await;
    assert_eq!(browser.execute("return document.querySelectorAll('[role=tree] img').length").await, 0);
    assert_eq!(browser.execute("return window.injected === undefined").await, true, "the name ran as markup");
    browser.click(&format!("{} .tree__toggle", row(&big))).await;
    browser.expect_text("[data-testid=load-more]", "200 of 10,000 shown").await;
    let rows = "return document.querySelectorAll('[role=group] > [role=treeitem]').length";
    assert_eq!(browser.execute(rows).await, 200, "one page is rendered, not ten thousand rows");
    browser.click("[data-testid=load-more]").await;
    browser.expect_text("[data-testid=load-more]", "400 of 10,000 shown").await;
    // Still answering the keyboard: End reaches the last loaded row.
    browser.execute("document.querySelector('[role=treeitem][tabindex=\"0\"]').focus()").await;
    press(&stack, &format!("{}", Key::End)).await;
    let last = browser.execute("return document.activeElement.textContent").await;
    assert!(last.as_str().unwrap_or_default().contains("Child 00400"), "{last}");
    browser.screenshot(&screenshots(), "21-accounts-ten-thousand-children").await;
    // Too many below it for one read: the confirmation says so rather than a wrong number.
    browser.click(&line(&big)).await;
    browser.click("[data-testid=account-details] .actions .button--danger").await;
    browser.expect_text("[data-testid=delete-confirmation]", "more than 999 accounts below it").await;
    assert_no_console_errors(&stack).await;
}

#[tokio::test]
async fn the_standalone_harness_runs_the_micro_frontend_alone() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let api = signed_in_at_accounts(&stack, "harness@example.com").await;
    let root = api.create(None, "Harnessed", "H-1", 0).await;
    let token = browser.access_token().await;

    stack.open("/mfe/accounts/index.html").await;
    browser.expect_text("mfe-accounts [role=alert]", "No access token").await;
    browser.audit("standalone harness, no access token").await;
    browser.execute(&format!("sessionStorage.setItem('ledgerline.token', '{token}')")).await;
    browser.client.refresh().await.expect("reload");
    browser.find(&row(&root)).await;
    browser.click(&line(&root)).await;
    browser.expect_text("[data-testid=account-details] h2", "Harnessed").await;
    assert_eq!(browser.execute("return location.hash").await, format!("#/{}", id(&root)));
    browser.screenshot(&screenshots(), "22-accounts-standalone").await;
}

/// Ids that more than one element on the page has.
const DUPLICATE_IDS: &str = "const seen = {};
    for (const element of document.querySelectorAll('[id]')) seen[element.id] = (seen[element.id] || 0) + 1;
    return Object.keys(seen).filter((id) => seen[id] > 1);";

/// The `for` of each label that names no input of its own form.
const LABELS_ELSEWHERE: &str = "return [...document.querySelectorAll('label[for]')]
    .filter((label) => { const input = document.getElementById(label.htmlFor);
        return !input || input.closest('form') !== label.closest('form'); })
    .map((label) => label.htmlFor);";

#[tokio::test]
async fn the_panel_keeps_ids_unique_and_the_focus_where_the_person_is() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let api = signed_in_at_accounts(&stack, "panel-focus@example.com").await;
    let parent = api.create(None, "Parent", "P-1", 0).await;
    stack.open(&format!("/accounts/{}", id(&parent))).await;
    browser.expect_text("[data-testid=account-details] h2", "Parent").await;

    // "Add a child account" beside the edit form: every id once, each label naming its own input,
    // and the focus in the new form (not dropped to the page).
    browser.click("[data-testid=account-details] .actions button").await;
    browser.find("[data-testid=new-account-form]").await;
    assert_eq!(browser.execute(DUPLICATE_IDS).await, json!([]), "ids are unique on the page");
    assert_eq!(browser.execute(LABELS_ELSEWHERE).await, json!([]), "each label names an input of its own form");
    browser.expect_focus("[data-testid=new-account-form] [name=name]").await;
    browser.screenshot(&screenshots(), "27-accounts-add-child-focused").await;
    // Closing it puts the focus back on the account's row.
    browser.click("[data-testid=new-account-form] button[type=button]").await;
    browser.expect_focus(&row(&parent)).await;

    // The delete confirmation takes the focus, and gives it back to the row when cancelled.
    browser.click("[data-testid=account-details] .actions .button--danger").await;
    browser.expect_focus("[data-testid=delete-confirmation] button").await;
    browser.screenshot(&screenshots(), "28-accounts-delete-focused").await;
    browser.click("[data-testid=delete-confirmation] button:not(.button--danger)").await;
    browser.expect_focus(&row(&parent)).await;

    // Saved with Enter, the edit form is drawn afresh for the new version: the focus stays in the field.
    browser.fill("[data-testid=edit-form] [name=name]", "Parent renamed").await;
    press(&stack, ENTER).await;
    for _ in 0..100 {
        if api.get(id(&parent)).await.expect("Parent exists")["name"] == "Parent renamed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    browser.expect_text("[data-testid=account-details] h2", "Parent renamed").await;
    browser.expect_focus("[data-testid=edit-form] [name=name]").await;
    assert_no_console_errors(&stack).await;
}

/// Markup, both quotes and an ampersand: what a careless page would turn into an element.
const HOSTILE: &str = r#"<img src=x onerror=alert(1)>'"&"#;

#[tokio::test]
async fn names_that_are_markup_show_as_text_everywhere_and_create_no_element() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    // An email address may hold markup too (no spaces): the top bar shows it.
    let email = r#"<img/src=x/onerror=alert(2)>'"&@example.com"#;
    let attributes = json!([{ "Name": "email", "Value": email }, { "Name": "email_verified", "Value": "true" },
        { "Name": "name", "Value": HOSTILE }]);
    let pool = "us-east-1_LedgerDev";
    let invite =
        json!({ "UserPoolId": pool, "Username": email, "MessageAction": "SUPPRESS", "UserAttributes": attributes });
    let (status, answer) = stack.admin("AdminCreateUser", invite).await;
    assert_eq!(status, 200, "AdminCreateUser: {answer}");
    let password = json!({ "UserPoolId": pool, "Username": email, "Password": PASSWORD, "Permanent": true });
    let (status, answer) = stack.admin("AdminSetUserPassword", password).await;
    assert_eq!(status, 200, "AdminSetUserPassword: {answer}");
    let no_element = "return document.querySelectorAll('img, [onerror]').length";

    stack.open("/accounts").await;
    stack.sign_in_on_page(email, PASSWORD).await;
    let api = Accounts::of_signed_in(&stack).await;
    let account = api.create(None, HOSTILE, "H-1", 0).await;
    api.create(Some(&account), HOSTILE, "H-2", 0).await;
    stack.open(&format!("/accounts/{}", id(&account))).await;
    browser.expect_text("[data-testid=shell-user]", email).await;
    browser.expect_text(&format!("{} .tree__name", row(&account)), HOSTILE).await;
    browser.expect_text("[data-testid=account-details] h2", HOSTILE).await;
    let name = browser.find("[data-testid=edit-form] [name=name]").await;
    assert_eq!(name.prop("value").await.unwrap().as_deref(), Some(HOSTILE), "the edit form's name");
    // The move picker lists the child by name.
    browser.click("[data-testid=account-details] .actions button:nth-child(2)").await;
    browser.expect_text("[data-testid=move-form] select", HOSTILE).await;
    browser.click("[data-testid=move-form] button[type=button]").await;
    browser.click("[data-testid=account-details] .actions .button--danger").await;
    browser
        .expect_text("[data-testid=delete-confirmation]", &format!("Delete “{HOSTILE}” and the 1 account below it?"))
        .await;
    browser.screenshot(&screenshots(), "29-accounts-hostile-names").await;
    assert_eq!(browser.execute(no_element).await, 0, "a name became an element");

    stack.open("/profile").await;
    browser.expect_text("[data-testid=profile-attributes]", HOSTILE).await;
    browser.expect_text("[data-testid=shell-user]", email).await;
    browser.screenshot(&screenshots(), "38-profile-hostile-names").await;
    assert_eq!(browser.execute(no_element).await, 0, "a name became an element");
    assert_no_console_errors(&stack).await;
}
