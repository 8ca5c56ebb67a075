Feature: In-app notifications
  Events tell the users they concern: a task assigned to you, a comment on your
  task, your invitation accepted. Each kind can be turned off; one event never makes
  two notifications.

  Background:
    Given an organization "acme" owned by "alice"
    And "bob" is a member of "acme" with role "member"
    And "alice" created a project "Apollo" in "acme"
    And "alice" added "bob" to the project "Apollo" in "acme" as "contributor"

  Scenario: An assignment and a comment reach the assignee, unread first
    When "alice" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme" with:
      """
      {"title": "Launch", "assignee_id": "{bob.id}"}
      """
    And the response JSON at "id" is remembered as "launch"
    Then "bob" soon has 1 notification
    When "alice" sends POST "/api/v1/tasks/{launch}/comments" for tenant "acme" with:
      """
      {"body": "Ready?"}
      """
    Then "bob" soon has 2 notifications
    When "bob" sends GET "/api/v1/notifications"
    Then the response JSON at "items" has the "kind" values "comment_on_your_task, task_assigned"
    And the response JSON at "items.0.entity_id" is "{launch}"
    And the response JSON at "items.0.organization_id" is "{acme.id}"
    When the response JSON at "items.1.id" is remembered as "assignment"
    And "bob" sends POST "/api/v1/notifications/{assignment}/read"
    Then the response status is 204
    When "bob" sends POST "/api/v1/notifications/read-all"
    Then the response JSON at "marked" equals 1

  Scenario: The inviter hears that the invitation was accepted
    Then "alice" soon has 1 notification
    When "alice" sends GET "/api/v1/notifications"
    Then the response JSON at "items.0.kind" is "invitation_accepted"
    And the response JSON at "items.0.entity_id" is "{acme.id}"

  Scenario: A kind turned off is not delivered
    When "bob" sends PUT "/api/v1/notifications/preferences" with:
      """
      {"task_assigned": false}
      """
    Then the response status is 200
    And the response JSON at "task_assigned" equals false
    And the response JSON at "comment_on_your_task" equals true
    When "alice" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme" with:
      """
      {"title": "Quiet", "assignee_id": "{bob.id}"}
      """
    And the response JSON at "id" is remembered as "quiet"
    And "alice" sends POST "/api/v1/tasks/{quiet}/comments" for tenant "acme" with:
      """
      {"body": "Still there?"}
      """
    Then "bob" soon has 1 notification
    When "bob" sends GET "/api/v1/notifications"
    Then the response JSON at "items" has the "kind" values "comment_on_your_task"

  Scenario: Nobody is notified of what they did themselves
    When "alice" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme" with:
      """
      {"title": "Mine", "assignee_id": "{alice.id}"}
      """
    Then "alice" soon has 1 notification
    When "alice" sends GET "/api/v1/notifications"
    Then the response JSON at "items" has the "kind" values "invitation_accepted"

  Scenario: Another user's notification cannot be marked
    Then "alice" soon has 1 notification
    When "alice" sends GET "/api/v1/notifications"
    And the response JSON at "items.0.id" is remembered as "hers"
    And "bob" sends POST "/api/v1/notifications/{hers}/read"
    Then the response status is 404

  Scenario: Unknown preference kinds are refused
    When "bob" sends PUT "/api/v1/notifications/preferences" with:
      """
      {"everything": false}
      """
    Then the response status is 400
