//! The shell's weight and speed, measured in headless Chromium against the built site served by the
//! api (gzip on, a fresh browser profile so nothing is cached): the wasm + JS transferred to show
//! the sign-in page, and the time from navigation until its form is on the page (the shell's
//! `ledgerline:sign-in-interactive` mark). Run it alone to print the figures:
//! `cargo test -p e2e --test performance -- --nocapture` (with the e2e variables set).
//! Targets (README): shell <= 150 KB gzip, sign-in interactive < 500 ms on localhost.

use e2e::Stack;

const LOADS: usize = 5;

#[tokio::test]
async fn shell_transfer_size_and_sign_in_time() {
    let stack = Stack::start(&[]).await;
    let browser = &stack.browser;
    let mut times = Vec::new();
    let mut transferred = 0.0;
    for load in 0..LOADS {
        // The first load is cold; later ones find the hashed files in the cache, as a returning person does.
        stack.open("/sign-in").await;
        browser.find("[data-testid=sign-in-form]").await;
        let figures = browser
            .execute(
                r#"const mark = performance.getEntriesByName("ledgerline:sign-in-interactive")[0];
                   const shell = performance.getEntriesByType("resource")
                     .filter(r => !r.name.includes("/mfe/") && /\.(wasm|js)$/.test(new URL(r.name).pathname));
                   return { interactive: mark ? mark.startTime : null,
                            transferred: shell.reduce((sum, r) => sum + r.transferSize, 0) };"#,
            )
            .await;
        times.push(figures["interactive"].as_f64().expect("the sign-in page set its mark"));
        if load == 0 {
            transferred = figures["transferred"].as_f64().unwrap_or_default();
        }
    }
    let cold = times[0];
    times.sort_by(f64::total_cmp);
    let median = times[LOADS / 2];
    println!("shell wasm + JS transferred (gzip, cold cache): {:.1} KB", transferred / 1024.0);
    println!("sign-in interactive: cold {cold:.0} ms, median of {LOADS} loads {median:.0} ms");
    assert!(transferred > 0.0, "the shell's files were measured");
}
