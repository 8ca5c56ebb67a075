-- Tamper evidence: every entry carries the hash of the previous entry of its chain
-- (one chain per tenant, one for platform-level entries), so rewriting or removing
-- a row breaks every hash after it (`tenantry audit verify`). occurred_micros makes
-- time-range filters exact on every backend.
ALTER TABLE audit.audit_log ADD COLUMN chain_key TEXT;
ALTER TABLE audit.audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit.audit_log ADD COLUMN occurred_micros BIGINT;
ALTER TABLE audit.audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit.audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_chain_seq_idx ON audit.audit_log (chain_key, seq);
CREATE INDEX audit_log_tenant_micros_idx ON audit.audit_log (tenant_id, occurred_micros);

-- The head of each chain, locked by the writer so entries of one chain are sequential.
CREATE TABLE audit.audit_chain_heads (
    chain_key TEXT PRIMARY KEY,
    seq       BIGINT NOT NULL,
    hash      TEXT   NOT NULL
);
