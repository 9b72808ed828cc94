//! Organisations in the browser, against the real api: an organisation made on its page, people
//! invited from it, a new person signing up from the mailed link in a second browser, joining and
//! switching to the organisation, then seeing (and for a member, changing) the shared tree; a viewer
//! who sees the tree and no way to change it; roles changed, members removed and invitations
//! revoked, each confirmed first; and the switcher's choice, remembered per person across reloads
//! and sign-ins.

use e2e::{Browser, PASSWORD, Stack, accounts::Accounts, screenshots};
use serde_json::Value;

/// Signs in on the sign-in page `browser` shows, and waits for the top bar to show the person.
async fn sign_in(browser: &Browser, email: &str) {
    browser.fill("#sign-in-email", email).await;
    browser.fill("#sign-in-password", PASSWORD).await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.expect_text("[data-testid=shell-user]", email).await;
}

/// Waits until the switcher shows `name` as the organisation the person works in.
async fn expect_current(browser: &Browser, name: &str) {
    let script = r#"const select = document.querySelector("[data-testid=organisation-switcher]");
        return select && select.selectedOptions.length ? select.selectedOptions[0].textContent : null;"#;
    let shown = e2e::eventually(|| browser.execute(script), |shown| shown == name).await;
    assert_eq!(shown, name, "the organisation the switcher shows");
}

/// Chooses the organisation `name` in the top bar's switcher, as a person would.
async fn switch_to(browser: &Browser, name: &str) {
    let switcher = browser.find("[data-testid=organisation-switcher]").await;
    switcher.select_by_label(name).await.expect("the switcher offers it");
    browser.expect_text("[data-testid=shell-organisation]", name).await;
}

/// Creates an organisation on the organisation page `browser` shows; the shell then works in it.
async fn create_organisation(browser: &Browser, name: &str) {
    browser.fill("[data-testid=new-organisation-form] [name=name]", name).await;
    browser.click("[data-testid=new-organisation-form] button[type=submit]").await;
    browser.expect_text("#organisation-title", name).await;
    expect_current(browser, name).await;
}

/// Invites `email` as `role` from the organisation page `browser` shows.
async fn invite(browser: &Browser, email: &str, role: &str) {
    browser.fill("#invite-email", email).await;
    browser.find("#invite-role").await.select_by_value(role).await.expect("the role is offered");
    browser.click("[data-testid=invite-form] button[type=submit]").await;
    browser.expect_text("[data-testid=invitation-sent]", email).await;
    browser.expect_text("[data-testid=invitations]", email).await;
}

/// The link in the newest invitation mailed to `email`, from the dev mailbox.
async fn invitation_link(stack: &Stack, email: &str) -> String {
    let url = stack.app.url(&format!("/dev/mailbox?to={email}"));
    let messages: Value = reqwest::get(url).await.expect("the mailbox").json().await.expect("JSON");
    let body = messages[0]["body"].as_str().unwrap_or_else(|| panic!("no message to {email}: {messages}"));
    let link = body.split_whitespace().find(|word| word.contains("/invitations/"));
    link.unwrap_or_else(|| panic!("the invitation has a link: {body}")).to_owned()
}

/// The user id of the member `email`, from their row in the members' table.
async fn member_id(browser: &Browser, email: &str) -> String {
    let script = format!(
        r#"return [...document.querySelectorAll("[data-testid=members] tr[data-user]")]
            .find(tr => tr.textContent.includes("{email}")).dataset.user"#
    );
    let id = browser.execute(&script).await;
    id.as_str().unwrap_or_else(|| panic!("{email} is a member: {id}")).to_owned()
}

/// The row of the account named `name` in the tree.
fn row(name: &str) -> String {
    format!("//li[@role='treeitem'][.//span[@class='tree__name'][text()='{name}']]")
}

async fn expect_row(browser: &Browser, name: &str) {
    match browser.client.wait().for_element(e2e::Locator::XPath(&row(name))).await {
        Ok(_) => {}
        Err(error) => panic!("no row {name} ({error}); the page shows:\n{}", browser.body_text().await),
    }
}

