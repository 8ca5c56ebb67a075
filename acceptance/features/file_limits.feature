Feature: File upload limits
  The size cap and the allow-list of sniffed types are configuration
  (`files.max_upload_bytes`, `files.allowed_content_types`).

  Scenario: A file over the size limit is refused
    Given the server setting "files.max_upload_bytes" is "1000"
    And an organization "acme" owned by "alice"
    When "alice" uploads 1001 bytes of text as "big.txt" to "/api/v1/files" for tenant "acme"
    Then the response status is 413
    And the error code is "payload_too_large"
    And the response is an error envelope
    When "alice" uploads 1000 bytes of text as "fits.txt" to "/api/v1/files" for tenant "acme"
    Then the response status is 201

  Scenario: Types outside a narrowed allow-list are refused
    Given the server setting "files.allowed_content_types" is "image/png"
    And an organization "acme" owned by "alice"
    When "alice" uploads the text "just words" as "words.txt" to "/api/v1/files" for tenant "acme"
    Then the response status is 415
    When "alice" uploads a PNG image as "logo.png" to "/api/v1/files" for tenant "acme"
    Then the response status is 201
