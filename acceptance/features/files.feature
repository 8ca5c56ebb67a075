Feature: Files
  Members upload files (multipart, part `file`) into their organization. The bytes
  stream to the blob store; the type is sniffed from them, never taken from the name,
  and must be on the allow-list; names are sanitised. Downloads carry the name, an
  ETag (the SHA-256) and honour Range. New uploads to a file become its next version.
  Owners and admins see every file; other members see what they uploaded or were
  granted. Signed links let anyone holding them download one version for a while.

  Background:
    Given an organization "acme" owned by "alice"

  Scenario: An upload answers the file with its sniffed type and digest
    When "alice" uploads a PNG image as "logo.png" to "/api/v1/files" for tenant "acme"
    Then the response status is 201
    And the response header "Location" is "/api/v1/files/{logo.png.id}"
    And the response has exactly the fields "id, name, folder_id, size, content_type, sha256, version, processing, uploaded_by, created_at, updated_at"
    And the response JSON at "name" is "logo.png"
    And the response JSON at "content_type" is "image/png"
    And the response JSON at "size" equals 70
    And the response JSON at "version" equals 1
    And the response JSON at "uploaded_by" is "{alice.id}"
    When "alice" sends GET "/api/v1/files/{logo.png.id}" for tenant "acme"
    Then the response status is 200
    And the response JSON at "content_type" is "image/png"

  Scenario: A download streams the bytes with their name, type and ETag
    When "alice" uploads the text "hello, tenantry" as "notes.txt" to "/api/v1/files" for tenant "acme"
    And the response JSON at "sha256" is remembered as "digest"
    And "alice" sends GET "/api/v1/files/{notes.txt.id}/content" for tenant "acme"
    Then the response status is 200
    And the response body contains "hello, tenantry"
    And the response header "Content-Type" is "text/plain"
    And the response header "ETag" contains "{digest}"
    And the response header "Accept-Ranges" is "bytes"
    And the response header "Content-Disposition" contains "attachment"
    And the response header "Content-Disposition" contains "notes.txt"

  Scenario: A range request gets just those bytes
    When "alice" uploads the text "0123456789abcdef" as "hex.txt" to "/api/v1/files" for tenant "acme"
    Given the next request has header "Range" set to "bytes=4-7"
    When "alice" sends GET "/api/v1/files/{hex.txt.id}/content" for tenant "acme"
    Then the response status is 206
    And the response header "Content-Range" is "bytes 4-7/16"
    And the response body contains "4567"
    And the response body does not contain "3"
    Given the next request has header "Range" set to "bytes=-3"
    When "alice" sends GET "/api/v1/files/{hex.txt.id}/content" for tenant "acme"
    Then the response status is 206
    And the response header "Content-Range" is "bytes 13-15/16"
    Given the next request has header "Range" set to "bytes=99-"
    When "alice" sends GET "/api/v1/files/{hex.txt.id}/content" for tenant "acme"
    Then the response status is 416
    And the error code is "range_not_satisfiable"
    And the response header "Content-Range" is "bytes */16"

  Scenario: A repeated download with the ETag is not sent again (quotes optional)
    When "alice" uploads the text "cache me" as "cache.txt" to "/api/v1/files" for tenant "acme"
    And the response JSON at "sha256" is remembered as "digest"
    Given the next request has header "If-None-Match" set to "{digest}"
    When "alice" sends GET "/api/v1/files/{cache.txt.id}/content" for tenant "acme"
    Then the response status is 304

  Scenario: New versions are numbered and each stays downloadable
    When "alice" uploads the text "first draft" as "plan.txt" to "/api/v1/files" for tenant "acme"
    And "alice" uploads the text "second draft" as "plan-v2.txt" to "/api/v1/files/{plan.txt.id}/versions" for tenant "acme"
    Then the response status is 201
    And the response JSON at "version" equals 2
    And the response JSON at "name" is "plan.txt"
    When "alice" sends GET "/api/v1/files/{plan.txt.id}/versions" for tenant "acme"
    Then the response JSON at "items" has the "version" values "1, 2"
    When "alice" sends GET "/api/v1/files/{plan.txt.id}/content" for tenant "acme"
    Then the response body contains "second draft"
    When "alice" sends GET "/api/v1/files/{plan.txt.id}/versions/1/content" for tenant "acme"
    Then the response status is 200
    And the response body contains "first draft"
    When "alice" sends GET "/api/v1/files/{plan.txt.id}/versions/3/content" for tenant "acme"
    Then the response status is 404

  Scenario: A disguised executable is refused whatever its name says
    When "alice" uploads a Windows executable as "holiday.png" to "/api/v1/files" for tenant "acme"
    Then the response status is 415
    And the error code is "unsupported_media_type"
    And the response body contains "portable-executable"

  Scenario: A path in the file name is cut to its last component
    When "alice" uploads the text "x" as "../../etc/passwd" to "/api/v1/files" for tenant "acme"
    Then the response status is 201
    And the response JSON at "name" is "passwd"

  Scenario: An upload without a file part is refused
    When "alice" sends POST "/api/v1/files" for tenant "acme" with:
      """
      {"file": "not multipart"}
      """
    Then the response status is 400

  Scenario: Members see their own files, admins see all, viewers upload nothing
    Given "bob" is a member of "acme" with role "member"
    And "carol" is a member of "acme" with role "admin"
    And "dave" is a member of "acme" with role "viewer"
    When "alice" uploads the text "board minutes" as "minutes.txt" to "/api/v1/files" for tenant "acme"
    And "bob" uploads the text "bob's notes" as "notes-of-bob.txt" to "/api/v1/files" for tenant "acme"
    Then the response status is 201
    When "bob" sends GET "/api/v1/files/{minutes.txt.id}" for tenant "acme"
    Then the response status is 404
    When "bob" sends GET "/api/v1/files/{minutes.txt.id}/content" for tenant "acme"
    Then the response status is 404
    When "bob" sends GET "/api/v1/files/{notes-of-bob.txt.id}/content" for tenant "acme"
    Then the response body contains "bob's notes"
    When "carol" sends GET "/api/v1/files/{notes-of-bob.txt.id}/content" for tenant "acme"
    Then the response status is 200
    When "alice" sends GET "/api/v1/files/{notes-of-bob.txt.id}" for tenant "acme"
    Then the response status is 200
    When "bob" uploads the text "edited" as "m.txt" to "/api/v1/files/{minutes.txt.id}/versions" for tenant "acme"
    Then the response status is 404
    When "dave" uploads the text "nope" as "nope.txt" to "/api/v1/files" for tenant "acme"
    Then the response status is 403
    And the error code is "forbidden"

  Scenario: Another organization's files do not exist for you
    When "alice" uploads the text "acme secret" as "secret.txt" to "/api/v1/files" for tenant "acme"
    Given an organization "globex" owned by "mallory"
    When "mallory" sends GET "/api/v1/files/{secret.txt.id}" for tenant "globex"
    Then the response status is 404
    When "mallory" sends GET "/api/v1/files/{secret.txt.id}/content" for tenant "globex"
    Then the response status is 404
    When "mallory" sends GET "/api/v1/files/{secret.txt.id}/versions" for tenant "globex"
    Then the response status is 404
    When "mallory" uploads the text "overwrite" as "x.txt" to "/api/v1/files/{secret.txt.id}/versions" for tenant "globex"
    Then the response status is 404
    When "mallory" sends GET "/api/v1/files/{secret.txt.id}" for tenant "acme"
    Then the response status is 403
    When "alice" sends GET "/api/v1/files/{secret.txt.id}/content" for tenant "acme"
    Then the response body contains "acme secret"

  Scenario: A grant lets another member read or write, and revoking it stops them at once
    Given "bob" is a member of "acme" with role "member"
    When "alice" uploads the text "shared plan" as "plan.txt" to "/api/v1/files" for tenant "acme"
    And "alice" sends POST "/api/v1/files/{plan.txt.id}/permissions" for tenant "acme" with:
      """
      {"user_id": "{bob.id}", "access": "read"}
      """
    Then the response status is 201
    And the response JSON at "access" is "read"
    And the response header "Location" is "/api/v1/files/{plan.txt.id}/permissions/{bob.id}"
    When "bob" sends GET "/api/v1/files/{plan.txt.id}/content" for tenant "acme"
    Then the response body contains "shared plan"
    When "bob" uploads the text "edited by bob" as "plan.txt" to "/api/v1/files/{plan.txt.id}/versions" for tenant "acme"
    Then the response status is 403
    When "alice" sends POST "/api/v1/files/{plan.txt.id}/permissions" for tenant "acme" with:
      """
      {"user_id": "{bob.id}", "access": "write"}
      """
    And "bob" uploads the text "edited by bob" as "plan.txt" to "/api/v1/files/{plan.txt.id}/versions" for tenant "acme"
    Then the response status is 201
    And the response JSON at "version" equals 2
    When "bob" sends DELETE "/api/v1/files/{plan.txt.id}" for tenant "acme"
    Then the response status is 403
    When "bob" sends GET "/api/v1/files/{plan.txt.id}/permissions" for tenant "acme"
    Then the response status is 403
    When "alice" sends GET "/api/v1/files/{plan.txt.id}/permissions" for tenant "acme"
    Then the response JSON at "items" has 1 entry
    And the response JSON at "items.0.access" is "write"
    When "alice" sends DELETE "/api/v1/files/{plan.txt.id}/permissions/{bob.id}" for tenant "acme"
    Then the response status is 204
    When "bob" sends GET "/api/v1/files/{plan.txt.id}" for tenant "acme"
    Then the response status is 404
    When "alice" sends DELETE "/api/v1/files/{plan.txt.id}/permissions/{bob.id}" for tenant "acme"
    Then the response status is 404

  Scenario: Files are shared with members of the organization only
    Given an organization "globex" owned by "mallory"
    When "alice" uploads the text "acme only" as "private.txt" to "/api/v1/files" for tenant "acme"
    And "alice" sends POST "/api/v1/files/{private.txt.id}/permissions" for tenant "acme" with:
      """
      {"user_id": "{mallory.id}", "access": "read"}
      """
    Then the response status is 422
    And the error code is "not_in_organization"
    When "alice" sends POST "/api/v1/files/{private.txt.id}/permissions" for tenant "acme" with:
      """
      {"user_id": "{alice.id}", "access": "admin"}
      """
    Then the response status is 400
    And the validation details include "access" with issue "invalid"

  Scenario: A file in the bin is gone until it is restored
    When "alice" uploads the text "keep me" as "bin.txt" to "/api/v1/files" for tenant "acme"
    And "alice" sends DELETE "/api/v1/files/{bin.txt.id}" for tenant "acme"
    Then the response status is 204
    When "alice" sends GET "/api/v1/files/{bin.txt.id}" for tenant "acme"
    Then the response status is 404
    When "alice" sends GET "/api/v1/files/{bin.txt.id}/content" for tenant "acme"
    Then the response status is 404
    When "alice" sends DELETE "/api/v1/files/{bin.txt.id}" for tenant "acme"
    Then the response status is 404
    When "alice" sends POST "/api/v1/files/{bin.txt.id}/restore" for tenant "acme"
    Then the response status is 200
    And the response JSON at "name" is "bin.txt"
    When "alice" sends GET "/api/v1/files/{bin.txt.id}/content" for tenant "acme"
    Then the response body contains "keep me"

  Scenario: A signed link downloads without a token until the file or the access goes
    Given "bob" is a member of "acme" with role "member"
    When "alice" uploads the text "quarterly numbers" as "q3.txt" to "/api/v1/files" for tenant "acme"
    And "alice" sends POST "/api/v1/files/{q3.txt.id}/permissions" for tenant "acme" with:
      """
      {"user_id": "{bob.id}", "access": "read"}
      """
    And "bob" sends POST "/api/v1/files/{q3.txt.id}/links" for tenant "acme" with:
      """
      {"expires_in_seconds": 600}
      """
    Then the response status is 201
    And the response has exactly the fields "url, version, expires_at"
    And the response header "Cache-Control" is "no-store"
    When the download link in the response is remembered as "bobs-link"
    And an anonymous client sends GET "{bobs-link}"
    Then the response status is 200
    And the response body contains "quarterly numbers"
    And the response header "Content-Disposition" contains "q3.txt"
    And the response header "Referrer-Policy" is "no-referrer"
    Given the next request has header "Range" set to "bytes=0-8"
    When an anonymous client sends GET "{bobs-link}"
    Then the response status is 206
    When an anonymous client sends GET "{bobs-link}x"
    Then the response status is 404
    When "alice" sends DELETE "/api/v1/files/{q3.txt.id}/permissions/{bob.id}" for tenant "acme"
    And an anonymous client sends GET "{bobs-link}"
    Then the response status is 404
    When "alice" sends POST "/api/v1/files/{q3.txt.id}/links" for tenant "acme"
    Then the response status is 201
    When the download link in the response is remembered as "alices-link"
    And "alice" uploads the text "revised numbers" as "q3.txt" to "/api/v1/files/{q3.txt.id}/versions" for tenant "acme"
    And an anonymous client sends GET "{alices-link}"
    Then the response body contains "quarterly numbers"
    When "alice" sends DELETE "/api/v1/files/{q3.txt.id}" for tenant "acme"
    And an anonymous client sends GET "{alices-link}"
    Then the response status is 404

  Scenario: Links are made only for reachable files and for a bounded time
    Given "bob" is a member of "acme" with role "member"
    When "alice" uploads the text "private" as "mine.txt" to "/api/v1/files" for tenant "acme"
    And "bob" sends POST "/api/v1/files/{mine.txt.id}/links" for tenant "acme"
    Then the response status is 404
    When "alice" sends POST "/api/v1/files/{mine.txt.id}/links" for tenant "acme" with:
      """
      {"expires_in_seconds": 99999999}
      """
    Then the response status is 400
    And the validation details include "expires_in_seconds" with issue "out_of_range"
    When "alice" sends POST "/api/v1/files/{mine.txt.id}/links" for tenant "acme" with:
      """
      {"expires_in_seconds": "soon"}
      """
    Then the response status is 400
    And the error code is "malformed_request"
    Given an organization "globex" owned by "mallory"
    When "mallory" sends POST "/api/v1/files/{mine.txt.id}/links" for tenant "globex"
    Then the response status is 404

  Scenario: Images get a thumbnail in the background
    When "alice" uploads a PNG image as "photo.png" to "/api/v1/files" for tenant "acme"
    Then the response JSON at "processing" is "pending"
    And "alice" soon sees the file "photo.png" of "acme" with processing "done"
    When "alice" sends GET "/api/v1/files/{photo.png.id}/thumbnail" for tenant "acme"
    Then the response status is 200
    And the response header "Content-Type" is "image/png"
    When "alice" uploads the text "no pixels here" as "words.txt" to "/api/v1/files" for tenant "acme"
    Then the response JSON at "processing" is "none"
    When "alice" sends GET "/api/v1/files/{words.txt.id}/thumbnail" for tenant "acme"
    Then the response status is 404
    And "alice" soon has 1 notification
    When "alice" sends GET "/api/v1/notifications"
    Then the response JSON at "items.0.kind" is "file_processed"
    And the response JSON at "items.0.entity_id" is "{photo.png.id}"

  Scenario: An image that cannot be read is marked failed, not pending forever
    When "alice" uploads a broken PNG image as "broken.png" to "/api/v1/files" for tenant "acme"
    Then the response status is 201
    And "alice" soon sees the file "broken.png" of "acme" with processing "failed"
    When "alice" sends GET "/api/v1/files/{broken.png.id}/thumbnail" for tenant "acme"
    Then the response status is 404
    And the response body contains "could not be read"
