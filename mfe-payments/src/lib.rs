//! The payments micro-frontend: `<mfe-payments>`. Payments over the multi-tenant GraphQL api land
//! here; for now it shows the session the shell handed it and lets the person sign out.

use leptos::prelude::*;
use mfe_guest::{Props, SessionStatus};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    mfe_guest::define("payments", app);
}

fn app(props: Props) -> impl IntoView {
    view! {
        <section class="mfe" aria-labelledby="payments-title" data-testid="mfe-payments">
            <header class="mfe__header">
                <h1 id="payments-title">"Payments"</h1>
                <SessionStatus props/>
            </header>
            <p>"Incoming and outgoing payments for your organisation will be listed here."</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn signed_out_visitors_see_no_sign_out_button() {
        super::start(); // the test runner does not run start functions
        let element = mfe_guest::testing::mount("payments", None, "");
        assert!(element.text_content().unwrap_or_default().contains("Not signed in"));
        assert!(element.query_selector("button").unwrap().is_none());
        element.remove();
    }
}
