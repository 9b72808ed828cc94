-- Settlement in sets: a batch of due payments settles in a few statements instead of ten per payment.
-- The per-payment loop of 0016 stays, renamed `settle_each`, for the rare batch in which a payment
-- could fail (a closed account, or an account without overdraft that the batch's outgoing payments
-- could take below zero): there each payment is checked against the balance the ones before it left.

-- What settlement claims: approved payments by due date. Without it each batch reads the whole table.
CREATE INDEX payments_due ON payments (due_date, created_at) WHERE status = 'APPROVED';

-- One leg of a payment: the account it moves and by how much (negative leaves the account).
CREATE TYPE settlement_leg AS (tenant_id uuid, payment_id uuid, ord bigint, account_id uuid, amount_minor bigint, currency text);

-- A balance change (the account's own) and its subtree's, per currency, that a batch makes.
CREATE TYPE settlement_change AS (account_id uuid, balance_delta bigint, rollup_deltas jsonb);

-- 0016's loop over the claimed payments, one at a time, unchanged; it locks what each payment
-- writes first, in id order (a payment's path may reach accounts the batch as a whole leaves as they were).
CREATE FUNCTION settle_each(claimed payments[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    p payments;
    target uuid;
    source accounts;
    destination accounts;
BEGIN
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
END
$$;

-- What the legs change: each moved account's balance, and the rollup of every account on the way
-- up from it. A payment's two legs cancel from their lowest common ancestor up, so those accounts
-- are left out: not written, not locked (the root above all).
CREATE FUNCTION settlement_changes(legs settlement_leg[]) RETURNS settlement_change[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(ROW(account_id, balance_delta, rollup_deltas)::settlement_change ORDER BY account_id), '{}')
    FROM (
        WITH RECURSIVE moved AS (
            SELECT account_id, currency, sum(amount_minor)::bigint AS delta FROM unnest(legs) GROUP BY account_id, currency
        ), up AS (
            SELECT a.id AS origin, a.id, a.parent_id FROM accounts a WHERE a.id IN (SELECT account_id FROM moved)
            UNION ALL
            SELECT up.origin, x.id, x.parent_id FROM accounts x JOIN up ON x.id = up.parent_id
        ), rolled AS (
            SELECT up.id, m.currency, sum(m.delta)::bigint AS delta
            FROM up JOIN moved m ON m.account_id = up.origin GROUP BY up.id, m.currency HAVING sum(m.delta) <> 0
        ), accounts_changed AS (
            SELECT id AS account_id FROM rolled UNION SELECT account_id FROM moved WHERE delta <> 0
        )
        SELECT c.account_id,
               coalesce((SELECT sum(delta) FROM moved m WHERE m.account_id = c.account_id), 0)::bigint AS balance_delta,
               coalesce((SELECT jsonb_object_agg(currency, delta) FROM rolled r WHERE r.id = c.account_id), '{}') AS rollup_deltas
        FROM accounts_changed c
    ) changes
$$;

-- `rollup` with `deltas` ({currency: minor units}) added.
CREATE FUNCTION add_rollup(rollup jsonb, deltas jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT rollup || coalesce(jsonb_object_agg(d.key, coalesce((rollup ->> d.key)::bigint, 0) + d.value::bigint), '{}')
    FROM jsonb_each_text(deltas) d
$$;

-- Whether a payment among `legs` could fail, whatever their order: one moves a closed account, or
-- takes money from an account without overdraft whose balance does not cover all that the legs take
-- from it. (Read after the accounts are locked.)
CREATE FUNCTION may_fail(legs settlement_leg[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM (
            SELECT account_id, sum(amount_minor) FILTER (WHERE amount_minor < 0) AS taken
            FROM unnest(legs) GROUP BY account_id
        ) l JOIN accounts a ON a.id = l.account_id
        WHERE a.status = 'closed' OR (NOT a.allow_overdraft AND a.balance_minor + coalesce(l.taken, 0) < 0)
    )
$$;

-- Settles up to `batch` approved payments that are due, in one transaction (the caller's
-- statement): claimed with SKIP LOCKED, so api instances running this at once take different
-- payments, and a crash before the commit leaves them approved, to settle once later. Every
-- account it will write is locked first, in id order, so settlements never deadlock one another.
-- When no payment of the batch can fail, the batch settles in sets; otherwise one by one.
-- Answers how many payments it settled or failed.
CREATE OR REPLACE FUNCTION settle_due_payments(batch integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    claimed payments[];
    legs settlement_leg[];
    changes settlement_change[];
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
    PERFORM clearing_account(c.tenant_id, c.currency)
    FROM (SELECT DISTINCT tenant_id, currency FROM unnest(claimed) WHERE to_account_id IS NULL ORDER BY 1, 2) c;
    legs := ARRAY(
        SELECT ROW(c.tenant_id, c.id, c.ordinality, leg.account_id, leg.amount_minor, c.currency)::settlement_leg
        FROM unnest(claimed) WITH ORDINALITY AS c
        CROSS JOIN LATERAL (VALUES
            (c.from_account_id, -c.amount_minor),
            (coalesce(c.to_account_id, (SELECT id FROM accounts WHERE tenant_id = c.tenant_id
                                        AND number = 'CLEARING-' || c.currency)), c.amount_minor)
        ) leg (account_id, amount_minor)
        ORDER BY c.ordinality, leg.amount_minor
    );
    changes := settlement_changes(legs);
    PERFORM 1 FROM accounts WHERE id IN (SELECT account_id FROM unnest(changes)) ORDER BY id FOR NO KEY UPDATE;
    IF may_fail(legs) THEN
        PERFORM settle_each(claimed);
    ELSE
        INSERT INTO ledger_entries (tenant_id, payment_id, account_id, amount_minor, currency, balance_after)
        SELECT l.tenant_id, l.payment_id, l.account_id, l.amount_minor, l.currency,
               a.balance_minor + sum(l.amount_minor) OVER (PARTITION BY l.account_id ORDER BY l.ord, l.amount_minor)
        FROM unnest(legs) l JOIN accounts a ON a.id = l.account_id
        ORDER BY l.ord, l.amount_minor;
        UPDATE accounts a SET balance_minor = a.balance_minor + c.balance_delta,
                              rollup = add_rollup(a.rollup, c.rollup_deltas)
        FROM unnest(changes) c WHERE a.id = c.account_id;
        UPDATE payments SET status = 'SETTLED'
        WHERE (tenant_id, id) IN (SELECT tenant_id, id FROM unnest(claimed));
    END IF;
    previous := set_config('app.posting', '', true);
    previous := set_config('app.worker', '', true);
    RETURN cardinality(claimed);
END
$$;
