Feature: Invoicing, a product's own context on Tenantry
  The example product adds invoices to Tenantry as a module: its own tables on both
  backends, permissions with default grants, a command that writes the invoice, its
  event and its audit entry in one transaction, a consumer that keeps totals, and
  routes inside Tenantry's middleware stack and OpenAPI document.

  Background:
    Given an organization "acme" owned by "alice"

  Scenario: An owner issues an invoice; it is audited and counted in the totals
    When "alice" sends POST "/api/v1/invoices" for tenant "acme" with:
      """
      {"number": "INV-001", "customer": "Initech", "amount_cents": 125000, "currency": "EUR"}
      """
    Then the response status is 201
    And the response JSON at "number" is "INV-001"
    And the response JSON at "issued_by" is "{alice.id}"
    And the response header "Location" contains "/api/v1/invoices/"
    When the response JSON at "id" is remembered as "invoice"
    And "alice" sends POST "/api/v1/invoices" for tenant "acme" with:
      """
      {"number": "INV-002", "customer": "Hooli", "amount_cents": 5000, "currency": "EUR"}
      """
    And "alice" sends GET "/api/v1/invoices/{invoice}" for tenant "acme"
    Then the response status is 200
    And the response JSON at "customer" is "Initech"
    When "alice" sends GET "/api/v1/audit-logs?entity_type=invoice" for tenant "acme"
    Then the response JSON at "items" has the "action" values "invoicing.issue_invoice, invoicing.issue_invoice"
    And the response JSON at "items.1.entity_id" is "{invoice}"
    When the product's background work has settled
    And "alice" sends GET "/api/v1/invoices/totals" for tenant "acme"
    Then the response JSON at "items.0.currency" is "EUR"
    And the response JSON at "items.0.invoices" equals 2
    And the response JSON at "items.0.amount_cents" equals 130000

  Scenario: A refused invoice leaves no row, no event and no audit entry
    When "alice" sends POST "/api/v1/invoices" for tenant "acme" with:
      """
      {"number": "INV-001", "customer": "Initech", "amount_cents": 100, "currency": "EUR"}
      """
    Then the response status is 201
    When "alice" sends POST "/api/v1/invoices" for tenant "acme" with:
      """
      {"number": "INV-001", "customer": "Someone else", "amount_cents": 999, "currency": "USD"}
      """
    Then the response status is 409
    And the error code is "invoice_number_taken"
    When "alice" sends POST "/api/v1/invoices" for tenant "acme" with:
      """
      {"number": "no spaces", "customer": "", "amount_cents": 0, "currency": "eur"}
      """
    Then the response status is 400
    And the validation details include "number" with issue "invalid_format"
    And the validation details include "amount_cents" with issue "out_of_range"
    When the product's background work has settled
    And "alice" sends GET "/api/v1/invoices" for tenant "acme"
    Then the response JSON at "total" equals 1
    When "alice" sends GET "/api/v1/audit-logs?entity_type=invoice" for tenant "acme"
    Then the response JSON at "total" equals 1
    When "alice" sends GET "/api/v1/invoices/totals" for tenant "acme"
    Then the response JSON at "items.0.invoices" equals 1
    And the response JSON at "items" has 1 entry

  Scenario: The module's permissions follow the roles' default grants and API-key scopes
    Given "bob" is a member of "acme" with role "member"
    When "bob" sends POST "/api/v1/invoices" for tenant "acme" with:
      """
      {"number": "INV-9", "customer": "Initech", "amount_cents": 100, "currency": "EUR"}
      """
    Then the response status is 403
    And the error code is "forbidden"
    When "bob" sends GET "/api/v1/invoices" for tenant "acme"
    Then the response status is 200
    When "alice" sends GET "/api/v1/membership" for tenant "acme"
    Then the response JSON at "permissions" includes "invoice:issue"
    Given "alice" created an API key "reader" for "acme" with scopes "invoice:read"
    And the next request has header "X-Tenant-Id" set to "{acme.id}"
    When the API key "reader" sends GET "/api/v1/invoices"
    Then the response status is 200
    Given the next request has header "X-Tenant-Id" set to "{acme.id}"
    When the API key "reader" sends POST "/api/v1/invoices" with:
      """
      {"number": "INV-10", "customer": "Initech", "amount_cents": 100, "currency": "EUR"}
      """
    Then the response status is 403
    And the error code is "forbidden"

  Scenario: Invoices stay inside their organization
    Given an organization "globex" owned by "hank"
    When "alice" sends POST "/api/v1/invoices" for tenant "acme" with:
      """
      {"number": "INV-001", "customer": "Initech", "amount_cents": 100, "currency": "EUR"}
      """
    And the response JSON at "id" is remembered as "acme_invoice"
    And "hank" sends GET "/api/v1/invoices/{acme_invoice}" for tenant "globex"
    Then the response status is 404
    When "hank" sends GET "/api/v1/invoices/{acme_invoice}" for tenant "acme"
    Then the response status is 403
    And the error code is "not_a_member"
    When "hank" sends POST "/api/v1/invoices" for tenant "globex" with:
      """
      {"number": "INV-001", "customer": "Initech", "amount_cents": 100, "currency": "EUR"}
      """
    Then the response status is 201

  Scenario: The module's routes are in Tenantry's OpenAPI document and middleware stack
    When an anonymous client sends GET "/api-docs/openapi.json"
    Then the response JSON at "paths" has key "/api/v1/invoices"
    And the response JSON at "paths" has key "/api/v1/projects"
    And the response body contains "invoice_number_taken"
    Given the next request has header "X-Request-Id" set to "invoice-req-1"
    When an anonymous client sends GET "/api/v1/invoices"
    Then the response status is 401
    And the response header "X-Request-Id" is "invoice-req-1"
    And the response is an error envelope
