Feature: Organizations
  Anyone signed in can create an organization and becomes its owner. An organization
  is visible to its members only: to anyone else it does not exist.

  Background:
    Given a logged-in user "alice"

  Scenario: Creating an organization makes its creator the owner
    When "alice" sends POST "/api/v1/organizations" with:
      """
      {"name": "Acme Corp"}
      """
    Then the response status is 201
    And the response has exactly the fields "id, name, slug, role, created_at, updated_at"
    And the response JSON at "id" is a UUID
    And the response JSON at "name" is "Acme Corp"
    And the response JSON at "slug" is "acme-corp"
    And the response JSON at "role" is "owner"
    And the response JSON at "created_at" is a timestamp
    And the response JSON at "updated_at" is a timestamp
    And the response header "Location" is "/api/v1/organizations/{response.id}"

  Scenario: The owner reads the organization back
    When "alice" creates an organization "acme"
    And "alice" sends GET "/api/v1/organizations/{acme.id}"
    Then the response status is 200
    And the response has exactly the fields "id, name, slug, role, created_at, updated_at"
    And the response JSON at "id" is "{acme.id}"
    And the response JSON at "name" is "acme"
    And the response JSON at "slug" is "acme"
    And the response JSON at "role" is "owner"

  Scenario: A chosen slug is kept
    When "alice" creates an organization "Acme Corp" with slug "acme-hq"
    Then the response status is 201
    And the response JSON at "slug" is "acme-hq"
    And the response JSON at "name" is "Acme Corp"

  Scenario: A taken slug is refused
    Given an organization "acme" owned by "bob"
    When "alice" creates an organization "Another Acme" with slug "acme"
    Then the response status is 409
    And the error code is "slug_taken"
    And the response is an error envelope

  Scenario: A name whose derived slug is taken is refused
    Given an organization "acme" owned by "bob"
    When "alice" creates an organization "ACME"
    Then the response status is 409
    And the error code is "slug_taken"

  Scenario: The owner of a slug cannot take it twice either
    Given an organization "acme" owned by "alice"
    When "alice" creates an organization "acme"
    Then the response status is 409
    And the error code is "slug_taken"

  Scenario Outline: A slug that is <why> is refused
    When "alice" creates an organization "Acme" with slug "<slug>"
    Then the response status is 400
    And the error code is "validation_failed"
    And the validation details include the field "slug"
    And the validation details do not include the field "name"

    Examples:
      | slug                                                             | why                |
      | Acme                                                             | not lowercase      |
      | ac                                                               | two characters     |
      | acme_corp                                                        | using underscores  |
      | acme corp                                                        | using spaces       |
      | -acme                                                            | led by a hyphen    |
      | acme-                                                            | ended by a hyphen  |
      | acme--corp                                                       | doubly hyphenated  |
      | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | 64 characters long |

  Scenario Outline: A slug that is <why> is accepted
    When "alice" creates an organization "Acme" with slug "<slug>"
    Then the response status is 201
    And the response JSON at "slug" is "<slug>"

    Examples:
      | slug                                                            | why                     |
      | abc                                                             | three characters        |
      | a1-b2-c3                                                        | digits between hyphens  |
      | 123                                                             | digits only             |
      | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | 63 characters long      |

  Scenario: A blank name is refused
    When "alice" sends POST "/api/v1/organizations" with:
      """
      {"name": "   "}
      """
    Then the response status is 400
    And the error code is "validation_failed"
    And the validation details include the field "name"

  Scenario: An unknown field is refused, not ignored
    When "alice" sends POST "/api/v1/organizations" with:
      """
      {"name": "Acme", "plan": "enterprise"}
      """
    Then the response status is 400
    And the error code is "malformed_request"
    And the response is an error envelope

  Scenario: Creating an organization needs a bearer token
    When an anonymous client sends POST "/api/v1/organizations" with:
      """
      {"name": "Acme"}
      """
    Then the response status is 401
    And the error code is "unauthenticated"

  Scenario: A new user belongs to no organization
    When "alice" sends GET "/api/v1/organizations"
    Then the response status is 200
    And the response has exactly the fields "items, page, size, total"
    And the response JSON at "items" has 0 entries
    And the response JSON at "total" equals 0
    And the response JSON at "page" equals 1
    And the response JSON at "size" equals 20

  Scenario: The list holds only the caller's organizations, each with the caller's role
    Given an organization "acme" owned by "alice"
    And an organization "globex" owned by "bob"
    And "alice" is a member of "globex" with role "viewer"
    And an organization "initech" owned by "carol"
    When "alice" sends GET "/api/v1/organizations?sort_by=slug&order=asc"
    Then the response status is 200
    And the response JSON at "total" equals 2
    And the response JSON at "items" has the "slug" values "acme, globex"
    And the response JSON at "items" has the "role" values "owner, viewer"
    And the response JSON at "items.1.id" is "{globex.id}"
    And the response JSON at "items.0" has exactly the fields "id, name, slug, role, created_at, updated_at"

  Scenario Outline: The list sorts by <sort_by> <order>
    Given an organization "globex" owned by "alice"
    And an organization "acme" owned by "alice"
    And an organization "initech" owned by "alice"
    When "alice" sends GET "/api/v1/organizations?sort_by=<sort_by>&order=<order>"
    Then the response status is 200
    And the response JSON at "items" has the "name" values "<names>"

    Examples:
      | sort_by    | order | names                   |
      | name       | asc   | acme, globex, initech   |
      | name       | desc  | initech, globex, acme   |
      | slug       | desc  | initech, globex, acme   |
      | created_at | asc   | globex, acme, initech   |
      | created_at | desc  | initech, acme, globex   |

  Scenario: The list is paged
    Given an organization "acme" owned by "alice"
    And an organization "globex" owned by "alice"
    And an organization "initech" owned by "alice"
    When "alice" sends GET "/api/v1/organizations?sort_by=name&order=asc&page=2&size=2"
    Then the response status is 200
    And the response JSON at "page" equals 2
    And the response JSON at "size" equals 2
    And the response JSON at "total" equals 3
    And the response JSON at "items" has the "name" values "initech"

  Scenario Outline: A list request with <what> is refused
    When "alice" sends GET "/api/v1/organizations?<query>"
    Then the response status is 400
    And the error code is "validation_failed"
    And the response is an error envelope

    Examples:
      | query           | what                  |
      | sort_by=owner   | an unknown sort field |
      | size=0          | a page size of 0      |
      | size=101        | a page size of 101    |

  Scenario: An unknown sort field is named in the details
    When "alice" sends GET "/api/v1/organizations?sort_by=password_hash"
    Then the response status is 400
    And the error code is "validation_failed"
    And the validation details include the field "sort_by"

  Scenario: The largest page size is accepted
    When "alice" sends GET "/api/v1/organizations?size=100"
    Then the response status is 200
    And the response JSON at "size" equals 100

  Scenario: Someone else's organization answers like one that does not exist
    Given an organization "globex" owned by "bob"
    When "alice" sends GET "/api/v1/organizations/{globex.id}"
    Then the response status is 404
    And the error code is "not_found"
    And the response has no field "slug"
    When "alice" sends GET "/api/v1/organizations/01900000-0000-7000-8000-000000000000"
    Then the response status is 404
    And the response body equals the previous response body apart from "request_id"

  Scenario: An organization id that is not a UUID is no organization
    When "alice" sends GET "/api/v1/organizations/not-a-uuid"
    Then the response status is 404
    And the error code is "not_found"
    And the response is an error envelope
