//! The rules of the account tree, over the store: who may change what, tree shape (no cycles, no
//! cross-tenant parents), optimistic concurrency, and pages.

use sqlx::PgConnection;
use uuid::Uuid;

use super::{
    cursor::Cursor,
    model::{self, Account, AccountChanges, NewAccount, Node, Page, Subtree},
    store::{self, SubtreeRow},
};
use crate::{
    auth::{AuthError, Caller},
    db::{self, Identity, sqlstate},
    rest::{
        etag::{self, IfMatch},
        problem::{Problem, RestResult},
    },
};

/// How many accounts one subtree read returns at most.
pub const SUBTREE_NODE_LIMIT: u32 = 1_000;

fn not_found() -> Problem {
    Problem::not_found("There is no such account.")
}

/// A parent that does not exist, or that the caller cannot see: the request is well-formed, the data
/// it refers to is not there (now), like the conflicts below.
fn no_such_parent() -> Problem {
    Problem::conflict("no-such-parent", "There is no such account to be the parent.")
        .with_extension("field", "parentId")
}

/// A tenant the caller is not a member of, or one that does not exist: the same answer for both.
fn not_your_tenant(field: &str) -> Problem {
    Problem::forbidden("This is not one of your tenants.").with_extension("field", field)
}

pub async fn get(db: &mut PgConnection, id: Uuid) -> RestResult<Account> {
    store::get(db, id).await?.ok_or_else(not_found)
}

pub async fn roots(db: &mut PgConnection, caller: &Caller, params: model::RootParams) -> RestResult<Page<Account>> {
    let limit = model::page_size(params.limit).map_err(|e| Problem::validation(vec![e]))?;
    let after = Cursor::parse(params.cursor.as_deref()).map_err(|e| Problem::validation(vec![e]))?;
    let tenant = match params.tenant {
        Some(tenant) if caller.is_member_of(tenant) || caller.is_admin() => tenant,
        Some(_) => return Err(not_your_tenant("tenant")),
        None => caller.home_tenant().ok_or_else(no_tenant)?,
    };
    let search = model::search(params.q.as_deref()).map_err(|e| Problem::validation(vec![e]))?;
    let rows = store::roots(db, tenant, search, after.as_ref(), limit + 1).await?;
    Ok(page(rows, limit))
}

pub async fn children(
    requests: &db::RequestPool,
    identity: Identity,
    parent: Uuid,
    params: model::ListParams,
) -> RestResult<Page<Account>> {
    let limit = model::page_size(params.limit).map_err(|e| Problem::validation(vec![e]))?;
    let after = Cursor::parse(params.cursor.as_deref()).map_err(|e| Problem::validation(vec![e]))?;
    let children = async |db: &mut PgConnection| store::children(db, identity, parent, after.as_ref(), limit + 1).await;
    let rows = requests.one_statement(children).await.map_err(|error| {
        match db::sqlstate(&error).as_deref() {
            Some(sqlstate::SIGN_IN_ENDED) => AuthError::Revoked.into(),
            // An empty page of an account the caller cannot see.
            Some(sqlstate::NOT_FOUND) => not_found(),
            _ => Problem::from(error),
        }
    })?;
    Ok(page(rows, limit))
}

/// `rows` holds up to `limit + 1` rows: the extra one only says that there is a next page.
fn page(mut rows: Vec<Account>, limit: u32) -> Page<Account> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = match more {
        true => rows.last().map(|last| Cursor { name: last.name.clone(), id: last.id }.encode()),
        false => None,
    };
    Page { items: rows, next_cursor }
}

pub async fn subtree(db: &mut PgConnection, root: Uuid, params: model::SubtreeParams) -> RestResult<Subtree> {
    let depth = model::depth(params.depth).map_err(|e| Problem::validation(vec![e]))?;
    let mut rows = store::subtree(db, root, depth, SUBTREE_NODE_LIMIT + 1).await?;
    let truncated = rows.len() > SUBTREE_NODE_LIMIT as usize;
    rows.truncate(SUBTREE_NODE_LIMIT as usize);
    let root = assemble(rows, depth).ok_or_else(not_found)?;
    Ok(Subtree { root, truncated })
}

/// Nests level-ordered rows under their parents. A node gets `children` when its level was read
/// in full (above the requested depth), even if it has none.
fn assemble(rows: Vec<SubtreeRow>, depth: u32) -> Option<Node> {
    let mut levels: Vec<Vec<Node>> = Vec::new();
    for row in rows {
        let level = row.depth as usize;
        levels.resize_with(levels.len().max(level + 1), Vec::new);
        let children = ((row.depth as u32) < depth).then(Vec::new);
        levels[level].push(Node { account: row.account, children });
    }
    while levels.len() > 1 {
        let lower = levels.pop().unwrap_or_default();
        let upper = levels.last_mut()?;
        for node in lower {
            let parent = node.account.parent_id;
            if let Some(slot) = upper.iter_mut().find(|candidate| Some(candidate.account.id) == parent) {
                slot.children.get_or_insert_with(Vec::new).push(node);
            }
        }
    }
    levels.pop()?.into_iter().next()
}

