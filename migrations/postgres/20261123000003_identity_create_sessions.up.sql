CREATE TABLE identity.sessions (
    id                 UUID PRIMARY KEY,
    user_id            UUID        NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
    -- SHA-256 of the refresh token: a database leak yields no usable token.
    refresh_token_hash TEXT        NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    last_seen_at       TIMESTAMPTZ NOT NULL,
    expires_at         TIMESTAMPTZ NOT NULL,
    revoked_at         TIMESTAMPTZ,
    CONSTRAINT sessions_refresh_token_hash_key UNIQUE (refresh_token_hash)
);
CREATE INDEX sessions_user_id_idx ON identity.sessions (user_id);
