Feature: Project summary (read model)
  GET /api/v1/projects/{id}/summary answers task counts per status, estimated and
  logged minutes and the budget from a read model that events keep up to date.

  Background:
    Given an organization "acme" owned by "alice"
    And "alice" created a project "Apollo" in "acme"

  Scenario: The summary follows tasks, estimates, status changes and logged time
    When "alice" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme" with:
      """
      {"title": "Design", "estimate_minutes": 120}
      """
    And the response JSON at "id" is remembered as "design"
    And "alice" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme" with:
      """
      {"title": "Build", "estimate_minutes": 300}
      """
    And "alice" sends PATCH "/api/v1/tasks/{design}" for tenant "acme" with:
      """
      {"status": "in_progress", "estimate_minutes": 150}
      """
    And "alice" sends POST "/api/v1/tasks/{design}/time-entries" for tenant "acme" with:
      """
      {"minutes": 45, "spent_on": "2026-11-23"}
      """
    Then "alice" soon sees the summary of "Apollo" in "acme" with "logged_minutes" equal to 45
    And "alice" soon sees the summary of "Apollo" in "acme" with "tasks.todo" equal to 1
    And "alice" soon sees the summary of "Apollo" in "acme" with "tasks.in_progress" equal to 1
    And "alice" soon sees the summary of "Apollo" in "acme" with "estimated_minutes" equal to 450

  Scenario: The budget travels with the project's events
    When "alice" sends PATCH "/api/v1/projects/{Apollo.id}" for tenant "acme" with:
      """
      {"budget": {"amount_minor": 990000, "currency": "USD"}}
      """
    Then "alice" soon sees the summary of "Apollo" in "acme" with "budget" equal to {"amount_minor": 990000, "currency": "USD"}

  Scenario: Another organization cannot read the summary
    Given an organization "globex" owned by "mallory"
    When "mallory" sends GET "/api/v1/projects/{Apollo.id}/summary" for tenant "globex"
    Then the response status is 404
