DROP TABLE IF EXISTS audit_chain_heads;
DROP INDEX IF EXISTS audit_log_tenant_micros_idx;
DROP INDEX IF EXISTS audit_log_chain_seq_idx;
ALTER TABLE audit_log DROP COLUMN hash;
ALTER TABLE audit_log DROP COLUMN prev_hash;
ALTER TABLE audit_log DROP COLUMN occurred_micros;
ALTER TABLE audit_log DROP COLUMN seq;
ALTER TABLE audit_log DROP COLUMN chain_key;
