//! The size budgets, as a person's browser downloads them: the wasm + JS transferred (gzip, headers
//! included) on a cold cache, for the shell (the sign-in page) and the accounts and payments
//! micro-frontends. A
//! budget is a size, so it is a test; the timings are a benchmark (`cargo xtask bench browser`).

use e2e::{Browser, IAM, PASSWORD, Stack};

/// The README's targets, in bytes (KB = 1,000 bytes).
const SHELL_BUDGET: u64 = 150_000;
const ACCOUNTS_BUDGET: u64 = 80_000;
const PAYMENTS_BUDGET: u64 = 80_000;
/// The shell's signer (`mfe-signer`: aws-sigv4 and the identity pool's calls), loaded after sign-in.
const SIGNER_BUDGET: u64 = 80_000;

#[tokio::test]
async fn the_shell_and_the_micro_frontends_stay_within_their_size_budgets() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let email = "budget@example.com";
    stack.create_user(email).await;

    // A fresh profile: nothing is cached.
    stack.open("/sign-in").await;
    browser.find("[data-testid=sign-in-form]").await;
    let shell = wasm_and_js_transferred(browser, "!path.startsWith('/mfe/')").await;
    assert!(shell <= SHELL_BUDGET, "the shell transferred {shell} B, over its budget of {SHELL_BUDGET} B");

    stack.sign_in_on_page(email, PASSWORD).await;
    stack.open("/accounts").await;
    browser.find("mfe-accounts [data-testid=mfe-accounts]").await;
    let accounts = wasm_and_js_transferred(browser, "path.startsWith('/mfe/accounts/')").await;
    assert!(
        accounts <= ACCOUNTS_BUDGET,
        "mfe-accounts transferred {accounts} B, over its budget of {ACCOUNTS_BUDGET} B"
    );
    stack.open("/payments").await;
    browser.find("mfe-payments [data-testid=mfe-payments]").await;
    let payments = wasm_and_js_transferred(browser, "path.startsWith('/mfe/payments/')").await;
    assert!(
        payments <= PAYMENTS_BUDGET,
        "mfe-payments transferred {payments} B, over its budget of {PAYMENTS_BUDGET} B"
    );
    println!("transferred, cold cache: shell {shell} B, mfe-accounts {accounts} B, mfe-payments {payments} B");
}

#[tokio::test]
async fn the_signer_loads_only_after_sign_in_and_stays_within_its_budget() {
    let stack = Stack::start(&IAM).await;
    let browser = &stack.browser;
    let email = "signer-budget@example.com";
    stack.create_user(email).await;

    stack.open("/sign-in").await;
    browser.find("[data-testid=sign-in-form]").await;
    let loaded = r#"return performance.getEntriesByType("resource").some(r => new URL(r.name).pathname.startsWith("/mfe/signer/"))"#;
    assert_eq!(browser.execute(loaded).await, false, "the sign-in page does not load the signer");
    let shell = wasm_and_js_transferred(browser, "!path.startsWith('/mfe/')").await;
    assert!(shell <= SHELL_BUDGET, "the shell transferred {shell} B, over its budget of {SHELL_BUDGET} B");

    stack.sign_in_on_page(email, PASSWORD).await;
    stack.open("/accounts").await;
    browser.find("mfe-accounts [data-testid=mfe-accounts]").await;
    let signer = wasm_and_js_transferred(browser, "path.startsWith('/mfe/signer/')").await;
    assert!(signer <= SIGNER_BUDGET, "mfe-signer transferred {signer} B, over its budget of {SIGNER_BUDGET} B");
    println!("transferred, cold cache, IAM mode: shell {shell} B, mfe-signer {signer} B");
}

/// Bytes transferred for the page's wasm and JS files whose path passes `filter` (a JS expression
/// of `path`). Both must have been fetched: a budget met by loading nothing proves nothing.
async fn wasm_and_js_transferred(browser: &Browser, filter: &str) -> u64 {
    let script = format!(
        r#"const files = performance.getEntriesByType("resource").map(r => [new URL(r.name).pathname, r.transferSize])
             .filter(([path]) => /\.(wasm|js)$/.test(path)).filter(([path]) => {filter});
           return {{ wasm: files.filter(([path]) => path.endsWith(".wasm")).length,
                     js: files.filter(([path]) => path.endsWith(".js")).length,
                     bytes: files.reduce((sum, [, size]) => sum + size, 0) }};"#
    );
    let files = browser.execute(&script).await;
    assert!(files["wasm"].as_u64() >= Some(1) && files["js"].as_u64() >= Some(1), "wasm and JS were fetched: {files}");
    files["bytes"].as_u64().expect("a byte count")
}
