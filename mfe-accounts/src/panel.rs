//! The side panel: the open account's details and edit form, adding a child, moving (a picker that
//! refuses the account's own subtree) and deleting (saying how many accounts go with it); or the
//! form for a new root account.

use leptos::{html, prelude::*, task::spawn_local};

use crate::{
    api::{Changes, Problem},
    edits, money,
    tree::{Node, Tree},
};

/// What the lower part of an account's panel shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Actions,
    AddChild,
    Move,
    Delete,
}

#[component]
pub fn Panel(tree: Tree, new_root: RwSignal<bool>) -> impl IntoView {
    move || match (new_root.get(), tree.selected.get()) {
        (true, _) => new_account(tree, None, move || new_root.set(false)).into_any(),
        (false, Some(id)) => match tree.node(&id) {
            Some(node) => account_panel(tree, id, node).into_any(),
            None => ().into_any(),
        },
        (false, None) => {
            view! { <p class="muted panel__hint">"Select an account to see its details and change it."</p> }.into_any()
        }
    }
}

fn account_panel(tree: Tree, id: String, node: Node) -> impl IntoView {
    let mode = RwSignal::new(Mode::Actions);
    let account = node.account.clone();
    let (title, balance, below, versioned) = (account.clone(), account.clone(), account.clone(), account.clone());
    let version = Memo::new(move |_| versioned.with(|a| a.version));
    let lower = move || {
        match mode.get() {
        Mode::Actions => view! {
            <div class="actions">
                <button type="button" class="button" on:click=move |_| mode.set(Mode::AddChild)>"Add a child account"</button>
                <button type="button" class="button" on:click=move |_| mode.set(Mode::Move)>"Move to…"</button>
                <button type="button" class="button button--danger" on:click=move |_| mode.set(Mode::Delete)>"Delete…"</button>
            </div>
        }
        .into_any(),
        Mode::AddChild => new_account(tree, Some(id.clone()), move || mode.set(Mode::Actions)).into_any(),
        Mode::Move => move_picker(tree, id.clone(), move || mode.set(Mode::Actions)).into_any(),
        Mode::Delete => delete_confirmation(tree, id.clone(), move || mode.set(Mode::Actions)).into_any(),
    }
    };
    view! {
        <section class="panel" aria-labelledby="panel-title" data-testid="account-details">
            <h2 id="panel-title">{move || title.with(|a| a.name.clone())}</h2>
            <dl class="attributes">
                <dt>"Balance, all below included"</dt>
                <dd data-testid="details-balance">{move || balance.with(|a| money::format_all(&a.rolled_up))}</dd>
                <dt>"Accounts directly below"</dt>
                <dd>{move || below.with(|a| a.child_count)}</dd>
            </dl>
            // Afresh for each saved or reloaded version; a refused change keeps what the person typed.
            {move || {
                // Read, not only tracked: a memo never read never follows its source.
                let _ = version.get();
                edit_form(tree, node.clone())
            }}
            {lower}
        </section>
    }
}

fn edit_form(tree: Tree, node: Node) -> impl IntoView {
    let (name, number, closed) =
        (NodeRef::<html::Input>::new(), NodeRef::<html::Input>::new(), NodeRef::<html::Input>::new());
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let account = node.account;
    let id = account.with_untracked(|a| a.id.clone());
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let value = |input: NodeRef<html::Input>| input.get().map(|i| i.value()).unwrap_or_default();
        let changes =
            Changes { name: value(name), number: value(number), closed: closed.get().is_some_and(|c| c.checked()) };
        let id = id.clone();
        busy.set(true);
        spawn_local(async move {
            let outcome = edits::save(tree, &id, changes).await;
            busy.set(false);
            // A stale version is the notice's to explain, with its reload button.
            problem.set(outcome.err().filter(|problem| !problem.is_stale()));
        });
    };
    let current = account.get_untracked();
    view! {
        <form class="panel__form" on:submit=on_submit data-testid="edit-form" novalidate>
            {field("Name", "name", current.name, name, problem)}
            {field("Number", "number", current.number, number, problem)}
            <div class="field field--check">
                <label><input type="checkbox" name="closed" node_ref=closed checked=current.closed/>" Closed"</label>
            </div>
            {form_problem(problem)}
            <button type="submit" class="button button--primary" disabled=move || busy.get()>"Save"</button>
        </form>
    }
}

