-- Grants and the bin: see the PostgreSQL migration of the same version.
ALTER TABLE files ADD COLUMN deleted_at TEXT;

CREATE TABLE file_permissions (
    file_id    BLOB NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL,
    tenant_id  BLOB NOT NULL,
    access     TEXT NOT NULL CHECK (access IN ('read', 'write')),
    granted_by BLOB NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (file_id, user_id)
);
