-- Tenants, memberships and the account tree, isolated by row-level security.
--
-- The api runs its queries as `ledgerline_api`: neither superuser nor owner of any table, and
-- without BYPASSRLS, so the policies below hold even for the api's own bugs. Migrations run as the
-- owner (DATABASE_URL). Roles are cluster-wide, so the role may already exist (another database of
-- the cluster, or a test running in parallel).
DO $$
BEGIN
    CREATE ROLE ledgerline_api LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- The request's identity, set transaction-locally by the api (`set_config(..., true)`). A pooled
-- connection reads '' for a setting once the transaction that set it has ended, hence the nullif:
-- with nothing set, every policy sees NULL and lets no row through.
CREATE FUNCTION app_user_id() RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;

CREATE FUNCTION app_tenant_ids() RETURNS uuid[]
LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.tenant_ids', true), '')::uuid[] $$;

-- Members of the Admin group read every tenant (they write only their own).
CREATE FUNCTION app_reads_all_tenants() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT coalesce(nullif(current_setting('app.read_all', true), '')::boolean, false) $$;

CREATE TABLE tenants (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- The user whose personal tenant this is (made when they are confirmed), if any.
    personal_of uuid UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    bigint NOT NULL DEFAULT 1
);

CREATE TABLE tenant_members (
    tenant_id  uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    -- A user's `sub`.
    user_id    uuid NOT NULL,
    role       text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX ON tenant_members (user_id, tenant_id);

-- The adjacency list is the source of truth; `child_count` and `rollup` (the subtree's balances per
-- currency) are kept by the triggers below so a lazily expanding tree reads one row per node.
CREATE TABLE accounts (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    parent_id     uuid,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    number        text NOT NULL CHECK (number ~ '^[A-Z0-9][A-Z0-9-]{0,33}$'),
    currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    balance_minor bigint NOT NULL DEFAULT 0,
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    child_count   integer NOT NULL DEFAULT 0,
    rollup        jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       bigint NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number),
    -- A parent is always of the same tenant; deleting a parent with children fails at the end of
    -- the statement, so deleting a whole subtree in one statement works.
    FOREIGN KEY (tenant_id, parent_id) REFERENCES accounts (tenant_id, id),
    CHECK (parent_id <> id)
);
-- Children of a node in display order (name, then id as the tie-breaker of the cursor).
CREATE INDEX accounts_children ON accounts (parent_id, name, id);
CREATE INDEX accounts_roots ON accounts (tenant_id, name, id) WHERE parent_id IS NULL;

-- Only edits a person makes change the version (the ETag): the kept aggregates do not.
CREATE FUNCTION touch_account() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.name, NEW.number, NEW.status, NEW.parent_id, NEW.balance_minor)
        IS DISTINCT FROM (OLD.name, OLD.number, OLD.status, OLD.parent_id, OLD.balance_minor) THEN
        NEW.updated_at := now();
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch_account();

