-- Every change of a payment announced to every api instance (the subscriptions onCreatePayment,
-- onUpdatePayment, onDeletePayment): a notification on `payment_events` that Postgres delivers at
-- commit, and never for a change that rolled back. It names the payment, its tenant and the kind
-- of change; each subscriber then reads the payment as themselves, through row-level security. A
-- deleted payment can no longer be read, so its notification carries the deleted row.
CREATE FUNCTION notify_payment_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    row payments;
BEGIN
    row := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    PERFORM pg_notify('payment_events', jsonb_build_object(
        'kind', lower(TG_OP), 'tenant', row.tenant_id, 'id', row.id,
        'row', CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) END)::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER notify_event AFTER INSERT OR UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION notify_payment_event();
