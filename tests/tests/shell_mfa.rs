//! The shell's second factor and passwordless sign-in, end to end: an authenticator app set up from the
//! profile (its QR code drawn by the lazily loaded encoder, the key read from the page and turned into codes
//! by the test with `totp-rs`, as the app would), then asked for at sign-in, a wrong code refused, and
//! turned off; an app set up during sign-in when the pool requires one (MFA_SETUP); and sign-in by a code
//! mailed to the person (EMAIL_OTP), read from the dev mailbox, a wrong code and an expired sign-in said so.

use std::time::{SystemTime, UNIX_EPOCH};

use e2e::{Browser, DEV_BOOTSTRAP, PASSWORD, Stack, screenshots};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// The authenticator app holding the key the page shows (base32, in groups of four).
async fn app_from_the_page(browser: &Browser) -> Totp {
    let key = browser.find("[data-testid=app-secret]").await.text().await.unwrap().replace(' ', "");
    let secret = Secret::try_from_base32(&key).unwrap_or_else(|e| panic!("the page shows a base32 key ({key}): {e:?}"));
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build()
        .unwrap()
}

/// The app's code `offset` seconds from now. Each code works once, and none older than the last used: the
/// set-up uses this step's, sign-in the next step's (within the one step of drift the api allows).
fn code(app: &Totp, offset: u64) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    app.generate(now + offset).to_string()
}