-- Adds `amounts` (currency -> minor units) to the rollup of `start` and of every ancestor.
CREATE FUNCTION add_to_rollups(start uuid, amounts jsonb, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    entry record;
BEGIN
    FOR entry IN SELECT key, value::bigint AS amount FROM jsonb_each_text(amounts) LOOP
        WITH RECURSIVE chain AS (
            SELECT id, parent_id FROM accounts WHERE id = start
            UNION ALL
            SELECT a.id, a.parent_id FROM accounts a JOIN chain c ON a.id = c.parent_id
        )
        UPDATE accounts SET rollup = jsonb_set(
            rollup, ARRAY[entry.key],
            to_jsonb(coalesce((rollup ->> entry.key)::bigint, 0) + sign * entry.amount))
        WHERE id IN (SELECT id FROM chain);
    END LOOP;
END
$$;

-- A new account starts as a leaf holding its own balance, whatever the INSERT said.
CREATE FUNCTION init_account() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.child_count := 0;
    NEW.rollup := jsonb_build_object(NEW.currency, NEW.balance_minor);
    RETURN NEW;
END
$$;
CREATE TRIGGER init BEFORE INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION init_account();

-- Keeps child_count and rollup of the ancestors. Writers take the tenant's tree lock first (see
-- accounts/store.rs), so these updates of shared ancestors never deadlock and moves never race.
CREATE FUNCTION maintain_tree() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE accounts SET child_count = child_count + 1 WHERE id = NEW.parent_id;
        PERFORM add_to_rollups(NEW.parent_id, NEW.rollup, 1);
    ELSIF TG_OP = 'DELETE' THEN
        -- Row triggers fire once the whole statement has deleted: only the top of a deleted subtree
        -- still has its parent, and its rollup already holds the whole subtree.
        IF EXISTS (SELECT 1 FROM accounts WHERE id = OLD.parent_id) THEN
            UPDATE accounts SET child_count = child_count - 1 WHERE id = OLD.parent_id;
            PERFORM add_to_rollups(OLD.parent_id, OLD.rollup, -1);
        END IF;
    ELSIF NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        -- A move carries the whole subtree's totals from the old ancestors to the new ones.
        UPDATE accounts SET child_count = child_count - 1 WHERE id = OLD.parent_id;
        UPDATE accounts SET child_count = child_count + 1 WHERE id = NEW.parent_id;
        PERFORM add_to_rollups(OLD.parent_id, NEW.rollup, -1);
        PERFORM add_to_rollups(NEW.parent_id, NEW.rollup, 1);
    ELSIF NEW.balance_minor <> OLD.balance_minor THEN
        PERFORM add_to_rollups(NEW.id, jsonb_build_object(NEW.currency, NEW.balance_minor - OLD.balance_minor), 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER maintain_tree AFTER INSERT OR DELETE OR UPDATE OF parent_id, balance_minor ON accounts
FOR EACH ROW EXECUTE FUNCTION maintain_tree();

-- Isolation. Policies read the settings through (SELECT ...) so they are evaluated once per statement.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_read ON tenants FOR SELECT
    USING (id = ANY ((SELECT app_tenant_ids())::uuid[]) OR (SELECT app_reads_all_tenants()));
CREATE POLICY tenants_write ON tenants FOR ALL
    USING (id = ANY ((SELECT app_tenant_ids())::uuid[]))
    WITH CHECK (id = ANY ((SELECT app_tenant_ids())::uuid[]));

ALTER TABLE tenant_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_members FORCE ROW LEVEL SECURITY;
-- A user sees their own memberships (that is how the api learns their tenants) and their tenants' members.
CREATE POLICY tenant_members_read ON tenant_members FOR SELECT
    USING (user_id = (SELECT app_user_id()) OR tenant_id = ANY ((SELECT app_tenant_ids())::uuid[])
           OR (SELECT app_reads_all_tenants()));
CREATE POLICY tenant_members_write ON tenant_members FOR ALL
    USING (tenant_id = ANY ((SELECT app_tenant_ids())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_tenant_ids())::uuid[]));

ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY accounts_read ON accounts FOR SELECT
    USING (tenant_id = ANY ((SELECT app_tenant_ids())::uuid[]) OR (SELECT app_reads_all_tenants()));
CREATE POLICY accounts_write ON accounts FOR ALL
    USING (tenant_id = ANY ((SELECT app_tenant_ids())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_tenant_ids())::uuid[]));

-- Opens a request's identity in the current transaction: who calls, whether they read every
-- tenant, and their tenants (read under the policy above, once app.user_id is set). Answers the
-- tenants, or NULL when the sign-in behind the token was revoked, or the user deleted or disabled.
CREATE FUNCTION begin_request(caller uuid, read_all boolean, sign_in uuid) RETURNS uuid[]
LANGUAGE plpgsql AS $$
DECLARE
    tenants uuid[];
BEGIN
    IF sign_in IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM refresh_tokens t JOIN users u USING (pool_id, username)
        WHERE t.origin_jti = sign_in AND t.revoked_at IS NULL AND u.enabled AND u.sub = caller
    ) THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('app.user_id', caller::text, true), set_config('app.read_all', read_all::text, true);
    SELECT coalesce(array_agg(tenant_id ORDER BY created_at, tenant_id), '{}') INTO tenants
    FROM tenant_members WHERE user_id = caller;
    PERFORM set_config('app.tenant_ids', tenants::text, true);
    RETURN tenants;
END
$$;

-- A newly confirmed user's own tenant, made in the confirming transaction.
CREATE FUNCTION create_personal_tenant(owner uuid, tenant uuid, tenant_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('app.user_id', owner::text, true),
            set_config('app.tenant_ids', ARRAY[tenant]::text, true);
    INSERT INTO tenants (id, name, personal_of) VALUES (tenant, tenant_name, owner)
    ON CONFLICT (personal_of) DO NOTHING;
    IF FOUND THEN
        INSERT INTO tenant_members (tenant_id, user_id, role) VALUES (tenant, owner, 'owner');
    END IF;
END
$$;

CREATE TRIGGER touch BEFORE UPDATE ON tenants FOR EACH ROW EXECUTE FUNCTION touch_row();

-- What the api may do: data, never schema.
GRANT USAGE ON SCHEMA public TO ledgerline_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ledgerline_api;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ledgerline_api;
REVOKE INSERT, UPDATE, DELETE ON _sqlx_migrations FROM ledgerline_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ledgerline_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ledgerline_api;
