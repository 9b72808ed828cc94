-- IAM roles and their inline policies (the iam Query endpoint), which the AWS_IAM authorizer
-- evaluates for execute-api:Invoke.
CREATE TABLE iam_roles (
    name                        text PRIMARY KEY,
    role_id                     text NOT NULL UNIQUE,     -- AROA…
    path                        text NOT NULL DEFAULT '/',
    assume_role_policy_document text NOT NULL,
    description                 text,
    max_session_duration        integer NOT NULL DEFAULT 3600,
    created_at                  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE iam_role_policies (
    role_name   text NOT NULL REFERENCES iam_roles ON DELETE RESTRICT,
    policy_name text NOT NULL,
    document    text NOT NULL,
    PRIMARY KEY (role_name, policy_name)
);
