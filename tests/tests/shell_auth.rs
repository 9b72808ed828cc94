//! The shell's sign-up, confirmation, SRP sign-in, session and password reset, end to end: the
//! built site in headless Chromium against the real api (dev mode, dev pool) and Postgres.

use e2e::{DEV_BOOTSTRAP, ENTER, PASSWORD, Stack, TAB, eventually, screenshots};
use serde_json::{Value, json};

#[tokio::test]
async fn sign_up_confirm_sign_in_with_srp_stay_signed_in_refresh_and_sign_out() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "ada@example.com";

    stack.open("/sign-up").await;
    browser.find("[data-testid=sign-up-form]").await;
    browser.screenshot(&screenshots(), "10-sign-up-empty").await;
    // Submitting an empty form shows each field's problem inline, and sends nothing.
    browser.click("[data-testid=sign-up-form] button[type=submit]").await;
    browser.expect_text("#sign-up-email-error", "Enter your email address.").await;
    browser.audit("sign-up, each field's problem shown").await;
    browser.fill("#sign-up-name", "Ada Lovelace").await;
    browser.fill("#sign-up-email", email).await;
    browser.fill("#sign-up-password", "short").await;
    browser.expect_text("#sign-up-password-error", "Needed: at least 8 characters").await;
    browser.screenshot(&screenshots(), "11-sign-up-policy").await;
    browser.fill("#sign-up-password", PASSWORD).await;
    browser.click("[data-testid=sign-up-form] button[type=submit]").await;

    // The confirmation page, with the dev mailbox at hand.
    browser.find("[data-testid=confirm-form]").await;
    browser.find("[data-testid=dev-mailbox] a").await;
    browser.screenshot(&screenshots(), "12-confirm").await;
    let code = stack.latest_code(email).await;
    browser.fill("#confirm-code", &code).await;
    browser.click("[data-testid=confirm-form] button[type=submit]").await;

    // Sign-in, with the email filled in; SRP by default.
    browser.expect_text("[data-testid=shell-notice]", "Your account is confirmed.").await;
    browser.screenshot(&screenshots(), "13-sign-in").await;
    browser.fill("#sign-in-password", PASSWORD).await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.expect_text("[data-testid=shell-user]", email).await;
    assert_eq!(browser.path().await, "/");
    assert!(!browser.is_present("[data-testid=admin-badge]").await, "no Admin badge outside the Admin group");
    browser.screenshot(&screenshots(), "14-signed-in-home").await;

    // A reload stays signed in.
    browser.client.refresh().await.unwrap();
    browser.expect_text("[data-testid=shell-user]", email).await;

    // Tokens about to expire are refreshed without the person noticing: another tab's write (here
    // forged) tells the shell, which refreshes at once.
    let before = browser.stored_session().await;
    let old_access = before["accessToken"].as_str().expect("an access token").to_owned();
    browser.expire_tokens().await;
    let refreshed = |after: &Value| after["accessToken"].as_str().is_some_and(|token| token != old_access);
    let after = eventually(|| browser.stored_session(), refreshed).await;
    assert_ne!(after["accessToken"].as_str(), Some(old_access.as_str()), "the access token was refreshed");
    // The dev client rotates refresh tokens: the new one is kept (GetTokensFromRefreshToken).
    assert!(after["refreshToken"].is_string(), "{after}");
    assert_ne!(after["refreshToken"], before["refreshToken"], "the rotated refresh token is kept");
    let now: f64 = browser.execute("return Date.now()").await.as_f64().unwrap();
    assert!(after["expiresAt"].as_f64().unwrap() > now + 60_000.0, "the new tokens are fresh: {after}");
    browser.expect_text("[data-testid=shell-user]", email).await;

    // The micro-frontends get the session and call the api with the shell's auth headers.
    browser.click("nav a[href='/accounts']").await;
    browser.expect_text("mfe-accounts [data-testid=accounts-empty]", "No accounts yet").await;
    browser.screenshot(&screenshots(), "15-accounts").await;

    stack.open("/profile").await;
    browser.expect_text("[data-testid=profile-attributes]", email).await;
    browser.expect_text("[data-testid=profile-attributes]", "Ada Lovelace").await;
    // Cognito's "true" for email_verified, in words.
    browser.expect_text("[data-testid=profile-attributes]", "Yes").await;
    browser.screenshot(&screenshots(), "16-profile").await;

    // Sign out revokes the refresh token (which worked until then; trading it here rotates it, and its
    // successor is of the same sign-in) and forgets the session.
    let refresh_token = after["refreshToken"].as_str().unwrap().to_owned();
    let (status, answer) = stack.refresh(&refresh_token).await;
    assert_eq!(status, 200, "the refresh token works before sign-out: {answer}");
    browser.click("[data-testid=sign-out]").await;
    browser.expect_text("[data-testid=shell-session]", "Not signed in").await;
    browser.expect_text("[data-testid=shell-notice]", "You have been signed out.").await;
    browser.audit("signed out").await;
    assert!(browser.stored_session().await.is_null(), "the session is gone from storage");
    // The shell revokes it in the background: wait until the api stops accepting it.
    let refused = eventually(|| stack.refresh(&refresh_token), |(status, _)| *status != 200).await;
    assert_eq!(refused.0, 400, "signing out revoked the refresh token: {}", refused.1);
    assert_eq!(refused.1["__type"], "NotAuthorizedException", "{}", refused.1);

    // A private page now leads to sign-in, and back after it.
    stack.open("/accounts/42").await;
    browser.find("[data-testid=sign-in-form]").await;
    assert_eq!(browser.path().await, "/sign-in?next=%2Faccounts%2F42");
    browser.screenshot(&screenshots(), "17-guarded-sign-in").await;
    stack.sign_in_on_page(email, PASSWORD).await;
    browser
        .expect_text("mfe-accounts [data-testid=accounts-notice]", "The account in the address cannot be shown")
        .await;
    browser.audit("accounts, an unknown account in the address").await;

    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[tokio::test]
