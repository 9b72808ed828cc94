//! `<mfe-organisation>`: the organisation the person works in (the session's tenant; another one
//! mounts the page afresh). Its name, which owners change; its members with their roles, where
//! whoever manages a role changes or removes it and anyone leaves; its invitations with their state,
//! where admins and owners invite and revoke; and a form for a new organisation. A removal, a
//! departure, a change of role and a revocation are asked about first, the focus on the safe
//! answer, and the focus goes back to the button that asked once the question is gone.

use any_spawner::Executor;
use maud::{Markup, html};
use mfe_contract::{Role, Tenant};
use mfe_guest::{Props, rest::Answer};
use reactive_graph::{owner::StoredValue, prelude::*, signal::RwSignal};
use ui_kit::{
    dom::{Place, fill, find, follow, listen, target},
    focus,
    form::{Check, Field, Fill, Form, FormSpec, Kind, Submission, email_problem, show_error},
    time,
};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlSelectElement};

use crate::{
    api::{Api, Invitation, Member, Organisation},
    as_a, loading,
};

ui_kit::actions! {
    /// What a button of the organisation page does, named in its `data-action`.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Action {
        Reload = "reload",
        Cancel = "cancel",
        Confirm = "confirm",
        Remove = "remove",
        Leave = "leave",
        ChangeRole = "change-role",
        Revoke = "revoke",
    }
}

const NAME: Field =
    Field { name: "name", label: "Name", kind: Kind::Text, autocomplete: "off", check: Check::Required("a name") };
const EMAIL: Field =
    Field { name: "email", label: "Email", kind: Kind::Email, autocomplete: "off", check: Check::Rule(email_problem) };
const ROLE: Field = Field { name: "role", label: "Role", kind: Kind::Select, autocomplete: "", check: Check::Nothing };

const RENAME_FORM: FormSpec = FormSpec {
    id: "rename",
    test_id: "rename-form",
    class: "inline-form",
    fields: &[NAME],
    submit: ("Rename", "Renaming…"),
};

const INVITE_FORM: FormSpec = FormSpec {
    id: "invite",
    test_id: "invite-form",
    class: "inline-form",
    fields: &[EMAIL, ROLE],
    submit: ("Send invitation", "Sending…"),
};

const NEW_FORM: FormSpec = FormSpec {
    id: "new-organisation",
    test_id: "new-organisation-form",
    class: "inline-form",
    fields: &[NAME],
    submit: ("Create organisation", "Creating…"),
};

/// A list the page shows: `None` while it loads.
type Loaded<T> = RwSignal<Option<Answer<Vec<T>>>>;

/// What the person is asked to confirm.
#[derive(Clone, PartialEq)]
enum Question {
    Remove { member: Member },
    Leave { member: Member },
    ChangeRole { member: Member, role: Role },
    Revoke { invitation: Invitation },
}

impl Question {
    fn text(&self, organisation: &str) -> String {
        match self {
            Self::Remove { member } => ["Remove ", &member.email, " from ", organisation, "?"].concat(),
            Self::Leave { .. } => {
                ["Leave ", organisation, "? You will not see its accounts until someone invites you again."].concat()
            }
            Self::ChangeRole { member, role } => ["Make ", &member.email, " ", &as_a(*role), "?"].concat(),
            Self::Revoke { invitation } => ["Revoke the invitation to ", &invitation.email, "?"].concat(),
        }
    }

    fn answer(&self) -> &'static str {
        match self {
            Self::Remove { .. } => "Remove",
            Self::Leave { .. } => "Leave",
            Self::ChangeRole { .. } => "Change role",
            Self::Revoke { .. } => "Revoke",
        }
    }

    /// The button that asked, which takes the focus back.
    fn opener(&self) -> String {
        match self {
            Self::Remove { member } | Self::Leave { member } => ["remove-", &member.user_id].concat(),
            Self::ChangeRole { member, .. } => ["change-", &member.user_id].concat(),
            Self::Revoke { invitation } => ["revoke-", &invitation.id].concat(),
        }
    }
}

