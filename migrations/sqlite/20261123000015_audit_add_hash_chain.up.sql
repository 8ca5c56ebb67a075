-- Tamper evidence: see the PostgreSQL migration of the same version.
ALTER TABLE audit_log ADD COLUMN chain_key TEXT;
ALTER TABLE audit_log ADD COLUMN seq INTEGER;
ALTER TABLE audit_log ADD COLUMN occurred_micros INTEGER;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_chain_seq_idx ON audit_log (chain_key, seq);
CREATE INDEX audit_log_tenant_micros_idx ON audit_log (tenant_id, occurred_micros);

CREATE TABLE audit_chain_heads (
    chain_key TEXT PRIMARY KEY NOT NULL,
    seq       INTEGER NOT NULL,
    hash      TEXT NOT NULL
);
