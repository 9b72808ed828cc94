//! The shell signing its api calls (IAM mode): the identity pool's credentials renewed before they
//! expire while the accounts tree is in use, a clock ten minutes off corrected after one refused
//! call, and credentials the api refuses ending the session with a message.

use e2e::{IAM, PASSWORD, Stack, screenshots};
use serde_json::Value;

/// A new user signed in on the accounts page, its api calls recorded, its (empty) tree shown.
async fn signed_in_at_accounts(stack: &Stack, email: &str) {
    stack.create_user(email).await;
    stack.open("/accounts").await;
    stack.browser.find("[data-testid=sign-in-form]").await;
    stack.browser.record_api_calls().await;
    stack.sign_in_on_page(email, PASSWORD).await;
    stack.browser.expect_text("[data-testid=accounts-empty]", "No accounts yet").await;
}

/// Creates a root account through the page and waits until it is open.
async fn create_first_account(stack: &Stack, name: &str) {
    let browser = &stack.browser;
    browser.click("[data-testid=accounts-empty] button").await;
    browser.fill("[data-testid=new-account-form] [name=name]", name).await;
    browser.fill("[data-testid=new-account-form] [name=number]", "1000").await;
    browser.click("[data-testid=new-account-form] button[type=submit]").await;
}

fn count(calls: &[Value], test: impl Fn(&Value) -> bool) -> usize {
    calls.iter().filter(|call| test(call)).count()
}

fn fetches_credentials(call: &Value) -> bool {
    call["target"] == "AWSCognitoIdentityService.GetCredentialsForIdentity"
}

#[tokio::test]
async fn short_lived_credentials_are_renewed_before_they_expire_while_the_tree_is_in_use() {
    let stack = Stack::start(&[&IAM[..], &["--identity-credentials-lifetime-secs", "6"]].concat()).await;
    let browser = &stack.browser;
    signed_in_at_accounts(&stack, "renewal@example.com").await;
    create_first_account(&stack, "Assets").await;
    browser.expect_text("[data-testid=account-details] h2", "Assets").await;
    // Three lifetimes of use: a child every 4 seconds.
    for (name, number) in [("Bank", "1100"), ("Cash", "1200"), ("Deposits", "1300"), ("Loans", "1400")] {
        tokio::time::sleep(std::time::Duration::from_secs(4)).await;
        browser.click("[data-testid=account-details] .actions button").await;
        browser.fill("[data-testid=new-account-form] [name=name]", name).await;
        browser.fill("[data-testid=new-account-form] [name=number]", number).await;
        browser.click("[data-testid=new-account-form] button[type=submit]").await;
        browser.expect_text("[data-testid=account-details] h2", name).await;
    }
    let calls = browser.api_calls().await;
    assert!(count(&calls, fetches_credentials) >= 4, "renewed as they aged: {calls:#?}");
    assert_eq!(count(&calls, |call| call["status"] == 403), 0, "none used past its expiry: {calls:#?}");
    assert_eq!(browser.console_errors().await, Vec::<String>::new());
}

#[tokio::test]
async fn a_clock_ten_minutes_ahead_is_corrected_after_one_refused_call() {
    let stack = Stack::start(&IAM).await;
    let browser = &stack.browser;
    signed_in_at_accounts(&stack, "skew@example.com").await;
    browser.execute("const now = Date.now; Date.now = () => now() + 10 * 60 * 1000;").await;
    create_first_account(&stack, "Assets").await;
    browser.expect_text("[data-testid=account-details] h2", "Assets").await;
    // And the clock stays corrected.
    browser.click("[data-testid=account-details] .actions button").await;
    browser.fill("[data-testid=new-account-form] [name=name]", "Bank").await;
    browser.fill("[data-testid=new-account-form] [name=number]", "1100").await;
    browser.click("[data-testid=new-account-form] button[type=submit]").await;
    browser.expect_text("[data-testid=account-details] h2", "Bank").await;
    let calls = browser.api_calls().await;
    let refused: Vec<&Value> = calls.iter().filter(|call| call["status"] == 403).collect();
    assert_eq!(refused.len(), 1, "{calls:#?}");
    assert_eq!(refused[0]["errorType"], "InvalidSignatureException", "{calls:#?}");
    let errors = browser.console_errors().await;
    assert!(errors.len() == 1 && errors[0].contains("status of 403"), "only the refused call: {errors:#?}");
}

#[tokio::test]
async fn credentials_the_api_refuses_twice_end_the_session_with_a_message() {
    let stack = Stack::start(&IAM).await;
    let browser = &stack.browser;
    signed_in_at_accounts(&stack, "refused@example.com").await;
    let fetched = count(&browser.api_calls().await, fetches_credentials);
    browser.execute("window.forgeSessionTokens = true").await;
    create_first_account(&stack, "Assets").await;
    browser.find("[data-testid=sign-in-form]").await;
    browser.expect_text("[data-testid=shell-notice]", "The api refused your AWS credentials").await;
    browser.screenshot(&screenshots(), "60-signing-credentials-refused").await;
    assert_eq!(browser.stored_session().await, Value::Null, "signed out");
    let calls = browser.api_calls().await;
    assert_eq!(count(&calls, fetches_credentials), fetched + 1, "fresh credentials once: {calls:#?}");
    let refused = count(&calls, |call| call["errorType"] == "UnrecognizedClientException");
    assert_eq!(refused, 2, "{calls:#?}");
    let errors = browser.console_errors().await;
    assert!(errors.iter().all(|error| error.contains("status of 403")), "only the refused calls: {errors:#?}");
}
