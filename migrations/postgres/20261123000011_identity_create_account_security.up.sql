-- Account security (ASVS level 2): verified addresses, mailed single-use tokens
-- (hashes only) and failed-login throttling keyed by a hash of the address, so
-- unknown addresses lock exactly like real ones.
ALTER TABLE identity.users ADD COLUMN email_verified_at TIMESTAMPTZ;

CREATE TABLE identity.account_tokens (
    id         UUID PRIMARY KEY,
    user_id    UUID        NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
    purpose    TEXT        NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    token_hash TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    CONSTRAINT account_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX account_tokens_user_idx ON identity.account_tokens (user_id, purpose);

CREATE TABLE identity.login_throttles (
    login_key         TEXT PRIMARY KEY,
    failures          INTEGER     NOT NULL,
    window_started_at TIMESTAMPTZ NOT NULL,
    locked_until      TIMESTAMPTZ
);
