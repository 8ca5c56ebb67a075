Feature: Tenant isolation
  An organization's data is reachable only by its members. Bob owns Globex, the most
  anyone can be anywhere; towards Acme he is a stranger, and every Acme route answers
  him as if Acme did not exist (or refuses him), never with Acme's data, and changes
  nothing. The tenant of a request can also be named in the X-Tenant-Id header; it
  grants nothing either.

  Background:
    Given an organization "acme" owned by "alice"
    And "carol" is a member of "acme" with role "member"
    And an organization "globex" owned by "bob"

  Scenario Outline: A stranger reads nothing of Acme: <route>
    When "bob" sends <method> "<path>"
    Then the response status is 404
    And the error code is "not_found"
    And the response is an error envelope
    And the response body does not contain "carol@example.test"
    And "alice" sees the members of "acme" as:
      | email | role   |
      | alice | owner  |
      | carol | member |

    Examples:
      | route                             | method | path                                                     |
      | the organization                  | GET    | /api/v1/organizations/{acme.id}                          |
      | its members                       | GET    | /api/v1/organizations/{acme.id}/members                  |
      | its members, sorted and paged     | GET    | /api/v1/organizations/{acme.id}/members?sort_by=joined_at&size=1 |
      | removing a member                 | DELETE | /api/v1/organizations/{acme.id}/members/{carol.id}       |
      | removing the owner                | DELETE | /api/v1/organizations/{acme.id}/members/{alice.id}       |
      | removing an Acme member via Globex | DELETE | /api/v1/organizations/{globex.id}/members/{carol.id}    |

  Scenario Outline: A stranger changes nothing in Acme: <route>
    When "bob" sends <method> "<path>" with:
      """
      <body>
      """
    Then the response status is 404
    And the error code is "not_found"
    And the response is an error envelope
    And "alice" sees the members of "acme" as:
      | email | role   |
      | alice | owner  |
      | carol | member |
    And "mallory@example.test" received no mail
    And "bob" received no invitation mail

    Examples:
      | route                                 | method | path                                                 | body                                             |
      | inviting someone                      | POST   | /api/v1/organizations/{acme.id}/invitations          | {"email": "mallory@example.test", "role": "admin"} |
      | inviting himself as owner             | POST   | /api/v1/organizations/{acme.id}/invitations          | {"email": "bob@example.test", "role": "owner"}   |
      | changing a member's role              | PATCH  | /api/v1/organizations/{acme.id}/members/{carol.id}   | {"role": "viewer"}                               |
      | demoting the owner                    | PATCH  | /api/v1/organizations/{acme.id}/members/{alice.id}   | {"role": "viewer"}                               |
      | changing an Acme member via Globex    | PATCH  | /api/v1/organizations/{globex.id}/members/{carol.id} | {"role": "admin"}                                |

  Scenario Outline: Naming his own organization as tenant opens nothing of Acme: <route>
    When "bob" sends <method> "<path>" for tenant "globex"
    Then the response status is 404
    And the error code is "not_found"
    And the response is an error envelope
    And the response body does not contain "carol@example.test"
    And "alice" sees the members of "acme" as:
      | email | role   |
      | alice | owner  |
      | carol | member |

    Examples:
      | route             | method | path                                               |
      | the organization  | GET    | /api/v1/organizations/{acme.id}                    |
      | its members       | GET    | /api/v1/organizations/{acme.id}/members            |
      | removing a member | DELETE | /api/v1/organizations/{acme.id}/members/{carol.id} |

  Scenario Outline: Naming Acme as tenant opens nothing of Acme either: <route>
    When "bob" sends <method> "<path>" for tenant "acme" with:
      """
      <body>
      """
    Then the response status is 404
    And the error code is "not_found"
    And the response is an error envelope
    And "alice" sees the members of "acme" as:
      | email | role   |
      | alice | owner  |
      | carol | member |
    And "mallory@example.test" received no mail

    Examples:
      | route                    | method | path                                               | body                                             |
      | inviting someone         | POST   | /api/v1/organizations/{acme.id}/invitations        | {"email": "mallory@example.test", "role": "admin"} |
      | changing a member's role | PATCH  | /api/v1/organizations/{acme.id}/members/{carol.id} | {"role": "viewer"}                               |

  Scenario: A stranger's membership in Acme is refused
    When "bob" sends GET "/api/v1/membership" for tenant "acme"
    Then the response status is 403
    And the error code is "not_a_member"
    And the response is an error envelope
    And the response has no field "permissions"

  Scenario: A stranger's list of organizations holds only his own
    When "bob" sends GET "/api/v1/organizations?size=100"
    Then the response status is 200
    And the response JSON at "total" equals 1
    And the response JSON at "items" has the "id" values "{globex.id}"

  Scenario: An Acme invitation cannot be taken by a stranger
    Given "alice" invited "erin@example.test" to "acme" as "admin"
    When "bob" accepts the latest invitation sent to "erin@example.test"
    Then the response status is 403
    And the error code is "invitation_wrong_recipient"
    And "bob" is not a member of "acme"

  Scenario: A member of both sees each with its own role
    Given "carol" is a member of "globex" with role "viewer"
    When "carol" sends GET "/api/v1/membership" for tenant "acme"
    Then the response status is 200
    And the response JSON at "role" is "member"
    When "carol" sends GET "/api/v1/membership" for tenant "globex"
    Then the response status is 200
    And the response JSON at "organization_id" is "{globex.id}"
    And the response JSON at "role" is "viewer"
    And the response JSON at "permissions" does not include "project:create"

  Scenario Outline: A <role>'s permissions in the tenant
    Given "dave" is a member of "acme" with role "<role>"
    When "dave" sends GET "/api/v1/membership" for tenant "acme"
    Then the response status is 200
    And the response has exactly the fields "organization_id, role, permissions"
    And the response JSON at "organization_id" is "{acme.id}"
    And the response JSON at "role" is "<role>"
    And the response JSON at "permissions" lists exactly "<permissions>" in any order

    Examples:
      | role   | permissions                                                                                                                                                                                                                                |
      | owner  | organization:read, organization:update, organization:delete, member:read, member:invite, member:update, member:remove, api_key:manage, project:read, project:create, project:update, project:delete, project:manage, file:read, file:write, file:manage, audit:read, billing:manage |
      | admin  | organization:read, organization:update, member:read, member:invite, member:update, member:remove, api_key:manage, project:read, project:create, project:update, project:delete, project:manage, file:read, file:write, file:manage, audit:read         |
      | member | organization:read, member:read, project:read, project:create, project:update, file:read, file:write                                                                                                                                     |
      | viewer | organization:read, member:read, project:read, file:read                                                                                                                                                                                 |

  Scenario: The creator holds every permission in the tenant
    When "alice" sends GET "/api/v1/membership" for tenant "acme"
    Then the response status is 200
    And the response JSON at "role" is "owner"
    And the response JSON at "permissions" has 18 entries
    And the response JSON at "permissions" includes "billing:manage"

  Scenario: A demotion takes effect at once
    Given "dave" is a member of "acme" with role "admin"
    When "dave" sends GET "/api/v1/membership" for tenant "acme"
    Then the response JSON at "permissions" includes "member:invite"
    When "alice" changes the role of "dave" in "acme" to "viewer"
    And "dave" sends GET "/api/v1/membership" for tenant "acme"
    Then the response status is 200
    And the response JSON at "role" is "viewer"
    And the response JSON at "permissions" does not include "member:invite"
    When "dave" invites "erin@example.test" to "acme" as "viewer"
    Then the response status is 403
    And the error code is "forbidden"

  Scenario: A removal takes effect at once
    When "carol" sends GET "/api/v1/membership" for tenant "acme"
    Then the response status is 200
    When "alice" removes "carol" from "acme"
    And "carol" sends GET "/api/v1/membership" for tenant "acme"
    Then the response status is 403
    And the error code is "not_a_member"

  Scenario: A tenant-scoped request needs the tenant header
    When "carol" sends GET "/api/v1/membership"
    Then the response status is 400
    And the error code is "tenant_required"
    And the response is an error envelope

  Scenario Outline: A tenant header that is <what> is refused
    Given the next request has header "X-Tenant-Id" set to "<value>"
    When "carol" sends GET "/api/v1/membership"
    Then the response status is 400
    And the error code is "tenant_required"

    Examples:
      | what              | value       |
      | not a UUID        | acme        |
      | the slug          | {acme.slug} |
      | empty             |             |

  Scenario: A well-formed tenant nobody created is refused like a stranger's
    Given the next request has header "X-Tenant-Id" set to "01900000-0000-7000-8000-000000000000"
    When "carol" sends GET "/api/v1/membership"
    Then the response status is 403
    And the error code is "not_a_member"

  Scenario: The tenant header needs a signed-in caller
    Given the next request has header "X-Tenant-Id" set to "{acme.id}"
    When an anonymous client sends GET "/api/v1/membership"
    Then the response status is 401
    And the error code is "unauthenticated"
