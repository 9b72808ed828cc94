//! The rules of organisations: who may do what by role, an owner always kept, invitations that are
//! mailed, expire and are used once. The database's policies hold the same rules (a handler that
//! forgot one would still be refused); these give the api's answers: 404 for an organisation the
//! caller is not in, 403 for a role too low, 409 and 410 for the state of things.

use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{
    Role,
    model::{
        AuditEntry, AuditParams, Invitation, InvitationState, Member, Naming, NewInvitation, Organisation,
        ReceivedInvitation, RoleChange, Transfer,
    },
    store,
    token::Token,
};
use crate::{
    Config,
    accounts::model::Page,
    auth::Caller,
    cognito::delivery,
    db,
    rest::problem::{FieldError, Problem, RestResult},
};

/// How long an invitation can be accepted.
pub const INVITATION_VALIDITY: Duration = Duration::days(7);

fn no_such_organisation() -> Problem {
    Problem::not_found("There is no such organisation.")
}

fn no_such_member() -> Problem {
    Problem::not_found("There is no such member in this organisation.")
}

fn last_owner() -> Problem {
    Problem::conflict(
        "last-owner",
        "An organisation keeps at least one owner: make someone else an owner (transfer ownership) first.",
    )
}

fn personal(what: &str) -> Problem {
    Problem::conflict("personal-organisation", format!("Your personal organisation cannot be {what}."))
}

/// The caller's role in `tenant`, `None` for a member of the `Admin` group reading one they are not
/// in; 404 for an organisation the caller cannot see.
async fn reader(db: &mut PgConnection, caller: &Caller, tenant: Uuid) -> RestResult<Option<Role>> {
    match caller.role_in(tenant) {
        Some(role) => Ok(Some(role)),
        None if caller.is_admin() && store::get(db, caller.user_id, tenant).await?.is_some() => Ok(None),
        None => Err(no_such_organisation()),
    }
}

/// The caller's role in `tenant` if it is at least `needed`: 404 when they cannot see the
/// organisation, 403 when they can but their role is too low (or they only read it, as the `Admin` group).
async fn at_least(db: &mut PgConnection, caller: &Caller, tenant: Uuid, needed: Role, doing: &str) -> RestResult<Role> {
    match reader(db, caller, tenant).await? {
        Some(role) if role >= needed => Ok(role),
        Some(role) => Err(Problem::forbidden(format!(
            "Only an organisation's {}s{} can {doing}; you are a {}.",
            needed.name(),
            if needed == Role::Owner { "" } else { " and those above" },
            role.name()
        ))),
        None => Err(Problem::forbidden(format!("You can read this organisation but not {doing}."))),
    }
}

/// Reads needing a role (invitations, the audit trail): the `Admin` group reads them too.
async fn reads(db: &mut PgConnection, caller: &Caller, tenant: Uuid, needed: Role, what: &str) -> RestResult<()> {
    match reader(db, caller, tenant).await? {
        Some(role) if role < needed => {
            Err(Problem::forbidden(format!("Only owners and admins see {what}; you are a {}.", role.name())))
        }
        _ => Ok(()),
    }
}

pub async fn list(db: &mut PgConnection, caller: &Caller) -> RestResult<Vec<Organisation>> {
    Ok(store::list(db, caller.user_id).await?)
}

pub async fn get(db: &mut PgConnection, caller: &Caller, tenant: Uuid) -> RestResult<Organisation> {
    reader(db, caller, tenant).await?;
    store::get(db, caller.user_id, tenant).await?.ok_or_else(no_such_organisation)
}

pub async fn create(db: &mut PgConnection, caller: &Caller, naming: Naming) -> RestResult<Organisation> {
    let name = naming.validated().map_err(Problem::validation)?;
    let tenant = Uuid::new_v4();
    store::create(db, tenant, &name).await?;
    store::get(db, caller.user_id, tenant).await?.ok_or_else(Problem::internal)
}