/// The QR code is drawn (by `mfe-qr`, loaded for it) and carries the key the page shows.
async fn expect_qr_code(browser: &Browser) {
    let qr = browser.find("svg[data-testid=app-qr] path").await;
    let path = qr.attr("d").await.unwrap().unwrap_or_default();
    assert!(path.matches('M').count() > 100, "a QR code has a few hundred dark modules: {path:.80}");
    let loaded = browser
        .execute(r#"return performance.getEntriesByType("resource").some(r => new URL(r.name).pathname.startsWith("/mfe/qr/"))"#)
        .await;
    assert_eq!(loaded, true, "the encoder was loaded for the set-up");
}

#[tokio::test]
async fn an_app_set_up_on_the_profile_is_asked_for_at_sign_in_refuses_a_wrong_code_and_turns_off() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "katherine@example.com";
    stack.create_user(email).await;

    // Signing in to the sign-in page does not load the QR-code encoder.
    stack.open("/profile").await;
    stack.sign_in_on_page(email, PASSWORD).await;
    browser.expect_text("[data-testid=authenticator]", "Set up an authenticator app").await;
    let loaded = browser
        .execute(r#"return performance.getEntriesByType("resource").some(r => new URL(r.name).pathname.startsWith("/mfe/qr/"))"#)
        .await;
    assert_eq!(loaded, false, "the encoder loads only for a set-up");
    browser.screenshot(&screenshots(), "50-profile-app-off").await;

    browser.click("[data-testid=set-up-app]").await;
    expect_qr_code(browser).await;
    browser.expect_focus("[data-testid=app-setup] h3").await;
    browser.screenshot(&screenshots(), "51-profile-app-setup").await;
    let app = app_from_the_page(browser).await;

    // A wrong code is refused next to the field; the right one turns the app on.
    browser.fill("#verify-app-app-code", "000000").await;
    browser.click("[data-testid=verify-app-form] button[type=submit]").await;
    browser.expect_text("#verify-app-app-code-error", "That code is not right.").await;
    browser.audit("profile, a wrong code from the app").await;
    browser.fill("#verify-app-app-code", &code(&app, 0)).await;
    browser.click("[data-testid=verify-app-form] button[type=submit]").await;
    browser.expect_text("[data-testid=app-on]", "Your authenticator app is on").await;
    browser.screenshot(&screenshots(), "52-profile-app-on").await;

    // Sign-in now asks for the app's code, the focus on its field; a wrong one is refused in plain words.
    browser.click("[data-testid=sign-out]").await;
    browser.expect_text("[data-testid=shell-session]", "Not signed in").await;
    stack.open("/sign-in").await;
    browser.fill("#sign-in-email", email).await;
    browser.fill("#sign-in-password", PASSWORD).await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.find("[data-testid=app-code-form]").await;
    browser.expect_focus("#mfa-app-code").await;
    assert!(browser.stored_session().await.is_null(), "no session before the second step");
    browser.screenshot(&screenshots(), "53-sign-in-app-code").await;
    browser.fill("#mfa-app-code", "000000").await;
    browser.click("[data-testid=app-code-form] button[type=submit]").await;
    browser.expect_text("#mfa-app-code-error", "That code is not right.").await;
    assert_eq!(browser.find("#mfa-app-code").await.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    browser.screenshot(&screenshots(), "54-sign-in-app-code-wrong").await;
    browser.fill("#mfa-app-code", &code(&app, 30)).await;
    browser.click("[data-testid=app-code-form] button[type=submit]").await;
    browser.expect_text("[data-testid=shell-user]", email).await;
    assert_eq!(browser.path().await, "/");

    // Turned off, the password alone signs in again.
    stack.open("/profile").await;
    browser.click("[data-testid=turn-off-app]").await;
    browser.find("[data-testid=set-up-app]").await;
    browser.screenshot(&screenshots(), "55-profile-app-turned-off").await;
    browser.click("[data-testid=sign-out]").await;
    stack.open("/sign-in").await;
    stack.sign_in_on_page(email, PASSWORD).await;

    let errors = browser.console_errors().await;
    let unexpected: Vec<_> =
        errors.iter().filter(|e| !e.contains("the server responded with a status of 400")).collect();
    assert!(unexpected.is_empty(), "console errors other than the refused codes' 400s: {unexpected:#?}");
}

#[tokio::test]
async fn a_pool_that_requires_an_app_has_it_set_up_during_sign_in() {
    let dev = std::fs::read_to_string(DEV_BOOTSTRAP).expect("the dev bootstrap file");
    assert!(dev.contains("mfa_configuration = \"OPTIONAL\""), "dev.toml's pool sets its MFA as expected");
    let required = dev.replacen("mfa_configuration = \"OPTIONAL\"", "mfa_configuration = \"ON\"", 1);
    let file = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(file.path(), required).expect("write the bootstrap file");
    let stack = Stack::start_with_bootstrap(file.path(), &[]).await;
    let browser = &stack.browser;
    let email = "mary@example.com";
    stack.create_user(email).await;

    stack.open("/sign-in").await;
    // Cognito offers no emailed code when MFA is required, and neither does the page.
    browser.find("[data-testid=sign-in-form]").await;
    assert!(!browser.is_present("[data-testid=send-email-code]").await, "no sign-in by emailed code");
    browser.fill("#sign-in-email", email).await;
    browser.fill("#sign-in-password", PASSWORD).await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    expect_qr_code(browser).await;
    browser.screenshot(&screenshots(), "56-sign-in-app-setup").await;
    let app = app_from_the_page(browser).await;
    browser.fill("#verify-app-app-code", &code(&app, 0)).await;
    browser.click("[data-testid=verify-app-form] button[type=submit]").await;
    browser.expect_text("[data-testid=shell-user]", email).await;

    // From now on sign-in asks for the app's code.
    browser.click("[data-testid=sign-out]").await;
    stack.open("/sign-in").await;
    browser.fill("#sign-in-email", email).await;
    browser.fill("#sign-in-password", PASSWORD).await;
    browser.click("[data-testid=sign-in-form] button[type=submit]").await;
    browser.fill("#mfa-app-code", &code(&app, 30)).await;
    browser.click("[data-testid=app-code-form] button[type=submit]").await;
    browser.expect_text("[data-testid=shell-user]", email).await;
}

#[tokio::test]
async fn sign_in_by_a_code_mailed_to_the_person() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "dorothy.v@example.com";
    stack.create_user(email).await;

    stack.open("/sign-in").await;
    browser.click("[data-testid=send-email-code]").await;
    browser.expect_text("[data-testid=form-error]", "Enter your email address.").await;
    browser.fill("#sign-in-email", email).await;
    browser.screenshot(&screenshots(), "57-sign-in-offers-email-code").await;
    browser.click("[data-testid=send-email-code]").await;
    browser.find("[data-testid=email-code-form]").await;
    browser.expect_text("main", "We emailed a 6-digit sign-in code to d***@e***").await;
    browser.expect_focus("#email-code-code").await;
    let mailbox = browser.find("[data-testid=dev-mailbox] a").await.attr("href").await.unwrap().unwrap_or_default();
    assert!(mailbox.contains("to=dorothy.v"), "the dev mailbox link is the person's: {mailbox}");
    browser.screenshot(&screenshots(), "58-sign-in-email-code").await;

    browser.fill("#email-code-code", "000000").await;
    browser.click("[data-testid=email-code-form] button[type=submit]").await;
    browser.expect_text("[data-testid=form-error]", "That code is not right.").await;
    browser.screenshot(&screenshots(), "59-sign-in-email-code-wrong").await;
    assert!(browser.stored_session().await.is_null(), "no session with a wrong code");

    // A sign-in left longer than its 3 minutes (here its session is made to expire) says so, and starts
    // again with the address kept.
    sqlx::query("UPDATE auth_sessions SET expires_at = now() - interval '1 second'")
        .execute(&stack.app.db)
        .await
        .unwrap();
    browser.fill("#email-code-code", &stack.latest_code(email).await).await;
    browser.click("[data-testid=email-code-form] button[type=submit]").await;
    browser.expect_text("[data-testid=form-error]", "This sign-in has expired").await;
    browser.screenshot(&screenshots(), "59b-sign-in-expired").await;
    browser.click("[data-testid=start-again]").await;
    browser.find("[data-testid=sign-in-form]").await;
    let kept = browser.find("#sign-in-email").await.prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some(email), "the address is kept");
    browser.click("[data-testid=send-email-code]").await;
    browser.find("[data-testid=email-code-form]").await;

    let code = stack.latest_code(email).await;
    browser.fill("#email-code-code", &code).await;
    browser.click("[data-testid=email-code-form] button[type=submit]").await;
    browser.expect_text("[data-testid=shell-user]", email).await;
    assert!(browser.stored_session().await["refreshToken"].is_string(), "the session is kept");
}
