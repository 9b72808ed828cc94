//! The organisation pages, one module for two sections of the shell: `<mfe-organisation>`, the
//! organisation the person works in (its members and roles, its invitations, a new organisation),
//! and `<mfe-invitations>`, the page an invitation's mailed link opens (`/invitations/<token>`),
//! where the invited person joins. Both talk to the api only through the session the shell handed
//! over, and tell the shell when the person's organisations changed (see `mfe_guest::Props`).
//! Built by hand on the UI kit, as mfe-accounts is.

mod api;
mod invitation;
mod organisation;

use maud::{Markup, html};
use mfe_contract::Role;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    mfe_guest::define_page("organisation", organisation::app);
    mfe_guest::define_page("invitations", invitation::app);
}

/// "a member", "an admin": a role in a sentence.
fn as_a(role: Role) -> String {
    let article = if matches!(role, Role::Admin | Role::Owner) { "an " } else { "a " };
    [article, role.name()].concat()
}

/// A network action under way, announced to screen readers.
fn loading(message: &str) -> Markup {
    html! { p class="loading" role="status" { span class="spinner" aria-hidden="true" {} (message) } }
}

#[cfg(test)]
mod tests {
    use mfe_contract::Role;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn roles_read_in_a_sentence() {
        assert_eq!(super::as_a(Role::Member), "a member");
        assert_eq!(super::as_a(Role::Admin), "an admin");
        assert_eq!(super::as_a(Role::Owner), "an owner");
    }
}
