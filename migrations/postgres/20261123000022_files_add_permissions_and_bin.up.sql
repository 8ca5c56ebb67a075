-- Grants of a file to other members, and the bin (soft delete).
ALTER TABLE files.files ADD COLUMN deleted_at TIMESTAMPTZ;

CREATE TABLE files.file_permissions (
    file_id    UUID        NOT NULL REFERENCES files.files (id) ON DELETE CASCADE,
    user_id    UUID        NOT NULL,
    tenant_id  UUID        NOT NULL,
    access     TEXT        NOT NULL CHECK (access IN ('read', 'write')),
    granted_by UUID        NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (file_id, user_id)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON files.file_permissions TO tenantry_app;
ALTER TABLE files.file_permissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE files.file_permissions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON files.file_permissions
    USING (tenancy.row_visible(tenant_id)) WITH CHECK (tenancy.row_visible(tenant_id));
