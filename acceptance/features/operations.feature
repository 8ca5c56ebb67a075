Feature: Operations endpoints
  Probes, metrics and the API's own documentation, for orchestrators, monitoring
  and client developers.

  Background:
    Given the service is running

  Scenario: The liveness probe answers
    When an anonymous client sends GET "/health"
    Then the response status is 200

  Scenario: The readiness probe answers when the database is reachable
    When an anonymous client sends GET "/ready"
    Then the response status is 200

  Scenario: Metrics are exposed in the Prometheus text format
    When an anonymous client sends GET "/health"
    And an anonymous client sends GET "/metrics"
    Then the response status is 200
    And the response header "Content-Type" contains "text/plain"
    And the response body contains "# TYPE "

  Scenario: The OpenAPI document describes the API
    When an anonymous client sends GET "/api-docs/openapi.json"
    Then the response status is 200
    And the response header "Content-Type" contains "application/json"
    And the response JSON at "openapi" starts with "3.1"
    And the response JSON at "paths" has key "/api/v1/auth/register"
    And the response JSON at "paths" has key "/api/v1/auth/login"
    And the response JSON at "paths" has key "/api/v1/auth/refresh"
    And the response JSON at "paths" has key "/api/v1/auth/logout"
    And the response JSON at "paths" has key "/api/v1/users/me"

  Scenario: The OpenAPI document lists the error codes
    When an anonymous client sends GET "/api-docs/openapi.json"
    Then the response status is 200
    And the response body contains "validation_failed"
    And the response body contains "malformed_request"
    And the response body contains "email_taken"
    And the response body contains "invalid_credentials"
    And the response body contains "invalid_refresh_token"

  Scenario: Swagger UI is served
    When an anonymous client sends GET "/swagger-ui/"
    Then the response status is 200
    And the response header "Content-Type" contains "text/html"
    And the response body contains "swagger"
