Feature: Project roles
  Organization owners and admins act in every project. Other members read every
  project of their organization but change one only through their role in it:
  managers change the project and choose its members, contributors work on its tasks
  (create, change, log time, comment), viewers only look. Whoever creates a project
  manages it.

  Background:
    Given an organization "acme" owned by "alice"
    And "bob" is a member of "acme" with role "member"
    And "alice" created a project "Apollo" in "acme"
    And "alice" created a task "launch" in "Apollo" for "acme"

  Scenario: A member outside the project reads it but changes nothing
    When "bob" sends GET "/api/v1/projects/{Apollo.id}" for tenant "acme"
    Then the response status is 200
    When "bob" sends GET "/api/v1/tasks/{launch.id}/comments" for tenant "acme"
    Then the response status is 200
    When "bob" sends POST "/api/v1/tasks/{launch.id}/comments" for tenant "acme" with:
      """
      {"body": "Can I help?"}
      """
    Then the response status is 403
    And the error code is "forbidden"
    And the response is an error envelope
    When "alice" sends GET "/api/v1/tasks/{launch.id}/comments" for tenant "acme"
    Then the response body does not contain "Can I help?"

  Scenario Outline: A <project_role> <action>: <status>
    Given "alice" added "bob" to the project "Apollo" in "acme" as "<project_role>"
    When "bob" sends <method> "<path>" for tenant "acme" with:
      """
      <body>
      """
    Then the response status is <status>

    Examples:
      | project_role | action               | method | path                                   | body                                                      | status |
      | viewer       | adds a task          | POST   | /api/v1/projects/{Apollo.id}/tasks     | {"title": "Checklist"}                                    | 403    |
      | viewer       | logs time            | POST   | /api/v1/tasks/{launch.id}/time-entries | {"minutes": 30, "spent_on": "2026-11-20"}                 | 403    |
      | viewer       | comments             | POST   | /api/v1/tasks/{launch.id}/comments     | {"body": "Looks good"}                                    | 403    |
      | contributor  | adds a task          | POST   | /api/v1/projects/{Apollo.id}/tasks     | {"title": "Checklist"}                                    | 201    |
      | contributor  | moves a task         | PATCH  | /api/v1/tasks/{launch.id}              | {"status": "in_progress"}                                 | 200    |
      | contributor  | logs time            | POST   | /api/v1/tasks/{launch.id}/time-entries | {"minutes": 30, "spent_on": "2026-11-20"}                 | 201    |
      | contributor  | comments             | POST   | /api/v1/tasks/{launch.id}/comments     | {"body": "Looks good"}                                    | 201    |
      | contributor  | renames the project  | PATCH  | /api/v1/projects/{Apollo.id}           | {"name": "Artemis"}                                       | 403    |
      | contributor  | adds a member        | POST   | /api/v1/projects/{Apollo.id}/members   | {"user_id": "{bob.id}", "role": "manager"}                | 403    |
      | manager      | renames the project  | PATCH  | /api/v1/projects/{Apollo.id}           | {"name": "Artemis"}                                       | 200    |
      | manager      | adds a member        | POST   | /api/v1/projects/{Apollo.id}/members   | {"user_id": "{alice.id}", "role": "viewer"}               | 200    |
      | manager      | adds a task          | POST   | /api/v1/projects/{Apollo.id}/tasks     | {"title": "Checklist"}                                    | 201    |

  Scenario: An admin of the organization acts in a project without joining it
    Given "carol" is a member of "acme" with role "admin"
    When "carol" sends PATCH "/api/v1/projects/{Apollo.id}" for tenant "acme" with:
      """
      {"name": "Artemis"}
      """
    Then the response status is 200
    When "carol" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme" with:
      """
      {"title": "Checklist"}
      """
    Then the response status is 201

  Scenario: A member who creates a project manages it
    When "bob" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "Gemini"}
      """
    Then the response status is 201
    When the response JSON at "id" is remembered as "gemini"
    And "bob" sends PATCH "/api/v1/projects/{gemini}" for tenant "acme" with:
      """
      {"status": "archived"}
      """
    Then the response status is 200
    And the response JSON at "status" is "archived"

  Scenario: A viewer of the organization cannot be made to change a project
    Given "dave" is a member of "acme" with role "viewer"
    And "alice" added "dave" to the project "Apollo" in "acme" as "manager"
    When "dave" sends PATCH "/api/v1/projects/{Apollo.id}" for tenant "acme" with:
      """
      {"name": "Artemis"}
      """
    Then the response status is 403

  Scenario: Leaving the organization ends every membership inside it at once
    Given "alice" added "bob" to the project "Apollo" in "acme" as "contributor"
    When "alice" sends PATCH "/api/v1/tasks/{launch.id}" for tenant "acme" with:
      """
      {"assignee_id": "{bob.id}"}
      """
    Then the response status is 200
    When "alice" removes "bob" from "acme"
    Then the response status is 204
    When "alice" sends GET "/api/v1/projects/{Apollo.id}/members" for tenant "acme"
    Then the response body does not contain "{bob.id}"
    When "alice" sends GET "/api/v1/tasks/{launch.id}" for tenant "acme"
    Then the response JSON at "assignee_id" equals null
    And the response JSON at "version" equals 3
    When "alice" sends PATCH "/api/v1/tasks/{launch.id}" for tenant "acme" with:
      """
      {"assignee_id": "{bob.id}"}
      """
    Then the response status is 422
    And the error code is "assignee_not_member"
