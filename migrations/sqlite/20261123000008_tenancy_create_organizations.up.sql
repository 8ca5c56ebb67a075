CREATE TABLE organizations (
    id         BLOB PRIMARY KEY NOT NULL,
    name       TEXT    NOT NULL,
    slug       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT organizations_slug_key UNIQUE (slug)
);
CREATE TABLE memberships (
    tenant_id  BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL,
    role       TEXT NOT NULL,
    joined_at  TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);
