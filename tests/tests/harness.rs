//! Positive controls of the harness's own checks: each must catch what it exists to catch, or the
//! tests that rely on it would pass vacuously.

use e2e::{Stack, audit::Exemption, eventually};
use futures_util::FutureExt;

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

#[tokio::test]
async fn the_audit_fails_on_an_image_without_alt_text_unless_that_image_is_exempted() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    stack.open("/sign-in").await;
    browser.find("[data-testid=sign-in-form]").await;
    browser.audit("sign-in, as built").await;

    // Two images that say nothing to a screen reader; one is exempted by name.
    browser
        .execute(
            r#"for (const id of ["unexplained", "exempted"]) {
                 const image = document.createElement("img");
                 image.id = id;
                 image.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
                 document.querySelector("main").append(image);
               }"#,
        )
        .await;
    let exempted = [Exemption {
        rule: "image-alt",
        element: "#exempted",
        why: "this test shows that an exemption covers the element it names and no other",
    }];
    let violations = browser.violations(&exempted).await;
    let rules: Vec<&str> = violations.iter().map(|v| v.rule.as_str()).collect();
    assert_eq!(rules, ["image-alt"], "{violations:#?}");
    let targets: Vec<&str> = violations[0].elements.iter().map(|e| e.target.as_str()).collect();
    assert_eq!(targets, ["#unexplained"], "{violations:#?}");

    // The audit fails the test with the rule, its impact, the element, axe's help and its link.
    let audit = std::panic::AssertUnwindSafe(browser.audit_allowing("sign-in with images", &exempted));
    let failure = audit.catch_unwind().await.expect_err("the audit fails");
    let report = failure.downcast_ref::<String>().expect("a report");
    for expected in [
        "accessibility audit of \"sign-in with images\"",
        "- image-alt (critical): Images must have alternative text",
        "https://dequeuniversity.com/rules/axe/4.14/image-alt",
        "* #unexplained: <img id=\"unexplained\"",
        "(exempted: image-alt on #exempted, because this test shows",
    ] {
        assert!(report.contains(expected), "{expected:?} is not in the report:\n{report}");
    }
    assert!(!report.contains("* #exempted"), "{report}");
}