pub async fn create(db: &mut PgConnection, caller: &Caller, new: NewAccount) -> RestResult<Account> {
    let new = new.validated().map_err(Problem::validation)?;
    let tenant = match new.parent_id {
        Some(parent) => {
            let parent = store::get(db, parent).await?.ok_or_else(no_such_parent)?;
            if new.tenant_id.is_some_and(|tenant| tenant != parent.tenant_id) {
                return Err(cross_tenant());
            }
            writable(caller, parent.tenant_id)?;
            parent.tenant_id
        }
        None => {
            let tenant = new.tenant_id.or(caller.home_tenant()).ok_or_else(no_tenant)?;
            if !caller.is_member_of(tenant) {
                return Err(not_your_tenant("tenantId"));
            }
            writable(caller, tenant)?;
            tenant
        }
    };
    store::lock_tree(db, tenant).await?;
    store::insert(db, Uuid::new_v4(), tenant, &new).await.map_err(|error| write_error(error, "create"))
}

pub async fn update(
    db: &mut PgConnection,
    caller: &Caller,
    id: Uuid,
    changes: AccountChanges,
    if_match: IfMatch,
) -> RestResult<Account> {
    let changes = changes.validated().map_err(Problem::validation)?;
    let versions = if_match.required()?;
    writable(caller, get(db, id).await?.tenant_id)?;
    match store::update(db, id, &changes, versions.as_deref()).await.map_err(|e| write_error(e, "update"))? {
        Some(account) => Ok(account),
        None => Err(missing_or_stale(db, id).await),
    }
}

pub async fn move_to(
    db: &mut PgConnection,
    caller: &Caller,
    id: Uuid,
    parent: Option<Uuid>,
    if_match: IfMatch,
) -> RestResult<Account> {
    let account = get(db, id).await?;
    writable(caller, account.tenant_id)?;
    store::lock_tree(db, account.tenant_id).await?;
    if let Some(parent) = parent {
        let parent = store::get(db, parent).await?.ok_or_else(no_such_parent)?;
        if parent.tenant_id != account.tenant_id {
            return Err(cross_tenant());
        }
        if store::is_within(db, id, parent.id).await? {
            return Err(Problem::conflict("cycle", "An account cannot move into itself or below itself."));
        }
    }
    match store::set_parent(db, id, parent, if_match.optional().as_deref()).await? {
        Some(account) => Ok(account),
        None => Err(missing_or_stale(db, id).await),
    }
}

/// Deletes the account, and with `subtree` everything below it; answers how many accounts went.
pub async fn delete(
    db: &mut PgConnection,
    caller: &Caller,
    id: Uuid,
    subtree: bool,
    if_match: IfMatch,
) -> RestResult<u64> {
    let account = get(db, id).await?;
    writable(caller, account.tenant_id)?;
    store::lock_tree(db, account.tenant_id).await?;
    if account.has_children && !subtree {
        let below = store::descendants(db, id).await?;
        return Err(Problem::conflict(
            "has-children",
            format!("{below} accounts are below this one: delete them with it (subtree=true) or move them first."),
        )
        .with_extension("descendants", below));
    }
    match store::delete_subtree(db, id, if_match.optional().as_deref()).await.map_err(|e| write_error(e, "delete"))? {
        0 => Err(missing_or_stale(db, id).await),
        deleted => Ok(deleted),
    }
}

/// Members (and admins and owners) change their tenants' accounts; viewers only read them, and the
/// Admin group reads every tenant but changes only those it belongs to. The policies say the same.
fn writable(caller: &Caller, tenant: Uuid) -> RestResult<()> {
    match caller.role_in(tenant) {
        Some(role) if role.writes_data() => Ok(()),
        Some(_) => Err(Problem::forbidden("Viewers read this organisation's accounts but cannot change them.")),
        None => Err(Problem::forbidden("You can read this account but not change it: it is not in your tenants.")),
    }
}

/// A conditional write changed nothing: the account is gone, or at another version.
async fn missing_or_stale(db: &mut PgConnection, id: Uuid) -> Problem {
    match store::get(db, id).await {
        Ok(Some(current)) => etag::stale(current.version),
        Ok(None) => not_found(),
        Err(error) => error.into(),
    }
}

fn cross_tenant() -> Problem {
    Problem::conflict("cross-tenant", "An account's parent must be in the same tenant.")
}

fn no_tenant() -> Problem {
    Problem::forbidden("You belong to no tenant yet.")
}

/// Constraint violations are the client's doing; the policies' refusals and the database's faults
/// are answered as every handler answers them.
fn write_error(error: sqlx::Error, action: &str) -> Problem {
    let Some(constraint) = error.as_database_error().and_then(|violation| violation.constraint()) else {
        return error.into();
    };
    match constraint {
        "accounts_tenant_id_number_key" => {
            Problem::conflict("number-taken", "Another account has this number.").with_extension("field", "number")
        }
        "accounts_tenant_id_parent_id_fkey" => no_such_parent(),
        "payments_tenant_id_from_account_id_fkey"
        | "payments_tenant_id_to_account_id_fkey"
        | "ledger_entries_tenant_id_account_id_fkey" => Problem::conflict(
            "has-payments",
            "Payments or ledger entries refer to this account (or one below it): it stays, for the books.",
        ),
        _ => {
            tracing::error!(%error, action, "accounts write");
            Problem::internal()
        }
    }
}
