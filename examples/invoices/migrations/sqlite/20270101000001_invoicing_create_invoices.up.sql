-- The invoices context of the example product (see the PostgreSQL migration of the
-- same version; SQLite has no schemas and no row-level security).
CREATE TABLE invoicing_invoices (
    id           BLOB    PRIMARY KEY NOT NULL,
    tenant_id    BLOB    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    number       TEXT    NOT NULL,
    customer     TEXT    NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    currency     TEXT    NOT NULL,
    issued_by    BLOB    NOT NULL,
    issued_at    TEXT    NOT NULL,
    CONSTRAINT invoicing_invoices_number_key UNIQUE (tenant_id, number)
);
CREATE INDEX invoicing_invoices_tenant_issued_idx ON invoicing_invoices (tenant_id, issued_at DESC, id DESC);

CREATE TABLE invoicing_totals (
    tenant_id    BLOB    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    currency     TEXT    NOT NULL,
    invoices     INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, currency)
);

CREATE TABLE invoicing_applied_events (
    event_id  BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE
);