/// Fails on console errors other than the refusals a test provokes on purpose.
async fn assert_no_console_errors(browser: &Browser, allowed: &[&str]) {
    let errors: Vec<String> = browser
        .console_errors()
        .await
        .into_iter()
        .filter(|error| !allowed.iter().any(|allowed| error.contains(allowed)))
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[tokio::test]
async fn a_new_person_signs_up_from_an_invitation_joins_and_shares_the_tree() {
    let stack = Stack::start(&[]).await;
    let (ann, shots) = (&stack.browser, screenshots());
    stack.create_user("ann@example.com").await;

    // Ann's own organisation first, then one she makes and shares.
    stack.open("/organisation").await;
    sign_in(ann, "ann@example.com").await;
    ann.expect_text("[data-testid=my-role]", "Your personal organisation").await;
    ann.expect_text("[data-testid=members]", "ann@example.com").await;
    assert!(!ann.is_present("[data-testid=invite-form]").await, "a personal organisation is never shared");
    ann.screenshot(&shots, "60-organisation-personal").await;
    create_organisation(ann, "Acme Ltd").await;
    ann.expect_text("[data-testid=organisation-role]", "owner").await;
    ann.expect_text("[data-testid=no-invitations]", "No invitations yet").await;
    invite(ann, "bob@example.com", "member").await;
    ann.expect_text("[data-testid=invitations]", "Pending").await;
    ann.screenshot(&shots, "61-organisation-invited").await;

    // Her account goes to the organisation she works in, not to her personal one.
    ann.click("nav a[href='/accounts']").await;
    ann.click("[data-testid=accounts-empty] button").await;
    ann.fill("[data-testid=new-account-form] [name=name]", "Shared assets").await;
    ann.fill("[data-testid=new-account-form] [name=number]", "1000").await;
    ann.click("[data-testid=new-account-form] button[type=submit]").await;
    expect_row(ann, "Shared assets").await;
    let tenants = Accounts::of_signed_in(&stack).await.tenants().await;
    let acme = tenants.iter().find(|t| t["name"] == "Acme Ltd").expect("Ann is in Acme Ltd");
    let account = Accounts::of_signed_in(&stack).await.roots(acme["id"].as_str().unwrap()).await;
    assert_eq!(account.len(), 1, "the account is Acme's: {account:?}");

    // Bob opens the link in a browser of his own, signed out: it comes along through sign-up.
    let link = invitation_link(&stack, "bob@example.com").await;
    assert!(link.starts_with(&stack.app.url("/invitations/")), "the link points at the site: {link}");
    let bob = Browser::launch().await;
    bob.client.goto(&link).await.expect("the link opens");
    bob.expect_text("[data-testid=shell-notice]", "Sign in to accept your invitation").await;
    bob.screenshot(&shots, "62-invitation-signed-out").await;
    bob.click("main a[href^='/sign-up']").await;
    bob.fill("#sign-up-name", "Bob").await;
    bob.fill("#sign-up-email", "bob@example.com").await;
    bob.fill("#sign-up-password", PASSWORD).await;
    bob.click("[data-testid=sign-up-form] button[type=submit]").await;
    bob.find("[data-testid=confirm-form]").await;
    bob.fill("#confirm-code", &stack.latest_code("bob@example.com").await).await;
    bob.click("[data-testid=confirm-form] button[type=submit]").await;
    bob.expect_text("[data-testid=shell-notice]", "Your account is confirmed.").await;
    bob.fill("#sign-in-password", PASSWORD).await;
    bob.click("[data-testid=sign-in-form] button[type=submit]").await;
    bob.expect_text("#invitation-title", "Join Acme Ltd").await;
    assert_eq!(bob.path().await, link.trim_start_matches(&stack.app.url("")), "back at the link");
    bob.expect_text("[data-testid=mfe-invitation]", "invites you to join as a member").await;
    bob.screenshot(&shots, "63-invitation-to-accept").await;
    bob.click("[data-testid=accept]").await;
    bob.expect_text("[data-testid=joined]", "You are a member of Acme Ltd.").await;
    bob.expect_focus("[data-testid=joined]").await;
    bob.screenshot(&shots, "64-invitation-accepted").await;

    // Still in his own organisation until he switches: then Acme's tree, which he may change.
    bob.click("nav a[href='/accounts']").await;
    bob.find("[data-testid=accounts-empty]").await;
    switch_to(&bob, "Acme Ltd").await;
    expect_row(&bob, "Shared assets").await;
    bob.expect_text("[data-testid=organisation-role]", "member").await;
    bob.find("[data-testid=new-root]").await;
    bob.screenshot(&shots, "65-accounts-shared").await;

    // Ann sees him among the members, and the invitation used.
    ann.click("nav a[href='/organisation']").await;
    ann.expect_text("[data-testid=members]", "bob@example.com").await;
    ann.expect_text("[data-testid=invitations]", "Accepted").await;
    assert_no_console_errors(ann, &[]).await;
    assert_no_console_errors(&bob, &[]).await;
}

/// Ann's organisation "Acme Ltd", made on the organisation page, with `email` invited as `role`;
/// `email`'s own browser at the invitation's link, signed in (an existing account) and joined.
async fn acme_with(stack: &Stack, email: &str, role: &str) -> Browser {
    let ann = &stack.browser;
    stack.create_user("ann@example.com").await;
    stack.create_user(email).await;
    stack.open("/organisation").await;
    sign_in(ann, "ann@example.com").await;
    create_organisation(ann, "Acme Ltd").await;
    invite(ann, email, role).await;
    let invited = Browser::launch().await;
    invited.client.goto(&invitation_link(stack, email).await).await.expect("the link opens");
    sign_in(&invited, email).await;
    invited.click("[data-testid=accept]").await;
    invited.expect_text("[data-testid=joined]", "Acme Ltd").await;
    invited
}

#[tokio::test]
async fn a_viewer_reads_the_shared_tree_and_finds_no_way_to_change_it() {
    let stack = Stack::start(&[]).await;
    let (ann, shots) = (&stack.browser, screenshots());
    let carol = acme_with(&stack, "carol@example.com", "viewer").await;
    ann.click("nav a[href='/accounts']").await;
    ann.click("[data-testid=new-root]").await;
    ann.fill("[data-testid=new-account-form] [name=name]", "Shared assets").await;
    ann.fill("[data-testid=new-account-form] [name=number]", "1000").await;
    ann.click("[data-testid=new-account-form] button[type=submit]").await;
    expect_row(ann, "Shared assets").await;

    // Carol joined as a viewer; she works in Acme with the page's button, then opens its accounts.
    carol.expect_text("[data-testid=joined]", "You are a viewer of Acme Ltd.").await;
    carol.click("[data-testid=switch]").await;
    expect_current(&carol, "Acme Ltd").await;
    carol.expect_text("[data-testid=organisation-role]", "viewer").await;
    carol.click("[data-testid=mfe-invitation] a[href='/accounts']").await;
    expect_row(&carol, "Shared assets").await;
    assert!(!carol.is_present("[data-testid=new-root]").await, "no new account for a viewer");

    // The account's details, and nothing to change them with: no form, no actions, no renaming.
    carol.click("[role=treeitem] > .tree__row").await;
    carol.expect_text("[data-testid=account-details] h2", "Shared assets").await;
    for control in ["[data-testid=edit-form]", "[data-testid=account-details] button", ".tree__rename"] {
        assert!(!carol.is_present(control).await, "a viewer sees no {control}");
    }
    let focused = carol.client.active_element().await.expect("the row has the focus");
    focused.send_keys("\u{E032}").await.expect("F2 is pressed");
    carol
        .execute(r#"document.querySelector("[role=treeitem] .tree__name").dispatchEvent(new MouseEvent("dblclick", { bubbles: true }))"#)
        .await;
    assert!(!carol.is_present(".tree__rename").await, "neither F2 nor a double click renames for a viewer");
    carol.screenshot(&shots, "66-accounts-viewer").await;

    // Her organisation page lists the members without a way to manage them, nor to invite.
    carol.click("nav a[href='/organisation']").await;
    carol.expect_text("[data-testid=members]", "ann@example.com").await;
    assert!(!carol.is_present("[data-testid=invite-form]").await, "a viewer invites nobody");
    assert!(!carol.is_present("[data-testid=members] select").await, "nor changes roles");
    carol.expect_text("[data-testid=members]", "Leave").await;
    carol.screenshot(&shots, "67-organisation-viewer").await;
    assert_no_console_errors(&carol, &[]).await;
}

#[tokio::test]
async fn roles_change_members_go_and_invitations_are_revoked_each_once_confirmed() {
    let stack = Stack::start(&[]).await;
    let (ann, shots) = (&stack.browser, screenshots());
    let _bob = acme_with(&stack, "bob@example.com", "member").await;
    stack.open("/organisation").await;
    ann.expect_text("[data-testid=members]", "bob@example.com").await;
    let bob_id = member_id(ann, "bob@example.com").await;

    // A change of role is asked about, the focus on "Cancel"; cancelled, the focus goes back.
    ann.find(&format!("#role-{bob_id}")).await.select_by_value("viewer").await.expect("viewer is offered");
    ann.click(&format!("#change-{bob_id}")).await;
    ann.expect_text("[data-testid=question]", "Make bob@example.com a viewer?").await;
    ann.expect_focus("[data-testid=cancel]").await;
    ann.screenshot(&shots, "68-organisation-change-role").await;
    ann.press(e2e::ENTER).await;
    ann.expect_focus(&format!("#change-{bob_id}")).await;
    assert!(!ann.is_present("[data-testid=question]").await);
    ann.click(&format!("#change-{bob_id}")).await;
    ann.click("[data-testid=confirm]").await;
    let role_shown = format!("const role = document.querySelector('#role-{bob_id}'); return role && role.value");
    let role = e2e::eventually(|| ann.execute(&role_shown), |role| role == "viewer").await;
    assert_eq!(role, "viewer", "Bob is a viewer once confirmed");
    ann.expect_text(&format!("tr[data-user='{bob_id}']"), "bob@example.com").await;

    // An invitation revoked, once confirmed.
    invite(ann, "dora@example.com", "admin").await;
    ann.click("[data-testid=invitations] button[data-action=revoke]").await;
    ann.expect_text("[data-testid=question]", "Revoke the invitation to dora@example.com?").await;
    ann.click("[data-testid=confirm]").await;
    ann.expect_text("[data-testid=invitations]", "Revoked").await;

    // The last owner cannot leave: the api's answer is said next to the question.
    ann.click(&format!("#remove-{}", member_id(ann, "ann@example.com").await)).await;
    ann.expect_text("[data-testid=question]", "Leave Acme Ltd?").await;
    ann.click("[data-testid=confirm]").await;
    ann.expect_text("[data-testid=form-error]", "owner").await;
    ann.screenshot(&shots, "69-organisation-last-owner").await;
    ann.click("[data-testid=cancel]").await;

    // Bob removed, once confirmed.
    ann.click(&format!("#remove-{bob_id}")).await;
    ann.expect_text("[data-testid=question]", "Remove bob@example.com from Acme Ltd?").await;
    ann.click("[data-testid=confirm]").await;
    let bob_row = format!("tr[data-user='{bob_id}']");
    let present = e2e::eventually(|| ann.is_present(&bob_row), |present| !present).await;
    assert!(!present, "Bob is no longer a member");

    // Renamed: the heading and the switcher say so.
    ann.fill("#rename-name", "Acme Group").await;
    ann.click("[data-testid=rename-form] button[type=submit]").await;
    ann.expect_text("#organisation-title", "Acme Group").await;
    expect_current(ann, "Acme Group").await;
    ann.screenshot(&shots, "70-organisation-renamed").await;
    assert_no_console_errors(ann, &["status of 409"]).await;
}

#[tokio::test]
async fn the_switcher_remembers_each_persons_organisation_across_reloads_and_sign_ins() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    for email in ["ann@example.com", "bob@example.com"] {
        stack.create_user(email).await;
    }
    let sign_out = || async {
        browser.click("[data-testid=sign-out]").await;
        browser.expect_text("[data-testid=shell-session]", "Not signed in").await;
        stack.open("/organisation").await;
    };

    // Ann works in Acme, which she made; an account of Acme's open in the address.
    stack.open("/organisation").await;
    sign_in(browser, "ann@example.com").await;
    expect_current(browser, "ann@example.com").await;
    create_organisation(browser, "Acme Ltd").await;
    browser.click("nav a[href='/accounts']").await;
    browser.click("[data-testid=accounts-empty] button").await;
    browser.fill("[data-testid=new-account-form] [name=name]", "Acme bank").await;
    browser.fill("[data-testid=new-account-form] [name=number]", "1100").await;
    browser.click("[data-testid=new-account-form] button[type=submit]").await;
    browser.expect_text("[data-testid=account-details] h2", "Acme bank").await;
    assert!(browser.path().await.starts_with("/accounts/"));

    // Reloaded, still Acme; switching away leaves the account, which is Acme's, for the tree's start.
    browser.client.refresh().await.expect("a reload");
    expect_current(browser, "Acme Ltd").await;
    expect_row(browser, "Acme bank").await;
    switch_to(browser, "ann@example.com").await;
    browser.find("[data-testid=accounts-empty]").await;
    assert_eq!(browser.path().await, "/accounts");
    switch_to(browser, "Acme Ltd").await;
    expect_row(browser, "Acme bank").await;
    sign_out().await;

    // Bob, in the same browser, starts in his own organisation, not in Ann's choice.
    sign_in(browser, "bob@example.com").await;
    expect_current(browser, "bob@example.com").await;
    create_organisation(browser, "Bob & Co").await;
    switch_to(browser, "bob@example.com").await;
    sign_out().await;

    // Each finds their own choice again.
    sign_in(browser, "ann@example.com").await;
    expect_current(browser, "Acme Ltd").await;
    browser.expect_text("#organisation-title", "Acme Ltd").await;
    sign_out().await;
    sign_in(browser, "bob@example.com").await;
    expect_current(browser, "bob@example.com").await;
    browser.screenshot(&screenshots(), "71-switcher").await;
    assert_no_console_errors(browser, &[]).await;
}
