-- Folders: each organization's tree. Files sit at the top level (folder_id NULL) or
-- in one folder. Sibling names are unique; the top level counts as the nil parent.
CREATE TABLE files.folders (
    id         UUID        PRIMARY KEY,
    tenant_id  UUID        NOT NULL,
    parent_id  UUID        REFERENCES files.folders (id),
    name       TEXT        NOT NULL,
    created_by UUID        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version    BIGINT      NOT NULL
);
CREATE UNIQUE INDEX folders_sibling_name_key
    ON files.folders (tenant_id, COALESCE(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), name);
CREATE INDEX folders_parent_idx ON files.folders (tenant_id, parent_id, name);

-- Moving folders takes this row's lock, so cycle checks never race each other.
CREATE TABLE files.folder_tree_locks (
    tenant_id UUID PRIMARY KEY
);

-- A folder is deleted only when empty of live files; files of it in the bin return
-- to the top level.
ALTER TABLE files.files ADD COLUMN folder_id UUID REFERENCES files.folders (id) ON DELETE SET NULL;
CREATE INDEX files_folder_idx ON files.files (tenant_id, folder_id, name) WHERE deleted_at IS NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON files.folders, files.folder_tree_locks TO tenantry_app;
ALTER TABLE files.folders ENABLE ROW LEVEL SECURITY;
ALTER TABLE files.folders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON files.folders
    USING (tenancy.row_visible(tenant_id)) WITH CHECK (tenancy.row_visible(tenant_id));
ALTER TABLE files.folder_tree_locks ENABLE ROW LEVEL SECURITY;
ALTER TABLE files.folder_tree_locks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON files.folder_tree_locks
    USING (tenancy.row_visible(tenant_id)) WITH CHECK (tenancy.row_visible(tenant_id));