pub async fn rename(db: &mut PgConnection, caller: &Caller, tenant: Uuid, naming: Naming) -> RestResult<Organisation> {
    let name = naming.validated().map_err(Problem::validation)?;
    at_least(db, caller, tenant, Role::Owner, "rename it").await?;
    store::rename(db, tenant, &name).await?;
    store::get(db, caller.user_id, tenant).await?.ok_or_else(no_such_organisation)
}

pub async fn delete(db: &mut PgConnection, caller: &Caller, tenant: Uuid) -> RestResult<()> {
    at_least(db, caller, tenant, Role::Owner, "delete it").await?;
    let organisation = store::get(db, caller.user_id, tenant).await?.ok_or_else(no_such_organisation)?;
    if organisation.personal {
        return Err(personal("deleted"));
    }
    match store::delete(db, tenant).await? {
        true => Ok(()),
        false => Err(no_such_organisation()),
    }
}

pub async fn members(db: &mut PgConnection, caller: &Caller, tenant: Uuid) -> RestResult<Vec<Member>> {
    reader(db, caller, tenant).await?;
    Ok(store::members(db, tenant).await?)
}

/// Owners change any role; admins the roles below theirs, to roles below theirs; anyone may lower
/// their own. The last owner stays one.
pub async fn change_role(
    db: &mut PgConnection,
    caller: &Caller,
    tenant: Uuid,
    user: Uuid,
    change: RoleChange,
) -> RestResult<Member> {
    let mine = at_least(db, caller, tenant, Role::Viewer, "change roles").await?;
    store::lock_members(db, tenant).await?;
    let target = store::member(db, tenant, user).await?.ok_or_else(no_such_member)?;
    let allowed = match user == caller.user_id {
        true => change.role <= mine,
        false => mine.manages(target.role) && mine.manages(change.role),
    };
    if !allowed {
        return Err(Problem::forbidden(format!(
            "As a {} you cannot make this {} a{} {}.",
            mine.name(),
            target.role.name(),
            article(change.role),
            change.role.name()
        )));
    }
    if target.role == Role::Owner && change.role != Role::Owner && store::owners(db, tenant).await? == 1 {
        return Err(last_owner());
    }
    store::set_role(db, tenant, user, change.role).await.map_err(membership_error)?;
    store::member(db, tenant, user).await?.ok_or_else(no_such_member)
}

/// Leaving (the caller themselves) or removing someone whose role the caller manages.
pub async fn remove(db: &mut PgConnection, caller: &Caller, tenant: Uuid, user: Uuid) -> RestResult<()> {
    let mine = at_least(db, caller, tenant, Role::Viewer, "remove members").await?;
    store::lock_members(db, tenant).await?;
    let target = store::member(db, tenant, user).await?.ok_or_else(no_such_member)?;
    if user != caller.user_id && !mine.manages(target.role) {
        return Err(Problem::forbidden(format!(
            "As a {} you cannot remove a{} {}.",
            mine.name(),
            article(target.role),
            target.role.name()
        )));
    }
    if target.role == Role::Owner && store::owners(db, tenant).await? == 1 {
        return Err(last_owner());
    }
    match store::remove_member(db, tenant, user).await.map_err(membership_error)? {
        true => Ok(()),
        false => Err(no_such_member()),
    }
}

/// The member becomes an owner and the caller, an owner, an admin.
pub async fn transfer(db: &mut PgConnection, caller: &Caller, tenant: Uuid, transfer: Transfer) -> RestResult<()> {
    at_least(db, caller, tenant, Role::Owner, "transfer ownership").await?;
    if transfer.user_id == caller.user_id {
        return Err(Problem::validation(vec![FieldError::new("userId", "must be another member")]));
    }
    store::lock_members(db, tenant).await?;
    if store::member(db, tenant, transfer.user_id).await?.is_none() {
        return Err(Problem::conflict("not-a-member", "Ownership goes to a member of the organisation.")
            .with_extension("field", "userId"));
    }
    store::set_role(db, tenant, transfer.user_id, Role::Owner).await.map_err(membership_error)?;
    store::set_role(db, tenant, caller.user_id, Role::Admin).await.map_err(membership_error)?;
    Ok(())
}

