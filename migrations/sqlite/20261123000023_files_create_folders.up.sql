-- Folders: see the PostgreSQL migration of the same version.
CREATE TABLE folders (
    id         BLOB    PRIMARY KEY NOT NULL,
    tenant_id  BLOB    NOT NULL,
    parent_id  BLOB    REFERENCES folders (id),
    name       TEXT    NOT NULL,
    created_by BLOB    NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    version    INTEGER NOT NULL
);
CREATE UNIQUE INDEX folders_sibling_name_key
    ON folders (tenant_id, COALESCE(parent_id, x'00000000000000000000000000000000'), name);
CREATE INDEX folders_parent_idx ON folders (tenant_id, parent_id, name);

CREATE TABLE folder_tree_locks (
    tenant_id BLOB PRIMARY KEY NOT NULL
);

-- No REFERENCES here: SQLite cannot drop a column that has one (down migration);
-- writers are serialised and the adapter clears folder_id before deleting a folder.
ALTER TABLE files ADD COLUMN folder_id BLOB;
CREATE INDEX files_folder_idx ON files (tenant_id, folder_id, name) WHERE deleted_at IS NULL;
