-- Payments between a tenant's accounts (or out to an external counterparty), with statuses, dual
-- control by an approval policy per organisation, idempotency keys, and an audit trail. Row-level
-- security as for the accounts: members read, members (and above) create and edit pending payments,
-- admins and owners approve, the Admin group reads every tenant.

CREATE TABLE payments (
    tenant_id         uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    id                uuid NOT NULL,
    -- Integer minor units of the currency, whose ISO 4217 exponent is kept beside it.
    amount_minor      bigint NOT NULL CHECK (amount_minor > 0),
    currency          text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    exponent          smallint NOT NULL CHECK (exponent BETWEEN 0 AND 4),
    -- The amount in major units, for filters: exact (numeric), never a float.
    amount            numeric GENERATED ALWAYS AS (amount_minor::numeric / (10::numeric ^ exponent)) STORED,
    due_date          date NOT NULL,
    from_account_id   uuid NOT NULL,
    -- Either another account of the tenant, or an external counterparty (an IBAN and a name).
    to_account_id     uuid,
    counterparty_name text CHECK (length(counterparty_name) BETWEEN 1 AND 140),
    counterparty_iban text CHECK (counterparty_iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
    message           text CHECK (length(message) <= 140),
    type              text NOT NULL CHECK (type IN ('DOMESTIC', 'INTERNATIONAL')),
    status            text NOT NULL DEFAULT 'PENDING'
                      CHECK (status IN ('PENDING', 'APPROVED', 'SETTLED', 'REJECTED', 'CANCELLED', 'FAILED')),
    reference         text CHECK (length(reference) BETWEEN 1 AND 35),
    -- Why settlement failed (e.g. the account would be overdrawn).
    failure_reason    text,
    created_by        uuid NOT NULL,
    -- Who approved it; NULL for a payment the policy approved when it was created.
    approved_by       uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    settled_at        timestamptz,
    version           bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, from_account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, to_account_id) REFERENCES accounts (tenant_id, id),
    CHECK ((to_account_id IS NULL) = (counterparty_iban IS NOT NULL)),
    CHECK ((counterparty_iban IS NULL) = (counterparty_name IS NULL)),
    CHECK (to_account_id IS DISTINCT FROM from_account_id)
);
-- getPayment(id) names no tenant; ids are random UUIDs.
CREATE INDEX payments_by_id ON payments (id);
-- listPayments' order (newest first), the keyset of its nextToken.
CREATE INDEX payments_listing ON payments (tenant_id, created_at DESC, id DESC);
CREATE INDEX payments_from ON payments (tenant_id, from_account_id);
CREATE INDEX payments_to ON payments (tenant_id, to_account_id);

-- Stripe's idempotency keys, per tenant: the request's fingerprint and the payment it made.
CREATE TABLE payment_idempotency_keys (
    tenant_id    uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash bytea NOT NULL,
    payment_id   uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);

-- Dual control: a payment at or above the threshold of its currency needs the approval of someone
-- other than its creator. Without a row for the currency the threshold is 0: every payment does.
CREATE TABLE payment_approval_policies (
    tenant_id       uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    threshold_minor bigint NOT NULL CHECK (threshold_minor >= 0),
    updated_by      uuid NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, currency)
);

-- The settlement worker's transactions say so; its policies below let it see and settle approved
-- payments of every tenant (a request never sets this).
CREATE FUNCTION app_is_settlement_worker() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT coalesce(current_setting('app.worker', true) = 'settlement', false) $$;

-- A new payment's status, decided here for every writer: approved at once when it is below the
-- threshold, or when nobody but its creator may approve in the organisation (admins and owners
-- approve); pending otherwise. Whatever the INSERT said about status and approval is replaced.
CREATE FUNCTION decide_approval() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := 1;
    NEW.approved_by := NULL;
    NEW.failure_reason := NULL;
    NEW.settled_at := NULL;
    NEW.created_at := now();
    NEW.updated_at := now();
    IF NEW.amount_minor < coalesce((SELECT threshold_minor FROM payment_approval_policies
                                    WHERE tenant_id = NEW.tenant_id AND currency = NEW.currency), 0)
       OR NOT EXISTS (SELECT 1 FROM tenant_members WHERE tenant_id = NEW.tenant_id AND user_id <> NEW.created_by
                      AND role_rank(role) >= role_rank('admin')) THEN
        NEW.status := 'APPROVED';
    ELSE
        NEW.status := 'PENDING';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER decide_approval BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION decide_approval();

-- The life of a payment: PENDING -> APPROVED -> SETTLED, or to REJECTED, CANCELLED or FAILED. Its
-- content changes only while it is pending; admins and owners other than its creator approve or
-- reject it; only the settlement worker settles or fails it. Every change bumps the version.
CREATE FUNCTION guard_payment() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    content_changed boolean := (NEW.amount_minor, NEW.currency, NEW.exponent, NEW.due_date, NEW.from_account_id,
        NEW.to_account_id, NEW.counterparty_name, NEW.counterparty_iban, NEW.message, NEW.type, NEW.reference)
        IS DISTINCT FROM (OLD.amount_minor, OLD.currency, OLD.exponent, OLD.due_date, OLD.from_account_id,
        OLD.to_account_id, OLD.counterparty_name, OLD.counterparty_iban, OLD.message, OLD.type, OLD.reference);
