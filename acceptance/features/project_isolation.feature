Feature: Tenant isolation of projects, tasks and their records
  Every route of the projects context treats another organization's ids as unknown.
  Bob owns Globex; naming Globex as his tenant, he gets 404 for anything of Acme and
  changes nothing; naming Acme, he is refused as a non-member. Beneath the
  application, PostgreSQL row-level security confines every transaction to its tenant
  as well (contract tests).

  Background:
    Given an organization "acme" owned by "alice"
    And "alice" created a project "Apollo" in "acme"
    And "alice" created a task "launch" in "Apollo" for "acme"
    And an organization "globex" owned by "bob"

  Scenario Outline: A stranger reads nothing of Acme's projects: <route>
    When "bob" sends GET "<path>" for tenant "globex"
    Then the response status is 404
    And the error code is "not_found"
    And the response is an error envelope
    And the response body does not contain "Apollo"

    Examples:
      | route            | path                                   |
      | a project        | /api/v1/projects/{Apollo.id}           |
      | its members      | /api/v1/projects/{Apollo.id}/members   |
      | its tasks        | /api/v1/projects/{Apollo.id}/tasks     |
      | its summary      | /api/v1/projects/{Apollo.id}/summary   |
      | a task           | /api/v1/tasks/{launch.id}              |
      | its time entries | /api/v1/tasks/{launch.id}/time-entries |
      | its comments     | /api/v1/tasks/{launch.id}/comments     |

  Scenario: A stranger's project list holds none of Acme's
    When "bob" sends GET "/api/v1/projects" for tenant "globex"
    Then the response status is 200
    And the response JSON at "total" equals 0

  Scenario Outline: A stranger changes nothing of Acme's projects: <route>
    When "bob" sends <method> "<path>" for tenant "globex" with:
      """
      <body>
      """
    Then the response status is 404
    And the error code is "not_found"
    When "alice" sends GET "<check>" for tenant "acme"
    Then the response status is 200
    And the response body does not contain "<trace>"

    Examples:
      | route                | method | path                                   | body                                                          | check                                  | trace     |
      | renaming the project | PATCH  | /api/v1/projects/{Apollo.id}           | {"name": "Hijacked"}                                          | /api/v1/projects/{Apollo.id}           | Hijacked  |
      | deleting the project | DELETE | /api/v1/projects/{Apollo.id}           | {}                                                            | /api/v1/projects/{Apollo.id}           | Hijacked  |
      | joining the project  | POST   | /api/v1/projects/{Apollo.id}/members   | {"user_id": "{bob.id}", "role": "manager"}                    | /api/v1/projects/{Apollo.id}/members   | {bob.id}  |
      | adding a task        | POST   | /api/v1/projects/{Apollo.id}/tasks     | {"title": "Hijacked"}                                         | /api/v1/projects/{Apollo.id}/tasks     | Hijacked  |
      | renaming the task    | PATCH  | /api/v1/tasks/{launch.id}              | {"title": "Hijacked"}                                         | /api/v1/tasks/{launch.id}              | Hijacked  |
      | logging time         | POST   | /api/v1/tasks/{launch.id}/time-entries | {"minutes": 30, "note": "Hijacked", "spent_on": "2026-11-20"} | /api/v1/tasks/{launch.id}/time-entries | Hijacked  |
      | commenting           | POST   | /api/v1/tasks/{launch.id}/comments     | {"body": "Hijacked"}                                          | /api/v1/tasks/{launch.id}/comments     | Hijacked  |

  Scenario Outline: Naming Acme as his tenant opens nothing either: <route>
    When "bob" sends <method> "<path>" for tenant "acme" with:
      """
      <body>
      """
    Then the response status is 403
    And the error code is "not_a_member"
    When "alice" sends GET "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme"
    Then the response JSON at "total" equals 1

    Examples:
      | route             | method | path                               | body                  |
      | listing projects  | GET    | /api/v1/projects                   | {}                    |
      | reading a task    | GET    | /api/v1/tasks/{launch.id}          | {}                    |
      | adding a task     | POST   | /api/v1/projects/{Apollo.id}/tasks | {"title": "Hijacked"} |
      | creating a project | POST  | /api/v1/projects                   | {"name": "Hijacked"}  |
