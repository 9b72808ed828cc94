-- Every change of a payment audited (0015) and announced (0017) once per statement, from the
-- statement's transition tables, where two trigger functions ran for each row: settlement changes a
-- batch of payments in one UPDATE. The entries and notifications are those of before.
DROP TRIGGER audit ON payments;
DROP TRIGGER notify_event ON payments;
DROP FUNCTION audit_payments();
DROP FUNCTION notify_payment_event();

CREATE FUNCTION payment_audit_details(id uuid, amount_minor bigint, currency text, status text, version bigint)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('payment', id, 'amountMinor', amount_minor, 'currency', currency, 'status', status,
                              'version', version)
$$;

-- As the schema's owner (SECURITY DEFINER), as 0014's audit(): no statement of the api's writes the
-- audit trail. A notification names the payment, its tenant and the kind of change; a deleted
-- payment's carries its row, which subscribers can no longer read.
CREATE FUNCTION record_payment_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    request text := nullif(current_setting('app.request_id', true), '');
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tenant_audit (tenant_id, actor, action, details, request_id)
        SELECT n.tenant_id, app_user_id(), 'payment.created', payment_audit_details(n.id, n.amount_minor, n.currency, n.status, n.version), request
        FROM new_payments n;
        PERFORM pg_notify('payment_events', jsonb_build_object('kind', 'insert', 'tenant', n.tenant_id, 'id', n.id,
                                                               'row', NULL)::text)
        FROM new_payments n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO tenant_audit (tenant_id, actor, action, details, request_id)
        SELECT n.tenant_id, app_user_id(),
               CASE WHEN n.status <> o.status THEN 'payment.' || lower(n.status) ELSE 'payment.updated' END,
               CASE WHEN n.status <> o.status
                    THEN payment_audit_details(n.id, n.amount_minor, n.currency, n.status, n.version) || jsonb_build_object('from', o.status, 'reason', n.failure_reason)
                    ELSE payment_audit_details(n.id, n.amount_minor, n.currency, n.status, n.version) END,
               request
        FROM new_payments n JOIN old_payments o ON (o.tenant_id, o.id) = (n.tenant_id, n.id);
        PERFORM pg_notify('payment_events', jsonb_build_object('kind', 'update', 'tenant', n.tenant_id, 'id', n.id,
                                                               'row', NULL)::text)
        FROM new_payments n;
    ELSE
        INSERT INTO tenant_audit (tenant_id, actor, action, details, request_id)
        SELECT o.tenant_id, app_user_id(), 'payment.deleted', payment_audit_details(o.id, o.amount_minor, o.currency, o.status, o.version), request
        FROM old_payments o;
        PERFORM pg_notify('payment_events', jsonb_build_object('kind', 'delete', 'tenant', o.tenant_id, 'id', o.id,
                                                               'row', to_jsonb(o))::text)
        FROM old_payments o;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER record_inserts AFTER INSERT ON payments REFERENCING NEW TABLE AS new_payments
    FOR EACH STATEMENT EXECUTE FUNCTION record_payment_changes();
CREATE TRIGGER record_updates AFTER UPDATE ON payments REFERENCING OLD TABLE AS old_payments NEW TABLE AS new_payments
    FOR EACH STATEMENT EXECUTE FUNCTION record_payment_changes();
CREATE TRIGGER record_deletes AFTER DELETE ON payments REFERENCING OLD TABLE AS old_payments
    FOR EACH STATEMENT EXECUTE FUNCTION record_payment_changes();