async fn a_wrong_password_shows_an_error_and_starts_no_session() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    stack.create_user("grace@example.com").await;
    stack.open("/sign-in").await;
    browser.fill("#sign-in-email", "grace@example.com").await;
    browser.fill("#sign-in-password", "Not-the-password-1").await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.expect_text("[data-testid=form-error]", "Incorrect username or password.").await;
    browser.expect_text("[data-testid=shell-session]", "Not signed in").await;
    assert!(browser.stored_session().await.is_null(), "no session was kept");
    browser.screenshot(&screenshots(), "20-wrong-password").await;
    browser.client.set_window_size(390, 844).await.expect("a phone-sized window");
    browser.screenshot(&screenshots(), "24-wrong-password-phone").await;

    // The keyboard alone: the form submits with Enter from the password field.
    browser.fill("#sign-in-password", "").await;
    let password = browser.find("#sign-in-password").await;
    password.send_keys(&format!("{PASSWORD}\u{E007}")).await.unwrap();
    browser.expect_text("[data-testid=shell-user]", "grace@example.com").await;
}

#[tokio::test]
async fn an_unconfirmed_sign_in_leads_to_confirmation_with_a_new_code() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "hopper@example.com";
    stack.sign_up(email).await;
    let first_code = stack.latest_code(email).await;
    stack.open("/sign-in").await;
    browser.fill("#sign-in-email", email).await;
    browser.fill("#sign-in-password", PASSWORD).await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.find("[data-testid=confirm-form]").await;
    browser.expect_text("main", "Your account is not confirmed yet.").await;

    browser.click("[data-testid=resend-code]").await;
    browser.expect_text("main", "We sent a new code to hopper@example.com.").await;
    browser.screenshot(&screenshots(), "21-unconfirmed").await;
    let code = stack.latest_code(email).await;
    assert_ne!(code, first_code, "a new code was sent");
    browser.fill("#confirm-code", &code).await;
    browser.click("[data-testid=confirm-form] button[type=submit]").await;
    browser.find("[data-testid=sign-in-form]").await;
    stack.sign_in_on_page(email, PASSWORD).await;
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_the_emailed_code() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "katherine@example.com";
    stack.create_user(email).await;
    stack.open("/sign-in").await;
    browser.click("a[href^='/forgot-password']").await;
    browser.fill("#forgot-email", email).await;
    browser.screenshot(&screenshots(), "22-forgot-password").await;
    browser.click("[data-testid=forgot-form] button[type=submit]").await;
    browser.find("[data-testid=reset-form]").await;
    let code = stack.latest_code(email).await;
    browser.fill("#reset-code", &code).await;
    browser.fill("#reset-new-password", "Another-horse-2").await;
    browser.screenshot(&screenshots(), "23-reset-password").await;
    browser.click("[data-testid=reset-form] button[type=submit]").await;
    browser.expect_text("[data-testid=shell-notice]", "Your password was changed.").await;
    stack.sign_in_on_page(email, "Another-horse-2").await;
}

/// The dev pool's id, as `api/bootstrap/dev.toml` declares it.
const DEV_POOL: &str = "us-east-1_LedgerDev";

