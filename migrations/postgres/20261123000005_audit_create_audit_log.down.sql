DROP TABLE IF EXISTS audit.audit_log;
DROP FUNCTION IF EXISTS audit.refuse_change();
