-- Delivery by SMTP can fail: a message is tried again later, waiting longer after each failure, and
-- given up after a bounded number of attempts or at once on a permanent refusal.
ALTER TABLE outbox
    ADD COLUMN attempts        integer NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- The last failure as the SMTP server or the network told it (never the message's body).
    ADD COLUMN last_error      text,
    ADD COLUMN given_up_at     timestamptz;

-- The relay's queue: what is still to be tried, soonest first.
DROP INDEX outbox_created_at_idx;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