#[tokio::test]
async fn an_invited_user_chooses_a_password_at_first_sign_in_and_admins_get_a_badge() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "mary@example.com";
    let attributes = json!([{ "Name": "email", "Value": email }, { "Name": "email_verified", "Value": "true" }]);
    let invite = json!({ "UserPoolId": DEV_POOL, "Username": email, "TemporaryPassword": "Temporary-pass-1",
        "MessageAction": "SUPPRESS", "UserAttributes": attributes });
    let (status, answer) = stack.admin("AdminCreateUser", invite).await;
    assert_eq!(status, 200, "AdminCreateUser: {answer}");
    let membership = json!({ "UserPoolId": DEV_POOL, "Username": email, "GroupName": "Admin" });
    let (status, answer) = stack.admin("AdminAddUserToGroup", membership).await;
    assert_eq!(status, 200, "AdminAddUserToGroup: {answer}");

    // The temporary password leads to choosing one's own (NEW_PASSWORD_REQUIRED), checked as typed.
    stack.open("/sign-in?next=%2Fprofile").await;
    browser.fill("#sign-in-email", email).await;
    browser.fill("#sign-in-password", "Temporary-pass-1").await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.find("[data-testid=new-password-form]").await;
    browser.fill("#choose-password-new-password", "weak").await;
    browser.click("[data-testid=new-password-form] button[type=submit]").await;
    browser.expect_text("#choose-password-new-password-error", "Needed: at least 8 characters").await;
    browser.screenshot(&screenshots(), "30-new-password-required").await;
    browser.fill("#choose-password-new-password", PASSWORD).await;
    browser.click("[data-testid=new-password-form] button[type=submit]").await;

    // Signed in where the person was going, with the Admin badge from `cognito:groups`.
    browser.expect_text("[data-testid=shell-user]", email).await;
    browser.expect_text("[data-testid=admin-badge]", "Admin").await;
    browser.expect_text("[data-testid=profile-attributes]", email).await;
    assert_eq!(browser.path().await, "/profile");
    browser.screenshot(&screenshots(), "31-admin-badge").await;
}