BEGIN
    IF (NEW.tenant_id, NEW.id, NEW.created_by, NEW.created_at) IS DISTINCT FROM
       (OLD.tenant_id, OLD.id, OLD.created_by, OLD.created_at) THEN
        RAISE EXCEPTION 'a payment''s tenant, id and creator never change' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status = OLD.status THEN
        IF OLD.status <> 'PENDING' THEN
            RAISE EXCEPTION 'The payment is %: only a pending payment changes.', OLD.status USING ERRCODE = 'LL409';
        END IF;
    ELSIF content_changed THEN
        RAISE EXCEPTION 'A payment''s status and content do not change together.' USING ERRCODE = 'LL409';
    ELSIF (OLD.status, NEW.status) NOT IN (('PENDING', 'APPROVED'), ('PENDING', 'REJECTED'),
            ('PENDING', 'CANCELLED'), ('APPROVED', 'CANCELLED'), ('APPROVED', 'SETTLED'), ('APPROVED', 'FAILED')) THEN
        RAISE EXCEPTION 'The payment is %: it cannot become %.', OLD.status, NEW.status USING ERRCODE = 'LL409';
    ELSIF NEW.status IN ('SETTLED', 'FAILED') AND NOT app_is_settlement_worker() THEN
        RAISE EXCEPTION 'only settlement settles a payment' USING ERRCODE = 'insufficient_privilege';
    ELSIF NEW.status IN ('APPROVED', 'REJECTED') AND (role_rank(app_role(NEW.tenant_id)) < role_rank('admin')
            OR app_user_id() IS NOT DISTINCT FROM OLD.created_by) THEN
        RAISE EXCEPTION 'admins and owners other than its creator decide on a payment'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status = 'APPROVED' AND OLD.status = 'PENDING' THEN
        NEW.approved_by := app_user_id();
    ELSE
        NEW.approved_by := OLD.approved_by;
    END IF;
    IF NEW.status = 'SETTLED' THEN
        NEW.settled_at := now();
    END IF;
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER guard BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION guard_payment();

-- Every change of a payment in the tenant's audit trail (0014's), written as the schema's owner.
CREATE FUNCTION audit_payments() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    row payments;
    details jsonb;
BEGIN
    row := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    details := jsonb_build_object('payment', row.id, 'amountMinor', row.amount_minor, 'currency', row.currency,
                                  'status', row.status, 'version', row.version);
    IF TG_OP = 'INSERT' THEN
        PERFORM audit(row.tenant_id, 'payment.created', NULL, details);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM audit(row.tenant_id, 'payment.deleted', NULL, details);
    ELSIF NEW.status <> OLD.status THEN
        PERFORM audit(row.tenant_id, 'payment.' || lower(NEW.status), NULL,
                      details || jsonb_build_object('from', OLD.status, 'reason', NEW.failure_reason));
    ELSE
        PERFORM audit(row.tenant_id, 'payment.updated', NULL, details);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON payments FOR EACH ROW EXECUTE FUNCTION audit_payments();

-- Isolation and roles.
ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE payments FORCE ROW LEVEL SECURITY;
CREATE POLICY payments_read ON payments FOR SELECT
    USING (tenant_id = ANY ((SELECT app_tenant_ids())::uuid[]) OR (SELECT app_reads_all_tenants()));
CREATE POLICY payments_create ON payments FOR INSERT
    WITH CHECK (tenant_id = ANY ((SELECT app_tenants_with('member'))::uuid[]) AND created_by = (SELECT app_user_id()));
CREATE POLICY payments_change ON payments FOR UPDATE
    USING (tenant_id = ANY ((SELECT app_tenants_with('member'))::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_tenants_with('member'))::uuid[]));
CREATE POLICY payments_delete ON payments FOR DELETE
    USING (tenant_id = ANY ((SELECT app_tenants_with('member'))::uuid[]) AND status = 'PENDING');
-- (Reading covers the rows it writes, as Postgres checks an updated row against SELECT policies too.)
CREATE POLICY payments_settle_read ON payments FOR SELECT USING ((SELECT app_is_settlement_worker()));
CREATE POLICY payments_settle ON payments FOR UPDATE
    USING ((SELECT app_is_settlement_worker()) AND status = 'APPROVED')
    WITH CHECK ((SELECT app_is_settlement_worker()) AND status IN ('SETTLED', 'FAILED'));

ALTER TABLE payment_idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE payment_idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY payment_idempotency_keys_use ON payment_idempotency_keys FOR ALL
    USING (tenant_id = ANY ((SELECT app_tenants_with('member'))::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_tenants_with('member'))::uuid[]));
-- Kept at least 24 hours; the worker forgets older ones.
CREATE POLICY payment_idempotency_keys_expire ON payment_idempotency_keys FOR ALL
    USING ((SELECT app_is_settlement_worker()) AND created_at < now() - interval '24 hours');

ALTER TABLE payment_approval_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE payment_approval_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY payment_approval_policies_read ON payment_approval_policies FOR SELECT
    USING (tenant_id = ANY ((SELECT app_tenant_ids())::uuid[]) OR (SELECT app_reads_all_tenants()));
CREATE POLICY payment_approval_policies_write ON payment_approval_policies FOR ALL
    USING (tenant_id = ANY ((SELECT app_tenants_with('admin'))::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_tenants_with('admin'))::uuid[]) AND updated_by = (SELECT app_user_id()));

-- The settlement worker's entries in the audit trail have no actor: they are the system's.
CREATE POLICY tenant_audit_settlement ON tenant_audit FOR INSERT
    WITH CHECK (actor IS NULL AND (SELECT app_is_settlement_worker()));
