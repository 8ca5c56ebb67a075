-- Notifications: see the PostgreSQL migration of the same version.
CREATE TABLE notifications (
    id          BLOB PRIMARY KEY NOT NULL,
    tenant_id   BLOB,
    user_id     BLOB NOT NULL,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    event_id    BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    read_at     TEXT,
    CONSTRAINT notifications_event_user_key UNIQUE (event_id, user_id)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, read_at, created_at);

CREATE TABLE notification_preferences (
    user_id BLOB NOT NULL,
    kind    TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);
