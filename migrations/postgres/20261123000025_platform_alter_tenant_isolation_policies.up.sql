-- Row-level security at the cost of one comparison per row (issue 7's benchmark).
-- tenancy.row_visible(tenant_id) ran current_setting() twice and cast the row's
-- tenant id to text for every row a statement touched: a page's COUNT(*) over 2,000
-- tasks paid more for the policy than for the scan. The policies now read the scope
-- once per statement, in uncorrelated sub-selects the planner evaluates up front
-- (InitPlans), and compare UUIDs. The meaning is unchanged: `*` sees every tenant, a
-- tenant id sees that tenant, an unset or malformed setting sees nothing.
-- New tenant-scoped tables take the same policy:
--   USING ((SELECT tenancy.scope_is_platform()) OR tenant_id = (SELECT tenancy.scope_tenant()))

CREATE FUNCTION tenancy.scope_is_platform() RETURNS BOOLEAN
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(current_setting('tenantry.tenant_id', true) = '*', FALSE)
$$;

CREATE FUNCTION tenancy.scope_tenant() RETURNS UUID
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN current_setting('tenantry.tenant_id', true)
             ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        THEN current_setting('tenantry.tenant_id', true)::uuid
    END
$$;

GRANT EXECUTE ON FUNCTION tenancy.scope_is_platform(), tenancy.scope_tenant() TO tenantry_app;

DO $$
DECLARE
    p RECORD;
    col TEXT;
BEGIN
    FOR p IN SELECT schemaname, tablename FROM pg_policies WHERE policyname = 'tenant_isolation' LOOP
        col := CASE WHEN (p.schemaname, p.tablename) = ('tenancy', 'organizations') THEN 'id' ELSE 'tenant_id' END;
        EXECUTE format('DROP POLICY tenant_isolation ON %I.%I', p.schemaname, p.tablename);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I.%I '
            'USING ((SELECT tenancy.scope_is_platform()) OR %I = (SELECT tenancy.scope_tenant())) '
            'WITH CHECK ((SELECT tenancy.scope_is_platform()) OR %I = (SELECT tenancy.scope_tenant()))',
            p.schemaname, p.tablename, col, col);
    END LOOP;
END
$$;
