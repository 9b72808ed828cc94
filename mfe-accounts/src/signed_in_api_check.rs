//! Proof that the session the shell hands over reaches the api: one authenticated call (the tenants
//! the person can see), through the shell's `authHeaders`. The accounts tree will replace it.

use leptos::prelude::*;
use mfe_guest::Props;

#[component]
pub fn SignedInApiCheck(props: Props) -> impl IntoView {
    let tenants = LocalResource::new(move || async move {
        props.session.track();
        let tenants = props.get_json("/v1/tenants").await?;
        Ok::<_, String>(js_sys::Array::from(&tenants).length())
    });
    move || {
        props.session.with(Option::is_some).then(|| {
            view! {
                <p class="muted" data-testid="mfe-api-check" role="status">
                    {move || match tenants.get() {
                        None => "Asking the api who you are…".to_owned(),
                        Some(Ok(count)) => format!("The api knows you: {count} tenant(s) visible."),
                        Some(Err(error)) => format!("The api call failed: {error}"),
                    }}
                </p>
            }
        })
    }
}
