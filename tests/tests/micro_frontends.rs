//! The shell loads both micro-frontends at run time, hands them the session and the sub-path, and
//! hears their events.

use e2e::{PASSWORD, Stack, eventually, screenshots};

#[tokio::test]
async fn shell_mounts_micro_frontends_passes_the_session_and_hears_sign_out() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;

    let user = "e2e-user@example.com";
    stack.create_user(user).await;

    // A deep link: sign-in first (the page is private), then the accounts micro-frontend gets the
    // rest of the path from the shell.
    stack.open("/accounts/42").await;
    stack.sign_in_on_page(user, PASSWORD).await;
    browser.find("mfe-accounts [data-testid=mfe-accounts]").await;
    browser
        .expect_text("mfe-accounts [data-testid=accounts-notice]", "The account in the address cannot be shown")
        .await;

    // A session restored by the shell reaches the micro-frontend, which calls the api with it.
    browser.client.refresh().await.unwrap();
    browser.expect_text("mfe-accounts [data-testid=accounts-empty]", "No accounts yet").await;
    browser.expect_text("[data-testid=shell-session]", user).await;
    browser.screenshot(&screenshots(), "01-accounts-signed-in").await;

    // The shell's navigation swaps in the other micro-frontend; the first one unmounts.
    browser.find("nav a[href='/payments']").await.click().await.unwrap();
    browser.find("mfe-payments [data-testid=mfe-payments]").await;
    // It has the session: it listed the organisation's payments through the api as the user.
    browser.expect_text("mfe-payments [data-testid=payments-empty]", "No payments yet").await;
    assert!(!browser.is_present("mfe-accounts").await, "accounts left the page");
    browser.screenshot(&screenshots(), "02-payments-signed-in").await;

    // A sign-out from inside a micro-frontend (the contract's `mfe-sign-out` event, as a
    // micro-frontend emits it) reaches the shell, which ends the session everywhere.
    let sign_out = "document.querySelector('mfe-payments [data-testid=mfe-payments]')\
        .dispatchEvent(new CustomEvent('mfe-sign-out', { bubbles: true })); return null";
    browser.execute(sign_out).await;
    browser.expect_text("[data-testid=shell-notice]", "You have been signed out.").await;
    browser.expect_text("[data-testid=shell-session]", "Not signed in").await;
    // The page is private: the micro-frontend leaves and sign-in takes its place.
    browser.find("[data-testid=sign-in-form]").await;
    assert!(!browser.is_present("mfe-payments").await, "payments left the page");
    let stored = browser.stored_session().await;
    assert!(stored.is_null(), "the session is gone from storage: {stored}");
    browser.screenshot(&screenshots(), "03-signed-out").await;

    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[tokio::test]
async fn a_micro_frontend_that_cannot_load_says_so_and_offers_a_retry() {
    let stack = Stack::start(&["--micro-frontend", "accounts=/mfe/not-deployed/,payments=/mfe/payments/"]).await;
    let browser = &stack.browser;
    stack.create_user("e2e-user@example.com").await;
    stack.open("/accounts").await;
    stack.sign_in_on_page("e2e-user@example.com", PASSWORD).await;
    browser.expect_text("[role=alert]", "The accounts section could not be loaded.").await;
    browser.screenshot(&screenshots(), "04-load-failed").await;

    // Retry asks for the manifest again (and fails again, saying so).
    let manifest_requests = r#"return performance.getEntriesByType("resource")
        .filter(entry => entry.name.endsWith("/mfe/not-deployed/manifest.json")).length"#;
    assert_eq!(browser.execute(manifest_requests).await, 1, "one manifest request before the retry");
    browser.click("[role=alert] button").await;
    let requests = eventually(|| browser.execute(manifest_requests), |requests| *requests != 1).await;
    assert_eq!(requests, 2, "the retry fetched the manifest again");
    browser.expect_text("[role=alert]", "The accounts section could not be loaded.").await;

    // The rest of the shell keeps working: the other micro-frontend loads and shows who is signed in.
    browser.find("nav a[href='/payments']").await.click().await.unwrap();
    browser.expect_text("mfe-payments [data-testid=payments-empty]", "No payments yet").await;
}
