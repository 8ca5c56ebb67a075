-- Transactional outbox: events are written with the state change and relayed later.
CREATE TABLE messaging.outbox (
    id           UUID PRIMARY KEY,
    event_type   TEXT        NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    tenant_id    UUID,
    actor_id     UUID,
    payload      JSONB       NOT NULL,
    published_at TIMESTAMPTZ,
    attempts     INTEGER     NOT NULL DEFAULT 0,
    last_error   TEXT
);
CREATE INDEX outbox_pending_idx ON messaging.outbox (id) WHERE published_at IS NULL;
