Feature: API keys for machine clients
  Owners and admins create API keys for their organization, scoped to permissions
  they hold. The secret (`tk_...`) is shown once and stored hashed; a key works as a
  bearer token on its organization's routes only, within its scopes, until revoked.

  Background:
    Given an organization "acme" owned by "alice"

  Scenario: Creating a key shows its secret once
    When "alice" sends POST "/api/v1/organizations/{acme.id}/api-keys" with:
      """
      {"name": "CI deploy", "scopes": ["member:read", "organization:read"]}
      """
    Then the response status is 201
    And the response has header "Location"
    And the response header "Cache-Control" is "no-store"
    And the response JSON at "secret" starts with "tk_"
    And the response JSON at "name" is "CI deploy"
    And the response JSON at "scopes" lists exactly "member:read, organization:read" in any order
    And the response JSON at "last_used_at" equals null
    When the response JSON at "secret" is remembered as "key"
    And "alice" sends GET "/api/v1/organizations/{acme.id}/api-keys"
    Then the response status is 200
    And the response JSON at "items" has 1 entry
    And the response JSON at "items.0" has exactly the fields "id, name, prefix, scopes, created_by, created_at, expires_at, last_used_at, revoked_at"
    And the response body does not contain "{key}"

  Scenario: A key works as a bearer token within its scopes and records its use
    Given "alice" created an API key "ci" for "acme" with scopes "member:read"
    When the API key "ci" sends GET "/api/v1/organizations/{acme.id}/members"
    Then the response status is 200
    And the response JSON at "total" equals 1
    When the API key "ci" sends GET "/api/v1/organizations/{acme.id}"
    Then the response status is 403
    And the error code is "forbidden"
    When "alice" sends GET "/api/v1/organizations/{acme.id}/api-keys"
    Then the response JSON at "items.0.last_used_at" is a timestamp

  Scenario: A key cannot act in another organization
    Given an organization "globex" owned by "alice"
    And "alice" created an API key "ci" for "acme" with scopes "member:read"
    When the API key "ci" sends GET "/api/v1/organizations/{globex.id}/members"
    Then the response status is 404

  Scenario: A key cannot act as a user
    Given "alice" created an API key "ci" for "acme" with scopes "member:read"
    When the API key "ci" sends GET "/api/v1/users/me"
    Then the response status is 403
    And the error code is "api_key_not_allowed"
    When the API key "ci" sends GET "/api/v1/organizations"
    Then the response status is 403
    And the error code is "api_key_not_allowed"

  Scenario: A revoked key is refused on its next request
    Given "alice" created an API key "ci" for "acme" with scopes "member:read"
    When "alice" sends DELETE "/api/v1/organizations/{acme.id}/api-keys/{ci.id}"
    Then the response status is 204
    When the API key "ci" sends GET "/api/v1/organizations/{acme.id}/members"
    Then the response status is 401
    And the error code is "invalid_token"
    When "alice" sends DELETE "/api/v1/organizations/{acme.id}/api-keys/{ci.id}"
    Then the response status is 204

  Scenario: A key cannot carry more than its creator holds
    Given a logged-in user "bob"
    And "bob" is a member of "acme" with role "admin"
    When "bob" sends POST "/api/v1/organizations/{acme.id}/api-keys" with:
      """
      {"name": "billing bot", "scopes": ["billing:manage"]}
      """
    Then the response status is 403
    And the error code is "forbidden"

  Scenario: Members without api_key:manage cannot create or list keys
    Given a logged-in user "carol"
    And "carol" is a member of "acme" with role "member"
    When "carol" sends POST "/api/v1/organizations/{acme.id}/api-keys" with:
      """
      {"name": "mine", "scopes": ["member:read"]}
      """
    Then the response status is 403
    When "carol" sends GET "/api/v1/organizations/{acme.id}/api-keys"
    Then the response status is 403

  Scenario: Outsiders see no keys of the organization
    Given a logged-in user "mallory"
    When "mallory" sends GET "/api/v1/organizations/{acme.id}/api-keys"
    Then the response status is 404

  Scenario: Invalid key requests are validation errors
    When "alice" sends POST "/api/v1/organizations/{acme.id}/api-keys" with:
      """
      {"name": " ", "scopes": ["root:everything"], "expires_in_days": 5}
      """
    Then the response status is 400
    And the validation details include "name" with issue "required"
    And the validation details include "scopes" with issue "unknown"

  Scenario: An unknown key is refused
    When a client with the bearer token "tk_not-a-key" sends GET "/api/v1/organizations/{acme.id}/members"
    Then the response status is 401
    And the error code is "invalid_token"
