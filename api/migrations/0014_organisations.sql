-- Organisations: tenants that people share, with roles that the row-level security policies check,
-- invitations by email, and an append-only audit trail of every membership change and invitation.
--
-- Roles, from most to least: owner (everything, deleting the organisation and granting ownership
-- included), admin (members and invitations, for the roles below their own), member (reads and
-- writes the tenant's data), viewer (reads only).

ALTER TABLE tenant_members DROP CONSTRAINT tenant_members_role_check;
ALTER TABLE tenant_members ADD CONSTRAINT tenant_members_role_check
    CHECK (role IN ('owner', 'admin', 'member', 'viewer'));

CREATE FUNCTION role_rank(role text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE role WHEN 'owner' THEN 4 WHEN 'admin' THEN 3 WHEN 'member' THEN 2 WHEN 'viewer' THEN 1 ELSE 0 END
$$;

-- The caller's role in each of their tenants, set transaction-locally by begin_request as
-- {"<tenant>": "<role>", ...}: the one source of the policies' tenancy (empty when nothing is set).
CREATE FUNCTION app_tenant_roles() RETURNS jsonb
LANGUAGE sql STABLE AS $$ SELECT coalesce(nullif(current_setting('app.tenant_roles', true), '')::jsonb, '{}') $$;

CREATE FUNCTION app_role(tenant uuid) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT app_tenant_roles() ->> tenant::text $$;

-- The caller's tenants in which their role is at least `at_least`.
CREATE FUNCTION app_tenants_with(at_least text) RETURNS uuid[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(key::uuid), '{}') FROM jsonb_each_text(app_tenant_roles())
    WHERE role_rank(value) >= role_rank(at_least)
$$;

-- Every tenant the caller belongs to, whatever their role (0004's policies read this).
CREATE OR REPLACE FUNCTION app_tenant_ids() RETURNS uuid[]
LANGUAGE sql STABLE AS $$ SELECT app_tenants_with('viewer') $$;

-- Whether the caller may grant, change or take away `role` in `tenant`: owners any role, admins
-- the roles below their own, nobody else.
CREATE FUNCTION app_manages(tenant uuid, role text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE app_role(tenant) WHEN 'owner' THEN true WHEN 'admin' THEN role_rank(role) < role_rank('admin')
           ELSE false END
$$;

-- The hash of the invitation token the caller presented, set by the api while it accepts one.
CREATE FUNCTION app_invitation() RETURNS bytea
LANGUAGE sql STABLE AS $$ SELECT decode(nullif(current_setting('app.invitation', true), ''), 'hex') $$;

-- Opens a request (as 0005's did) and also sets the caller's roles, and the request's id for the
-- audit trail. Answers the caller's tenants and roles, oldest membership first, or NULLs when the
-- sign-in behind the token has ended.
DROP FUNCTION begin_request(uuid, boolean, uuid);
CREATE FUNCTION begin_request(
    caller uuid, read_all boolean, sign_in uuid, request_id text DEFAULT NULL, OUT tenants uuid[], OUT roles text[]
)
LANGUAGE plpgsql AS $$
DECLARE
    live boolean;
    previous text;
BEGIN
    previous := set_config('app.user_id', caller::text, true);
    previous := set_config('app.read_all', read_all::text, true);
    SELECT sign_in IS NULL OR EXISTS (
               SELECT 1 FROM refresh_tokens t JOIN users u USING (pool_id, username)
               WHERE t.origin_jti = sign_in AND t.revoked_at IS NULL AND u.enabled AND u.sub = caller
           ),
           coalesce(m.tenants, '{}'), coalesce(m.roles, '{}')
    INTO live, tenants, roles
    FROM (SELECT array_agg(tenant_id ORDER BY created_at, tenant_id) AS tenants,
                 array_agg(role ORDER BY created_at, tenant_id) AS roles
          FROM tenant_members WHERE user_id = caller) m;
    IF NOT live THEN
        previous := set_config('app.user_id', '', true);
        previous := set_config('app.read_all', '', true);
        tenants := NULL;
        roles := NULL;
        RETURN;
    END IF;
    previous := set_config('app.tenant_roles', json_object(tenants::text[], roles)::text, true);
    previous := set_config('app.request_id', coalesce(request_id, ''), true);
END
$$;

CREATE OR REPLACE FUNCTION request_children(
    caller uuid, read_all boolean, sign_in uuid, parent uuid, after_name text, after_id uuid, page_size bigint
) RETURNS SETOF accounts
LANGUAGE plpgsql AS $$
BEGIN
    IF (begin_request(caller, read_all, sign_in)).tenants IS NULL THEN
        RAISE EXCEPTION 'the sign-in has ended' USING ERRCODE = 'LL401';
    END IF;
    RETURN QUERY SELECT * FROM accounts
        WHERE parent_id = parent AND (after_name IS NULL OR (name, id) > (after_name, after_id))
        ORDER BY name, id LIMIT page_size;
    IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM accounts WHERE id = parent) THEN
        RAISE EXCEPTION 'no such account' USING ERRCODE = 'LL404';
    END IF;
END
$$;

-- A newly confirmed user's own tenant, made in the confirming transaction.
CREATE OR REPLACE FUNCTION create_personal_tenant(owner uuid, tenant uuid, tenant_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('app.user_id', owner::text, true),
            set_config('app.tenant_roles', jsonb_build_object(tenant, 'owner')::text, true);
    INSERT INTO tenants (id, name, personal_of) VALUES (tenant, tenant_name, owner)
    ON CONFLICT (personal_of) DO NOTHING;
    IF FOUND THEN
        INSERT INTO tenant_members (tenant_id, user_id, role) VALUES (tenant, owner, 'owner');
    END IF;
END
$$;

-- A new organisation, its creator (the request's caller) its owner. The caller's roles gain it
-- first, as the policies below let only owners make a tenant; an id that exists fails the insert
-- and so the transaction, settings included.
CREATE FUNCTION create_organisation(tenant uuid, tenant_name text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    previous text;
BEGIN
    IF app_user_id() IS NULL THEN
        RAISE EXCEPTION 'no caller' USING ERRCODE = 'insufficient_privilege';
    END IF;
    previous := set_config('app.tenant_roles', (app_tenant_roles() || jsonb_build_object(tenant, 'owner'))::text, true);
    INSERT INTO tenants (id, name) VALUES (tenant, tenant_name);
    INSERT INTO tenant_members (tenant_id, user_id, role) VALUES (tenant, app_user_id(), 'owner');
END
$$;

-- Invitations: to an email address (stored lower-case), with a role; the token is mailed and only
-- its SHA-256 is kept. Single use (accepted or revoked once, then frozen), expiring.
CREATE TABLE invitations (
    tenant_id   uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    id          uuid NOT NULL,
    email       text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    role        text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    token_hash  bytea NOT NULL,
    invited_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid,
    revoked_at  timestamptz,
    revoked_by  uuid,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);
CREATE INDEX invitations_by_email ON invitations (tenant_id, email);

-- An invitation changes once (accepted or revoked), and only in that: a used or revoked token stays so.
CREATE FUNCTION settle_invitation_once() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.accepted_at IS NOT NULL OR OLD.revoked_at IS NOT NULL THEN
        RAISE EXCEPTION 'the invitation was already accepted or revoked' USING ERRCODE = 'LL410';
    END IF;
    IF (NEW.tenant_id, NEW.id, NEW.email, NEW.role, NEW.token_hash, NEW.invited_by, NEW.created_at, NEW.expires_at)
       IS DISTINCT FROM
       (OLD.tenant_id, OLD.id, OLD.email, OLD.role, OLD.token_hash, OLD.invited_by, OLD.created_at, OLD.expires_at)
       OR (NEW.accepted_at IS NOT NULL AND NEW.accepted_by IS DISTINCT FROM app_user_id())
       OR (NEW.revoked_at IS NOT NULL AND NEW.revoked_by IS DISTINCT FROM app_user_id()) THEN
        RAISE EXCEPTION 'an invitation is only accepted or revoked, by the caller' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER settle_once BEFORE UPDATE ON invitations FOR EACH ROW EXECUTE FUNCTION settle_invitation_once();

-- Whether the caller holds (app.invitation) an open invitation to `tenant` with `invited_role`, sent
-- to their verified email address.
CREATE FUNCTION app_invited(tenant uuid, invited_role text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM invitations i JOIN users u ON lower(u.attributes ->> 'email') = i.email
        WHERE i.tenant_id = tenant AND i.token_hash = app_invitation() AND i.role = invited_role
          AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
          AND u.sub = app_user_id() AND u.attributes ->> 'email_verified' = 'true'
    )
$$;

-- Every organisation keeps an owner. The lock serialises the tenant's membership changes (the api
-- takes it first too), so two owners stepping down at once cannot both pass.
CREATE FUNCTION keep_an_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.role = 'owner' THEN
        PERFORM pg_advisory_xact_lock(hashtextextended(OLD.tenant_id::text, 1));
        IF EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id)
           AND NOT EXISTS (SELECT 1 FROM tenant_members WHERE tenant_id = OLD.tenant_id AND role = 'owner') THEN
            RAISE EXCEPTION 'an organisation keeps at least one owner' USING ERRCODE = 'LL409';
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER keep_an_owner AFTER UPDATE OF role OR DELETE ON tenant_members
FOR EACH ROW EXECUTE FUNCTION keep_an_owner();

-- The audit trail: appended to by the triggers below, in the transaction that made the change;
-- never changed. No foreign key: an organisation's
-- trail outlives it.
CREATE TABLE tenant_audit (
    tenant_id  uuid NOT NULL,
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    at         timestamptz NOT NULL DEFAULT now(),
    -- Who made the change (NULL: not a request of the api, e.g. an operator's SQL).
    actor      uuid,
    action     text NOT NULL,
    -- The person concerned (the member added, changed or removed; who accepted).
    subject    uuid,
    details    jsonb NOT NULL DEFAULT '{}',
    request_id text,
    PRIMARY KEY (tenant_id, seq)
);
-- The api reads it; only the triggers below write it (as the schema's owner, SECURITY DEFINER), so
-- no statement of the api's can forge, change or remove an entry.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON tenant_audit FROM ledgerline_api;

CREATE FUNCTION audit(tenant uuid, action text, subject uuid, details jsonb) RETURNS void
LANGUAGE sql SET search_path = public, pg_temp AS $$
    INSERT INTO tenant_audit (tenant_id, actor, action, subject, details, request_id)
    VALUES (tenant, app_user_id(), action, subject, details, nullif(current_setting('app.request_id', true), ''))
$$;
REVOKE EXECUTE ON FUNCTION audit(uuid, text, uuid, jsonb) FROM PUBLIC;

CREATE FUNCTION audit_tenants() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM audit(NEW.id, 'organisation.created', NULL, jsonb_build_object('name', NEW.name));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM audit(OLD.id, 'organisation.deleted', NULL, jsonb_build_object('name', OLD.name));
    ELSIF NEW.name IS DISTINCT FROM OLD.name THEN
        PERFORM audit(NEW.id, 'organisation.renamed', NULL, jsonb_build_object('from', OLD.name, 'to', NEW.name));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON tenants FOR EACH ROW EXECUTE FUNCTION audit_tenants();

CREATE FUNCTION audit_members() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM audit(NEW.tenant_id, 'member.added', NEW.user_id, jsonb_build_object('role', NEW.role));
    ELSIF TG_OP = 'DELETE' THEN
        -- The organisation's deletion takes its members with it: that one entry says so.
        IF NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
            RETURN NULL;
        END IF;
        PERFORM audit(OLD.tenant_id, CASE WHEN OLD.user_id = app_user_id() THEN 'member.left' ELSE 'member.removed' END,
                      OLD.user_id, jsonb_build_object('role', OLD.role));
    ELSIF NEW.role IS DISTINCT FROM OLD.role THEN
        PERFORM audit(NEW.tenant_id, 'member.role_changed', NEW.user_id,
                      jsonb_build_object('from', OLD.role, 'to', NEW.role));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON tenant_members
FOR EACH ROW EXECUTE FUNCTION audit_members();

CREATE FUNCTION audit_invitations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM audit(NEW.tenant_id, 'invitation.sent', NULL, jsonb_build_object(
            'invitation', NEW.id, 'email', NEW.email, 'role', NEW.role, 'expiresAt', NEW.expires_at));
    ELSIF NEW.accepted_at IS NOT NULL THEN
        PERFORM audit(NEW.tenant_id, 'invitation.accepted', NEW.accepted_by, jsonb_build_object(
            'invitation', NEW.id, 'email', NEW.email, 'role', NEW.role));
    ELSIF NEW.revoked_at IS NOT NULL THEN
        PERFORM audit(NEW.tenant_id, 'invitation.revoked', NULL, jsonb_build_object(
            'invitation', NEW.id, 'email', NEW.email, 'role', NEW.role));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit AFTER INSERT OR UPDATE ON invitations FOR EACH ROW EXECUTE FUNCTION audit_invitations();

-- The policies, by role. Reading stays as 0004 has it (any member, and the Admin group everywhere).
DROP POLICY tenants_write ON tenants;
-- Who holds an invitation's token sees the organisation's name.
CREATE POLICY tenants_invited ON tenants FOR SELECT
    USING (EXISTS (SELECT 1 FROM invitations i WHERE i.tenant_id = tenants.id AND i.token_hash = (SELECT app_invitation())));
CREATE POLICY tenants_create ON tenants FOR INSERT
    WITH CHECK (id = ANY ((SELECT app_tenants_with('owner'))::uuid[]));
CREATE POLICY tenants_change ON tenants FOR UPDATE
    USING (id = ANY ((SELECT app_tenants_with('owner'))::uuid[]))
    WITH CHECK (id = ANY ((SELECT app_tenants_with('owner'))::uuid[]));
CREATE POLICY tenants_delete ON tenants FOR DELETE
    USING (id = ANY ((SELECT app_tenants_with('owner'))::uuid[]) AND personal_of IS NULL);

-- Joining: granted by someone who manages the role, or by accepting an invitation. Changing a role
-- or removing: someone who manages the old and the new role; anyone may leave, or lower their own role.
DROP POLICY tenant_members_write ON tenant_members;
CREATE POLICY tenant_members_join ON tenant_members FOR INSERT
    WITH CHECK (app_manages(tenant_id, role) OR (user_id = (SELECT app_user_id()) AND app_invited(tenant_id, role)));
CREATE POLICY tenant_members_change ON tenant_members FOR UPDATE
    USING (user_id = (SELECT app_user_id()) OR app_manages(tenant_id, role))
    WITH CHECK (app_manages(tenant_id, role)
                OR (user_id = (SELECT app_user_id()) AND role_rank(role) <= role_rank(app_role(tenant_id))));
CREATE POLICY tenant_members_remove ON tenant_members FOR DELETE
    USING (user_id = (SELECT app_user_id()) OR app_manages(tenant_id, role));

DROP POLICY accounts_write ON accounts;
CREATE POLICY accounts_write ON accounts FOR ALL
    USING (tenant_id = ANY ((SELECT app_tenants_with('member'))::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_tenants_with('member'))::uuid[]));

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
-- Seen by the tenant's owners and admins, by whoever presents the token, and by the Admin group.
CREATE POLICY invitations_read ON invitations FOR SELECT
    USING (tenant_id = ANY ((SELECT app_tenants_with('admin'))::uuid[]) OR token_hash = (SELECT app_invitation())
           OR (SELECT app_reads_all_tenants()));
CREATE POLICY invitations_send ON invitations FOR INSERT
    WITH CHECK (app_manages(tenant_id, role) AND invited_by = (SELECT app_user_id()));
-- Revoked by who could have sent it; accepted (or declined) by who holds the token.
CREATE POLICY invitations_settle ON invitations FOR UPDATE
    USING (app_manages(tenant_id, role) OR token_hash = (SELECT app_invitation()))
    WITH CHECK (app_manages(tenant_id, role) OR token_hash = (SELECT app_invitation()));

ALTER TABLE tenant_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_audit FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_audit_read ON tenant_audit FOR SELECT
    USING (tenant_id = ANY ((SELECT app_tenants_with('admin'))::uuid[]) OR (SELECT app_reads_all_tenants()));
-- Appended (by the triggers) in the caller's name, for a tenant they are (or, accepting, just
-- became) a member of.
CREATE POLICY tenant_audit_append ON tenant_audit FOR INSERT
    WITH CHECK (actor = (SELECT app_user_id())
                AND (tenant_id = ANY ((SELECT app_tenant_ids())::uuid[])
                     OR EXISTS (SELECT 1 FROM tenant_members m
                                WHERE m.tenant_id = tenant_audit.tenant_id AND m.user_id = (SELECT app_user_id()))));

-- Invitations are mailed to addresses that may belong to no user yet.
ALTER TABLE outbox ALTER COLUMN pool_id DROP NOT NULL, ALTER COLUMN username DROP NOT NULL;
