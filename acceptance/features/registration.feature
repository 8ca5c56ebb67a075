Feature: Registration
  A visitor creates an account with an e-mail address, a password and a display
  name, and gets the account back without any of its secrets.

  Scenario: A visitor registers and gets the new account
    When an anonymous client sends POST "/api/v1/auth/register" with:
      """
      {"email": "alice@example.test", "password": "correct horse battery staple", "display_name": "Alice"}
      """
    Then the response status is 201
    And the response has exactly the fields "id, email, display_name, email_verified, created_at, updated_at"
    And the response JSON at "id" is a UUID
    And the response JSON at "email" is "alice@example.test"
    And the response JSON at "display_name" is "Alice"
    And the response JSON at "created_at" is a timestamp
    And the response JSON at "updated_at" is a timestamp
    And the response header "Location" is "/api/v1/users/{response.id}"

  Scenario: The account never exposes the password, in any form
    When "alice" registers
    Then the response status is 201
    And the response has no field "password"
    And the response has no field "password_hash"
    And the response has no field "hash"
    And the response body contains "alice@example.test"

  Scenario: E-mail addresses are stored in lower case
    When "alice" registers with email "Alice.Liddell@Example.TEST"
    Then the response status is 201
    And the response JSON at "email" is "alice.liddell@example.test"

  Scenario: An e-mail address cannot be registered twice
    Given a registered user "alice"
    When "impostor" registers with email "alice@example.test"
    Then the response status is 409
    And the error code is "email_taken"
    And the response is an error envelope

  Scenario: An e-mail address cannot be registered twice in another case
    Given a registered user "alice"
    When "impostor" registers with email "ALICE@Example.Test"
    Then the response status is 409
    And the error code is "email_taken"

  Scenario: Two different e-mail addresses give two accounts
    Given a registered user "alice"
    When "bob" registers
    Then the response status is 201
    And the response JSON at "email" is "bob@example.test"

  Scenario Outline: A weak password is refused with the reason
    When an anonymous client sends POST "/api/v1/auth/register" with:
      """
      {"email": "bob@example.test", "password": "<password>", "display_name": "Bob"}
      """
    Then the response status is 400
    And the error code is "validation_failed"
    And the response is an error envelope
    And the validation details are:
      | field    | issue   |
      | password | <issue> |

    Examples:
      | password     | issue      |
      | short-pass1  | too_short  |
      |              | too_short  |
      | password1234 | too_common |
      | Password1234 | too_common |
      | Bob@Example.test | same_as_email |

  Scenario Outline: A malformed e-mail address is refused
    When an anonymous client sends POST "/api/v1/auth/register" with:
      """
      {"email": "<email>", "password": "correct horse battery staple", "display_name": "Bob"}
      """
    Then the response status is 400
    And the error code is "validation_failed"
    And the validation details are:
      | field | issue   |
      | email | invalid |

    Examples:
      | email              |
      | not-an-email       |
      | bob@               |
      | @example.test      |
      | bob example.test   |

  Scenario: A blank display name is refused
    When an anonymous client sends POST "/api/v1/auth/register" with:
      """
      {"email": "bob@example.test", "password": "correct horse battery staple", "display_name": "   "}
      """
    Then the response status is 400
    And the error code is "validation_failed"
    And the validation details include the field "display_name"
    And the validation details do not include the field "email"
    And the validation details do not include the field "password"

  Scenario: Every invalid field is reported at once
    When an anonymous client sends POST "/api/v1/auth/register" with:
      """
      {"email": "not-an-email", "password": "short", "display_name": ""}
      """
    Then the response status is 400
    And the error code is "validation_failed"
    And the validation details include "email" with issue "invalid"
    And the validation details include "password" with issue "too_short"
    And the validation details include the field "display_name"
    And the response JSON at "details" has 3 entries

  Scenario: A refused registration creates no account
    When an anonymous client sends POST "/api/v1/auth/register" with:
      """
      {"email": "alice@example.test", "password": "short", "display_name": "Alice"}
      """
    Then the response status is 400
    When "alice" registers
    Then the response status is 201
