CREATE TABLE tenancy.invitations (
    id          UUID PRIMARY KEY,
    tenant_id   UUID        NOT NULL REFERENCES tenancy.organizations (id) ON DELETE CASCADE,
    email       TEXT        NOT NULL,
    role        TEXT        NOT NULL,
    -- SHA-256 of the mailed token; the token itself is never stored.
    token_hash  TEXT        NOT NULL,
    invited_by  UUID        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    accepted_by UUID,
    CONSTRAINT invitations_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX invitations_tenant_idx ON tenancy.invitations (tenant_id);
