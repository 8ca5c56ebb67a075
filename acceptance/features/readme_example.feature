Feature: The README's example for products
  The Gherkin shown in the README runs as written, so it cannot rot.

  Background:
    Given an organization "acme" owned by "alice"
    And "bob" is a member of "acme" with role "viewer"

  Scenario: A viewer cannot invite
    When "bob" sends POST "/api/v1/organizations/{acme.id}/invitations" with:
      """
      {"email": "carol@example.test", "role": "member"}
      """
    Then the response status is 403
    And the error code is "forbidden"

  Scenario: Members see their organization
    When "alice" sends GET "/api/v1/organizations/{acme.id}"
    Then the response status is 200
    And the response JSON at "slug" is "acme"
