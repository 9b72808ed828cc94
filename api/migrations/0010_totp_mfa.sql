-- TOTP multi-factor authentication. A pool's MfaConfiguration (OFF, OPTIONAL, ON) and whether its users may
-- use an authenticator app; a user's choice (SetUserMFAPreference).
ALTER TABLE user_pools
    ADD COLUMN mfa_configuration text NOT NULL DEFAULT 'OFF' CHECK (mfa_configuration IN ('OFF', 'OPTIONAL', 'ON')),
    ADD COLUMN software_token_mfa boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT user_pools_mfa_has_a_factor CHECK (mfa_configuration = 'OFF' OR software_token_mfa);
ALTER TABLE users
    ADD COLUMN totp_mfa_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN totp_mfa_preferred boolean NOT NULL DEFAULT false;

-- Users' authenticator apps: the secret sealed (AES-256-GCM under VERIFIER_KEYS, as password verifiers are:
-- api/src/cognito/verifiers.rs), at most one being set up (AssociateSoftwareToken) and one in use
-- (VerifySoftwareToken moved it there). `last_step` is the newest 30-second step a code was accepted for:
-- each code works once, and none older than the last.
CREATE TABLE software_tokens (
    pool_id       text NOT NULL,
    username      text NOT NULL,
    verified      boolean NOT NULL,
    key_id        text NOT NULL,
    sealed_secret bytea NOT NULL,
    last_step     bigint,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pool_id, username, verified),
    FOREIGN KEY (pool_id, username) REFERENCES users ON DELETE CASCADE ON UPDATE CASCADE
);

-- The Session of a sign-in between its steps (an MFA code to give, an authenticator to set up; the choices
-- of USER_AUTH): kept here so that any instance can take the next step, stored as a hash, short-lived, and
-- spent by the step that completes it. `step` is what the session may be answered with.
CREATE TABLE auth_sessions (
    token_hash bytea PRIMARY KEY,
    pool_id    text NOT NULL,
    client_id  text NOT NULL REFERENCES user_pool_clients ON DELETE CASCADE,
    username   text NOT NULL,
    step       text NOT NULL,
    expires_at timestamptz NOT NULL,
    FOREIGN KEY (pool_id, username) REFERENCES users ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX ON auth_sessions (expires_at);
