Feature: Sessions
  A login opens a session. Refresh tokens rotate on every use, and logging out ends
  the session for its access token and its refresh token alike.

  Background:
    Given a logged-in user "alice"

  Scenario: Refreshing gives a new token pair and rotates the refresh token
    When "alice" refreshes her session
    Then the response status is 200
    And the response has exactly the fields "access_token, refresh_token, token_type, expires_in"
    And the response JSON at "token_type" is "Bearer"
    And the response JSON at "expires_in" equals 900
    And the response JSON at "access_token" is a JWT
    And "alice" received a new token pair

  Scenario: The refreshed access token works
    When "alice" refreshes her session
    And "alice" sends GET "/api/v1/users/me"
    Then the response status is 200
    And the response JSON at "email" is "alice@example.test"

  Scenario: The refresh token can travel in the JSON body
    When "alice" refreshes her session sending the refresh token in the body
    Then the response status is 200
    And "alice" received a new token pair

  Scenario: A refresh token rotated away is refused
    When "alice" refreshes her session
    And "alice" refreshes her session with her previous refresh token
    Then the response status is 401
    And the error code is "invalid_refresh_token"
    And the response is an error envelope

  Scenario: A rotated refresh token is refused in the body too
    When "alice" refreshes her session
    And an anonymous client sends POST "/api/v1/auth/refresh" with:
      """
      {"refresh_token": "{alice.previous_refresh_token}"}
      """
    Then the response status is 401
    And the error code is "invalid_refresh_token"

  Scenario: Replaying a rotated refresh token revokes the whole session
    When "alice" refreshes her session
    And "alice" refreshes her session with her previous refresh token
    And "alice" refreshes her session
    Then the response status is 401
    And the error code is "invalid_refresh_token"

  Scenario: A refresh token the server never issued is refused
    Given the next request has header "X-Refresh-Token" set to "not-a-refresh-token"
    When an anonymous client sends POST "/api/v1/auth/refresh"
    Then the response status is 401
    And the error code is "invalid_refresh_token"

  Scenario: Logging out answers 204
    When "alice" logs out
    Then the response status is 204

  Scenario: After logout the access token is revoked
    When "alice" logs out
    And "alice" sends GET "/api/v1/users/me"
    Then the response status is 401
    And the error code is "session_revoked"
    And the response is an error envelope

  Scenario: After logout the refresh token is refused
    When "alice" logs out
    And "alice" refreshes her session
    Then the response status is 401
    And the error code is "invalid_refresh_token"

  Scenario: After logout the refresh token is refused in the body too
    When "alice" logs out
    And "alice" refreshes her session sending the refresh token in the body
    Then the response status is 401
    And the error code is "invalid_refresh_token"

  Scenario: Logging out needs a token
    When an anonymous client sends POST "/api/v1/auth/logout"
    Then the response status is 401
    And the error code is "unauthenticated"

  Scenario: A new login after logout opens a new session
    When "alice" logs out
    And "alice" logs in
    And "alice" sends GET "/api/v1/users/me"
    Then the response status is 200
    And the response JSON at "id" is "{alice.id}"
