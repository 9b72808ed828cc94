-- Cognito-compatible user pools. Identifiers keep Cognito's shapes: pool ids `<region>_<9 alnum>`,
-- client ids 26 lowercase alphanumerics, user `sub`s UUIDs.

CREATE TABLE user_pools (
    id                        text PRIMARY KEY CHECK (id ~ '^[a-z]{2}(-[a-z]+)+-[0-9]+_[0-9A-Za-z]{9}$'),
    name                      text NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    -- MinimumLength, RequireUppercase, RequireLowercase, RequireNumbers, RequireSymbols,
    -- TemporaryPasswordValidityDays, as Cognito's PasswordPolicyType.
    password_policy           jsonb NOT NULL,
    -- 'email' and/or 'phone_number' when people sign in with those instead of a username.
    username_attributes       text[] NOT NULL DEFAULT '{}',
    auto_verified_attributes  text[] NOT NULL DEFAULT '{}',
    -- Receives Cognito's PostConfirmation event; a failure fails the confirmation.
    post_confirmation_webhook text,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    version                   bigint NOT NULL DEFAULT 1
);

CREATE TABLE user_pool_clients (
    id                           text PRIMARY KEY CHECK (id ~ '^[0-9a-z]{26}$'),
    pool_id                      text NOT NULL REFERENCES user_pools ON DELETE CASCADE,
    name                         text NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    secret                       text,
    explicit_auth_flows          text[] NOT NULL,
    id_token_validity_secs       integer NOT NULL DEFAULT 3600,
    access_token_validity_secs   integer NOT NULL DEFAULT 3600,
    refresh_token_validity_secs  integer NOT NULL DEFAULT 2592000,
    prevent_user_existence_errors boolean NOT NULL DEFAULT true,
    created_at                   timestamptz NOT NULL DEFAULT now(),
    updated_at                   timestamptz NOT NULL DEFAULT now(),
    version                      bigint NOT NULL DEFAULT 1
);
CREATE INDEX ON user_pool_clients (pool_id);

CREATE TABLE users (
    pool_id          text NOT NULL REFERENCES user_pools ON DELETE CASCADE,
    username         text NOT NULL,
    sub              uuid NOT NULL UNIQUE,
    -- UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED
    status           text NOT NULL,
    enabled          boolean NOT NULL DEFAULT true,
    password_hash    text NOT NULL,
    -- SRP salt and verifier: derived from the password when it is set, as argon2 can't give them later.
    srp_salt         bytea NOT NULL,
    srp_verifier     bytea NOT NULL,
    -- A temporary password (FORCE_CHANGE_PASSWORD) expires this long after it was set.
    password_set_at  timestamptz NOT NULL DEFAULT now(),
    -- Attribute name to value, e.g. {"email": "a@example.com", "email_verified": "true"}.
    attributes       jsonb NOT NULL DEFAULT '{}',
    failed_sign_ins  integer NOT NULL DEFAULT 0,
    locked_until     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (pool_id, username)
);
-- Sign-in by email alias: one user per verified-or-not email in a pool.
CREATE UNIQUE INDEX users_email_alias ON users (pool_id, lower(attributes ->> 'email'))
    WHERE attributes ? 'email';

CREATE TABLE user_groups (
    pool_id     text NOT NULL REFERENCES user_pools ON DELETE CASCADE,
    name        text NOT NULL,
    description text,
    precedence  integer,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE user_group_members (
    pool_id    text NOT NULL,
    group_name text NOT NULL,
    username   text NOT NULL,
    PRIMARY KEY (pool_id, group_name, username),
    FOREIGN KEY (pool_id, group_name) REFERENCES user_groups ON DELETE CASCADE,
    FOREIGN KEY (pool_id, username) REFERENCES users ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX ON user_group_members (pool_id, username);

-- One live code per user and purpose; stored hashed, single use, expiring, with bounded attempts.
CREATE TABLE user_codes (
    pool_id    text NOT NULL,
    username   text NOT NULL,
    purpose    text NOT NULL CHECK (purpose IN ('confirm_sign_up', 'reset_password', 'verify_email')),
    code_hash  bytea NOT NULL,
    expires_at timestamptz NOT NULL,
    attempts   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, username, purpose),
    FOREIGN KEY (pool_id, username) REFERENCES users ON DELETE CASCADE ON UPDATE CASCADE
);

-- Refresh tokens are opaque to clients and kept only as hashes.
CREATE TABLE refresh_tokens (
    token_hash bytea PRIMARY KEY,
    pool_id    text NOT NULL,
    client_id  text NOT NULL REFERENCES user_pool_clients ON DELETE CASCADE,
    username   text NOT NULL,
    -- The sign-in these tokens descend from: refreshed tokens keep its jti, event id and time.
    origin_jti uuid NOT NULL UNIQUE,
    event_id   uuid NOT NULL,
    auth_time  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    FOREIGN KEY (pool_id, username) REFERENCES users ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX ON refresh_tokens (pool_id, username);

-- RS256 keys per pool, separate for id and access tokens; in the database so every api instance signs
-- and verifies with the same keys.
CREATE TABLE signing_keys (
    kid         text PRIMARY KEY,
    pool_id     text NOT NULL REFERENCES user_pools ON DELETE CASCADE,
    token_use   text NOT NULL CHECK (token_use IN ('id', 'access')),
    private_key bytea NOT NULL, -- PKCS#8 DER
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (pool_id, token_use)
);

-- Server-wide secrets shared by instances (e.g. the key that seals SRP challenge state).
CREATE TABLE server_secrets (
    name       text PRIMARY KEY,
    value      bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Messages to deliver (confirmation and reset codes), written in the same transaction as the code.
CREATE TABLE outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool_id     text NOT NULL,
    username    text NOT NULL,
    destination text NOT NULL,
    subject     text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);
CREATE INDEX ON outbox (created_at) WHERE sent_at IS NULL;

-- The product's own user record, created when a user is confirmed (the seed's PostConfirmation
-- trigger did this in a Lambda).
CREATE TABLE user_profiles (
    id         uuid PRIMARY KEY,
    email      text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    bigint NOT NULL DEFAULT 1
);

CREATE TRIGGER touch BEFORE UPDATE ON user_pools FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE TRIGGER touch BEFORE UPDATE ON user_pool_clients FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE TRIGGER touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE TRIGGER touch BEFORE UPDATE ON user_groups FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE TRIGGER touch BEFORE UPDATE ON user_profiles FOR EACH ROW EXECUTE FUNCTION touch_row();
