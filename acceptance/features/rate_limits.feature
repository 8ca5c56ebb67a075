Feature: Rate limits
  Every client address has a request budget (seed 003: 10 requests/s by default),
  and a much smaller one on the routes that take credentials or send mail. Beyond
  it the answer is 429 with Retry-After; every answer tells the budget left.

  Scenario: Answers tell the remaining budget
    Given the server setting "rate_limit.api_burst" is "50"
    When an anonymous client sends GET "/api-docs/openapi.json"
    Then the response status is 200
    And the response header "RateLimit-Limit" is "50"
    And the response header "RateLimit-Remaining" is "49"
    And the response has header "RateLimit-Reset"

  Scenario: Logins beyond the credentials budget are refused with Retry-After
    Given the server setting "rate_limit.credentials_burst" is "2"
    And the server setting "rate_limit.credentials_per_minute" is "1"
    When someone logs in as "a@example.test" with password "guess one"
    And someone logs in as "b@example.test" with password "guess two"
    Then the response status is 401
    When someone logs in as "c@example.test" with password "guess three"
    Then the response status is 429
    And the error code is "rate_limited"
    And the response is an error envelope
    And the response has header "Retry-After"
    And the response header "RateLimit-Remaining" is "0"

  Scenario: Registration and password reset share the strict budget
    Given the server setting "rate_limit.credentials_burst" is "1"
    And the server setting "rate_limit.credentials_per_minute" is "1"
    When "alice" registers
    Then the response status is 201
    When an anonymous client sends POST "/api/v1/auth/forgot-password" with:
      """
      {"email": "someone@example.test"}
      """
    Then the response status is 429
    And the error code is "rate_limited"

  Scenario: Another spelling of a credential route is the same route and the same budget
    Given the server setting "rate_limit.credentials_burst" is "2"
    And the server setting "rate_limit.credentials_per_minute" is "1"
    When an anonymous client sends POST "/api/v1/auth/%6Cogin" with:
      """
      {"email": "a@example.test", "password": "guess one guess"}
      """
    Then the response status is 401
    When an anonymous client sends POST "/api/v1/auth/forgot%2Dpassword" with:
      """
      {"email": "a@example.test"}
      """
    Then the response status is 202
    When an anonymous client sends POST "/api/v1/auth/log%69n" with:
      """
      {"email": "a@example.test", "password": "guess two guess"}
      """
    Then the response status is 429
    And the error code is "rate_limited"
    And the response header "RateLimit-Limit" is "2"

  Scenario: The strict budget does not slow down the rest of the API
    Given the server setting "rate_limit.credentials_burst" is "1"
    And the server setting "rate_limit.credentials_per_minute" is "1"
    And a registered user "alice"
    When someone logs in as "x@example.test" with password "guess"
    Then the response status is 429
    When an anonymous client sends GET "/api-docs/openapi.json"
    Then the response status is 200

  Scenario: Health probes are never limited
    Given the server setting "rate_limit.api_burst" is "1"
    And the server setting "rate_limit.api_per_second" is "1"
    When an anonymous client sends GET "/health"
    And an anonymous client sends GET "/health"
    And an anonymous client sends GET "/health"
    Then the response status is 200
    And the response has no header "RateLimit-Limit"
