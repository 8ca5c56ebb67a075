-- Rotated-out refresh tokens (hashes only): presenting one again means it was
-- stolen, and its session is revoked.
CREATE TABLE identity.retired_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id UUID        NOT NULL REFERENCES identity.sessions (id) ON DELETE CASCADE,
    retired_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX retired_refresh_tokens_session_idx ON identity.retired_refresh_tokens (session_id);
