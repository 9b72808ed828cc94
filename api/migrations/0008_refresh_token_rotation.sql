-- Refresh-token rotation (GetTokensFromRefreshToken), per app client: with it on, each refresh replaces the
-- refresh token; the replaced one keeps working for the client's grace period (0 to 60 s, for retries), and
-- any use after that revokes the whole family, the usual sign that a token was stolen.
ALTER TABLE user_pool_clients
    ADD COLUMN refresh_token_rotation boolean NOT NULL DEFAULT false,
    ADD COLUMN retry_grace_period_secs integer NOT NULL DEFAULT 0
        CHECK (retry_grace_period_secs BETWEEN 0 AND 60);

-- A sign-in's refresh tokens are a family: they share its origin_jti (and event id and auth time), which
-- every ID and access token names, so revoking a sign-in revokes every row of its family. `rotated_at` is
-- when a token was replaced by its successor.
ALTER TABLE refresh_tokens
    DROP CONSTRAINT refresh_tokens_origin_jti_key,
    ADD COLUMN rotated_at timestamptz;
CREATE INDEX refresh_tokens_family ON refresh_tokens (origin_jti);
