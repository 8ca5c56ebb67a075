Feature: Idempotent retries
  A POST may carry an Idempotency-Key (API.md). Retrying it with the same key and the
  same request within 24 hours returns the first answer, marked Idempotent-Replayed,
  instead of running the command again; the same key with another request is refused
  with 422 and changes nothing. Keys belong to their caller.

  Background:
    Given an organization "acme" owned by "alice"

  Scenario: A retried create answers the first project and creates only one
    Given the next request has header "Idempotency-Key" set to "create-apollo-1"
    When "alice" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "Apollo"}
      """
    Then the response status is 201
    And the response has no header "Idempotent-Replayed"
    When the response JSON at "id" is remembered as "first"
    Given the next request has header "Idempotency-Key" set to "create-apollo-1"
    When "alice" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "Apollo"}
      """
    Then the response status is 201
    And the response header "Idempotent-Replayed" is "true"
    And the response JSON at "id" is "{first}"
    And the response header "Location" is "/api/v1/projects/{first}"
    And the response ETag names version 1
    When "alice" sends GET "/api/v1/projects" for tenant "acme"
    Then the response JSON at "total" equals 1

  Scenario: The same key with a different body is refused and changes nothing
    Given the next request has header "Idempotency-Key" set to "create-2"
    When "alice" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "Apollo"}
      """
    Then the response status is 201
    Given the next request has header "Idempotency-Key" set to "create-2"
    When "alice" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "Gemini"}
      """
    Then the response status is 422
    And the error code is "idempotency_key_reused"
    And the response is an error envelope
    When "alice" sends GET "/api/v1/projects" for tenant "acme"
    Then the response JSON at "total" equals 1
    And the response JSON at "items.0.name" is "Apollo"

  Scenario: The same key under another path is another request
    Given "alice" created a project "Apollo" in "acme"
    And the next request has header "Idempotency-Key" set to "shared"
    When "alice" sends POST "/api/v1/projects/{Apollo.id}/tasks" for tenant "acme" with:
      """
      {"title": "Launch"}
      """
    Then the response status is 201
    Given the next request has header "Idempotency-Key" set to "shared"
    When "alice" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"title": "Launch"}
      """
    Then the response status is 422
    And the error code is "idempotency_key_reused"

  Scenario: Keys belong to their caller: another member's same key runs its own request
    Given "bob" is a member of "acme" with role "admin"
    And the next request has header "Idempotency-Key" set to "nightly"
    When "alice" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "Apollo"}
      """
    Then the response status is 201
    Given the next request has header "Idempotency-Key" set to "nightly"
    When "bob" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "Apollo"}
      """
    Then the response status is 201
    And the response has no header "Idempotent-Replayed"
    When "alice" sends GET "/api/v1/projects" for tenant "acme"
    Then the response JSON at "total" equals 2

  Scenario: A refusal is replayed too, so a retry cannot slip past validation
    Given the next request has header "Idempotency-Key" set to "bad-1"
    When "alice" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "  "}
      """
    Then the response status is 400
    Given the next request has header "Idempotency-Key" set to "bad-1"
    When "alice" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "  "}
      """
    Then the response status is 400
    And the response header "Idempotent-Replayed" is "true"
    And the error code is "validation_failed"

  Scenario: An anonymous registration retried with its key creates one account
    Given the next request has header "Idempotency-Key" set to "signup-carol"
    When an anonymous client sends POST "/api/v1/auth/register" with:
      """
      {"email": "carol@example.com", "password": "correct horse battery staple", "display_name": "Carol"}
      """
    Then the response status is 201
    When the response JSON at "id" is remembered as "carol"
    Given the next request has header "Idempotency-Key" set to "signup-carol"
    When an anonymous client sends POST "/api/v1/auth/register" with:
      """
      {"email": "carol@example.com", "password": "correct horse battery staple", "display_name": "Carol"}
      """
    Then the response status is 201
    And the response header "Idempotent-Replayed" is "true"
    And the response JSON at "id" is "{carol}"

  Scenario: Answers that carry secrets are never kept, so a retry runs again
    Given the next request has header "Idempotency-Key" set to "key-1"
    When "alice" sends POST "/api/v1/organizations/{acme.id}/api-keys" with:
      """
      {"name": "CI", "scopes": ["member:read"]}
      """
    Then the response status is 201
    And the response header "Cache-Control" is "no-store"
    When the response JSON at "secret" is remembered as "first_secret"
    Given the next request has header "Idempotency-Key" set to "key-1"
    When "alice" sends POST "/api/v1/organizations/{acme.id}/api-keys" with:
      """
      {"name": "CI", "scopes": ["member:read"]}
      """
    Then the response status is 201
    And the response has no header "Idempotent-Replayed"
    And the response body does not contain "{first_secret}"

  Scenario: A malformed key is refused before anything runs
    Given the next request has header "Idempotency-Key" set to "has spaces in it"
    When "alice" sends POST "/api/v1/projects" for tenant "acme" with:
      """
      {"name": "Apollo"}
      """
    Then the response status is 400
    And the validation details include "Idempotency-Key" with issue "invalid"
    When "alice" sends GET "/api/v1/projects" for tenant "acme"
    Then the response JSON at "total" equals 0

  Scenario: GET ignores the header
    Given the next request has header "Idempotency-Key" set to "reads"
    When "alice" sends GET "/api/v1/projects" for tenant "acme"
    Then the response status is 200
    And the response has no header "Idempotent-Replayed"