/// The page's state, beside the person's organisation and role.
#[derive(Clone, Copy)]
struct Page {
    api: Api,
    tenant: StoredValue<Tenant>,
    /// The person's email address, lower-case: their own row among the members.
    me: StoredValue<String>,
    name: RwSignal<String>,
    /// The person's own organisation, made at sign-up: never shared.
    personal: bool,
    members: Loaded<Member>,
    invitations: Loaded<Invitation>,
    asking: RwSignal<Option<Question>>,
    /// The confirmed action under way, and its refusal.
    action: Submission,
}

pub fn app(props: Props) {
    let host = props.host();
    let session = props.session.get_untracked();
    let Some((tenant, me)) = session.and_then(|s| Some((s.tenant?, s.email.unwrap_or_default().to_lowercase()))) else {
        // The shell mounts the page afresh once it has read the person's organisations.
        fill(&host, html! { section class="mfe" { h1 { "Organisation" } (loading("Loading your organisations…")) } });
        return;
    };
    let (api, id) = (Api(props), tenant.id.clone());
    let read = RwSignal::new(None::<Answer<Organisation>>);
    let load = move || {
        read.set(None);
        let id = id.clone();
        Executor::spawn_local(async move { read.set(Some(api.organisation(&id).await)) });
    };
    load();
    let (tenant, me) = (StoredValue::new(tenant), StoredValue::new(me));
    follow(move |_: Option<()>| match read.get() {
        None => fill(
            &host,
            html! { section class="mfe" { h1 { (tenant.with_value(|t| t.name.clone())) } (loading("Loading the organisation…")) } },
        ),
        Some(Err(problem)) => {
            fill(
                &host,
                html! {
                    section class="mfe" {
                        h1 { (tenant.with_value(|t| t.name.clone())) }
                        div class="alert alert--error" role="alert" {
                            p { (problem.detail) }
                            button type="button" class="button" { "Try again" }
                        }
                    }
                },
            );
            let load = load.clone();
            listen(&host, "click", move |event| {
                if target(&event).is_some_and(|t| t.tag_name() == "BUTTON") {
                    load();
                }
            });
        }
        Some(Ok(organisation)) => {
            let page = Page {
                api,
                name: RwSignal::new(organisation.name),
                personal: organisation.personal,
                tenant,
                me,
                members: RwSignal::new(None),
                invitations: RwSignal::new(None),
                asking: RwSignal::new(None),
                action: Submission::new(),
            };
            page.show(&host);
        }
    });
}

impl Page {
    fn show(self, host: &Element) {
        fill(host, self.frame());
        let part = |name: &str| find(host, &["[data-part=", name, "]"].concat()).expect("the page has it");
        follow_name(self, part("title"));
        self.wire_rename(host);
        follow_list(self.members, part("members"), move |members| self.members_markup(members));
        if self.invites() {
            follow_list(self.invitations, part("invitations"), move |invitations| self.invitations_markup(invitations));
            self.wire_invite(host);
        }
        self.follow_question(host);
        self.wire_new(host);
        listen(host, "click", move |event| {
            let button = target(&event).and_then(|target| target.closest("button[data-action]").ok().flatten());
            if let Some(button) = button {
                self.act(&button);
            }
        });
        self.load();
    }

    fn role(self) -> Role {
        self.tenant.with_value(|tenant| tenant.role)
    }

    fn id(self) -> String {
        self.tenant.with_value(|tenant| tenant.id.clone())
    }

    /// Admins and owners invite, except into a personal organisation, which is never shared.
    fn invites(self) -> bool {
        self.role().manages(Role::Viewer) && !self.personal
    }

