Feature: Audit trail
  Owners and admins read their organization's audit trail: who did what to which
  entity, when, from which request and address. Entries are hash-chained per
  organization.

  Background:
    Given an organization "acme" owned by "alice"
    And "alice" created a project "Apollo" in "acme"

  Scenario: Changes appear newest first with actor, entity and request
    Given the next request has header "X-Request-Id" set to "rename-apollo-1"
    When "alice" sends PATCH "/api/v1/projects/{Apollo.id}" for tenant "acme" with:
      """
      {"name": "Artemis"}
      """
    And "alice" sends GET "/api/v1/audit-logs?entity_type=project" for tenant "acme"
    Then the response status is 200
    And the response JSON at "items" has the "action" values "projects.update_project, projects.create_project"
    And the response JSON at "items.0.actor_id" is "{alice.id}"
    And the response JSON at "items.0.entity_id" is "{Apollo.id}"
    And the response JSON at "items.0.request_id" is "rename-apollo-1"
    And the response JSON at "items.0.ip" is "127.0.0.1"
    And the response JSON at "items.0.seq" is an integer
    And the response JSON at "items.0.hash" is a non-empty string

  Scenario: Filters by entity, actor and time range
    When "alice" sends GET "/api/v1/audit-logs?entity_id={Apollo.id}&actor_id={alice.id}" for tenant "acme"
    Then the response JSON at "total" equals 1
    When "alice" sends GET "/api/v1/audit-logs?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z" for tenant "acme"
    Then the response JSON at "total" equals 0
    When "alice" sends GET "/api/v1/audit-logs?from=yesterday" for tenant "acme"
    Then the response status is 400

  Scenario: Members without audit:read are refused
    Given "bob" is a member of "acme" with role "member"
    When "bob" sends GET "/api/v1/audit-logs" for tenant "acme"
    Then the response status is 403
    And the error code is "forbidden"

  Scenario: Another organization's trail stays its own
    Given an organization "globex" owned by "mallory"
    When "mallory" sends GET "/api/v1/audit-logs?entity_id={Apollo.id}" for tenant "globex"
    Then the response status is 200
    And the response JSON at "total" equals 0
    When "mallory" sends GET "/api/v1/audit-logs" for tenant "acme"
    Then the response status is 403
    And the error code is "not_a_member"
