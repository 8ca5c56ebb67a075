-- In-app notifications and per-kind choices, in the notifications context's schema.
CREATE SCHEMA IF NOT EXISTS notifications;

CREATE TABLE notifications.notifications (
    id          UUID PRIMARY KEY,
    tenant_id   UUID,
    user_id     UUID        NOT NULL,
    kind        TEXT        NOT NULL,
    title       TEXT        NOT NULL,
    entity_type TEXT        NOT NULL,
    entity_id   TEXT        NOT NULL,
    event_id    UUID        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    read_at     TIMESTAMPTZ,
    -- One notification per event and recipient, however often the event arrives.
    CONSTRAINT notifications_event_user_key UNIQUE (event_id, user_id)
);
CREATE INDEX notifications_user_idx ON notifications.notifications (user_id, read_at, created_at);

CREATE TABLE notifications.notification_preferences (
    user_id UUID    NOT NULL,
    kind    TEXT    NOT NULL,
    enabled BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, kind)
);
