-- Files (seed 004 file management): metadata and versions; the bytes live in the
-- blob store under their SHA-256. Row-level security as for every tenant table.
CREATE SCHEMA IF NOT EXISTS files;
GRANT USAGE ON SCHEMA files TO tenantry_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA files GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tenantry_app;

CREATE TABLE files.files (
    id              UUID        PRIMARY KEY,
    tenant_id       UUID        NOT NULL,
    name            TEXT        NOT NULL,
    uploaded_by     UUID        NOT NULL,
    current_version BIGINT      NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    version         BIGINT      NOT NULL
);
CREATE INDEX files_tenant_uploader_idx ON files.files (tenant_id, uploaded_by, created_at);

CREATE TABLE files.file_versions (
    file_id      UUID        NOT NULL REFERENCES files.files (id) ON DELETE CASCADE,
    number       BIGINT      NOT NULL,
    tenant_id    UUID        NOT NULL,
    sha256       TEXT        NOT NULL,
    size         BIGINT      NOT NULL,
    content_type TEXT        NOT NULL,
    uploaded_by  UUID        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (file_id, number)
);
CREATE INDEX file_versions_sha256_idx ON files.file_versions (sha256);

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA files TO tenantry_app;

ALTER TABLE files.files ENABLE ROW LEVEL SECURITY;
ALTER TABLE files.files FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON files.files
    USING (tenancy.row_visible(tenant_id)) WITH CHECK (tenancy.row_visible(tenant_id));
ALTER TABLE files.file_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE files.file_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON files.file_versions
    USING (tenancy.row_visible(tenant_id)) WITH CHECK (tenancy.row_visible(tenant_id));
