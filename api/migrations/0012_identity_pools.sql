-- Identity pools (Cognito Identity): pools, their identities, and the roles they hand out.
CREATE TABLE identity_pools (
    id            text PRIMARY KEY,              -- <region>:<uuid>
    name          text NOT NULL,
    -- The IdentityPool shape as CreateIdentityPool/UpdateIdentityPool were given it (without id and
    -- name): what DescribeIdentityPool echoes, as AWS echoes only what was set.
    settings      jsonb NOT NULL,
    -- SetIdentityPoolRoles: {"authenticated": arn, "unauthenticated": arn} and the RoleMappings map.
    roles         jsonb NOT NULL DEFAULT '{}',
    role_mappings jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- An identity: a guest (no login), or the one identity of a user-pool user in this identity pool.
CREATE TABLE identities (
    id               text PRIMARY KEY,           -- <region>:<uuid>
    pool_id          text NOT NULL REFERENCES identity_pools ON DELETE CASCADE,
    -- The login as DescribeIdentity names it (cognito-idp.<region>.amazonaws.com/<user pool id>) and
    -- the user's sub in that user pool; both null for a guest.
    provider         text,
    subject          uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_modified_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((provider IS NULL) = (subject IS NULL)),
    UNIQUE (pool_id, provider, subject)
);
CREATE INDEX identities_by_pool ON identities (pool_id, id);