pub async fn invitations(db: &mut PgConnection, caller: &Caller, tenant: Uuid) -> RestResult<Vec<Invitation>> {
    reads(db, caller, tenant, Role::Admin, "invitations").await?;
    Ok(store::invitations(db, tenant).await?)
}

/// Records the invitation and queues its mail, with the link, in the same transaction.
pub async fn invite(
    db: &mut PgConnection,
    config: &Config,
    caller: &Caller,
    tenant: Uuid,
    new: NewInvitation,
) -> RestResult<Invitation> {
    let (email, role) = new.validated().map_err(Problem::validation)?;
    let mine = at_least(db, caller, tenant, Role::Admin, "invite people").await?;
    if !mine.manages(role) {
        return Err(Problem::forbidden(format!(
            "As a {} you cannot invite a{} {}.",
            mine.name(),
            article(role),
            role.name()
        ))
        .with_extension("field", "role"));
    }
    let organisation = store::get(db, caller.user_id, tenant).await?.ok_or_else(no_such_organisation)?;
    if organisation.personal {
        return Err(personal("shared"));
    }
    store::lock_members(db, tenant).await?;
    if store::has_member_with_email(db, tenant, &email).await? {
        return Err(Problem::conflict(
            "already-member",
            format!("{email} already belongs to a member of {}.", organisation.name),
        )
        .with_extension("field", "email"));
    }
    if let Some(pending) = store::pending_invitation(db, tenant, &email).await? {
        return Err(Problem::conflict(
            "already-invited",
            format!("{email} has an invitation waiting: revoke it first."),
        )
        .with_extension("field", "email")
        .with_extension("invitation", pending.id.to_string()));
    }
    let token = Token::new(tenant).map_err(|_| Problem::internal())?;
    let new = store::NewInvitation {
        tenant,
        id: Uuid::new_v4(),
        email: &email,
        role,
        token_hash: &token.hash(),
        invited_by: caller.user_id,
        expires_at: OffsetDateTime::now_utc() + INVITATION_VALIDITY,
    };
    let invitation = store::insert_invitation(db, &new).await?;
    let inviter = store::email_of(db, caller.user_id).await?;
    let (subject, body) = invitation_mail(config, &organisation.name, inviter.as_deref(), role, &token);
    delivery::queue(db, None, &email, &subject, &body).await?;
    tracing::info!(%tenant, invitation = %invitation.id, %email, role = role.name(), "invitation queued");
    Ok(invitation)
}

/// "a" or "an" before the role's name.
fn article(role: Role) -> &'static str {
    if role == Role::Admin || role == Role::Owner { "n" } else { "" }
}

fn invitation_mail(
    config: &Config,
    organisation: &str,
    inviter: Option<&str>,
    role: Role,
    token: &Token,
) -> (String, String) {
    let link = config.site_link(&format!("/invitations/{}", token.text));
    let who = inviter.unwrap_or("Someone");
    let body = format!(
        "{who} invited you to join {organisation} on Ledgerline as a{} {}.\n\n\
         Accept the invitation within {} days: {link}\n\n\
         Sign in, or sign up, with this email address to accept it.",
        article(role),
        role.name(),
        INVITATION_VALIDITY.whole_days(),
    );
    (format!("You are invited to join {organisation}"), body)
}

