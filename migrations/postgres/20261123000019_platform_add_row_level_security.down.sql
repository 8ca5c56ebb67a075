DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'tenancy.organizations', 'tenancy.memberships', 'tenancy.invitations', 'tenancy.api_keys',
        'projects.projects', 'projects.project_members', 'projects.tasks', 'projects.time_entries',
        'projects.task_comments', 'projects.project_summaries',
        'notifications.notifications', 'audit.audit_log'
    ] LOOP
        EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', t);
        EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', t);
    END LOOP;
END
$$;
DROP FUNCTION IF EXISTS tenancy.row_visible(UUID);
ALTER DEFAULT PRIVILEGES IN SCHEMA identity, tenancy, projects, notifications, audit, messaging
    REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM tenantry_app;
REVOKE ALL ON ALL TABLES IN SCHEMA identity, tenancy, projects, notifications, audit, messaging FROM tenantry_app;
REVOKE USAGE ON SCHEMA identity, tenancy, projects, notifications, audit, messaging FROM tenantry_app;
-- The role itself stays: other databases of the cluster may use it.
