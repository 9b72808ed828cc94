-- Passwords are kept only as SRP verifiers sealed (AES-256-GCM) under a key from the configuration,
-- VERIFIER_KEYS, never from here: api/src/cognito/verifiers.rs. `verifier_key_id` names the key, so keys
-- can rotate.
--
-- A user created before keeps the argon2id hash and the verifier in the clear, and is checked against them,
-- until their next sign-in seals the verifier and clears the three columns. Once no row needs them
-- (`SELECT count(*) FROM users WHERE sealed_verifier IS NULL` is 0; the api logs the count at start), a
-- later migration can drop them.
ALTER TABLE users
    ADD COLUMN verifier_key_id text,
    ADD COLUMN sealed_verifier bytea,
    ALTER COLUMN password_hash DROP NOT NULL,
    ALTER COLUMN srp_salt DROP NOT NULL,
    ALTER COLUMN srp_verifier DROP NOT NULL,
    ADD CONSTRAINT users_password_kept_one_way CHECK (
        (verifier_key_id IS NOT NULL AND sealed_verifier IS NOT NULL
            AND password_hash IS NULL AND srp_salt IS NULL AND srp_verifier IS NULL)
        OR (verifier_key_id IS NULL AND sealed_verifier IS NULL
            AND password_hash IS NOT NULL AND srp_salt IS NOT NULL AND srp_verifier IS NOT NULL)
    );
