DROP TABLE IF EXISTS audit.audit_chain_heads;
DROP INDEX IF EXISTS audit.audit_log_tenant_micros_idx;
DROP INDEX IF EXISTS audit.audit_log_chain_seq_idx;
ALTER TABLE audit.audit_log DROP COLUMN IF EXISTS hash;
ALTER TABLE audit.audit_log DROP COLUMN IF EXISTS prev_hash;
ALTER TABLE audit.audit_log DROP COLUMN IF EXISTS occurred_micros;
ALTER TABLE audit.audit_log DROP COLUMN IF EXISTS seq;
ALTER TABLE audit.audit_log DROP COLUMN IF EXISTS chain_key;