#[tokio::test]
async fn the_shell_sends_passwords_with_user_password_auth_when_the_config_says_so() {
    // The dev pool, with a frontend client that allows passwords but not SRP: /config.json then
    // tells the shell to use USER_PASSWORD_AUTH, and an SRP attempt would be refused.
    let dev = std::fs::read_to_string(DEV_BOOTSTRAP).expect("the dev bootstrap file");
    let srp_flows = r#"explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]"#;
    assert!(dev.contains(srp_flows), "dev.toml's frontend client lists its flows as expected");
    let password_only =
        dev.replacen(srp_flows, r#"explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]"#, 1);
    // And refresh tokens that do not rotate: the shell keeps the one it has.
    assert!(password_only.contains("refresh_token_rotation = true"), "dev.toml's frontend client rotates");
    let password_only = password_only.replacen("refresh_token_rotation = true", "refresh_token_rotation = false", 1);
    let file = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(file.path(), password_only).expect("write the bootstrap file");
    let stack = Stack::start_with_bootstrap(file.path(), &[]).await;
    let config: Value = reqwest::get(stack.app.url("/config.json")).await.unwrap().json().await.unwrap();
    assert_eq!(config["cognito"]["authFlow"], "USER_PASSWORD_AUTH", "{config}");

    let email = "dorothy@example.com";
    stack.create_user(email).await;
    stack.open("/sign-in").await;
    stack.sign_in_on_page(email, PASSWORD).await;
    let browser = &stack.browser;
    let before = browser.stored_session().await;
    assert!(before["refreshToken"].is_string(), "the session is kept");
    browser.expire_tokens().await;
    let old_access = before["accessToken"].clone();
    let after = eventually(|| browser.stored_session(), |after| after["accessToken"] != old_access).await;
    assert_ne!(after["accessToken"], old_access, "the tokens were refreshed");
    assert_eq!(after["refreshToken"], before["refreshToken"], "without rotation the refresh token is kept");
    let (status, answer) = stack.refresh(before["refreshToken"].as_str().unwrap()).await;
    assert_eq!((status, answer["AuthenticationResult"]["RefreshToken"].is_null()), (200, true), "{answer}");
    // REFRESH_TOKEN_AUTH still works for a client without rotation.
    let body = json!({ "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": e2e::FRONTEND_CLIENT,
        "AuthParameters": { "REFRESH_TOKEN": before["refreshToken"] } });
    let (status, answer) = stack.cognito("InitiateAuth", body).await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn the_profile_page_changes_the_password_and_deletes_the_account() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "margaret@example.com";
    stack.create_user(email).await;
    stack.open("/profile").await;
    stack.sign_in_on_page(email, PASSWORD).await;

    // A wrong current password is refused in plain words; the right one changes it.
    browser.fill("#change-password-current-password", "Not-the-password-1").await;
    browser.fill("#change-password-new-password", "Brand-new-horse-3").await;
    browser.click("[data-testid=change-password-form] button[type=submit]").await;
    browser.expect_text("[data-testid=change-password-form] [data-testid=form-error]", "Incorrect").await;
    browser.audit("profile, a wrong current password").await;
    browser.fill("#change-password-current-password", PASSWORD).await;
    browser.click("[data-testid=change-password-form] button[type=submit]").await;
    browser.expect_text("[data-testid=change-password-form]", "Your password was changed.").await;
    browser.screenshot(&screenshots(), "32-password-changed").await;
    browser.click("[data-testid=sign-out]").await;
    stack.open("/sign-in").await;
    stack.sign_in_on_page(email, "Brand-new-horse-3").await;

    // Deleting asks first, with the focus on the safe answer; keeping the account gives the focus
    // back to the button that asked. Then it signs out with a message; the account no longer signs in.
    stack.open("/profile").await;
    browser.click("[data-testid=delete-account]").await;
    browser.expect_focus("[data-testid=keep-account]").await;
    browser.screenshot(&screenshots(), "33-delete-account").await;
    browser.click("[data-testid=keep-account]").await;
    browser.expect_focus("[data-testid=delete-account]").await;
    browser.click("[data-testid=delete-account]").await;
    browser.click("[data-testid=confirm-delete]").await;
    browser.expect_text("[data-testid=shell-notice]", "Your account was deleted.").await;
    browser.expect_text("[data-testid=shell-session]", "Not signed in").await;
    assert!(browser.stored_session().await.is_null(), "the session is gone from storage");
    stack.open("/sign-in").await;
    browser.fill("#sign-in-email", email).await;
    browser.fill("#sign-in-password", "Brand-new-horse-3").await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.expect_text("[data-testid=form-error]", "Incorrect username or password.").await;
}

#[tokio::test]
async fn a_revoked_refresh_token_signs_the_person_out_with_a_message() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "annie@example.com";
    stack.create_user(email).await;
    stack.open("/sign-in").await;
    stack.sign_in_on_page(email, PASSWORD).await;

    // Signed out everywhere from outside (another device, an admin): the next refresh is refused.
    let (status, answer) = stack.cognito("GlobalSignOut", json!({ "AccessToken": browser.access_token().await })).await;
    assert_eq!(status, 200, "GlobalSignOut: {answer}");
    browser.expire_tokens().await;
    browser.expect_text("[data-testid=shell-notice]", "Your session has ended. Please sign in again.").await;
    browser.expect_text("[data-testid=shell-session]", "Not signed in").await;
    assert!(browser.stored_session().await.is_null(), "the session is gone from storage");
    browser.screenshot(&screenshots(), "34-session-ended").await;
}

#[tokio::test]
async fn signing_out_in_one_tab_signs_out_the_other() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "frances@example.com";
    stack.create_user(email).await;
    stack.open("/sign-in").await;
    stack.sign_in_on_page(email, PASSWORD).await;
    let first = browser.client.window().await.unwrap();

    // A second tab of the same browser shares the session.
    let second = browser.client.new_window(true).await.unwrap().handle;
    browser.client.switch_to_window(second.clone()).await.unwrap();
    stack.open("/profile").await;
    browser.expect_text("[data-testid=shell-user]", email).await;
    browser.click("[data-testid=sign-out]").await;
    browser.expect_text("[data-testid=shell-session]", "Not signed in").await;

    browser.client.switch_to_window(first.clone()).await.unwrap();
    browser.expect_text("[data-testid=shell-session]", "Not signed in").await;
    browser.expect_text("[data-testid=shell-notice]", "You signed out in another tab.").await;
    browser.screenshot(&screenshots(), "35-signed-out-in-another-tab").await;

    // Signing in again over there signs this tab in too, and the notice is past.
    browser.client.switch_to_window(second).await.unwrap();
    stack.sign_in_on_page(email, PASSWORD).await;
    browser.client.switch_to_window(first).await.unwrap();
    browser.expect_text("[data-testid=shell-user]", email).await;
    let page = eventually(|| browser.body_text(), |text| !text.contains("You signed out in another tab.")).await;
    assert!(!page.contains("You signed out in another tab."), "the other tab's sign-out notice is gone: {page}");
}

