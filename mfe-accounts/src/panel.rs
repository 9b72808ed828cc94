//! The side panel: the open account's details and edit form, adding a child, moving (a picker that
//! refuses the account's own subtree) and deleting (saying how many accounts go with it); or the
//! form for a new root account. Built as markup (see `ui_kit`); its buttons are handled by the
//! micro-frontend's listener, which calls [`Panel::act`], and each form by its own.

use any_spawner::Executor;
use maud::{Markup, html};
use reactive_graph::{owner::Owner, prelude::*, signal::RwSignal};
use ui_kit::{
    dom::{fill, find, follow, replace, set_or_remove},
    focus,
    form::{Check, Field, Fill, Form, FormSpec, Kind},
    money,
};
use web_sys::Element;

use crate::{
    Action,
    api::{Changes, Descendants},
    edits,
    tree::{Node, Tree},
    tree_view::focus_row,
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

const NAME: Field = Field { name: "name", label: "Name", kind: Kind::Text, autocomplete: "", check: Check::Nothing };
const NUMBER: Field =
    Field { name: "number", label: "Number", kind: Kind::Text, autocomplete: "", check: Check::Nothing };
const CURRENCY: Field =
    Field { name: "currency", label: "Currency", kind: Kind::Text, autocomplete: "", check: Check::Nothing };
const CLOSED: Field =
    Field { name: "closed", label: "Closed", kind: Kind::Checkbox, autocomplete: "", check: Check::Nothing };
const MOVE_TO: Field =
    Field { name: "to", label: "Move to", kind: Kind::Select, autocomplete: "", check: Check::Nothing };

const EDIT_FORM: FormSpec = FormSpec {
    id: "edit-account",
    test_id: "edit-form",
    class: "panel__form",
    fields: &[NAME, NUMBER, CLOSED],
    submit: ("Save", "Saving…"),
};

const NEW_FORM: FormSpec = FormSpec {
    id: "new-account",
    test_id: "new-account-form",
    class: "panel__form",
    fields: &[NAME, NUMBER, CURRENCY],
    submit: ("Create", "Creating…"),
};

const MOVE_FORM: FormSpec = FormSpec {
    id: "move",
    test_id: "move-form",
    class: "panel__form",
    fields: &[MOVE_TO],
    submit: ("Move", "Moving…"),
};

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
                (true, _) => {
                    // Opened by a button elsewhere: the form takes the focus.
                    fill(&aside, NEW_FORM.markup(&new_account_fill(false)));
                    self.wire_new(tree, &aside);
                    focus::enter(&aside);
                }
                (false, Some(id)) => match tree.node(&id) {
                    Some(node) => self.account(tree, &aside, id, node),
                    None => fill(&aside, html! {}),
                },
                (false, None) => fill(
                    &aside,
                    html! {
                        p class="muted panel__hint" { "Select an account to see its details and change it." }
                    },
                ),
            }
        });
    }

    /// The account's details, its edit form (afresh for each saved or reloaded version: a refused
    /// change keeps what the person typed) and, below, its actions or the form one of them opened;
    /// for a viewer, the details alone.
    fn account(self, tree: Tree, aside: &Element, id: String, node: Node) {
        fill(
            aside,
            html! {
                section class="panel" aria-labelledby="panel-title" data-testid="account-details" {
                    h2 id="panel-title" {}
                    dl class="attributes" {
                        dt { "Balance, all below included" } dd data-testid="details-balance" {}
                        dt { "Accounts directly below" } dd {}
                    }
                    @if tree.writes { form {} div {} }
                }
            },
        );
        let part = |selector| find(aside, selector).expect("the panel has it");
        let (title, balance, below) = (part("h2"), part("[data-testid=details-balance]"), part("dd:last-of-type"));
        // Both found before the form is drawn, which has `div`s of its own.
        let (mut form, lower) = match tree.writes {
            true => (Some(part("form")), Some(part("div"))),
            false => (None, None),
        };
        // The edit form is drawn and wired afresh for each version, under an owner of its own: the
        // effect below runs again for every change of the account, the form only for a new version.
        let (account, edit_owner) = (node.account, Owner::new());
        follow(move |shown: Option<i64>| {
            account.with(|account| {
                title.set_text_content(Some(&account.name));
                balance.set_text_content(Some(&money::format_all(&account.rolled_up)));
                below.set_text_content(Some(&account.child_count.to_string()));
                if let Some(form) = form.as_mut().filter(|_| shown != Some(account.version)) {
                    let closed = if account.closed { "true" } else { "" };
                    let values =
                        [("name", account.name.as_str()), ("number", account.number.as_str()), ("closed", closed)];
                    *form = replace(form, EDIT_FORM.markup(&Fill { values: &values, ..Fill::default() }));
                    edit_owner.cleanup();
                    edit_owner.with(|| wire_edit(tree, form, account.id.clone()));
                }
                account.version
            })
        });
        let Some(mut lower) = lower else { return };
        follow(move |_| {
            let mode = self.mode.get();
            let markup = match mode {
                Mode::Actions => actions(),
                Mode::AddChild => NEW_FORM.markup(&new_account_fill(true)),
                Mode::Move => {
                    MOVE_FORM.markup(&Fill { options: move_options(tree, &id), beside: cancel(), ..Fill::default() })
                }
                Mode::Delete => delete_confirmation(),
            };
            lower = replace(&lower, markup);
            match mode {
                Mode::Actions => {}
                Mode::AddChild => self.wire_new(tree, &lower),
                Mode::Move => self.wire_move(tree, &lower),
                Mode::Delete => Executor::spawn_local(count_for_confirmation(tree, id.clone(), lower.clone())),
            }
        });
    }

    /// A button's action within the panel.
    pub fn act(self, tree: Tree, action: Action, button: &Element) {
        match action {
            Action::AddChild => self.mode.set(Mode::AddChild),
            Action::Move => self.mode.set(Mode::Move),
            Action::Delete => self.mode.set(Mode::Delete),
            Action::Cancel => self.close_form(tree),
            Action::ConfirmDelete => {
                let Some(id) = tree.selected.get_untracked() else { return };
                let subtree = button.get_attribute("data-subtree").is_some();
                Executor::spawn_local(async move { edits::delete(tree, &id, subtree).await });
                self.mode.set(Mode::Actions);
            }
            _ => {}
        }
    }

    /// A new root (the panel's own form) or a child of the open account.
    fn wire_new(self, tree: Tree, within: &Element) {
        let form = Form::wire(within, &NEW_FORM);
        form.on_submit(move |form| {
            let root = self.new_root.get_untracked();
            let parent = if root { None } else { tree.selected.get_untracked() };
            let (name, number) = (form.text(&NAME), form.text(&NUMBER));
            // The api takes currency codes as ISO 4217 spells them; people may type them in lower case.
            let currency = form.text(&CURRENCY).trim().to_ascii_uppercase();
            form.run(async move {
                edits::create(tree, parent, &name, &number, &currency).await?;
                if root {
                    self.new_root.set(false)
                } else {
                    self.mode.set(Mode::Actions)
                }
                Ok(())
            });
        });
    }

    fn wire_move(self, tree: Tree, within: &Element) {
        let form = Form::wire(within, &MOVE_FORM);
        form.on_submit(move |form| {
            let to = Some(form.text(&MOVE_TO)).filter(|to| !to.is_empty());
            if let Some(id) = tree.selected.get_untracked() {
                Executor::spawn_local(async move { edits::move_to(tree, &id, to).await });
            }
            self.close_form(tree);
        });
    }

    /// Closes a form (or the delete confirmation): the new root's, or back to the account's actions,
    /// the focus back on the account's row (or on the button that opened a new root's form).
    fn close_form(self, tree: Tree) {
        match tree.selected.get_untracked() {
            Some(id) => focus_row(tree, &id),
            None => {
                let opener = web_sys::window().and_then(|w| w.document()).and_then(|d| {
                    d.query_selector(&["mfe-accounts [data-action=", Action::NewRoot.name(), "]"].concat())
                        .ok()
                        .flatten()
                });
                if let Some(opener) = opener {
                    focus::give(&opener);
                }
            }
        }
        if self.new_root.get_untracked() {
            self.new_root.set(false);
        } else {
            self.mode.set(Mode::Actions);
        }
    }
}

