Feature: Members and roles
  Every member may see who else belongs to the organization. Owners and admins change
  roles and remove members; only owners make owners; anyone may leave. There is always
  at least one owner.

  Background:
    Given an organization "acme" owned by "alice"
    And "bob" is a member of "acme" with role "admin"
    And "carol" is a member of "acme" with role "member"
    And "dave" is a member of "acme" with role "viewer"

  Scenario: Even a viewer sees the members, with their roles
    When "dave" sends GET "/api/v1/organizations/{acme.id}/members?sort_by=joined_at"
    Then the response status is 200
    And the response has exactly the fields "items, page, size, total"
    And the response JSON at "total" equals 4
    And the response JSON at "items" has the "email" values "alice@example.test, bob@example.test, carol@example.test, dave@example.test"
    And the response JSON at "items" has the "role" values "owner, admin, member, viewer"
    And the response JSON at "items.0" has exactly the fields "user_id, email, display_name, role, joined_at"
    And the response JSON at "items.0.user_id" is "{alice.id}"
    And the response JSON at "items.0.display_name" is "Alice"
    And the response JSON at "items.3.joined_at" is a timestamp
    And the response has no field "password_hash"

  Scenario: Members are listed in the order they joined
    When "carol" sends GET "/api/v1/organizations/{acme.id}/members?sort_by=joined_at"
    Then the response status is 200
    And the response JSON at "items" has the "user_id" values "{alice.id}, {bob.id}, {carol.id}, {dave.id}"

  Scenario: The newest members come first on request
    When "carol" sends GET "/api/v1/organizations/{acme.id}/members?sort_by=joined_at&order=desc"
    Then the response status is 200
    And the response JSON at "items" has the "user_id" values "{dave.id}, {carol.id}, {bob.id}, {alice.id}"

  Scenario: Members can be sorted by role, most privileged first
    When "carol" sends GET "/api/v1/organizations/{acme.id}/members?sort_by=role&order=desc"
    Then the response status is 200
    And the response JSON at "items" has the "role" values "viewer, member, admin, owner"
    When "carol" sends GET "/api/v1/organizations/{acme.id}/members?sort_by=role"
    Then the response JSON at "items" has the "role" values "owner, admin, member, viewer"

  Scenario: The member list is paged
    When "alice" sends GET "/api/v1/organizations/{acme.id}/members?sort_by=joined_at&page=2&size=3"
    Then the response status is 200
    And the response JSON at "page" equals 2
    And the response JSON at "size" equals 3
    And the response JSON at "total" equals 4
    And the response JSON at "items" has the "email" values "dave@example.test"

  Scenario: An unknown sort field for members is refused
    When "alice" sends GET "/api/v1/organizations/{acme.id}/members?sort_by=password_hash"
    Then the response status is 400
    And the error code is "validation_failed"
    And the validation details include the field "sort_by"

  Scenario: The owner changes a member's role
    When "alice" changes the role of "carol" in "acme" to "admin"
    Then the response status is 200
    And the response JSON at "user_id" is "{carol.id}"
    And the response JSON at "email" is "carol@example.test"
    And the response JSON at "role" is "admin"
    And "carol" has the role "admin" in "acme"

  Scenario: An admin changes a member's role
    When "bob" changes the role of "carol" in "acme" to "viewer"
    Then the response status is 200
    And the response JSON at "role" is "viewer"
    And "carol" has the role "viewer" in "acme"

  Scenario: An admin may promote a viewer to admin
    When "bob" changes the role of "dave" in "acme" to "admin"
    Then the response status is 200
    And "dave" has the role "admin" in "acme"

  Scenario Outline: A <role> cannot change roles
    When "<who>" changes the role of "<target>" in "acme" to "<new_role>"
    Then the response status is 403
    And the error code is "forbidden"
    And the response is an error envelope
    And "<target>" has the role "<old_role>" in "acme"

    Examples:
      | role   | who   | target | old_role | new_role |
      | member | carol | dave   | viewer   | member   |
      | member | carol | carol  | member   | admin    |
      | viewer | dave  | carol  | member   | viewer   |
      | viewer | dave  | dave   | viewer   | owner    |

  Scenario: An admin cannot change an owner's role
    When "bob" changes the role of "alice" in "acme" to "viewer"
    Then the response status is 403
    And the error code is "forbidden"
    And "alice" has the role "owner" in "acme"

  Scenario: An admin cannot make anyone an owner
    When "bob" changes the role of "carol" in "acme" to "owner"
    Then the response status is 403
    And the error code is "forbidden"
    And "carol" has the role "member" in "acme"

  Scenario: An admin cannot make himself an owner
    When "bob" changes the role of "bob" in "acme" to "owner"
    Then the response status is 403
    And the error code is "forbidden"
    And "bob" has the role "admin" in "acme"

  Scenario: The last owner cannot step down
    When "alice" changes the role of "alice" in "acme" to "admin"
    Then the response status is 422
    And the error code is "last_owner"
    And the response is an error envelope
    And "alice" has the role "owner" in "acme"

  Scenario: With a second owner, the first may step down
    When "alice" changes the role of "bob" in "acme" to "owner"
    Then the response status is 200
    And the response JSON at "role" is "owner"
    When "alice" changes the role of "alice" in "acme" to "member"
    Then the response status is 200
    And "alice" has the role "member" in "acme"
    And "bob" has the role "owner" in "acme"

  Scenario: The new sole owner is protected in turn
    When "alice" changes the role of "bob" in "acme" to "owner"
    And "bob" changes the role of "alice" in "acme" to "viewer"
    Then the response status is 200
    When "bob" changes the role of "bob" in "acme" to "admin"
    Then the response status is 422
    And the error code is "last_owner"

  Scenario: An unknown role is refused
    When "alice" changes the role of "carol" in "acme" to "superuser"
    Then the response status is 400
    And the error code is "validation_failed"
    And the validation details include the field "role"
    And "carol" has the role "member" in "acme"

  Scenario: Changing the role of someone who is not a member is not found
    Given a logged-in user "erin"
    When "alice" changes the role of "erin" in "acme" to "viewer"
    Then the response status is 404
    And the error code is "not_found"
    When "alice" sends PATCH "/api/v1/organizations/{acme.id}/members/01900000-0000-7000-8000-000000000000" with:
      """
      {"role": "viewer"}
      """
    Then the response status is 404
    And the error code is "not_found"

  Scenario: An unknown field in a role change is refused
    When "alice" sends PATCH "/api/v1/organizations/{acme.id}/members/{carol.id}" with:
      """
      {"role": "admin", "user_id": "{alice.id}"}
      """
    Then the response status is 400
    And the error code is "malformed_request"
    And "carol" has the role "member" in "acme"

  Scenario: The owner removes a member
    When "alice" removes "carol" from "acme"
    Then the response status is 204
    And "carol" is not a member of "acme"
    And "alice" sees the members of "acme" as:
      | email | role   |
      | alice | owner  |
      | bob   | admin  |
      | dave  | viewer |

  Scenario: An admin removes a member
    When "bob" removes "dave" from "acme"
    Then the response status is 204
    And "dave" is not a member of "acme"

  Scenario Outline: A <role> cannot remove others
    When "<who>" removes "<target>" from "acme"
    Then the response status is 403
    And the error code is "forbidden"
    And the response is an error envelope
    And "<target>" has the role "<target_role>" in "acme"

    Examples:
      | role   | who   | target | target_role |
      | member | carol | dave   | viewer      |
      | member | carol | alice  | owner       |
      | viewer | dave  | carol  | member      |
      | viewer | dave  | bob    | admin       |

  Scenario Outline: A <role> may leave
    When "<who>" leaves "acme"
    Then the response status is 204
    And "<who>" is not a member of "acme"

    Examples:
      | role   | who   |
      | admin  | bob   |
      | member | carol |
      | viewer | dave  |

  Scenario: The last owner cannot leave
    When "alice" leaves "acme"
    Then the response status is 422
    And the error code is "last_owner"
    And the response is an error envelope
    And "alice" has the role "owner" in "acme"

  Scenario: One of two owners may leave
    Given "erin" is a member of "acme" with role "owner"
    When "alice" leaves "acme"
    Then the response status is 204
    And "alice" is not a member of "acme"
    And "erin" has the role "owner" in "acme"

  Scenario: A second owner can remove the first
    Given "erin" is a member of "acme" with role "owner"
    When "erin" removes "alice" from "acme"
    Then the response status is 204
    And "alice" is not a member of "acme"
    When "erin" leaves "acme"
    Then the response status is 422
    And the error code is "last_owner"

  Scenario: A removed member loses access at once
    When "alice" removes "carol" from "acme"
    And "carol" sends GET "/api/v1/organizations/{acme.id}/members"
    Then the response status is 404
    And the error code is "not_found"
    When "carol" sends GET "/api/v1/organizations"
    Then the response JSON at "total" equals 0

  Scenario: Removing someone twice is not found the second time
    When "alice" removes "carol" from "acme"
    And "alice" removes "carol" from "acme"
    Then the response status is 404
    And the error code is "not_found"

  Scenario: A removed member can be invited again
    When "alice" removes "carol" from "acme"
    And "alice" invites "carol" to "acme" as "viewer"
    Then the response status is 201
    When "carol" accepts the latest invitation sent to "carol"
    Then the response status is 200
    And "carol" has the role "viewer" in "acme"
