-- Idempotency-Key (API.md): the first answer to a POST, kept for 24 hours so a retry
-- with the same key and body gets it again instead of repeating the command. Rows
-- without a status are claims of requests still running.
CREATE SCHEMA IF NOT EXISTS platform;
GRANT USAGE ON SCHEMA platform TO tenantry_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA platform GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tenantry_app;

CREATE TABLE platform.idempotency_keys (
    scope          TEXT    NOT NULL,
    key            TEXT    NOT NULL,
    fingerprint    TEXT    NOT NULL,
    created_micros BIGINT  NOT NULL,
    locked_micros  BIGINT  NOT NULL,
    status_code    INTEGER,
    headers        TEXT,
    body           BYTEA,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON platform.idempotency_keys (created_micros);
GRANT SELECT, INSERT, UPDATE, DELETE ON platform.idempotency_keys TO tenantry_app;
