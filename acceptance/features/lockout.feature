Feature: Login lockout
  Five failed logins within fifteen minutes lock the address for thirty minutes.
  Unknown addresses lock the same way, so the answer never tells whether an
  account exists. Failures and locks are audited.

  Scenario: The fifth failure locks the account, even for the right password
    Given a registered user "alice"
    When "alice" logs in with password "wrong password 1"
    And "alice" logs in with password "wrong password 2"
    And "alice" logs in with password "wrong password 3"
    And "alice" logs in with password "wrong password 4"
    Then the response status is 401
    And the error code is "invalid_credentials"
    When "alice" logs in with password "wrong password 5"
    Then the response status is 429
    And the error code is "account_locked"
    And the response has header "Retry-After"
    When "alice" logs in
    Then the response status is 429
    And the error code is "account_locked"

  Scenario: An unknown address locks exactly like a real one
    When someone logs in as "ghost@example.test" with password "guess 1"
    And someone logs in as "ghost@example.test" with password "guess 2"
    And someone logs in as "ghost@example.test" with password "guess 3"
    And someone logs in as "ghost@example.test" with password "guess 4"
    And someone logs in as "ghost@example.test" with password "guess 5"
    Then the response status is 429
    And the error code is "account_locked"

  Scenario: A successful login clears the failures
    Given a registered user "alice"
    When "alice" logs in with password "wrong password 1"
    And "alice" logs in with password "wrong password 2"
    And "alice" logs in with password "wrong password 3"
    And "alice" logs in with password "wrong password 4"
    And "alice" logs in
    Then the response status is 200
    When "alice" logs in with password "wrong password 5"
    Then the response status is 401
    And the error code is "invalid_credentials"

  Scenario: A password reset lifts the lock
    Given a registered user "alice"
    When "alice" logs in with password "wrong password 1"
    And "alice" logs in with password "wrong password 2"
    And "alice" logs in with password "wrong password 3"
    And "alice" logs in with password "wrong password 4"
    And "alice" logs in with password "wrong password 5"
    And an anonymous client sends POST "/api/v1/auth/forgot-password" with:
      """
      {"email": "{alice.email}"}
      """
    And the latest password reset token mailed to "alice" is remembered as "reset"
    And an anonymous client sends POST "/api/v1/auth/reset-password" with:
      """
      {"token": "{reset}", "new_password": "a brand new passphrase"}
      """
    And "alice" logs in with password "a brand new passphrase"
    Then the response status is 200

  Scenario: Locking one address leaves the others alone
    Given a registered user "alice"
    And a registered user "bob"
    When "alice" logs in with password "wrong password 1"
    And "alice" logs in with password "wrong password 2"
    And "alice" logs in with password "wrong password 3"
    And "alice" logs in with password "wrong password 4"
    And "alice" logs in with password "wrong password 5"
    And "bob" logs in
    Then the response status is 200