    /// The roles the person may give others.
    fn grantable(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |role| self.role().manages(*role))
    }

    fn load(self) {
        self.members.set(None);
        Executor::spawn_local(async move { self.members.set(Some(self.api.members(&self.id()).await)) });
        if self.invites() {
            self.invitations.set(None);
            Executor::spawn_local(async move { self.invitations.set(Some(self.api.invitations(&self.id()).await)) });
        }
    }

    fn frame(self) -> Markup {
        let (name, role) = self.tenant.with_value(|tenant| (tenant.name.clone(), tenant.role));
        let role_options = html! { @for role in self.grantable() { option value=(role.name()) selected[role == Role::Member] { (role.name()) } } };
        html! {
            section class="mfe organisation" aria-labelledby="organisation-title" data-testid="mfe-organisation" {
                header class="mfe__header" {
                    h1 id="organisation-title" data-part="title" {}
                    p class="muted" data-testid="my-role" {
                        @if self.personal { "Your personal organisation, never shared. " }
                        "You are " (as_a(role)) " here."
                    }
                }
                @if role == Role::Owner {
                    (RENAME_FORM.markup(&Fill { values: &[("name", &name)], ..Fill::default() }))
                }
                section class="organisation__part" aria-labelledby="members-title" {
                    h2 id="members-title" { "Members" }
                    div data-part="members" {}
                    div data-part="members-question" {}
                }
                @if self.invites() {
                    section class="organisation__part" aria-labelledby="invitations-title" {
                        h2 id="invitations-title" { "Invitations" }
                        p class="muted" { "An invitation is mailed with a link, which works once, for 7 days." }
                        p role="status" class="success" data-testid="invitation-sent" {}
                        (INVITE_FORM.markup(&Fill { options: role_options, ..Fill::default() }))
                        div data-part="invitations" {}
                        div data-part="invitations-question" {}
                    }
                }
                section class="organisation__part" aria-labelledby="new-organisation-title" {
                    h2 id="new-organisation-title" { "New organisation" }
                    p class="muted" { "You will be its owner, and work in it from then on." }
                    (NEW_FORM.markup(&Fill::default()))
                }
            }
        }
    }

    fn members_markup(self, members: &[Member]) -> Markup {
        let me = self.me.get_value();
        html! {
            table class="table" data-testid="members" {
                thead { tr { th scope="col" { "Member" } th scope="col" { "Role" } th scope="col" { "Joined" } th scope="col" { span class="visually-hidden" { "Actions" } } } }
                tbody {
                    @for member in members {
                        @let mine = !me.is_empty() && member.email.eq_ignore_ascii_case(&me);
                        @let managed = !mine && self.role().manages(member.role);
                        tr data-user=(member.user_id) {
                            td { (member.email) @if mine { " " span class="badge badge--muted" { "you" } } }
                            td {
                                @if managed {
                                    select id=(["role-", &member.user_id].concat()) aria-label=(["Role of ", &member.email].concat()) {
                                        @for role in self.grantable() {
                                            option value=(role.name()) selected[role == member.role] { (role.name()) }
                                        }
                                    }
                                } @else {
                                    (member.role.name())
                                }
                            }
                            td { (time::date(&member.joined_at)) }
                            td class="table__actions" {
                                @if managed {
                                    button type="button" class="button" id=(["change-", &member.user_id].concat())
                                        data-action=(Action::ChangeRole) data-id=(member.user_id) { "Change role" }
                                }
                                // Nobody leaves their personal organisation.
                                @if managed || (mine && !self.personal) {
                                    button type="button" class="button button--danger" id=(["remove-", &member.user_id].concat())
                                        data-action=(if mine { Action::Leave } else { Action::Remove }) data-id=(member.user_id) {
                                        (if mine { "Leave…" } else { "Remove…" })
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn invitations_markup(self, invitations: &[Invitation]) -> Markup {
        html! {
            @if invitations.is_empty() {
                p class="muted" data-testid="no-invitations" { "No invitations yet." }
            } @else {
                table class="table" data-testid="invitations" {
                    thead { tr { th scope="col" { "Sent to" } th scope="col" { "Role" } th scope="col" { "State" } th scope="col" { "Expires" } th scope="col" { span class="visually-hidden" { "Actions" } } } }
                    tbody {
                        @for invitation in invitations {
                            tr {
                                td { (invitation.email) }
                                td { (invitation.role.name()) }
                                td { span class=(["badge state state--", &invitation.state].concat()) { (state_in_words(&invitation.state)) } }
                                td { (time::date(&invitation.expires_at)) }
                                td class="table__actions" {
                                    @if invitation.state == "pending" && self.role().manages(invitation.role) {
                                        button type="button" class="button button--danger" id=(["revoke-", &invitation.id].concat())
                                            data-action=(Action::Revoke) data-id=(invitation.id) { "Revoke…" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A button of the page: ask first, then (once confirmed) do it.
    fn act(self, button: &Element) {
        let id = button.get_attribute("data-id").unwrap_or_default();
        let member = || find_in(self.members, |member| member.user_id == id);
        let question = match Action::of(button) {
            Some(Action::Reload) => return self.load(),
            Some(Action::Cancel) => return self.close(),
            Some(Action::Confirm) => return self.confirm(),
            Some(Action::Remove) => member().map(|member| Question::Remove { member }),
            Some(Action::Leave) => member().map(|member| Question::Leave { member }),
            Some(Action::ChangeRole) => {
                let select =
                    find(&self.host(), &["#role-", &id].concat()).and_then(|e| e.dyn_into::<HtmlSelectElement>().ok());
                let role = select.and_then(|select| Role::parse(&select.value()));
                member()
                    .zip(role)
                    .filter(|(member, role)| member.role != *role)
                    .map(|(member, role)| Question::ChangeRole { member, role })
            }
            Some(Action::Revoke) => find_in(self.invitations, |invitation| invitation.id == id)
                .map(|invitation| Question::Revoke { invitation }),
            None => None,
        };
        if question.is_some() {
            self.action.error.set(None);
            self.asking.set(question);
        }
    }

    fn host(self) -> Element {
        self.api.0.host().into()
    }

    /// The question goes, and the focus back to the button that asked.
    fn close(self) {
        if let Some(question) = self.asking.get_untracked() {
            self.asking.set(None);
            self.action.error.set(None);
            if let Some(opener) = find(&self.host(), &["#", &question.opener()].concat()) {
                focus::give(&opener);
            }
        }
    }

    fn confirm(self) {
        let Some(question) = self.asking.get_untracked() else { return };
        let (api, tenant) = (self.api, self.id());
        self.action.run(async move {
            match &question {
                Question::Remove { member } => api.remove(&tenant, &member.user_id).await?,
                Question::Leave { member } => {
                    api.remove(&tenant, &member.user_id).await?;
                    // The shell works in another organisation from now on, which mounts this page afresh.
                    api.0.organisations_changed(None);
                    return Ok(());
                }
                Question::ChangeRole { member, role } => api.change_role(&tenant, &member.user_id, *role).await?,
                Question::Revoke { invitation } => api.revoke(&tenant, &invitation.id).await?,
            }
            self.asking.set(None);
            self.load();
            Ok(())
        });
    }

    /// The question, when there is one, below the list it is about: its words, what it would do and
    /// the way back, which takes the focus; why the api refused, if it did.
    fn follow_question(self, host: &Element) {
        let places: Vec<(Element, bool)> = [("members-question", false), ("invitations-question", true)]
            .into_iter()
            .filter_map(|(name, invitations)| Some((find(host, &["[data-part=", name, "]"].concat())?, invitations)))
            .collect();
        for (place, _) in &places {
            show_error(place, Place::After, self.action.error);
        }
        follow(move |was_asking: Option<bool>| {
            let busy = self.action.busy.get();
            let asking = self.asking.get();
            let organisation = self.name.get();
            for (place, invitations) in &places {
                let question = asking.as_ref().filter(|question| question.about_invitations() == *invitations);
                fill(
                    place,
                    question.map(|question| question_markup(question, &organisation, busy)).unwrap_or_default(),
                );
                if question.is_some() && was_asking == Some(false) {
                    focus::enter(place);
                }
            }
            asking.is_some()
        });
    }

    /// The organisation's name in the heading; owners change it with the form below.
    fn wire_rename(self, host: &Element) {
        if self.role() != Role::Owner {
            return;
        }
        let form = Form::wire(host, &RENAME_FORM);
        form.on_submit(move |form| {
            let name = form.text(&NAME).trim().to_owned();
            form.run(async move {
                let renamed = self.api.rename(&self.id(), &name).await?;
                self.name.set(renamed.name);
                // The switcher shows the new name.
                self.api.0.organisations_changed(None);
                Ok(())
            });
        });
    }

    /// Mails an invitation, then shows it among the others.
    fn wire_invite(self, host: &Element) {
        let form = Form::wire(host, &INVITE_FORM);
        let sent = find(host, "[data-testid=invitation-sent]").expect("the page says what was sent");
        form.on_submit(move |form| {
            let (email, role) = (form.text(&EMAIL).trim().to_owned(), Role::parse(&form.text(&ROLE)));
            let (form, sent) = (form.clone(), sent.clone());
            sent.set_text_content(None);
            form.clone().run(async move {
                self.api.invite(&self.id(), &email, role.unwrap_or(Role::Member)).await?;
                form.clear();
                sent.set_text_content(Some(&["Invitation sent to ", &email, "."].concat()));
                self.load();
                Ok(())
            });
        });
    }

    /// A new organisation, which the shell then works in (mounting this page afresh for it).
    fn wire_new(self, host: &Element) {
        let form = Form::wire(host, &NEW_FORM);
        form.on_submit(move |form| {
            let name = form.text(&NAME).trim().to_owned();
            form.run(async move {
                let created = self.api.create(&name).await?;
                self.api.0.organisations_changed(Some(&created.id));
                Ok(())
            });
        });
    }
}

impl Question {
    fn about_invitations(&self) -> bool {
        matches!(self, Self::Revoke { .. })
    }
}

fn question_markup(question: &Question, organisation: &str, busy: bool) -> Markup {
    html! {
        div class="alert question" role="alertdialog" aria-labelledby="question-text" data-testid="question" {
            p id="question-text" { (question.text(organisation)) }
            div class="actions" {
                button type="button" class="button button--danger" data-action=(Action::Confirm) data-testid="confirm" disabled[busy] {
                    (if busy { "Working…" } else { question.answer() })
                }
                button type="button" class="button" data-action=(Action::Cancel) data-testid="cancel" data-focus { "Cancel" }
            }
        }
    }
}

/// The first item of a loaded list that `matches`.
fn find_in<T: Clone + Send + Sync + 'static>(list: Loaded<T>, matches: impl Fn(&T) -> bool) -> Option<T> {
    list.with_untracked(|list| list.as_ref()?.as_ref().ok()?.iter().find(|item| matches(item)).cloned())
}

/// The organisation's name, as it is now.
fn follow_name(page: Page, title: Element) {
    follow(move |_: Option<()>| title.set_text_content(Some(&page.name.get())));
}

/// A list as it loads: a spinner, the api's refusal with a way to try again, or the list.
fn follow_list<T: Send + Sync + 'static>(list: Loaded<T>, place: Element, markup: impl Fn(&[T]) -> Markup + 'static) {
    follow(move |_: Option<()>| {
        let shown = list.with(|list| match list {
            None => loading("Loading…"),
            Some(Err(problem)) => html! {
                div class="alert alert--error" role="alert" {
                    p { (problem.detail) }
                    button type="button" class="button" data-action=(Action::Reload) { "Try again" }
                }
            },
            Some(Ok(items)) => markup(items),
        });
        fill(&place, shown);
    });
}

fn state_in_words(state: &str) -> &str {
    match state {
        "pending" => "Pending",
        "accepted" => "Accepted",
        "revoked" => "Revoked",
        "expired" => "Expired",
        other => other,
    }
}