/// A new root (`parent` `None`) or child account; `done` closes the form.
fn new_account(tree: Tree, parent: Option<String>, done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let (name, number, currency) =
        (NodeRef::<html::Input>::new(), NodeRef::<html::Input>::new(), NodeRef::<html::Input>::new());
    let problem = RwSignal::new(None::<Problem>);
    let title = if parent.is_some() { "New account below this one" } else { "New account" };
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let value = |input: NodeRef<html::Input>| input.get().map(|i| i.value()).unwrap_or_default();
        let (name, number, currency, parent) = (value(name), value(number), value(currency), parent.clone());
        spawn_local(async move {
            match edits::create(tree, parent, &name, &number, &currency).await {
                Ok(_) => done(),
                Err(refused) => problem.set(Some(refused)),
            }
        });
    };
    view! {
        <form class="panel__form" on:submit=on_submit data-testid="new-account-form" novalidate>
            <h3>{title}</h3>
            {field("Name", "name", String::new(), name, problem)}
            {field("Number", "number", String::new(), number, problem)}
            {field("Currency", "currency", "EUR".to_owned(), currency, problem)}
            {form_problem(problem)}
            <div class="actions">
                <button type="submit" class="button button--primary">"Create"</button>
                <button type="button" class="button" on:click=move |_| done()>"Cancel"</button>
            </div>
        </form>
    }
}

/// The accounts `id` may move under: every loaded account but itself and those below it.
fn move_picker(tree: Tree, id: String, done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let picked = NodeRef::<html::Select>::new();
    let parent = tree.account(&id).and_then(|account| account.parent_id).unwrap_or_default();
    let options = tree
        .all_rows()
        .into_iter()
        .map(|row| {
            let inside = tree.is_within(&row.id, &id);
            let label = format!(
                "{}{}{}",
                "· ".repeat(row.level as usize - 1),
                row.name,
                if inside { " (inside this account)" } else { "" }
            );
            view! { <option value=row.id.clone() disabled=inside selected=row.id == parent>{label}</option> }
        })
        .collect_view();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let to = picked.get().map(|select| select.value()).filter(|value| !value.is_empty());
        let id = id.clone();
        spawn_local(async move { edits::move_to(tree, &id, to).await });
        done();
    };
    view! {
        <form class="panel__form" on:submit=on_submit data-testid="move-form">
            <div class="field">
                <label for="move-to">"Move to"</label>
                <select id="move-to" node_ref=picked>
                    <option value="">"The top level"</option>
                    {options}
                </select>
            </div>
            <div class="actions">
                <button type="submit" class="button button--primary">"Move"</button>
                <button type="button" class="button" on:click=move |_| done()>"Cancel"</button>
            </div>
        </form>
    }
}

fn delete_confirmation(tree: Tree, id: String, done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let name = tree.account(&id).map(|account| account.name).unwrap_or_default();
    // A plain signal rather than a resource: the async machinery would add to the wasm.
    let counted = RwSignal::new(None);
    {
        let id = id.clone();
        spawn_local(async move {
            // The panel may have closed meanwhile.
            counted.try_set(Some(edits::descendants(tree, &id).await));
        });
    }
    let question = move || {
        counted.get().map(|count| match count {
            Ok(0) => format!("Delete “{name}”? This cannot be undone."),
            Ok(1) => format!("Delete “{name}” and the 1 account below it? This cannot be undone."),
            Ok(count) => format!("Delete “{name}” and the {count} accounts below it? This cannot be undone."),
            Err(problem) => problem.detail,
        })
    };
    let confirm = move |_| {
        let id = id.clone();
        spawn_local(async move { edits::delete(tree, &id).await });
        done();
    };
    view! {
        <div class="alert alert--error" role="alertdialog" aria-labelledby="delete-question" data-testid="delete-confirmation">
            <p id="delete-question">{move || question().unwrap_or_else(|| "Counting the accounts below it…".to_owned())}</p>
            <div class="actions">
                <button type="button" class="button button--danger" disabled=move || !matches!(counted.get(), Some(Ok(_)))
                    on:click=confirm>"Delete"</button>
                <button type="button" class="button" on:click=move |_| done()>"Cancel"</button>
            </div>
        </div>
    }
}

/// A labelled input with the api's message for it underneath.
fn field(
    label: &'static str,
    name: &'static str,
    value: String,
    input: NodeRef<html::Input>,
    problem: RwSignal<Option<Problem>>,
) -> impl IntoView {
    let id = format!("account-field-{name}");
    let error_id = format!("{id}-error");
    let message = move || problem.with(|p| p.as_ref().and_then(|p| p.field(name)));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id name=name node_ref=input value=value
                aria-invalid=move || message().is_some().to_string() aria-describedby=error_id.clone()/>
            <p class="field__error" id=error_id>{message}</p>
        </div>
    }
}

/// A refusal that names no field.
fn form_problem(problem: RwSignal<Option<Problem>>) -> impl IntoView {
    move || {
        problem.with(|p| p.as_ref().filter(|p| p.errors.is_empty()).map(|p| p.detail.clone())).map(|detail| {
            view! { <p class="alert alert--error" role="alert">{detail}</p> }
        })
    }
}