pub async fn revoke(db: &mut PgConnection, caller: &Caller, tenant: Uuid, invitation: Uuid) -> RestResult<()> {
    let mine = at_least(db, caller, tenant, Role::Admin, "revoke invitations").await?;
    let found = store::invitation(db, tenant, invitation).await?.ok_or_else(no_such_invitation)?;
    if !mine.manages(found.role) {
        return Err(Problem::forbidden(format!(
            "As a {} you cannot revoke an invitation as {}.",
            mine.name(),
            found.role.name()
        )));
    }
    if matches!(found.state, InvitationState::Accepted | InvitationState::Revoked) {
        return Err(settled(found.state));
    }
    match store::revoke_invitation(db, tenant, invitation, caller.user_id).await? {
        true => Ok(()),
        false => Err(no_such_invitation()),
    }
}

fn settled(state: InvitationState) -> Problem {
    match state {
        InvitationState::Accepted => Problem::gone("invitation-used", "This invitation has been accepted already."),
        InvitationState::Revoked => Problem::gone("invitation-revoked", "This invitation was revoked."),
        InvitationState::Expired => {
            Problem::gone("invitation-expired", "This invitation has expired: ask for a new one.")
        }
        InvitationState::Pending => Problem::internal(),
    }
}

fn no_such_invitation() -> Problem {
    Problem::not_found("There is no such invitation.")
}

/// The invitation whose link the caller followed, whatever its state.
async fn presented(db: &mut PgConnection, token: &Token) -> RestResult<store::Presented> {
    let hash = token.hash();
    store::present_token(db, &hash).await?;
    store::presented(db, token.tenant, &hash).await?.ok_or_else(no_such_invitation)
}

pub async fn received(db: &mut PgConnection, token: &Token) -> RestResult<ReceivedInvitation> {
    Ok(presented(db, token).await?.received)
}

/// Makes the caller a member with the invitation's role, if it is open and was sent to their
/// verified email address.
pub async fn accept(db: &mut PgConnection, caller: &Caller, token: &Token) -> RestResult<Organisation> {
    let store::Presented { id, received: invitation } = presented(db, token).await?;
    if invitation.state != InvitationState::Pending {
        return Err(settled(invitation.state));
    }
    if store::verified_email(db, caller.user_id).await?.as_deref() != Some(invitation.email.as_str()) {
        return Err(Problem::new(
            axum::http::StatusCode::FORBIDDEN,
            "email-mismatch",
            "Forbidden",
            "This invitation was sent to another email address: sign in with that address (verified) to accept it.",
        ));
    }
    let tenant = invitation.tenant_id;
    if caller.is_member_of(tenant) {
        return Err(Problem::conflict("already-member", "You are a member of this organisation already."));
    }
    store::lock_members(db, tenant).await?;
    store::add_member(db, tenant, caller.user_id, invitation.role).await.map_err(membership_error)?;
    store::mark_accepted(db, tenant, id, caller.user_id).await.map_err(|error| {
        match db::sqlstate(&error).as_deref() {
            Some(db::sqlstate::GONE) => Problem::gone("invitation-used", "This invitation has been accepted already."),
            _ => error.into(),
        }
    })?;
    store::get(db, caller.user_id, tenant).await?.ok_or_else(Problem::internal)
}

pub async fn audit(
    db: &mut PgConnection,
    caller: &Caller,
    tenant: Uuid,
    params: AuditParams,
) -> RestResult<Page<AuditEntry>> {
    let (limit, before) = params.validated().map_err(Problem::validation)?;
    reads(db, caller, tenant, Role::Admin, "the audit trail").await?;
    let mut entries = store::audit(db, tenant, before, limit + 1).await?;
    let more = entries.len() > limit as usize;
    entries.truncate(limit as usize);
    let next_cursor = more.then(|| entries.last().map(|last| last.seq.to_string())).flatten();
    Ok(Page { items: entries, next_cursor })
}

/// The database's refusals of a membership change, should a check above have missed one.
fn membership_error(error: sqlx::Error) -> Problem {
    match db::sqlstate(&error).as_deref() {
        Some(db::sqlstate::CONFLICT) => last_owner(),
        Some("23505") => Problem::conflict("already-member", "This person is a member already."),
        _ => error.into(),
    }
}
