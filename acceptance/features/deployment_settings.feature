Feature: Deployment settings that guard the edge
  What an operator configures decides where links point and who reads metrics;
  nothing a request claims about itself does.

  Scenario: With a metrics token configured, metrics need it
    Given the server setting "server.metrics_token" is "scrape-me-please"
    When an anonymous client sends GET "/metrics"
    Then the response status is 401
    And the response is an error envelope
    Given the next request has header "Authorization" set to "Bearer wrong-token"
    When an anonymous client sends GET "/metrics"
    Then the response status is 401
    Given the next request has header "Authorization" set to "Bearer scrape-me-please"
    When an anonymous client sends GET "/metrics"
    Then the response status is 200
    And the response body contains "# TYPE "

  Scenario: Download links point at the configured public address, whatever the request claims
    Given the server setting "server.public_url" is "https://files.example.test/base/"
    And an organization "acme" owned by "alice"
    When "alice" uploads the text "quarterly numbers" as "q3.txt" to "/api/v1/files" for tenant "acme"
    Given the next request has header "X-Forwarded-Host" set to "evil.example"
    And the next request has header "X-Forwarded-Proto" set to "http"
    When "alice" sends POST "/api/v1/files/{q3.txt.id}/links" for tenant "acme" with:
      """
      {}
      """
    Then the response status is 201
    And the response JSON at "url" starts with "https://files.example.test/base/api/v1/file-links/"
    And the response body does not contain "evil.example"
