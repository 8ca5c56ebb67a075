Feature: Projects
  Tenant-scoped projects (X-Tenant-Id) with a budget in minor units, soft delete,
  and optimistic concurrency: every answer has an ETag, and PATCH/DELETE with a stale
  If-Match are refused with 412.

  Background:
    Given an organization "acme" owned by "alice"

  Scenario: Creating a project answers it with its location and version
    When "alice" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "Apollo", "description": "Moon shot", "budget": {"amount_minor": 1250000, "currency": "EUR"}}
      """
    Then the response status is 201
    And the response ETag names version 1
    And the response header "Location" is "/api/v1/projects/{response.id}"
    And the response has exactly the fields "id, name, description, status, budget, owner_id, created_at, updated_at, version"
    And the response JSON at "status" is "active"
    And the response JSON at "budget.amount_minor" equals 1250000
    And the response JSON at "budget.currency" is "EUR"
    And the response JSON at "owner_id" is "{alice.id}"

  Scenario: Bad input is refused with every field named, and nothing is created
    When "alice" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "  ", "budget": {"amount_minor": -1, "currency": "euro"}}
      """
    Then the response status is 400
    And the validation details include "name" with issue "required"
    And the validation details include "budget.amount_minor" with issue "negative"
    And the validation details include "budget.currency" with issue "invalid"
    When "alice" sends GET "/api/v1/projects" for tenant "acme"
    Then the response JSON at "total" equals 0

  Scenario: A change based on the current ETag succeeds and bumps the version
    Given "alice" created a project "Apollo" in "acme"
    And the next request is based on version 1
    When "alice" sends PATCH "/api/v1/projects/{Apollo.id}" for tenant "acme" with:
      """
      {"name": "Artemis", "status": "archived", "budget": null}
      """
    Then the response status is 200
    And the response ETag names version 2
    And the response JSON at "name" is "Artemis"
    And the response JSON at "status" is "archived"
    And the response JSON at "budget" equals null

  Scenario: Two clients race on the same version: the second write is refused
    Given "alice" created a project "Apollo" in "acme"
    And "bob" is a member of "acme" with role "admin"
    And the next request is based on version 1
    When "alice" sends PATCH "/api/v1/projects/{Apollo.id}" for tenant "acme" with:
      """
      {"name": "Alice's name"}
      """
    Then the response status is 200
    Given the next request is based on version 1
    When "bob" sends PATCH "/api/v1/projects/{Apollo.id}" for tenant "acme" with:
      """
      {"name": "Bob's name"}
      """
    Then the response status is 412
    And the error code is "precondition_failed"
    When "bob" sends GET "/api/v1/projects/{Apollo.id}" for tenant "acme"
    Then the response JSON at "name" is "Alice's name"
    And the response ETag names version 2

  Scenario: A deleted project is gone from every read
    Given "alice" created a project "Apollo" in "acme"
    And the next request is based on version 1
    When "alice" sends DELETE "/api/v1/projects/{Apollo.id}" for tenant "acme"
    Then the response status is 204
    When "alice" sends GET "/api/v1/projects/{Apollo.id}" for tenant "acme"
    Then the response status is 404
    When "alice" sends GET "/api/v1/projects" for tenant "acme"
    Then the response JSON at "total" equals 0
    When "alice" sends DELETE "/api/v1/projects/{Apollo.id}" for tenant "acme"
    Then the response status is 404

  Scenario: Lists filter by status and sort by name
    Given "alice" created a project "Zeta" in "acme"
    And "alice" created a project "Alpha" in "acme"
    And "alice" created a project "Mid" in "acme"
    When "alice" sends PATCH "/api/v1/projects/{Mid.id}" for tenant "acme" with:
      """
      {"status": "archived"}
      """
    And "alice" sends GET "/api/v1/projects?status=active&sort_by=name" for tenant "acme"
    Then the response status is 200
    And the response JSON at "items" has the "name" values "Alpha, Zeta"
    And the response JSON at "total" equals 2
    When "alice" sends GET "/api/v1/projects?status=sideways" for tenant "acme"
    Then the response status is 400
    And the validation details include "status" with issue "invalid"

  Scenario: Another organization's project does not exist for you
    Given "alice" created a project "Apollo" in "acme"
    And an organization "globex" owned by "bob"
    When "bob" sends GET "/api/v1/projects/{Apollo.id}" for tenant "globex"
    Then the response status is 404
    When "bob" sends PATCH "/api/v1/projects/{Apollo.id}" for tenant "globex" with:
      """
      {"name": "Mine now"}
      """
    Then the response status is 404
    When "bob" sends DELETE "/api/v1/projects/{Apollo.id}" for tenant "globex"
    Then the response status is 404
    When "bob" sends GET "/api/v1/projects/{Apollo.id}" for tenant "acme"
    Then the response status is 403
    And the error code is "not_a_member"
    When "alice" sends GET "/api/v1/projects/{Apollo.id}" for tenant "acme"
    Then the response JSON at "name" is "Apollo"

  Scenario: A viewer reads projects but cannot create them
    Given "alice" created a project "Apollo" in "acme"
    And "vera" is a member of "acme" with role "viewer"
    When "vera" sends GET "/api/v1/projects" for tenant "acme"
    Then the response status is 200
    And the response JSON at "total" equals 1
    When "vera" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "Hers"}
      """
    Then the response status is 403
    And the error code is "forbidden"

  Scenario: Projects need the tenant header
    When "alice" sends GET "/api/v1/projects"
    Then the response status is 400
    And the error code is "tenant_required"
