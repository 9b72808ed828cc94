//! Positive controls of the harness's own checks: each must catch what it exists to catch, or the
//! tests that rely on it would pass vacuously.

use e2e::{Stack, eventually};

#[tokio::test]
async fn console_errors_are_caught() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    stack.open("/sign-in").await;
    browser.find("[data-testid=sign-in-form]").await;
    assert_eq!(browser.console_errors().await, Vec::<String>::new(), "the sign-in page logs no error");
    browser.execute(r#"console.error("a deliberate error")"#).await;
    let errors = browser.console_errors().await;
    assert!(errors.iter().any(|error| error.contains("a deliberate error")), "caught: {errors:#?}");
}

#[tokio::test]
async fn content_security_policy_violations_are_caught() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    stack.open("/sign-in").await;
    browser.find("[data-testid=sign-in-form]").await;
    // Markup that slipped through unescaped: its inline script must not run, and is reported.
    let ran = browser
        .execute(
            r#"const script = document.createElement("script");
               script.textContent = "window.injected = true";
               document.body.append(script);
               return window.injected === true;"#,
        )
        .await;
    assert_eq!(ran, false, "the injected script did not run");
    let violations = eventually(|| async { stack.take_csp_violations() }, |found| !found.is_empty()).await;
    let report = &violations.first().expect("the violation was reported")["csp-report"];
    assert!(report["violated-directive"].as_str().is_some_and(|d| d.starts_with("script-src")), "{report}");
    // The browser logs it as an error too.
    let errors = browser.console_errors().await;
    assert!(errors.iter().any(|error| error.contains("Content Security Policy")), "{errors:#?}");
}
