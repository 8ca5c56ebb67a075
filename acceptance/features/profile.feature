Feature: Profile and preferences
  A user reads and changes their own profile: the display name and a preferences
  document (a JSON object of at most 16 KiB, changed by JSON merge patch).

  Background:
    Given a logged-in user "alice"

  Scenario: A new user has an empty preferences document
    When "alice" sends GET "/api/v1/users/me/profile"
    Then the response status is 200
    And the response JSON at "display_name" is "Alice"
    And the response JSON at "preferences" is an object
    And the response JSON at "preferences" has 0 entries

  Scenario: Preferences merge, and null removes a member
    When "alice" sends PATCH "/api/v1/users/me/profile" with:
      """
      {"preferences": {"theme": "dark", "notifications": {"digest": "daily", "mentions": true}}}
      """
    Then the response status is 200
    And the response JSON at "preferences.theme" is "dark"
    When "alice" sends PATCH "/api/v1/users/me/profile" with:
      """
      {"display_name": "Alice Liddell", "preferences": {"theme": null, "notifications": {"mentions": false}}}
      """
    Then the response status is 200
    And the response JSON at "display_name" is "Alice Liddell"
    And the response JSON at "preferences" has exactly the fields "notifications"
    And the response JSON at "preferences.notifications.digest" is "daily"
    And the response JSON at "preferences.notifications.mentions" equals false
    When "alice" sends GET "/api/v1/users/me"
    Then the response JSON at "display_name" is "Alice Liddell"

  Scenario: Bad changes are refused together and change nothing
    When "alice" sends PATCH "/api/v1/users/me/profile" with:
      """
      {"display_name": "   ", "preferences": ["not", "an", "object"]}
      """
    Then the response status is 400
    And the validation details include "display_name" with issue "required"
    And the validation details include "preferences" with issue "not_an_object"
    When "alice" sends GET "/api/v1/users/me/profile"
    Then the response JSON at "display_name" is "Alice"

  Scenario: A NUL anywhere in the preferences is refused the same way on every backend
    When "alice" sends PATCH "/api/v1/users/me/profile" with:
      """
      {"preferences": {"theme": "da\u0000rk"}}
      """
    Then the response status is 400
    And the validation details include "preferences" with issue "invalid_characters"
    When "alice" sends PATCH "/api/v1/users/me/profile" with:
      """
      {"preferences": {"nested": {"ke\u0000y": true}}}
      """
    Then the response status is 400
    And the validation details include "preferences" with issue "invalid_characters"
    When "alice" sends GET "/api/v1/users/me/profile"
    Then the response JSON at "preferences" has 0 entries

  Scenario: Unknown fields are refused
    When "alice" sends PATCH "/api/v1/users/me/profile" with:
      """
      {"email": "other@example.test"}
      """
    Then the response status is 400
    And the error code is "malformed_request"

  Scenario: The profile needs a bearer token
    When an anonymous client sends GET "/api/v1/users/me/profile"
    Then the response status is 401
