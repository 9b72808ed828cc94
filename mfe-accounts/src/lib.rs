//! The accounts micro-frontend: `<mfe-accounts>`. The expandable accounts tree lands here; for now it
//! shows where it will be and what the shell handed it.

mod signed_in_api_check;

use leptos::prelude::*;
use mfe_guest::{Props, SessionStatus};
use signed_in_api_check::SignedInApiCheck;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    mfe_guest::define("accounts", app);
}

fn app(props: Props) -> impl IntoView {
    view! {
        <section class="mfe" aria-labelledby="accounts-title" data-testid="mfe-accounts">
            <header class="mfe__header">
                <h1 id="accounts-title">"Accounts"</h1>
                <SessionStatus props/>
            </header>
            <p>"Your accounts tree will live here: expand a parent to see its children and their rolled-up balances."</p>
            <p class="muted">"Viewing " <code data-testid="mfe-path">{move || display_path(&props.path.get())}</code></p>
            <SignedInApiCheck props/>
        </section>
    }
}

/// The sub-path the shell passed, `/` when it is the accounts home.
fn display_path(path: &str) -> String {
    if path.is_empty() { "/".to_owned() } else { path.to_owned() }
}

#[cfg(test)]
mod tests {
    use mfe_contract::Session;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn shows_the_path_and_session_from_the_shell() {
        super::start(); // the test runner does not run start functions
        let session = Session { username: "grace".into(), ..Session::default() };
        let element = mfe_guest::testing::mount("accounts", Some(&session), "/42");
        let text = element.text_content().unwrap_or_default();
        assert!(text.contains("Accounts") && text.contains("/42") && text.contains("grace"), "{text}");
        element.remove();
    }

    #[wasm_bindgen_test]
    fn the_accounts_home_reads_as_slash() {
        assert_eq!(super::display_path(""), "/");
    }
}
