Feature: Invitations
  Owners and admins invite people by e-mail with a role. The token travels by mail
  only; the invited person, signed in with that address, accepts it once and joins.

  Background:
    Given an organization "acme" owned by "alice"

  Scenario: The owner invites someone by e-mail
    When "alice" invites "bob@example.test" to "acme" as "member"
    Then the response status is 201
    And the response has exactly the fields "id, organization_id, email, role, expires_at, created_at"
    And the response JSON at "id" is a UUID
    And the response JSON at "organization_id" is "{acme.id}"
    And the response JSON at "email" is "bob@example.test"
    And the response JSON at "role" is "member"
    And the response JSON at "created_at" is a timestamp
    And the response JSON at "expires_at" is 7 days after the one at "created_at"
    And "bob@example.test" received an invitation mail
    And the response does not contain the latest invitation token sent to "bob@example.test"

  Scenario: The invitation mail goes to the invited address only
    When "alice" invites "bob@example.test" to "acme" as "member"
    Then the response status is 201
    And "bob@example.test" received 1 mail
    And the latest mail to "bob@example.test" contains "Invitation token: "
    And "carol@example.test" received no mail

  Scenario: The invited user accepts and joins with the role of the invitation
    Given a logged-in user "bob"
    And "alice" invited "bob" to "acme" as "admin"
    When "bob" accepts his invitation
    Then the response status is 200
    And the response has exactly the fields "organization_id, user_id, role, joined_at"
    And the response JSON at "organization_id" is "{acme.id}"
    And the response JSON at "user_id" is "{bob.id}"
    And the response JSON at "role" is "admin"
    And the response JSON at "joined_at" is a timestamp
    And "bob" has the role "admin" in "acme"

  Scenario: Someone invited before signing up accepts after registering
    Given "alice" invited "dave@example.test" to "acme" as "viewer"
    And a logged-in user "dave"
    When "dave" accepts his invitation
    Then the response status is 200
    And the response JSON at "role" is "viewer"
    And "alice" sees the members of "acme" as:
      | email | role   |
      | alice | owner  |
      | dave  | viewer |

  Scenario: The new member finds the organization in his list
    Given a logged-in user "bob"
    And "alice" invited "bob" to "acme" as "member"
    When "bob" accepts his invitation
    And "bob" sends GET "/api/v1/organizations"
    Then the response status is 200
    And the response JSON at "total" equals 1
    And the response JSON at "items" has the "id" values "{acme.id}"
    And the response JSON at "items" has the "role" values "member"

  Scenario: A token works once
    Given a logged-in user "bob"
    And "alice" invited "bob" to "acme" as "member"
    When "bob" accepts his invitation
    And "bob" accepts his invitation
    Then the response status is 422
    And the error code is "invitation_already_used"
    And the response is an error envelope
    And "bob" has the role "member" in "acme"

  Scenario: Only the invited person can accept
    Given a logged-in user "bob"
    And a logged-in user "mallory"
    And "alice" invited "bob" to "acme" as "admin"
    When "mallory" accepts the latest invitation sent to "bob"
    Then the response status is 403
    And the error code is "invitation_wrong_recipient"
    And the response is an error envelope
    And "mallory" is not a member of "acme"

  Scenario: A refused attempt by someone else leaves the invitation usable
    Given a logged-in user "bob"
    And a logged-in user "mallory"
    And "alice" invited "bob" to "acme" as "member"
    When "mallory" accepts the latest invitation sent to "bob"
    And "bob" accepts his invitation
    Then the response status is 200
    And "alice" sees the members of "acme" as:
      | email | role   |
      | alice | owner  |
      | bob   | member |

  Scenario: Accepting needs a bearer token
    Given a logged-in user "bob"
    And "alice" invited "bob" to "acme" as "member"
    When an anonymous client accepts the latest invitation sent to "bob"
    Then the response status is 401
    And the error code is "unauthenticated"
    When "bob" accepts his invitation
    Then the response status is 200

  Scenario: A token the server never issued is not found
    Given a logged-in user "bob"
    When "bob" sends POST "/api/v1/invitations/no-such-invitation-token/accept"
    Then the response status is 404
    And the error code is "not_found"
    And the response is an error envelope

  Scenario: A remembered token can be presented as is
    Given a logged-in user "bob"
    And "alice" invited "bob" to "acme" as "viewer"
    When the latest invitation token sent to "bob" is remembered as "token"
    And "bob" sends POST "/api/v1/invitations/{token}/accept"
    Then the response status is 200
    And the response JSON at "role" is "viewer"

  Scenario: Each invitation gets a token of its own
    Given a logged-in user "bob"
    And a logged-in user "carol"
    And "alice" invited "bob" to "acme" as "member"
    And "alice" invited "carol" to "acme" as "viewer"
    When the latest invitation token sent to "bob" is remembered as "bobs_token"
    And "carol" sends POST "/api/v1/invitations/{bobs_token}/accept"
    Then the response status is 403
    And the error code is "invitation_wrong_recipient"
    When "carol" accepts her invitation
    Then the response status is 200
    And the response JSON at "role" is "viewer"

  Scenario: Admins invite too
    Given "bob" is a member of "acme" with role "admin"
    When "bob" invites "carol@example.test" to "acme" as "member"
    Then the response status is 201
    And "carol@example.test" received an invitation mail

  Scenario: An admin cannot invite an owner
    Given "bob" is a member of "acme" with role "admin"
    When "bob" invites "carol@example.test" to "acme" as "owner"
    Then the response status is 403
    And the error code is "forbidden"
    And the response is an error envelope
    And "carol@example.test" received no mail

  Scenario: The owner can invite another owner
    When "alice" invites "carol@example.test" to "acme" as "owner"
    Then the response status is 201
    Given a logged-in user "carol"
    When "carol" accepts her invitation
    Then the response status is 200
    And "carol" has the role "owner" in "acme"

  Scenario Outline: A <role> cannot invite
    Given "bob" is a member of "acme" with role "<role>"
    When "bob" invites "carol@example.test" to "acme" as "viewer"
    Then the response status is 403
    And the error code is "forbidden"
    And the response is an error envelope
    And "carol@example.test" received no mail

    Examples:
      | role   |
      | member |
      | viewer |

  Scenario: Inviting someone who is already a member is a conflict
    Given "bob" is a member of "acme" with role "viewer"
    When "alice" invites "bob" to "acme" as "admin"
    Then the response status is 409
    And the error code is "already_member"
    And the response is an error envelope
    And "bob" has the role "viewer" in "acme"

  Scenario: The owner cannot invite herself
    When "alice" invites "alice" to "acme" as "member"
    Then the response status is 409
    And the error code is "already_member"

  Scenario Outline: An invitation with <what> is refused
    When "alice" sends POST "/api/v1/organizations/{acme.id}/invitations" with:
      """
      {"email": "<email>", "role": "<role>"}
      """
    Then the response status is 400
    And the error code is "validation_failed"
    And the validation details include the field "<field>"
    And "bob@example.test" received no mail

    Examples:
      | what               | email            | role      | field |
      | an invalid address | not-an-email     | member    | email |
      | an empty address   |                  | member    | email |
      | an unknown role    | bob@example.test | superuser | role  |
      | an empty role      | bob@example.test |           | role  |

  Scenario: An unknown field in an invitation is refused
    When "alice" sends POST "/api/v1/organizations/{acme.id}/invitations" with:
      """
      {"email": "bob@example.test", "role": "member", "token": "chosen-by-me"}
      """
    Then the response status is 400
    And the error code is "malformed_request"

  Scenario: Inviting needs a bearer token
    When an anonymous client sends POST "/api/v1/organizations/{acme.id}/invitations" with:
      """
      {"email": "bob@example.test", "role": "member"}
      """
    Then the response status is 401
    And the error code is "unauthenticated"

  Scenario: An invitation stops granting its role once its sender is demoted
    Given "carol" is a member of "acme" with role "admin"
    And a logged-in user "bob"
    And "carol" invited "bob" to "acme" as "admin"
    When "alice" changes the role of "carol" in "acme" to "member"
    And "bob" accepts his invitation
    Then the response status is 422
    And the error code is "invitation_revoked"
    And "bob" is not a member of "acme"

  Scenario: An invitation stops working once its sender has left
    Given "carol" is a member of "acme" with role "admin"
    And a logged-in user "bob"
    And "carol" invited "bob" to "acme" as "member"
    When "alice" removes "carol" from "acme"
    And "bob" accepts his invitation
    Then the response status is 422
    And the error code is "invitation_revoked"

  Scenario: Owners list pending invitations and revoke one
    Given a logged-in user "bob"
    And "alice" invited "bob" to "acme" as "member"
    And "alice" invited "dave@example.test" to "acme" as "viewer"
    When "alice" sends GET "/api/v1/organizations/{acme.id}/invitations"
    Then the response status is 200
    And the response JSON at "total" equals 2
    And the response JSON at "items" has the "email" values "dave@example.test, {bob.email}"
    When the response JSON at "items.1.id" is remembered as "bobs_invitation"
    And "alice" sends DELETE "/api/v1/organizations/{acme.id}/invitations/{bobs_invitation}"
    Then the response status is 204
    When "bob" accepts his invitation
    Then the response status is 404
    And "bob" is not a member of "acme"
    When "alice" sends DELETE "/api/v1/organizations/{acme.id}/invitations/{bobs_invitation}"
    Then the response status is 404

  Scenario: Members neither list nor revoke invitations
    Given "bob" is a member of "acme" with role "member"
    And "alice" invited "dave@example.test" to "acme" as "viewer"
    When "bob" sends GET "/api/v1/organizations/{acme.id}/invitations"
    Then the response status is 403
    And the error code is "forbidden"
    When "alice" sends GET "/api/v1/organizations/{acme.id}/invitations?sort_by=email"
    Then the response status is 400
    And the validation details include "sort_by" with issue "unknown_field"
