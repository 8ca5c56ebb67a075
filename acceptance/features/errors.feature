Feature: Error responses
  Every error answers with the same envelope, and every response carries a request
  id that ties it to the server's logs.

  Background:
    Given the service is running

  Scenario: An error answers with the envelope and its request id
    When an anonymous client sends GET "/api/v1/users/me"
    Then the response status is 401
    And the response is an error envelope
    And the response has header "X-Request-Id"
    And the response JSON at "request_id" matches the response header "X-Request-Id"

  Scenario: A validation error lists each problem as a field and an issue
    When an anonymous client sends POST "/api/v1/auth/register" with:
      """
      {"email": "not-an-email", "password": "correct horse battery staple", "display_name": "Bob"}
      """
    Then the response status is 400
    And the response is an error envelope
    And the error code is "validation_failed"
    And the response JSON at "details.0.field" is "email"
    And the response JSON at "details.0.issue" is "invalid"
    And the response JSON at "request_id" matches the response header "X-Request-Id"

  Scenario: A successful response carries a request id
    When an anonymous client sends GET "/health"
    Then the response status is 200
    And the response has header "X-Request-Id"

  Scenario: Each request gets its own request id
    When an anonymous client sends GET "/health"
    And the response header "X-Request-Id" is remembered as "first_request_id"
    And an anonymous client sends GET "/health"
    Then the response has header "X-Request-Id"
    And the response header "X-Request-Id" is not "{first_request_id}"

  Scenario: The client's request id is echoed on success
    Given the next request has header "X-Request-Id" set to "acceptance-echo-0001"
    When an anonymous client sends GET "/health"
    Then the response status is 200
    And the response header "X-Request-Id" is "acceptance-echo-0001"

  Scenario: The client's request id is echoed in errors, header and body
    Given the next request has header "X-Request-Id" set to "acceptance-echo-0002"
    When an anonymous client sends GET "/api/v1/users/me"
    Then the response status is 401
    And the response header "X-Request-Id" is "acceptance-echo-0002"
    And the response JSON at "request_id" is "acceptance-echo-0002"

  Scenario: Malformed JSON is refused
    When an anonymous client sends POST "/api/v1/auth/register" with the raw body:
      """
      {"email": "alice@example.test", "password": "correct horse battery staple",
      """
    Then the response status is 400
    And the error code is "malformed_request"
    And the response is an error envelope

  Scenario: A body that is not JSON at all is refused
    When an anonymous client sends POST "/api/v1/auth/login" with the raw body:
      """
      email=alice@example.test&password=correct+horse+battery+staple
      """
    Then the response status is 400
    And the error code is "malformed_request"

  Scenario: An unknown field is refused, not ignored
    When an anonymous client sends POST "/api/v1/auth/register" with:
      """
      {"email": "alice@example.test", "password": "correct horse battery staple", "display_name": "Alice", "is_admin": true}
      """
    Then the response status is 400
    And the error code is "malformed_request"
    And the response is an error envelope
    When "alice" registers
    Then the response status is 201

  Scenario: An unknown field at login is refused
    Given a registered user "alice"
    When an anonymous client sends POST "/api/v1/auth/login" with:
      """
      {"email": "alice@example.test", "password": "correct horse battery staple", "remember_me": true}
      """
    Then the response status is 400
    And the error code is "malformed_request"

  Scenario: An unknown route answers 404 with the envelope
    When an anonymous client sends GET "/api/v1/no-such-resource"
    Then the response status is 404
    And the response is an error envelope
