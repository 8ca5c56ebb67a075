-- API keys of organizations for machine clients. Only the SHA-256 of a key is kept,
-- with a short clear prefix to tell keys apart; scopes are space-separated permissions.
CREATE TABLE tenancy.api_keys (
    id             UUID PRIMARY KEY,
    tenant_id      UUID        NOT NULL REFERENCES tenancy.organizations (id) ON DELETE CASCADE,
    name           TEXT        NOT NULL,
    display_prefix TEXT        NOT NULL,
    token_hash     TEXT        NOT NULL,
    scopes         TEXT        NOT NULL,
    created_by     UUID        NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ,
    last_used_at   TIMESTAMPTZ,
    revoked_at     TIMESTAMPTZ,
    CONSTRAINT api_keys_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_keys_tenant_idx ON tenancy.api_keys (tenant_id, created_at);
