Feature: Email verification
  Registration mails a single-use verification token (stored hashed, valid 24 hours).
  With `auth.require_verified_email` on, login waits for it.

  Scenario: A new account is unverified and receives a verification mail
    When "alice" registers
    Then the response status is 201
    And the response JSON at "email_verified" equals false
    And the latest mail to "alice" contains "Verification token: "
    And the response body does not contain "Verification token"

  Scenario: The mailed token verifies the address, once
    Given a registered user "alice"
    When the latest verification token mailed to "alice" is remembered as "token"
    And an anonymous client sends POST "/api/v1/auth/verify-email" with:
      """
      {"token": "{token}"}
      """
    Then the response status is 204
    When "alice" logs in
    And "alice" sends GET "/api/v1/users/me"
    Then the response JSON at "email_verified" equals true
    When an anonymous client sends POST "/api/v1/auth/verify-email" with:
      """
      {"token": "{token}"}
      """
    Then the response status is 422
    And the error code is "account_token_used"

  Scenario: A token the server never mailed is refused
    When an anonymous client sends POST "/api/v1/auth/verify-email" with:
      """
      {"token": "not-a-token"}
      """
    Then the response status is 422
    And the error code is "account_token_invalid"
    And the response is an error envelope

  Scenario: Resending voids the earlier token
    Given a registered user "alice"
    When the latest verification token mailed to "alice" is remembered as "first"
    And an anonymous client sends POST "/api/v1/auth/resend-verification" with:
      """
      {"email": "{alice.email}"}
      """
    Then the response status is 202
    And "alice" received 2 mails
    When an anonymous client sends POST "/api/v1/auth/verify-email" with:
      """
      {"token": "{first}"}
      """
    Then the response status is 422
    And the error code is "account_token_used"
    When the latest verification token mailed to "alice" is remembered as "second"
    And an anonymous client sends POST "/api/v1/auth/verify-email" with:
      """
      {"token": "{second}"}
      """
    Then the response status is 204

  Scenario: Resending to an unknown address answers the same and mails nothing
    When an anonymous client sends POST "/api/v1/auth/resend-verification" with:
      """
      {"email": "nobody@example.test"}
      """
    Then the response status is 202
    And "nobody@example.test" received no mail

  Scenario: A malformed address is a validation error
    When an anonymous client sends POST "/api/v1/auth/resend-verification" with:
      """
      {"email": "not an address"}
      """
    Then the response status is 400
    And the validation details include "email" with issue "invalid"

  Scenario: With verification required, an unverified account cannot log in
    Given the server setting "auth.require_verified_email" is "true"
    And a registered user "alice"
    When "alice" logs in
    Then the response status is 403
    And the error code is "email_not_verified"
    When the latest verification token mailed to "alice" is remembered as "token"
    And an anonymous client sends POST "/api/v1/auth/verify-email" with:
      """
      {"token": "{token}"}
      """
    And "alice" logs in
    Then the response status is 200

  Scenario: With verification required, the right password never locks the account
    Given the server setting "auth.require_verified_email" is "true"
    And a registered user "alice"
    When "alice" logs in
    And "alice" logs in
    And "alice" logs in
    And "alice" logs in
    And "alice" logs in
    And "alice" logs in
    Then the response status is 403
    And the error code is "email_not_verified"
    When the latest verification token mailed to "alice" is remembered as "token"
    And an anonymous client sends POST "/api/v1/auth/verify-email" with:
      """
      {"token": "{token}"}
      """
    And "alice" logs in
    Then the response status is 200

  Scenario: With verification required, a wrong password still answers invalid_credentials
    Given the server setting "auth.require_verified_email" is "true"
    And a registered user "alice"
    When "alice" logs in with password "not her password at all"
    Then the response status is 401
    And the error code is "invalid_credentials"
