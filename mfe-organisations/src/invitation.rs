//! `<mfe-invitations>`: the page an invitation's mailed link opens, `/invitations/<token>`. The shell
//! brings a signed-out visitor here after signing in or signing up (the link rides along as
//! `?next=`). The invitation says which organisation, for which address and with which role; the
//! person it was sent to joins with one button, then works in the organisation with another. A
//! link that is not valid, used, revoked or expired, or another person signed in, is said plainly.

use any_spawner::Executor;
use maud::{Markup, html};
use mfe_guest::{
    Props,
    rest::{Answer, Problem},
};
use reactive_graph::{prelude::*, signal::RwSignal};
use ui_kit::{
    dom::{fill, find, follow, listen, target},
    focus,
    form::{Submission, show_button_busy},
};

use crate::{
    api::{Api, Received},
    as_a, loading,
};

const ACCEPT: (&str, &str) = ("Accept the invitation", "Joining…");

ui_kit::actions! {
    /// What a button of the invitation page does, named in its `data-action`.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Action {
        Accept = "accept",
        Reload = "reload",
        Switch = "switch",
    }
}

#[derive(Clone, Copy)]
struct Page {
    api: Api,
    received: RwSignal<Option<Answer<Received>>>,
    /// The person joined with this page.
    joined: RwSignal<bool>,
    accepting: Submission,
}

pub fn app(props: Props) {
    let host = props.host();
    let page = Page {
        api: Api(props),
        received: RwSignal::new(None),
        joined: RwSignal::new(false),
        accepting: Submission::new(),
    };
    fill(
        &host,
        html! {
            section class="mfe invitation" aria-labelledby="invitation-title" data-testid="mfe-invitation" {
                h1 id="invitation-title" { "Invitation" }
                div {}
            }
        },
    );
    let (title, body) =
        (find(&host, "h1").expect("the page has its title"), find(&host, "h1 + div").expect("and its body"));
    let shown = body.clone();
    follow(move |was_joined: Option<bool>| {
        let (heading, markup) = page.received.with(|received| page.markup(received.as_ref()));
        title.set_text_content(Some(&heading));
        fill(&shown, markup);
        if let Some(button) = find(&shown, &["[data-action=", Action::Accept.name(), "]"].concat()) {
            show_button_busy(&button, page.accepting, ACCEPT);
        }
        // The button that was pressed is gone: the focus goes to what it did.
        let joined = page.joined.get();
        if joined && was_joined == Some(false) {
            focus::enter(&shown);
        }
        joined
    });
    let token = props.path.get_untracked().trim_matches('/').to_owned();
    let clicked = token.clone();
    listen(&body, "click", move |event| {
        let button = target(&event).and_then(|target| target.closest("[data-action]").ok().flatten());
        match button.and_then(|button| Action::of(&button)) {
            Some(Action::Accept) => page.accept(clicked.clone()),
            Some(Action::Reload) => page.load(clicked.clone()),
            Some(Action::Switch) => {
                if let Some(Ok(received)) = page.received.get_untracked() {
                    page.api.0.organisations_changed(Some(&received.tenant_id));
                }
            }
            None => {}
        }
    });
    if token.is_empty() {
        page.received.set(Some(Err(Problem { status: 404, ..Problem::default() })));
    } else {
        page.load(token);
    }
}

impl Page {
    fn load(self, token: String) {
        self.received.set(None);
        Executor::spawn_local(async move { self.received.set(Some(self.api.received(&token).await)) });
    }

    fn accept(self, token: String) {
        self.accepting.run(async move {
            self.api.accept(&token).await?;
            self.joined.set(true);
            // The switcher lists it from now on.
            self.api.0.organisations_changed(None);
            Ok(())
        });
    }

    /// The page's heading and body for the invitation as read.
    fn markup(self, received: Option<&Answer<Received>>) -> (String, Markup) {
        let Some(received) = received else { return ("Invitation".into(), loading("Reading the invitation…")) };
        let received = match received {
            Ok(received) => received,
            Err(problem) if problem.status == 404 => {
                return (
                    "Invitation not found".into(),
                    html! { p { "This invitation link is not valid. Check that you opened the whole link from the email." } },
                );
            }
            Err(problem) => {
                return (
                    "Invitation".into(),
                    html! {
                        div class="alert alert--error" role="alert" {
                            p { (problem.detail) }
                            button type="button" class="button" data-action=(Action::Reload) { "Try again" }
                        }
                    },
                );
            }
        };
        let session = self.api.0.session.get_untracked();
        let me = session.as_ref().and_then(|session| session.email.clone()).unwrap_or_default();
        let for_me = received.email.eq_ignore_ascii_case(&me);
        let working_there =
            session.and_then(|session| session.tenant).is_some_and(|tenant| tenant.id == received.tenant_id);
        let organisation = &received.organisation;
        let member = self.joined.get() || (received.state == "accepted" && for_me);
        let heading = if member { organisation.clone() } else { ["Join ", organisation].concat() };
        let body = html! {
            @if member {
                p class="success" role="status" data-testid="joined" tabindex="-1" data-focus {
                    "You are " (as_a(received.role)) " of " (organisation) "."
                }
                @if working_there {
                    p { "You work in " (organisation) " now. " a href="/accounts" { "Open its accounts" } }
                } @else {
                    button type="button" class="button button--primary" data-action=(Action::Switch) data-testid="switch" {
                        "Work in " (organisation)
                    }
                }
            } @else if received.state == "pending" && for_me {
                p { (organisation) " invites you to join as " (as_a(received.role)) "." }
                p class="muted" { "The invitation was sent to " (received.email) "." }
                button type="button" class="button button--primary" data-action=(Action::Accept) data-testid="accept" { (ACCEPT.0) }
            } @else if received.state == "pending" {
                div class="alert" role="alert" data-testid="not-for-you" {
                    p { "This invitation was sent to " strong { (received.email) } ", and you are signed in as " strong { (me) } "." }
                    p { "Sign out, then sign in or create an account with " (received.email) " to accept it." }
                }
            } @else {
                p data-testid="unusable" {
                    (match received.state.as_str() {
                        "accepted" => "This invitation has been accepted.",
                        "revoked" => "This invitation was revoked.",
                        _ => "This invitation has expired.",
                    })
                    " Ask whoever invited you to " (organisation) " for a new one, if you need it."
                }
            }
        };
        (heading, body)
    }
}
