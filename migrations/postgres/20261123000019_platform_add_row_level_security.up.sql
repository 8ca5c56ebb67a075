-- Tenant isolation in depth (ADR 0007). The application serves as `tenantry_app`: no
-- superuser, no BYPASSRLS, no DDL. Every transaction names the tenant it works for
-- with `set_config('tenantry.tenant_id', <uuid>, true)` (SET LOCAL), or `*` for work
-- that spans tenants by design (sign-in, provisioning, event consumers, verifiers).
-- A statement that forgets its `WHERE tenant_id = ...` still sees only that tenant's
-- rows, and a transaction that names no tenant sees none.

-- Roles are cluster-wide: tolerate a concurrent migration of another database.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tenantry_app') THEN
        CREATE ROLE tenantry_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- A migrating role that is not a superuser must be able to SET ROLE to it.
DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       AND NOT pg_has_role(current_user, 'tenantry_app', 'MEMBER') THEN
        EXECUTE format('GRANT tenantry_app TO %I', current_user);
    END IF;
END
$$;

GRANT USAGE ON SCHEMA identity, tenancy, projects, notifications, audit, messaging TO tenantry_app;
GRANT SELECT, INSERT, UPDATE, DELETE
    ON ALL TABLES IN SCHEMA identity, tenancy, projects, notifications, audit, messaging TO tenantry_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA identity, tenancy, projects, notifications, audit, messaging
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tenantry_app;
-- The audit trail is append-only for the application, not just by trigger.
REVOKE UPDATE, DELETE ON audit.audit_log FROM tenantry_app;

-- True when the current transaction works for `row_tenant`, or for every tenant.
-- Text comparison: an unset or malformed setting matches nothing instead of failing.
CREATE FUNCTION tenancy.row_visible(row_tenant UUID) RETURNS BOOLEAN
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT current_setting('tenantry.tenant_id', true) = '*'
        OR row_tenant::text = current_setting('tenantry.tenant_id', true)
$$;
GRANT EXECUTE ON FUNCTION tenancy.row_visible(UUID) TO tenantry_app;

ALTER TABLE tenancy.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenancy.organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenancy.organizations
    USING (tenancy.row_visible(id)) WITH CHECK (tenancy.row_visible(id));

DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'tenancy.memberships', 'tenancy.invitations', 'tenancy.api_keys',
        'projects.projects', 'projects.project_members', 'projects.tasks', 'projects.time_entries',
        'projects.task_comments', 'projects.project_summaries',
        'notifications.notifications', 'audit.audit_log'
    ] LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %s USING (tenancy.row_visible(tenant_id)) '
            'WITH CHECK (tenancy.row_visible(tenant_id))', t);
    END LOOP;
END
$$;
