-- Idempotency keys: see the PostgreSQL migration of the same version.
CREATE TABLE idempotency_keys (
    scope          TEXT    NOT NULL,
    key            TEXT    NOT NULL,
    fingerprint    TEXT    NOT NULL,
    created_micros INTEGER NOT NULL,
    locked_micros  INTEGER NOT NULL,
    status_code    INTEGER,
    headers        TEXT,
    body           BLOB,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_micros);
