DROP TABLE invoicing_applied_events;
DROP TABLE invoicing_totals;
DROP TABLE invoicing_invoices;
