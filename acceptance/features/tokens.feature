Feature: Access tokens and the attack corpus
  Access tokens are EdDSA-signed JWTs naming their key (`kid`); the verification
  keys are published as a JWKS. Every forgery and misuse is refused with 401.

  Scenario: The JWKS publishes the Ed25519 key that signs access tokens
    When an anonymous client sends GET "/.well-known/jwks.json"
    Then the response status is 200
    And the response JSON at "keys" has 1 entry
    And the response JSON at "keys.0.kty" is "OKP"
    And the response JSON at "keys.0.crv" is "Ed25519"
    And the response JSON at "keys.0.alg" is "EdDSA"
    And the response JSON at "keys.0.use" is "sig"
    And the response JSON at "keys.0" has exactly the fields "kty, crv, x, kid, alg, use"

  Scenario Outline: A forged access token is refused: <forgery>
    Given a logged-in user "alice"
    When "alice" sends GET "/api/v1/users/me" with her access token <forgery>
    Then the response status is 401
    And the error code is "invalid_token"
    And the response is an error envelope
    And the response header "WWW-Authenticate" is "Bearer"

    Examples:
      | forgery                                                 |
      | forged with alg none                                    |
      | re-signed with HS256 keyed by the published public key  |
      | with a tampered payload                                 |
      | naming an unknown key id                                |
      | without a signature                                     |

  Scenario: The access token of an ended session is refused on its next request
    Given a logged-in user "alice"
    And "alice" is logged in
    When "alice" sends DELETE "/api/v1/users/me/sessions"
    Then the response status is 200
    When "alice" logs out
    And "alice" sends GET "/api/v1/users/me"
    Then the response status is 401
    And the error code is "session_revoked"

  Scenario Outline: SQL injection in <field> of <route> is only ever data
    When an anonymous client sends POST "<route>" with:
      """
      <body>
      """
    Then the response status is <status>
    And the error code is "<code>"
    And the response body does not contain "SQL"
    And the response body does not contain "syntax"

    Examples:
      | field        | route                          | body                                                                                               | status | code                  |
      | email        | /api/v1/auth/register          | {"email": "x' OR '1'='1@example.test", "password": "correct horse battery staple", "display_name": "X"} | 400    | validation_failed     |
      | display_name | /api/v1/auth/register          | {"email": "inj@example.test", "password": "short", "display_name": "'); DROP TABLE users; --"}      | 400    | validation_failed     |
      | email        | /api/v1/auth/login             | {"email": "admin@example.test' --", "password": "x"}                                               | 400    | validation_failed     |
      | password     | /api/v1/auth/login             | {"email": "admin@example.test", "password": "' OR 1=1 --"}                                         | 401    | invalid_credentials   |
      | email        | /api/v1/auth/forgot-password   | {"email": "a@b.c'; DELETE FROM users; --"}                                                         | 400    | validation_failed     |
      | email        | /api/v1/auth/resend-verification | {"email": "\" OR \"\"=\""}                                                                       | 400    | validation_failed     |
      | token        | /api/v1/auth/verify-email      | {"token": "' OR '1'='1"}                                                                           | 422    | account_token_invalid |
      | token        | /api/v1/auth/reset-password    | {"token": "' UNION SELECT password_hash FROM users --", "new_password": "a brand new passphrase"} | 422    | account_token_invalid |
      | refresh_token | /api/v1/auth/refresh          | {"refresh_token": "' OR 1=1 --"}                                                                   | 401    | invalid_refresh_token |

  Scenario: A display name that looks like SQL is stored as written
    When an anonymous client sends POST "/api/v1/auth/register" with:
      """
      {"email": "bobby@example.test", "password": "correct horse battery staple", "display_name": "Robert'); DROP TABLE users; --"}
      """
    Then the response status is 201
    And the response JSON at "display_name" is "Robert'); DROP TABLE users; --"
    When "alice" registers
    Then the response status is 201
