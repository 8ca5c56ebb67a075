CREATE TABLE tenancy.organizations (
    id         UUID PRIMARY KEY,
    name       TEXT        NOT NULL,
    slug       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version    BIGINT      NOT NULL DEFAULT 1,
    CONSTRAINT organizations_slug_key UNIQUE (slug)
);

-- Users belong to identity; no cross-context foreign key, so each context can move
-- to its own database later. Membership rows are removed by tenancy's own commands.
CREATE TABLE tenancy.memberships (
    tenant_id  UUID        NOT NULL REFERENCES tenancy.organizations (id) ON DELETE CASCADE,
    user_id    UUID        NOT NULL,
    role       TEXT        NOT NULL,
    joined_at  TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_idx ON tenancy.memberships (user_id);
