Feature: Tasks
  Tasks belong to a project; an assignee must be a project member; status moves
  todo -> in_progress -> done and back to todo, anything else is a 409.

  Background:
    Given an organization "acme" owned by "alice"
    And "bob" is a member of "acme" with role "member"
    And "alice" created a project "Apollo" in "acme"

  Scenario: An assignee outside the project is refused
    When "alice" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme" with:
      """
      {"title": "Write the checklist", "assignee_id": "{bob.id}"}
      """
    Then the response status is 422
    And the error code is "assignee_not_member"

  Scenario: A project member can be assigned, and lists filter by assignee and status
    When "alice" sends POST "/api/v1/projects/{Apollo.id}/members" for tenant "acme" with:
      """
      {"user_id": "{bob.id}", "role": "contributor"}
      """
    Then the response status is 200
    And the response JSON at "items" has 2 entries
    When "alice" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme" with:
      """
      {"title": "Write the checklist", "assignee_id": "{bob.id}", "due_date": "2026-12-24", "estimate_minutes": 90}
      """
    Then the response status is 201
    And the response ETag names version 1
    And the response header "Location" is "/api/v1/tasks/{response.id}"
    And the response JSON at "status" is "todo"
    And the response JSON at "due_date" is "2026-12-24"
    When "alice" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme" with:
      """
      {"title": "Unassigned work"}
      """
    And "bob" sends GET "/api/v1/projects/{Apollo.id}/tasks?assignee_id={bob.id}" for tenant "acme"
    Then the response status is 200
    And the response JSON at "items" has the "title" values "Write the checklist"
    When "bob" sends GET "/api/v1/projects/{Apollo.id}/tasks?status=todo&sort_by=title&order=desc" for tenant "acme"
    Then the response JSON at "items" has the "title" values "Write the checklist, Unassigned work"

  Scenario: The status machine
    Given "alice" created a task "launch" in "Apollo" for "acme"
    When "alice" sends PATCH "/api/v1/tasks/{launch.id}" for tenant "acme" with:
      """
      {"status": "done"}
      """
    Then the response status is 409
    And the error code is "illegal_transition"
    When "alice" sends PATCH "/api/v1/tasks/{launch.id}" for tenant "acme" with:
      """
      {"status": "in_progress"}
      """
    Then the response status is 200
    When "alice" sends PATCH "/api/v1/tasks/{launch.id}" for tenant "acme" with:
      """
      {"status": "done"}
      """
    Then the response status is 200
    And the response JSON at "status" is "done"
    When "alice" sends PATCH "/api/v1/tasks/{launch.id}" for tenant "acme" with:
      """
      {"status": "todo"}
      """
    Then the response status is 200
    And the response ETag names version 4

  Scenario: A stale If-Match on a task is refused
    Given "alice" created a task "launch" in "Apollo" for "acme"
    And the next request is based on version 0
    When "alice" sends PATCH "/api/v1/tasks/{launch.id}" for tenant "acme" with:
      """
      {"title": "launch now"}
      """
    Then the response status is 412
    And the error code is "precondition_failed"
    When "alice" sends GET "/api/v1/tasks/{launch.id}" for tenant "acme"
    Then the response JSON at "title" is "launch"

  Scenario: Archived projects take no new tasks
    When "alice" sends PATCH "/api/v1/projects/{Apollo.id}" for tenant "acme" with:
      """
      {"status": "archived"}
      """
    And "alice" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme" with:
      """
      {"title": "Too late"}
      """
    Then the response status is 422
    And the error code is "project_archived"

  Scenario: Bad task input is refused with every field named
    When "alice" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme" with:
      """
      {"title": "", "estimate_minutes": 0}
      """
    Then the response status is 400
    And the validation details include "title" with issue "required"
    And the validation details include "estimate_minutes" with issue "out_of_range"

  Scenario: Another organization's tasks do not exist for you
    Given "alice" created a task "launch" in "Apollo" for "acme"
    And an organization "globex" owned by "mallory"
    When "mallory" sends GET "/api/v1/tasks/{launch.id}" for tenant "globex"
    Then the response status is 404
    When "mallory" sends PATCH "/api/v1/tasks/{launch.id}" for tenant "globex" with:
      """
      {"status": "in_progress"}
      """
    Then the response status is 404
    When "mallory" sends GET "/api/v1/projects/{Apollo.id}/tasks" for tenant "globex"
    Then the response status is 404
    When "mallory" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "globex" with:
      """
      {"title": "Injected"}
      """
    Then the response status is 404
    When "alice" sends GET "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme"
    Then the response JSON at "total" equals 1

  Scenario: Time is logged per task and summed
    Given "alice" created a task "launch" in "Apollo" for "acme"
    When "alice" sends POST "/api/v1/tasks/{launch.id}/time-entries" for tenant "acme" with:
      """
      {"minutes": 90, "note": "kick-off", "spent_on": "2026-11-23"}
      """
    Then the response status is 201
    And the response JSON at "user_id" is "{alice.id}"
    When "alice" sends POST "/api/v1/tasks/{launch.id}/time-entries" for tenant "acme" with:
      """
      {"minutes": 30, "spent_on": "2026-11-24"}
      """
    And "alice" sends GET "/api/v1/tasks/{launch.id}/time-entries" for tenant "acme"
    Then the response JSON at "items" has 2 entries
    And the response JSON at "total_minutes" equals 120

  Scenario: Bad time entries are refused
    Given "alice" created a task "launch" in "Apollo" for "acme"
    When "alice" sends POST "/api/v1/tasks/{launch.id}/time-entries" for tenant "acme" with:
      """
      {"minutes": 0, "spent_on": "2026-11-23"}
      """
    Then the response status is 400
    And the validation details include "minutes" with issue "out_of_range"
    When "alice" sends POST "/api/v1/tasks/{launch.id}/time-entries" for tenant "acme" with:
      """
      {"minutes": 10, "spent_on": "yesterday"}
      """
    Then the response status is 400

  Scenario: Comments form threads
    Given "alice" created a task "launch" in "Apollo" for "acme"
    And "alice" added "bob" to the project "Apollo" in "acme" as "contributor"
    When "alice" sends POST "/api/v1/tasks/{launch.id}/comments" for tenant "acme" with:
      """
      {"body": "Who owns the checklist?"}
      """
    Then the response status is 201
    When the response JSON at "id" is remembered as "question"
    And "bob" sends POST "/api/v1/tasks/{launch.id}/comments" for tenant "acme" with:
      """
      {"body": "I do.", "parent_id": "{question}"}
      """
    Then the response status is 201
    When "alice" sends POST "/api/v1/tasks/{launch.id}/comments" for tenant "acme" with:
      """
      {"body": "Second topic"}
      """
    And "bob" sends GET "/api/v1/tasks/{launch.id}/comments" for tenant "acme"
    Then the response status is 200
    And the response JSON at "items" has the "body" values "Who owns the checklist?, Second topic"
    And the response JSON at "items.0.replies" has the "body" values "I do."
    And the response JSON at "items.0.replies.0.author_id" is "{bob.id}"

  Scenario: A reply must stay in its task's thread
    Given "alice" created a task "launch" in "Apollo" for "acme"
    And "alice" created a task "other" in "Apollo" for "acme"
    When "alice" sends POST "/api/v1/tasks/{other.id}/comments" for tenant "acme" with:
      """
      {"body": "elsewhere"}
      """
    And the response JSON at "id" is remembered as "foreign"
    And "alice" sends POST "/api/v1/tasks/{launch.id}/comments" for tenant "acme" with:
      """
      {"body": "reply", "parent_id": "{foreign}"}
      """
    Then the response status is 400
    And the validation details include "parent_id" with issue "not_in_thread"

  Scenario: Replies nest at most eight levels deep
    Given "alice" created a task "launch" in "Apollo" for "acme"
    And "alice" wrote a thread 8 replies deep on the task "launch" in "acme"
    When "alice" sends POST "/api/v1/tasks/{launch.id}/comments" for tenant "acme" with:
      """
      {"body": "one level too deep", "parent_id": "{deepest.id}"}
      """
    Then the response status is 422
    And the error code is "reply_too_deep"
    When "alice" sends GET "/api/v1/tasks/{launch.id}/comments" for tenant "acme"
    Then the response status is 200
    And the response JSON at "total" equals 1
    And the response JSON at "items.0.replies.0.replies.0.replies.0.replies.0.replies.0.replies.0.replies.0.replies.0.body" is "level 8"
    And the response body does not contain "one level too deep"

  Scenario: Comment threads are listed a page at a time
    Given "alice" created a task "launch" in "Apollo" for "acme"
    And "alice" wrote a thread 1 replies deep on the task "launch" in "acme"
    When "alice" sends POST "/api/v1/tasks/{launch.id}/comments" for tenant "acme" with:
      """
      {"body": "second thread"}
      """
    And "alice" sends POST "/api/v1/tasks/{launch.id}/comments" for tenant "acme" with:
      """
      {"body": "third thread"}
      """
    And "alice" sends GET "/api/v1/tasks/{launch.id}/comments?page=1&size=2" for tenant "acme"
    Then the response status is 200
    And the response JSON at "items" has the "body" values "top, second thread"
    And the response JSON at "items.0.replies" has the "body" values "level 1"
    And the response JSON at "total" equals 3
    When "alice" sends GET "/api/v1/tasks/{launch.id}/comments?page=2&size=2" for tenant "acme"
    Then the response JSON at "items" has the "body" values "third thread"
    When "alice" sends GET "/api/v1/tasks/{launch.id}/comments?sort_by=author_id" for tenant "acme"
    Then the response status is 400
    And the validation details include "sort_by" with issue "unknown_field"
