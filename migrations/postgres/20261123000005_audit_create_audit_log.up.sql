CREATE TABLE audit.audit_log (
    id          UUID PRIMARY KEY,
    occurred_at TIMESTAMPTZ NOT NULL,
    tenant_id   UUID,
    actor_id    UUID,
    action      TEXT        NOT NULL,
    entity_type TEXT        NOT NULL,
    entity_id   TEXT,
    request_id  TEXT        NOT NULL,
    ip          TEXT
);
CREATE INDEX audit_log_tenant_occurred_idx ON audit.audit_log (tenant_id, occurred_at);
CREATE INDEX audit_log_entity_idx ON audit.audit_log (entity_type, entity_id);

-- Append-only: the database itself refuses to rewrite history.
CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit.audit_log
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
