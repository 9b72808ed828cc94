//! The side panel: the open account's details and edit form, adding a child, moving (a picker that
//! refuses the account's own subtree) and deleting (saying how many accounts go with it); or the
//! form for a new root account. Built as markup (see `dom`); its buttons and forms are handled by
//! the micro-frontend's listeners, which call [`Panel::act`] and [`Panel::submit`].

use any_spawner::Executor;
use reactive_graph::{prelude::*, signal::RwSignal};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlSelectElement};

use crate::{
    api::{Account, Changes, Descendants, Problem},
    dom::{find, follow, input, markup, push_escaped, replace, set, set_or_remove},
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

/// The panel's own state, beside the tree's selection.
#[derive(Clone, Copy)]
pub struct Panel {
    /// The form for a new root account is open.
    pub new_root: RwSignal<bool>,
    mode: RwSignal<Mode>,
}

const HINT: &str = r#"<p class="muted panel__hint">Select an account to see its details and change it.</p>"#;

const ACCOUNT: &str = concat!(
    r#"<section class="panel" aria-labelledby="panel-title" data-testid="account-details"><h2 id="panel-title"></h2>"#,
    r#"<dl class="attributes"><dt>Balance, all below included</dt><dd data-testid="details-balance"></dd>"#,
    "<dt>Accounts directly below</dt><dd></dd></dl><form></form><div></div></section>"
);

const ACTIONS: &str = concat!(
    r#"<div class="actions"><button type="button" class="button" data-action="add-child">Add a child account</button>"#,
    r#"<button type="button" class="button" data-action="move">Move to…</button>"#,
    r#"<button type="button" class="button button--danger" data-action="delete">Delete…</button></div>"#
);

const CANCEL: &str = r#"<button type="button" class="button" data-action="cancel">Cancel</button>"#;

impl Panel {
    pub fn new() -> Self {
        Self { new_root: RwSignal::new(false), mode: RwSignal::new(Mode::Actions) }
    }

    /// Shows, in `aside`, the new root's form, the selected account, or a hint, as they change.
    pub fn start(self, tree: Tree, aside: Element) {
        follow(move |_| {
            let new_root = self.new_root.get();
            let selected = tree.selected.get();
            self.mode.set(Mode::Actions);
            match (new_root, selected) {
                (true, _) => aside.set_inner_html(&new_account_html(false)),
                (false, Some(id)) => match tree.node(&id) {
                    Some(node) => self.account(tree, &aside, id, node),
                    None => aside.set_inner_html(""),
                },
                (false, None) => aside.set_inner_html(HINT),
            }
        });
    }

    /// The account's details, its edit form (afresh for each saved or reloaded version: a refused
    /// change keeps what the person typed) and, below, its actions or the form one of them opened.
    fn account(self, tree: Tree, aside: &Element, id: String, node: Node) {
        aside.set_inner_html(ACCOUNT);
        let part = |selector| find(aside, selector).expect("the panel has it");
        let (title, balance, below, mut form, mut lower) =
            (part("h2"), part("[data-testid=details-balance]"), part("dd:last-of-type"), part("form"), part("div"));
        let account = node.account;
        follow(move |shown: Option<i64>| {
            account.with(|account| {
                title.set_text_content(Some(&account.name));
                balance.set_text_content(Some(&money::format_all(&account.rolled_up)));
                below.set_text_content(Some(&account.child_count.to_string()));
                if shown != Some(account.version) {
                    form = replace(&form, &edit_form_html(account));
                }
                account.version
            })
        });
        follow(move |_| {
            let mode = self.mode.get();
            lower = replace(
                &lower,
                &match mode {
                    Mode::Actions => ACTIONS.to_owned(),
                    Mode::AddChild => new_account_html(true),
                    Mode::Move => move_form_html(tree, &id),
                    Mode::Delete => DELETE.to_owned(),
                },
            );
            if mode == Mode::Delete {
                Executor::spawn_local(count_for_confirmation(tree, id.clone(), lower.clone()));
            }
        });
    }

    /// A button's `data-action` within the panel.
    pub fn act(self, tree: Tree, action: &str, button: &Element) {
        match action {
            "add-child" => self.mode.set(Mode::AddChild),
            "move" => self.mode.set(Mode::Move),
            "delete" => self.mode.set(Mode::Delete),
            "cancel" => self.close_form(),
            "confirm-delete" => {
                let Some(id) = tree.selected.get_untracked() else { return };
                let subtree = button.get_attribute("data-subtree").is_some();
                Executor::spawn_local(async move { edits::delete(tree, &id, subtree).await });
                self.close_form();
            }
            _ => {}
        }
    }

    pub fn submit(self, tree: Tree, form: Element) {
        match form.get_attribute("data-testid").unwrap_or_default().as_str() {
            "edit-form" => save(tree, form),
            "new-account-form" => self.create(tree, form),
            "move-form" => {
                let picked = find(&form, "select").map(|select| select.unchecked_into::<HtmlSelectElement>().value());
                let to = picked.filter(|value| !value.is_empty());
                if let Some(id) = tree.selected.get_untracked() {
                    Executor::spawn_local(async move { edits::move_to(tree, &id, to).await });
                }
                self.close_form();
            }
            _ => {}
        }
    }

    /// A new root (the panel's own form) or a child of the open account.
    fn create(self, tree: Tree, form: Element) {
        let root = self.new_root.get_untracked();
        let parent = if root { None } else { tree.selected.get_untracked() };
        let [name, number, currency] = ["name", "number", "currency"].map(|name| input(&form, name).value());
        // The api takes currency codes as ISO 4217 spells them; people may type them in lower case.
        let currency = currency.trim().to_ascii_uppercase();
        Executor::spawn_local(async move {
            match edits::create(tree, parent, &name, &number, &currency).await {
                Ok(_) if root => self.new_root.set(false),
                Ok(_) => self.mode.set(Mode::Actions),
                Err(refused) => show_problem(&form, Some(&refused)),
            }
        });
    }

    /// Closes a form (or the delete confirmation): the new root's, or back to the account's actions.
    fn close_form(self) {
        if self.new_root.get_untracked() {
            self.new_root.set(false);
        } else {
            self.mode.set(Mode::Actions);
        }
    }
}

fn save(tree: Tree, form: Element) {
    let Some(id) = tree.selected.get_untracked() else { return };
    let changes = Changes {
        name: input(&form, "name").value(),
        number: input(&form, "number").value(),
        closed: input(&form, "closed").checked(),
    };
    let button = form.last_element_child();
    let busy = move |busy: bool| {
        if let Some(button) = &button {
            set_or_remove(button, "disabled", busy.then_some(""));
        }
    };
    busy(true);
    Executor::spawn_local(async move {
        let outcome = edits::save(tree, &id, changes).await;
        busy(false);
        // A stale version is the notice's to explain, with its reload button.
        show_problem(&form, outcome.err().filter(|problem| !problem.is_stale()).as_ref());
    });
}

fn edit_form_html(account: &Account) -> String {
    let mut html = r#"<form class="panel__form" data-testid="edit-form" novalidate>"#.to_owned();
    field(&mut html, "Name", "name", &account.name);
    field(&mut html, "Number", "number", &account.number);
    html.push_str(r#"<div class="field field--check"><label><input type="checkbox" name="closed""#);
    if account.closed {
        html.push_str(" checked");
    }
    html.push_str(r#"> Closed</label></div><button type="submit" class="button button--primary">Save</button></form>"#);
    html
}

/// The form for a new account: a `child` of the open one, titled below the account's heading; or a
/// root, whose title is the panel's heading (headings go down one level at a time).
fn new_account_html(child: bool) -> String {
    let (level, title) = if child { ("h3", "New account below this one") } else { ("h2", "New account") };
    let mut html =
        format!(r#"<form class="panel__form" data-testid="new-account-form" novalidate><{level}>{title}</{level}>"#);
    field(&mut html, "Name", "name", "");
    field(&mut html, "Number", "number", "");
    field(&mut html, "Currency", "currency", "EUR");
    html.push_str(r#"<div class="actions"><button type="submit" class="button button--primary">Create</button>"#);
    html.push_str(CANCEL);
    html.push_str("</div></form>");
    html
}

/// The accounts `id` may move under: every loaded account but itself and those below it.
fn move_form_html(tree: Tree, id: &str) -> String {
    let parent = tree.account(id).and_then(|account| account.parent_id).unwrap_or_default();
    let mut html = concat!(
        r#"<form class="panel__form" data-testid="move-form"><div class="field"><label for="move-to">Move to</label>"#,
        r#"<select id="move-to"><option value="">The top level</option>"#
    )
    .to_owned();
    for row in tree.all_rows() {
        let inside = tree.is_within(&row.id, id);
        html.push_str(&markup(&[r#"<option value=""#, &row.id, r#"""#]));
        if inside {
            html.push_str(" disabled");
        }
        if row.id == parent {
            html.push_str(" selected");
        }
        html.push('>');
        html.push_str(&"· ".repeat(row.level as usize - 1));
        push_escaped(&mut html, &row.name);
        if inside {
            html.push_str(" (inside this account)");
        }
        html.push_str("</option>");
    }
    html.push_str(
        r#"</select></div><div class="actions"><button type="submit" class="button button--primary">Move</button>"#,
    );
    html.push_str(CANCEL);
    html.push_str("</div></form>");
    html
}

const DELETE: &str = concat!(
    r#"<div class="alert alert--error" role="alertdialog" aria-labelledby="delete-question" data-testid="delete-confirmation">"#,
    r#"<p id="delete-question">Counting the accounts below it…</p><div class="actions">"#,
    r#"<button type="button" class="button button--danger" data-action="confirm-delete" disabled>Delete</button>"#,
    r#"<button type="button" class="button" data-action="cancel">Cancel</button></div></div>"#
);

/// Counts what would go with `id` (a read: nothing is deleted yet) and asks about it in `dialog`; its
/// Delete button then deletes the subtree only if there was one to confirm.
async fn count_for_confirmation(tree: Tree, id: String, dialog: Element) {
    let name = tree.account(&id).map(|account| account.name).unwrap_or_default();
    let counted = edits::descendants(tree, &id).await;
    let (Some(question), Some(delete)) = (find(&dialog, "p"), find(&dialog, "button")) else { return };
    match counted {
        Ok(below) => {
            question.set_text_content(Some(&delete_question(&name, below)));
            set_or_remove(&delete, "data-subtree", below.any().then_some(""));
            let _ = delete.remove_attribute("disabled");
        }
        Err(problem) => question.set_text_content(Some(&problem.detail)),
    }
}

fn delete_question(name: &str, below: Descendants) -> String {
    let count = money::count(below.counted as usize);
    let with = match (below.counted, below.more) {
        (0, false) => String::new(),
        (1, false) => " and the 1 account below it".to_owned(),
        (_, false) => [" and the ", &count, " accounts below it"].concat(),
        (_, true) => [" and more than ", &count, " accounts below it"].concat(),
    };
    ["Delete “", name, "”", &with, "? This cannot be undone."].concat()
}

/// A labelled input with the api's message for it underneath (see [`show_problem`]).
fn field(html: &mut String, label: &str, name: &str, value: &str) {
    let id = ["account-field-", name].concat();
    html.push_str(&markup(&[
        r#"<div class="field"><label for=""#,
        &id,
        r#"">"#,
        label,
        r#"</label><input id=""#,
        &id,
        r#"" name=""#,
        name,
        r#"" value=""#,
        value,
        r#"" aria-invalid="false" aria-describedby=""#,
        &id,
        r#"-error"><p class="field__error" id=""#,
        &id,
        r#"-error"></p></div>"#,
    ]));
}

/// Shows the api's refusal in `form`: each message next to its field, one that names no field above
/// the buttons; `None` clears it.
fn show_problem(form: &Element, problem: Option<&Problem>) {
    for name in ["name", "number", "currency"] {
        let Some(error) = find(form, &["#account-field-", name, "-error"].concat()) else { continue };
        let message = problem.and_then(|problem| problem.field(name));
        if let Some(input) = error.previous_element_sibling() {
            set(&input, "aria-invalid", if message.is_some() { "true" } else { "false" });
        }
        error.set_text_content(message.as_deref());
    }
    if let Some(shown) = find(form, ":scope > .alert") {
        shown.remove();
    }
    let general = problem.filter(|problem| problem.errors.is_empty());
    if let (Some(problem), Some(buttons)) = (general, form.last_element_child()) {
        let alert = markup(&[r#"<p class="alert alert--error" role="alert">"#, &problem.detail, "</p>"]);
        let _ = buttons.insert_adjacent_html("beforebegin", &alert);
    }
}
