DO $$
DECLARE
    p RECORD;
    col TEXT;
BEGIN
    FOR p IN SELECT schemaname, tablename FROM pg_policies WHERE policyname = 'tenant_isolation' LOOP
        col := CASE WHEN (p.schemaname, p.tablename) = ('tenancy', 'organizations') THEN 'id' ELSE 'tenant_id' END;
        EXECUTE format('DROP POLICY tenant_isolation ON %I.%I', p.schemaname, p.tablename);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I.%I USING (tenancy.row_visible(%I)) WITH CHECK (tenancy.row_visible(%I))',
            p.schemaname, p.tablename, col, col);
    END LOOP;
END
$$;

DROP FUNCTION tenancy.scope_tenant();
DROP FUNCTION tenancy.scope_is_platform();
