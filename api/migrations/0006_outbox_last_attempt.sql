-- When a message was last tried: with next_attempt_at, the wait the relay chose after that attempt,
-- and for an operator, how long a stuck message has been failing.
ALTER TABLE outbox ADD COLUMN last_attempt_at timestamptz;
