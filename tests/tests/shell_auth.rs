//! The shell's sign-up, confirmation, SRP sign-in, session and password reset, end to end: the
//! built site in headless Chromium against the real api (dev mode, dev pool) and Postgres.

use std::{path::PathBuf, time::Duration};

use e2e::{PASSWORD, Stack};
use serde_json::Value;

fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../e2e-screenshots")
}

async fn stored_session(stack: &Stack) -> Value {
    let json = stack.browser.execute(r#"return localStorage.getItem("ledgerline.session")"#).await;
    json.as_str().map(|json| serde_json::from_str(json).expect("the stored session is JSON")).unwrap_or(Value::Null)
}

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
    browser.expect_text("#email-error", "Enter your email address.").await;
    browser.fill("#name", "Ada Lovelace").await;
    browser.fill("#email", email).await;
    browser.fill("#password", "short").await;
    browser.expect_text("#password-error", "Needed: at least 8 characters").await;
    browser.screenshot(&screenshots(), "11-sign-up-policy").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("[data-testid=sign-up-form] button[type=submit]").await;

    // The confirmation page, with the dev mailbox at hand.
    browser.find("[data-testid=confirm-form]").await;
    browser.find("[data-testid=dev-mailbox] a").await;
    browser.screenshot(&screenshots(), "12-confirm").await;
    let code = stack.latest_code(email).await;
    browser.fill("#code", &code).await;
    browser.click("[data-testid=confirm-form] button[type=submit]").await;

    // Sign-in, with the email filled in; SRP by default.
    browser.expect_text("[data-testid=shell-notice]", "Your account is confirmed.").await;
    browser.screenshot(&screenshots(), "13-sign-in").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.expect_text("[data-testid=shell-user]", email).await;
    assert_eq!(browser.path().await, "/");
    browser.screenshot(&screenshots(), "14-signed-in-home").await;

    // A reload stays signed in.
    browser.client.refresh().await.unwrap();
    browser.expect_text("[data-testid=shell-user]", email).await;

    // Tokens about to expire are refreshed without the person noticing: another tab's write (here
    // forged) tells the shell, which refreshes at once.
    let before = stored_session(&stack).await;
    let old_access = before["accessToken"].as_str().expect("an access token").to_owned();
    browser
        .execute(
            r#"const key = "ledgerline.session";
               const session = JSON.parse(localStorage.getItem(key));
               session.expiresAt = Date.now() - 1000;
               const json = JSON.stringify(session);
               localStorage.setItem(key, json);
               window.dispatchEvent(new StorageEvent("storage", { key, newValue: json }));"#,
        )
        .await;
    let mut after = Value::Null;
    for _ in 0..100 {
        after = stored_session(&stack).await;
        if after["accessToken"].as_str().is_some_and(|token| token != old_access) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_ne!(after["accessToken"].as_str(), Some(old_access.as_str()), "the access token was refreshed");
    assert_eq!(after["refreshToken"], before["refreshToken"], "the refresh token is kept");
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
    browser.screenshot(&screenshots(), "16-profile").await;

    // Sign out revokes the refresh token and forgets the session.
    let refresh_token = after["refreshToken"].as_str().unwrap().to_owned();
    browser.click("[data-testid=sign-out]").await;
    browser.expect_text("[data-testid=shell-session]", "Not signed in").await;
    browser.expect_text("[data-testid=shell-notice]", "You have been signed out.").await;
    assert!(stored_session(&stack).await.is_null(), "the session is gone from storage");
    let refresh = serde_json::json!({ "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": "ledgerlineweb0000000000001",
        "AuthParameters": { "REFRESH_TOKEN": refresh_token } });
    let mut revoked = false;
    for _ in 0..50 {
        if stack.cognito("InitiateAuth", refresh.clone()).await.0 == 400 {
            revoked = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(revoked, "signing out revoked the refresh token");

    // A private page now leads to sign-in, and back after it.
    stack.open("/accounts/42").await;
    browser.find("[data-testid=sign-in-form]").await;
    assert_eq!(browser.path().await, "/sign-in?next=%2Faccounts%2F42");
    browser.screenshot(&screenshots(), "17-guarded-sign-in").await;
    stack.sign_in_on_page(email, PASSWORD).await;
    browser
        .expect_text("mfe-accounts [data-testid=accounts-notice]", "The account in the address cannot be shown")
        .await;

    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[tokio::test]
async fn a_wrong_password_shows_an_error_and_starts_no_session() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    stack.create_user("grace@example.com").await;
    stack.open("/sign-in").await;
    browser.fill("#email", "grace@example.com").await;
    browser.fill("#password", "Not-the-password-1").await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.expect_text("[data-testid=form-error]", "Incorrect username or password.").await;
    browser.expect_text("[data-testid=shell-session]", "Not signed in").await;
    assert!(stored_session(&stack).await.is_null(), "no session was kept");
    browser.screenshot(&screenshots(), "20-wrong-password").await;
    browser.client.set_window_size(390, 844).await.expect("a phone-sized window");
    browser.screenshot(&screenshots(), "24-wrong-password-phone").await;

    // The keyboard alone: the form submits with Enter from the password field.
    browser.fill("#password", "").await;
    let password = browser.find("#password").await;
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
    browser.fill("#email", email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.find("[data-testid=confirm-form]").await;
    browser.expect_text("main", "Your account is not confirmed yet.").await;

    browser.click("[data-testid=resend-code]").await;
    browser.expect_text("main", "We sent a new code to hopper@example.com.").await;
    browser.screenshot(&screenshots(), "21-unconfirmed").await;
    let code = stack.latest_code(email).await;
    assert_ne!(code, first_code, "a new code was sent");
    browser.fill("#code", &code).await;
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
    browser.click("a[href='/forgot-password']").await;
    browser.fill("#email", email).await;
    browser.screenshot(&screenshots(), "22-forgot-password").await;
    browser.click("[data-testid=forgot-form] button[type=submit]").await;
    browser.find("[data-testid=reset-form]").await;
    let code = stack.latest_code(email).await;
    browser.fill("#code", &code).await;
    browser.fill("#password", "Another-horse-2").await;
    browser.screenshot(&screenshots(), "23-reset-password").await;
    browser.click("[data-testid=reset-form] button[type=submit]").await;
    browser.expect_text("[data-testid=shell-notice]", "Your password was changed.").await;
    stack.sign_in_on_page(email, "Another-horse-2").await;
}
