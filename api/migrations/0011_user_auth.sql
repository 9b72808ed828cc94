-- Choice-based sign-in (USER_AUTH): the first factors a pool offers (its SignInPolicy), of which this
-- service has PASSWORD (with or without SRP) and EMAIL_OTP, a one-time code mailed through the outbox.
ALTER TABLE user_pools
    ADD COLUMN allowed_first_auth_factors text[] NOT NULL DEFAULT '{PASSWORD}'
        CHECK ('PASSWORD' = ANY (allowed_first_auth_factors)
               AND allowed_first_auth_factors <@ ARRAY['PASSWORD', 'EMAIL_OTP']);

ALTER TABLE user_codes DROP CONSTRAINT user_codes_purpose_check;
ALTER TABLE user_codes ADD CONSTRAINT user_codes_purpose_check
    CHECK (purpose IN ('confirm_sign_up', 'reset_password', 'verify_email', 'sign_in'));