/// Saves name, number and status; the api's objections show by their fields. A stale version is
/// the notice's to explain, with its reload button.
fn wire_edit(tree: Tree, within: &Element, id: String) {
    let form = Form::wire(within, &EDIT_FORM);
    form.on_submit(move |form| {
        let changes = Changes { name: form.text(&NAME), number: form.text(&NUMBER), closed: form.checked(&CLOSED) };
        let id = id.clone();
        form.run(async move {
            match edits::save(tree, &id, changes).await {
                Err(problem) if !problem.is_stale() => Err(problem.into()),
                _ => Ok(()),
            }
        });
    });
}

fn actions() -> Markup {
    html! {
        div class="actions" {
            button type="button" class="button" data-action=(Action::AddChild) { "Add a child account" }
            button type="button" class="button" data-action=(Action::Move) { "Move to…" }
            button type="button" class="button button--danger" data-action=(Action::Delete) { "Delete…" }
        }
    }
}

fn cancel() -> Markup {
    html! { button type="button" class="button" data-action=(Action::Cancel) { "Cancel" } }
}

/// The form for a new account: a `child` of the open one, titled below the account's heading; or a
/// root, whose title is the panel's heading (headings go down one level at a time).
fn new_account_fill(child: bool) -> Fill<'static> {
    let intro = if child {
        html! { h3 { "New account below this one" } }
    } else {
        html! { h2 { "New account" } }
    };
    Fill { intro, values: &[("currency", "EUR")], beside: cancel(), ..Fill::default() }
}

/// The accounts `id` may move under: every loaded account but itself and those below it.
fn move_options(tree: Tree, id: &str) -> Markup {
    let parent = tree.account(id).and_then(|account| account.parent_id).unwrap_or_default();
    html! {
        option value="" { "The top level" }
        @for row in tree.all_rows() {
            @let inside = tree.is_within(&row.id, id);
            option value=(row.id) disabled[inside] selected[row.id == parent] {
                ("· ".repeat(row.level as usize - 1)) (row.name)
                @if inside { " (inside this account)" }
            }
        }
    }
}

fn delete_confirmation() -> Markup {
    html! {
        div class="alert alert--error" role="alertdialog" aria-labelledby="delete-question" data-testid="delete-confirmation" {
            p id="delete-question" { "Counting the accounts below it…" }
            div class="actions" {
                button type="button" class="button button--danger" data-action=(Action::ConfirmDelete) disabled { "Delete" }
                button type="button" class="button" data-action=(Action::Cancel) data-focus { "Cancel" }
            }
        }
    }
}

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
