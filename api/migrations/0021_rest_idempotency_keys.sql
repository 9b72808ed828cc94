-- The REST api's Idempotency-Key (rest/idempotency.rs): per caller, the first request's fingerprint
-- and its answer, claimed and filled in the transaction that made what the answer says.
CREATE TABLE rest_idempotency_keys (
    user_id      uuid NOT NULL,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash bytea NOT NULL,
    -- The answer, once the request has made it (in the same transaction as the claim).
    status       smallint,
    headers      jsonb,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

ALTER TABLE rest_idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE rest_idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY rest_idempotency_keys_use ON rest_idempotency_keys FOR ALL
    USING (user_id = (SELECT app_user_id())) WITH CHECK (user_id = (SELECT app_user_id()));
-- Kept at least 24 hours, like the payments' keys; the settlement worker forgets older ones.
CREATE POLICY rest_idempotency_keys_expire ON rest_idempotency_keys FOR ALL
    USING ((SELECT app_is_settlement_worker()) AND created_at < now() - interval '24 hours');

CREATE OR REPLACE FUNCTION forget_idempotency_keys(batch integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    forgotten integer;
    more integer;
    previous text;
BEGIN
    previous := set_config('app.worker', 'settlement', true);
    DELETE FROM payment_idempotency_keys WHERE ctid IN (
        SELECT ctid FROM payment_idempotency_keys WHERE created_at < now() - interval '24 hours' LIMIT batch
    );
    GET DIAGNOSTICS forgotten = ROW_COUNT;
    DELETE FROM rest_idempotency_keys WHERE ctid IN (
        SELECT ctid FROM rest_idempotency_keys WHERE created_at < now() - interval '24 hours' LIMIT batch
    );
    GET DIAGNOSTICS more = ROW_COUNT;
    previous := set_config('app.worker', '', true);
    RETURN forgotten + more;
END
$$;
