Feature: Login and access tokens
  A registered user exchanges e-mail and password for a short-lived bearer access
  token and a refresh token, and uses the access token on the API.

  Scenario: A registered user logs in and gets a bearer token pair
    Given a registered user "alice"
    When "alice" logs in
    Then the response status is 200
    And the response has exactly the fields "access_token, refresh_token, token_type, expires_in"
    And the response JSON at "token_type" is "Bearer"
    And the response JSON at "expires_in" equals 900
    And the response JSON at "access_token" is a JWT
    And the response JSON at "refresh_token" is a non-empty string
    And the response has no field "password"

  Scenario: The access token identifies its user
    Given a logged-in user "alice"
    And a logged-in user "bob"
    When "alice" sends GET "/api/v1/users/me"
    Then the response status is 200
    And the response has exactly the fields "id, email, display_name, email_verified, created_at, updated_at"
    And the response JSON at "id" is "{alice.id}"
    And the response JSON at "email" is "alice@example.test"
    And the response JSON at "display_name" is "Alice"
    When "bob" sends GET "/api/v1/users/me"
    Then the response status is 200
    And the response JSON at "id" is "{bob.id}"
    And the response JSON at "email" is "bob@example.test"

  Scenario: The e-mail address is matched whatever its case
    Given a registered user "alice"
    When "alice" logs in with email "ALICE@Example.Test"
    Then the response status is 200
    And the response JSON at "token_type" is "Bearer"

  Scenario: A wrong password is refused
    Given a registered user "alice"
    When "alice" logs in with password "not the right password"
    Then the response status is 401
    And the error code is "invalid_credentials"
    And the response is an error envelope

  Scenario: An unknown e-mail address is indistinguishable from a wrong password
    Given a registered user "alice"
    When "alice" logs in with password "not the right password"
    And someone logs in as "nobody@example.test" with password "not the right password"
    Then the response status is 401
    And the error code is "invalid_credentials"
    And the response body equals the previous response body apart from "request_id"

  Scenario: The API refuses a request without a token
    Given the service is running
    When an anonymous client sends GET "/api/v1/users/me"
    Then the response status is 401
    And the error code is "unauthenticated"
    And the response is an error envelope

  Scenario Outline: The API refuses a token it did not issue
    Given a registered user "alice"
    When a client with the bearer token "<token>" sends GET "/api/v1/users/me"
    Then the response status is 401
    And the error code is "invalid_token"

    Examples:
      | token                                                                       |
      | garbage                                                                     |
      | eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl       |
      | eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhbGljZSIsImV4cCI6NDEwMjQ0NDgwMH0. |

  Scenario: A tampered access token is refused
    Given a logged-in user "alice"
    When a client with the bearer token "{alice.access_token}x" sends GET "/api/v1/users/me"
    Then the response status is 401
    And the error code is "invalid_token"
