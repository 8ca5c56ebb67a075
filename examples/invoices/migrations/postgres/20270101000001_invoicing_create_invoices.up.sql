-- The invoices context of the example product: its own schema, tenant-scoped rows
-- under the same row-level security policy as Tenantry's tables, and the per-tenant
-- totals its event consumer keeps.
CREATE SCHEMA invoicing;

CREATE TABLE invoicing.invoicing_invoices (
    id           UUID        PRIMARY KEY,
    tenant_id    UUID        NOT NULL REFERENCES tenancy.organizations (id) ON DELETE CASCADE,
    number       TEXT        NOT NULL,
    customer     TEXT        NOT NULL,
    amount_cents BIGINT      NOT NULL CHECK (amount_cents > 0),
    currency     TEXT        NOT NULL,
    issued_by    UUID        NOT NULL,
    issued_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT invoicing_invoices_number_key UNIQUE (tenant_id, number)
);
CREATE INDEX invoicing_invoices_tenant_issued_idx ON invoicing.invoicing_invoices (tenant_id, issued_at DESC, id DESC);

CREATE TABLE invoicing.invoicing_totals (
    tenant_id    UUID   NOT NULL REFERENCES tenancy.organizations (id) ON DELETE CASCADE,
    currency     TEXT   NOT NULL,
    invoices     BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, currency)
);

-- Events the totals consumer has applied: each counts once, however often delivered.
CREATE TABLE invoicing.invoicing_applied_events (
    event_id  UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenancy.organizations (id) ON DELETE CASCADE
);

GRANT USAGE ON SCHEMA invoicing TO tenantry_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON invoicing.invoicing_invoices, invoicing.invoicing_totals, invoicing.invoicing_applied_events TO tenantry_app;

ALTER TABLE invoicing.invoicing_invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoicing.invoicing_invoices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invoicing.invoicing_invoices
    USING ((SELECT tenancy.scope_is_platform()) OR tenant_id = (SELECT tenancy.scope_tenant()))
    WITH CHECK ((SELECT tenancy.scope_is_platform()) OR tenant_id = (SELECT tenancy.scope_tenant()));
ALTER TABLE invoicing.invoicing_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoicing.invoicing_totals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invoicing.invoicing_totals
    USING ((SELECT tenancy.scope_is_platform()) OR tenant_id = (SELECT tenancy.scope_tenant()))
    WITH CHECK ((SELECT tenancy.scope_is_platform()) OR tenant_id = (SELECT tenancy.scope_tenant()));
ALTER TABLE invoicing.invoicing_applied_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoicing.invoicing_applied_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invoicing.invoicing_applied_events
    USING ((SELECT tenancy.scope_is_platform()) OR tenant_id = (SELECT tenancy.scope_tenant()))
    WITH CHECK ((SELECT tenancy.scope_is_platform()) OR tenant_id = (SELECT tenancy.scope_tenant()));
