Feature: Password reset and change
  Forgotten passwords are reset with a mailed token (hashed, 30 minutes, single use);
  a reset signs every device out. Changing a password needs the current one and
  keeps only the current session.

  Background:
    Given a logged-in user "alice"

  Scenario: Asking for a reset always answers 202, whether or not the account exists
    When an anonymous client sends POST "/api/v1/auth/forgot-password" with:
      """
      {"email": "{alice.email}"}
      """
    Then the response status is 202
    And the latest mail to "alice" contains "Password reset token: "
    When an anonymous client sends POST "/api/v1/auth/forgot-password" with:
      """
      {"email": "nobody@example.test"}
      """
    Then the response status is 202
    And the response body equals the previous response body apart from "request_id"
    And "nobody@example.test" received no mail

  Scenario: A reset sets the new password and ends every session
    When an anonymous client sends POST "/api/v1/auth/forgot-password" with:
      """
      {"email": "{alice.email}"}
      """
    And the latest password reset token mailed to "alice" is remembered as "reset"
    And an anonymous client sends POST "/api/v1/auth/reset-password" with:
      """
      {"token": "{reset}", "new_password": "a brand new passphrase"}
      """
    Then the response status is 204
    When "alice" sends GET "/api/v1/users/me"
    Then the response status is 401
    And the error code is "session_revoked"
    When "alice" logs in
    Then the response status is 401
    When "alice" logs in with password "a brand new passphrase"
    Then the response status is 200

  Scenario: A reset token works once
    When an anonymous client sends POST "/api/v1/auth/forgot-password" with:
      """
      {"email": "{alice.email}"}
      """
    And the latest password reset token mailed to "alice" is remembered as "reset"
    And an anonymous client sends POST "/api/v1/auth/reset-password" with:
      """
      {"token": "{reset}", "new_password": "a brand new passphrase"}
      """
    And an anonymous client sends POST "/api/v1/auth/reset-password" with:
      """
      {"token": "{reset}", "new_password": "yet another passphrase"}
      """
    Then the response status is 422
    And the error code is "account_token_used"

  Scenario: A weak new password is refused and the token stays usable
    When an anonymous client sends POST "/api/v1/auth/forgot-password" with:
      """
      {"email": "{alice.email}"}
      """
    And the latest password reset token mailed to "alice" is remembered as "reset"
    And an anonymous client sends POST "/api/v1/auth/reset-password" with:
      """
      {"token": "{reset}", "new_password": "short"}
      """
    Then the response status is 400
    And the validation details include "new_password" with issue "too_short"
    When an anonymous client sends POST "/api/v1/auth/reset-password" with:
      """
      {"token": "{reset}", "new_password": "a brand new passphrase"}
      """
    Then the response status is 204

  Scenario: A verification token is not a reset token
    When the latest verification token mailed to "alice" is remembered as "verification"
    And an anonymous client sends POST "/api/v1/auth/reset-password" with:
      """
      {"token": "{verification}", "new_password": "a brand new passphrase"}
      """
    Then the response status is 422
    And the error code is "account_token_invalid"

  Scenario: The account's own address is never its new password
    When an anonymous client sends POST "/api/v1/auth/forgot-password" with:
      """
      {"email": "{alice.email}"}
      """
    And the latest password reset token mailed to "alice" is remembered as "reset"
    And an anonymous client sends POST "/api/v1/auth/reset-password" with:
      """
      {"token": "{reset}", "new_password": "{alice.email}"}
      """
    Then the response status is 400
    And the validation details include "new_password" with issue "same_as_email"
    When an anonymous client sends POST "/api/v1/auth/reset-password" with:
      """
      {"token": "{reset}", "new_password": "a brand new passphrase"}
      """
    Then the response status is 204
    When "alice" logs in with password "a brand new passphrase"
    And "alice" sends POST "/api/v1/users/me/password" with:
      """
      {"current_password": "a brand new passphrase", "new_password": "{alice.email}"}
      """
    Then the response status is 400
    And the validation details include "new_password" with issue "same_as_email"

  Scenario: Changing the password keeps this session and ends the others
    Given "alice" is logged in
    When "alice" sends POST "/api/v1/users/me/password" with:
      """
      {"current_password": "{alice.password}", "new_password": "a brand new passphrase"}
      """
    Then the response status is 204
    When "alice" sends GET "/api/v1/users/me/sessions"
    Then the response status is 200
    And the response JSON at "items" has 1 entry
    When "alice" logs in with password "a brand new passphrase"
    Then the response status is 200

  Scenario: Changing the password needs the right current password
    When "alice" sends POST "/api/v1/users/me/password" with:
      """
      {"current_password": "not the current one", "new_password": "a brand new passphrase"}
      """
    Then the response status is 400
    And the validation details include "current_password" with issue "incorrect"
    When "alice" logs in
    Then the response status is 200

  Scenario: Changing the password needs a bearer token
    When an anonymous client sends POST "/api/v1/users/me/password" with:
      """
      {"current_password": "x", "new_password": "a brand new passphrase"}
      """
    Then the response status is 401
