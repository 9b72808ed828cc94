-- The double-entry ledger and settlement: an approved payment that is due settles by writing two
-- balanced entries, moving the accounts' balances, and the rolled-up balances of their ancestors
-- below the accounts' lowest common ancestor (above it the two moves cancel, so the tree's upper
-- rows, its root above all, are not written and not locked by payments).

-- Accounts that may go below zero; settlement fails a payment that would overdraw any other.
ALTER TABLE accounts ADD COLUMN allow_overdraft boolean NOT NULL DEFAULT false;

-- Append-only: the api's role may read and (through settlement) add entries, never change one.
CREATE TABLE ledger_entries (
    tenant_id     uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    payment_id    uuid NOT NULL,
    account_id    uuid NOT NULL,
    -- Signed: negative leaves the account, positive enters it. A payment's entries sum to zero.
    amount_minor  bigint NOT NULL CHECK (amount_minor <> 0),
    currency      text NOT NULL,
    balance_after bigint NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, payment_id) REFERENCES payments (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX ledger_entries_by_account ON ledger_entries (tenant_id, account_id, id);
CREATE INDEX ledger_entries_by_payment ON ledger_entries (tenant_id, payment_id);
REVOKE UPDATE, DELETE, TRUNCATE ON ledger_entries FROM ledgerline_api;

ALTER TABLE ledger_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY ledger_entries_read ON ledger_entries FOR SELECT
    USING (tenant_id = ANY ((SELECT app_tenant_ids())::uuid[]) OR (SELECT app_reads_all_tenants()));
CREATE POLICY ledger_entries_post ON ledger_entries FOR INSERT WITH CHECK ((SELECT app_is_settlement_worker()));

-- Settlement reads and moves the accounts of every tenant, and opens clearing accounts.
CREATE POLICY accounts_settlement ON accounts FOR ALL
    USING ((SELECT app_is_settlement_worker())) WITH CHECK ((SELECT app_is_settlement_worker()));

-- A balance that settlement moves keeps its ancestors' rollups itself (below the common ancestor
-- only); every other change of a balance rolls up the whole chain as before.
CREATE OR REPLACE FUNCTION maintain_tree() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE accounts SET child_count = child_count + 1 WHERE id = NEW.parent_id;
        PERFORM add_to_rollups(NEW.parent_id, NEW.rollup, 1);
    ELSIF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM accounts WHERE id = OLD.parent_id) THEN
            UPDATE accounts SET child_count = child_count - 1 WHERE id = OLD.parent_id;
            PERFORM add_to_rollups(OLD.parent_id, OLD.rollup, -1);
        END IF;
    ELSIF NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        UPDATE accounts SET child_count = child_count - 1 WHERE id = OLD.parent_id;
        UPDATE accounts SET child_count = child_count + 1 WHERE id = NEW.parent_id;
        PERFORM add_to_rollups(OLD.parent_id, NEW.rollup, -1);
        PERFORM add_to_rollups(NEW.parent_id, NEW.rollup, 1);
    ELSIF NEW.balance_minor <> OLD.balance_minor AND NOT coalesce(current_setting('app.posting', true) = 'on', false) THEN
        PERFORM add_to_rollups(NEW.id, jsonb_build_object(NEW.currency, NEW.balance_minor - OLD.balance_minor), 1);
    END IF;
    RETURN NULL;
END
$$;

-- The accounts whose rollups a move of money from `a` to `b` changes, with the change in sign:
-- `a` and its ancestors below the lowest common ancestor lose, `b`'s side gains.
CREATE FUNCTION rollup_paths(a uuid, b uuid) RETURNS TABLE (account uuid, sign integer)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up_a AS (
        SELECT id, parent_id FROM accounts WHERE id = a
        UNION ALL SELECT x.id, x.parent_id FROM accounts x JOIN up_a ON x.id = up_a.parent_id
    ), up_b AS (
        SELECT id, parent_id FROM accounts WHERE id = b
        UNION ALL SELECT x.id, x.parent_id FROM accounts x JOIN up_b ON x.id = up_b.parent_id
    ), common AS (SELECT id FROM up_a INTERSECT SELECT id FROM up_b)
    SELECT id, -1 FROM up_a WHERE id NOT IN (SELECT id FROM common)
    UNION ALL
    SELECT id, 1 FROM up_b WHERE id NOT IN (SELECT id FROM common)
$$;

