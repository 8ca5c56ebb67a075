-- Files: see the PostgreSQL migration of the same version.
CREATE TABLE files (
    id              BLOB PRIMARY KEY NOT NULL,
    tenant_id       BLOB    NOT NULL,
    name            TEXT    NOT NULL,
    uploaded_by     BLOB    NOT NULL,
    current_version INTEGER NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL
);
CREATE INDEX files_tenant_uploader_idx ON files (tenant_id, uploaded_by, created_at);

CREATE TABLE file_versions (
    file_id      BLOB    NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    tenant_id    BLOB    NOT NULL,
    sha256       TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT    NOT NULL,
    uploaded_by  BLOB    NOT NULL,
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (file_id, number)
);
CREATE INDEX file_versions_sha256_idx ON file_versions (sha256);
