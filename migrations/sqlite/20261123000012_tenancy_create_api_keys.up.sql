-- API keys: see the PostgreSQL migration of the same version.
CREATE TABLE api_keys (
    id             BLOB PRIMARY KEY NOT NULL,
    tenant_id      BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    display_prefix TEXT NOT NULL,
    token_hash     TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    created_by     BLOB NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT,
    last_used_at   TEXT,
    revoked_at     TEXT,
    CONSTRAINT api_keys_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at);