-- The tenant's clearing account in `currency`, where payments out to counterparties post; opened
-- (a root, allowed to go below zero) when first needed.
CREATE FUNCTION clearing_account(tenant uuid, code text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    found_id uuid;
BEGIN
    INSERT INTO accounts (id, tenant_id, name, number, currency, allow_overdraft)
    VALUES (gen_random_uuid(), tenant, 'Clearing (' || code || ')', 'CLEARING-' || code, code, true)
    ON CONFLICT (tenant_id, number) DO NOTHING;
    SELECT id INTO found_id FROM accounts WHERE tenant_id = tenant AND number = 'CLEARING-' || code;
    RETURN found_id;
END
$$;

-- Settles up to `batch` approved payments that are due, in one transaction (the caller's
-- statement): claimed with SKIP LOCKED, so api instances running this at once take different
-- payments, and a crash before the commit leaves them approved, to settle once later. Every row it
-- will write (the accounts and their ancestors below each common ancestor) is locked first, in id
-- order, so settlements never deadlock one another. A payment that would overdraw an account that
-- allows no overdraft, or that moves a closed account, fails with the reason. Answers how many
-- payments it settled or failed.
CREATE FUNCTION settle_due_payments(batch integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    claimed payments[];
    p payments;
    target uuid;
    source accounts;
    destination accounts;
    previous text;
BEGIN
    previous := set_config('app.worker', 'settlement', true);
    previous := set_config('app.posting', 'on', true);
    claimed := ARRAY(
        SELECT due FROM payments due WHERE status = 'APPROVED' AND due_date <= current_date
        ORDER BY due_date, created_at LIMIT batch FOR UPDATE SKIP LOCKED
    );
    IF cardinality(claimed) = 0 THEN
        RETURN 0;
    END IF;
    -- Clearing accounts first (they are roots: opening one locks nothing else).
    FOREACH p IN ARRAY claimed LOOP
        IF p.to_account_id IS NULL THEN
            PERFORM clearing_account(p.tenant_id, p.currency);
        END IF;
    END LOOP;
    PERFORM 1 FROM accounts WHERE id IN (
        SELECT r.account FROM unnest(claimed) c,
             LATERAL rollup_paths(c.from_account_id,
                                  coalesce(c.to_account_id, (SELECT id FROM accounts WHERE tenant_id = c.tenant_id
                                                             AND number = 'CLEARING-' || c.currency))) r
    ) ORDER BY id FOR NO KEY UPDATE;
    FOREACH p IN ARRAY claimed LOOP
        target := coalesce(p.to_account_id,
                           (SELECT id FROM accounts WHERE tenant_id = p.tenant_id AND number = 'CLEARING-' || p.currency));
        SELECT * INTO source FROM accounts WHERE id = p.from_account_id;
        SELECT * INTO destination FROM accounts WHERE id = target;
        IF source.status = 'closed' OR destination.status = 'closed' THEN
            UPDATE payments SET status = 'FAILED', failure_reason = 'An account of the payment is closed.'
            WHERE tenant_id = p.tenant_id AND id = p.id;
        ELSIF source.balance_minor - p.amount_minor < 0 AND NOT source.allow_overdraft THEN
            UPDATE payments SET status = 'FAILED',
                failure_reason = 'Insufficient funds: the payment would overdraw ' || source.number || '.'
            WHERE tenant_id = p.tenant_id AND id = p.id;
        ELSE
            UPDATE accounts SET balance_minor = balance_minor - p.amount_minor WHERE id = source.id;
            UPDATE accounts SET balance_minor = balance_minor + p.amount_minor WHERE id = target;
            UPDATE accounts SET rollup = jsonb_set(rollup, ARRAY[p.currency],
                    to_jsonb(coalesce((rollup ->> p.currency)::bigint, 0) + r.sign * p.amount_minor))
            FROM rollup_paths(source.id, target) r WHERE accounts.id = r.account;
            INSERT INTO ledger_entries (tenant_id, payment_id, account_id, amount_minor, currency, balance_after)
            VALUES (p.tenant_id, p.id, source.id, -p.amount_minor, p.currency, source.balance_minor - p.amount_minor),
                   (p.tenant_id, p.id, target, p.amount_minor, p.currency, destination.balance_minor + p.amount_minor);
            UPDATE payments SET status = 'SETTLED' WHERE tenant_id = p.tenant_id AND id = p.id;
        END IF;
    END LOOP;
    previous := set_config('app.posting', '', true);
    previous := set_config('app.worker', '', true);
    RETURN cardinality(claimed);
END
$$;

-- Idempotency keys are kept at least 24 hours; settlement forgets older ones, a few at a time.
CREATE FUNCTION forget_idempotency_keys(batch integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    forgotten integer;
    previous text;
BEGIN
    previous := set_config('app.worker', 'settlement', true);
    DELETE FROM payment_idempotency_keys WHERE ctid IN (
        SELECT ctid FROM payment_idempotency_keys WHERE created_at < now() - interval '24 hours' LIMIT batch
    );
    GET DIAGNOSTICS forgotten = ROW_COUNT;
    previous := set_config('app.worker', '', true);
    RETURN forgotten;
END
$$;