#[tokio::test]
async fn signing_in_needs_only_the_keyboard() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "radia@example.com";
    stack.create_user(email).await;
    stack.open("/sign-in").await;
    browser.find("[data-testid=sign-in-form]").await;
    // From the top of the page: Tab to each field, type, and Enter to submit.
    browser.tab_to("sign-in-email", 10).await;
    browser.screenshot(&screenshots(), "36-keyboard-focus").await;
    browser.press(email).await;
    browser.tab_to("sign-in-password", 2).await;
    browser.press(&format!("{PASSWORD}{ENTER}")).await;
    browser.expect_text("[data-testid=shell-user]", email).await;
    // The new page has the focus, so the next Tab reaches its first link, not the top of the document.
    assert_eq!(browser.execute("return document.activeElement.id").await, "main");
    browser.press(TAB).await;
    assert_eq!(browser.execute("return document.activeElement.getAttribute('href')").await, "/accounts");
}

#[tokio::test]
async fn the_page_asked_for_is_kept_through_sign_up_and_the_dev_mailbox_is_readable() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "barbara@example.com";
    stack.open("/payments").await;
    browser.find("[data-testid=sign-in-form]").await;
    // Each page names itself in the title, which screen readers announce when the page changes.
    assert_eq!(browser.client.title().await.unwrap(), "Sign in · Ledgerline");
    browser.click("main a[href^='/sign-up']").await;
    assert_eq!(browser.client.title().await.unwrap(), "Create your account · Ledgerline");
    browser.fill("#sign-up-name", "Barbara Liskov").await;
    browser.fill("#sign-up-email", email).await;
    browser.fill("#sign-up-password", PASSWORD).await;
    browser.click("[data-testid=sign-up-form] button[type=submit]").await;

    // The dev mailbox link opens a page a person can read, the code standing out.
    let link = browser.find("[data-testid=dev-mailbox] a").await;
    let mailbox = link.attr("href").await.unwrap().expect("the link has an address");
    let confirm_tab = browser.client.window().await.unwrap();
    let mailbox_tab = browser.client.new_window(true).await.unwrap().handle;
    browser.client.switch_to_window(mailbox_tab).await.unwrap();
    browser.client.goto(&mailbox).await.unwrap();
    let code = stack.latest_code(email).await;
    browser.expect_text(".code", &code).await;
    browser.screenshot(&screenshots(), "37-dev-mailbox").await;
    browser.client.close_window().await.unwrap();
    browser.client.switch_to_window(confirm_tab).await.unwrap();

    browser.fill("#confirm-code", &code).await;
    browser.click("[data-testid=confirm-form] button[type=submit]").await;
    browser.expect_text("[data-testid=shell-notice]", "Your account is confirmed.").await;
    assert_eq!(browser.path().await, "/sign-in?email=barbara%40example.com&next=%2Fpayments");
    browser.fill("#sign-in-password", PASSWORD).await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.expect_text("[data-testid=shell-user]", email).await;
    assert_eq!(browser.path().await, "/payments");
    // "Your account is confirmed. Sign in to continue." is done with once signed in.
    assert!(!browser.body_text().await.contains("Sign in to continue"));
    assert_eq!(browser.client.title().await.unwrap(), "Payments · Ledgerline");
    browser.find("mfe-payments [data-testid=mfe-payments]").await;
    browser.audit("payments").await;
}

#[tokio::test]
async fn signing_in_goes_on_only_to_a_page_of_this_site() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "hedy@example.com";
    stack.create_user(email).await;
    let this_site = stack.app.url("/profile").replace(':', "%3A").replace('/', "%2F");
    // `next` as a link could carry it: a path that browsers read as another host, another site, a
    // script; and an address on this site, which is kept.
    let cases = [
        ("/%5Cevil.com", "/"),
        ("%2F%2Fevil.com", "/"),
        ("https%3A%2F%2Fevil.com%2F", "/"),
        ("javascript%3Aalert(1)", "/"),
        (this_site.as_str(), "/profile"),
    ];
    for (next, lands_on) in cases {
        stack.open(&format!("/sign-in?next={next}")).await;
        stack.sign_in_on_page(email, PASSWORD).await;
        let landed = eventually(|| browser.path(), |path| path == lands_on).await;
        assert_eq!(landed, lands_on, "signed in with next={next}");
        // The shell still works: a link opens its page, and signing out signs out.
        browser.click("nav a[href='/accounts']").await;
        browser.find("mfe-accounts [data-testid=mfe-accounts]").await;
        browser.click("[data-testid=sign-out]").await;
        browser.expect_text("[data-testid=shell-session]", "Not signed in").await;
    }
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}
