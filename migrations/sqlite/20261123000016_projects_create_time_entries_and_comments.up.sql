-- Time entries and comments: see the PostgreSQL migration of the same version.
CREATE TABLE time_entries (
    id         BLOB PRIMARY KEY NOT NULL,
    tenant_id  BLOB NOT NULL,
    project_id BLOB NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    task_id    BLOB NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL,
    minutes    INTEGER NOT NULL CHECK (minutes > 0),
    note       TEXT,
    spent_on   TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX time_entries_task_idx ON time_entries (tenant_id, task_id, spent_on);

CREATE TABLE task_comments (
    id         BLOB PRIMARY KEY NOT NULL,
    tenant_id  BLOB NOT NULL,
    task_id    BLOB NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    parent_id  BLOB REFERENCES task_comments (id) ON DELETE CASCADE,
    author_id  BLOB NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX task_comments_task_idx ON task_comments (tenant_id, task_id, created_at);
