Feature: Folders
  An organization arranges its files in a tree of folders. Every member sees the
  tree; a folder lists its subfolders, then the files the reader can see, each by
  name. Sibling names are unique, a folder never moves inside itself, and only an
  empty folder can be deleted. Files move between folders and the top level.

  Background:
    Given an organization "acme" owned by "alice"

  Scenario: Folders nest and list subfolders first, then files, page by page
    When "alice" sends POST "/api/v1/folders" for tenant "acme" with:
      """
      {"name": "Reports"}
      """
    Then the response status is 201
    When the response JSON at "id" is remembered as "reports"
    Then the response header "Location" is "/api/v1/folders/{reports}"
    And the response has exactly the fields "id, name, parent_id, created_by, version, created_at, updated_at"
    And the response JSON at "parent_id" equals null
    And the response ETag names version 1
    When "alice" sends POST "/api/v1/folders" for tenant "acme" with:
      """
      {"name": "Q1", "parent_id": "{reports}"}
      """
    Then the response status is 201
    And the response JSON at "parent_id" is "{reports}"
    When "alice" uploads the text "zeta" as "zeta.txt" into folder "{reports}" for tenant "acme"
    Then the response status is 201
    And the response JSON at "folder_id" is "{reports}"
    When "alice" uploads the text "alpha" as "alpha.txt" into folder "{reports}" for tenant "acme"
    And "alice" uploads the text "loose" as "loose.txt" to "/api/v1/files" for tenant "acme"
    And "alice" sends GET "/api/v1/folders/{reports}/children" for tenant "acme"
    Then the response status is 200
    And the response JSON at "items" has the "name" values "Q1, alpha.txt, zeta.txt"
    And the response JSON at "items" has the "kind" values "folder, file, file"
    And the response JSON at "total" equals 3
    And the response JSON at "items.1.size" equals 5
    When "alice" sends GET "/api/v1/folders/{reports}/children?page=2&size=2" for tenant "acme"
    Then the response JSON at "items" has the "name" values "zeta.txt"
    When "alice" sends GET "/api/v1/folders/root/children" for tenant "acme"
    Then the response JSON at "items" has the "name" values "Reports, loose.txt"

  Scenario: Names are unique among siblings only
    When "alice" sends POST "/api/v1/folders" for tenant "acme" with:
      """
      {"name": "Invoices"}
      """
    And the response JSON at "id" is remembered as "invoices"
    And "alice" sends POST "/api/v1/folders" for tenant "acme" with:
      """
      {"name": "Invoices"}
      """
    Then the response status is 409
    And the error code is "name_taken"
    When "alice" sends POST "/api/v1/folders" for tenant "acme" with:
      """
      {"name": "Invoices", "parent_id": "{invoices}"}
      """
    Then the response status is 201
    When "alice" sends POST "/api/v1/folders" for tenant "acme" with:
      """
      {"name": "../etc"}
      """
    Then the response status is 400
    And the validation details include "name" with issue "invalid"
    When "alice" sends GET "/api/v1/folders/root/children" for tenant "acme"
    Then the response JSON at "items" has 1 entry

  Scenario: Folders are renamed and moved against the version read, never inside themselves
    When "alice" sends POST "/api/v1/folders" for tenant "acme" with:
      """
      {"name": "Projects"}
      """
    And the response JSON at "id" is remembered as "projects"
    And "alice" sends POST "/api/v1/folders" for tenant "acme" with:
      """
      {"name": "Apollo", "parent_id": "{projects}"}
      """
    And the response JSON at "id" is remembered as "apollo"
    And "alice" sends PATCH "/api/v1/folders/{projects}" for tenant "acme" with:
      """
      {"parent_id": "{apollo}"}
      """
    Then the response status is 422
    And the error code is "folder_cycle"
    When "alice" sends PATCH "/api/v1/folders/{apollo}" for tenant "acme" with:
      """
      {"parent_id": "{apollo}"}
      """
    Then the response status is 422
    Given the next request is based on version 1
    When "alice" sends PATCH "/api/v1/folders/{apollo}" for tenant "acme" with:
      """
      {"name": "Apollo 11", "parent_id": null}
      """
    Then the response status is 200
    And the response JSON at "name" is "Apollo 11"
    And the response JSON at "parent_id" equals null
    And the response ETag names version 2
    Given the next request is based on version 1
    When "alice" sends PATCH "/api/v1/folders/{apollo}" for tenant "acme" with:
      """
      {"name": "Apollo 13"}
      """
    Then the response status is 412
    And the error code is "precondition_failed"
    When "alice" sends PATCH "/api/v1/folders/{projects}" for tenant "acme" with:
      """
      {"parent_id": "{apollo}"}
      """
    Then the response status is 200
    And the response JSON at "parent_id" is "{apollo}"
    When "alice" sends PATCH "/api/v1/folders/{apollo}" for tenant "acme" with:
      """
      {"name": "Apollo 11"}
      """
    Then the response status is 200
    And the response ETag names version 2

  Scenario: Files move between folders; listings show each member what they reach
    Given "bob" is a member of "acme" with role "member"
    When "alice" sends POST "/api/v1/folders" for tenant "acme" with:
      """
      {"name": "Shared"}
      """
    And the response JSON at "id" is remembered as "shared"
    And "alice" uploads the text "board minutes" as "minutes.txt" into folder "{shared}" for tenant "acme"
    And "bob" uploads the text "bob's draft" as "draft.txt" to "/api/v1/files" for tenant "acme"
    And "bob" sends PATCH "/api/v1/files/{draft.txt.id}" for tenant "acme" with:
      """
      {"folder_id": "{shared}", "name": "draft-v1.txt"}
      """
    Then the response status is 200
    And the response JSON at "folder_id" is "{shared}"
    And the response JSON at "name" is "draft-v1.txt"
    When "bob" sends GET "/api/v1/folders/{shared}/children" for tenant "acme"
    Then the response JSON at "items" has the "name" values "draft-v1.txt"
    When "alice" sends GET "/api/v1/folders/{shared}/children" for tenant "acme"
    Then the response JSON at "items" has the "name" values "draft-v1.txt, minutes.txt"
    When "bob" sends PATCH "/api/v1/files/{minutes.txt.id}" for tenant "acme" with:
      """
      {"folder_id": null}
      """
    Then the response status is 404
    When "bob" sends PATCH "/api/v1/folders/{shared}" for tenant "acme" with:
      """
      {"name": "Mine now"}
      """
    Then the response status is 403
    When "alice" sends PATCH "/api/v1/files/{minutes.txt.id}" for tenant "acme" with:
      """
      {"folder_id": null}
      """
    Then the response status is 200
    And the response JSON at "folder_id" equals null
    When "alice" sends PATCH "/api/v1/files/{minutes.txt.id}" for tenant "acme" with:
      """
      {"folder_id": "00000000-0000-4000-8000-000000000000"}
      """
    Then the response status is 404

  Scenario: Only an empty folder is deleted
    When "alice" sends POST "/api/v1/folders" for tenant "acme" with:
      """
      {"name": "Old"}
      """
    And the response JSON at "id" is remembered as "old"
    And "alice" uploads the text "stale" as "stale.txt" into folder "{old}" for tenant "acme"
    And "alice" sends DELETE "/api/v1/folders/{old}" for tenant "acme"
    Then the response status is 409
    And the error code is "folder_not_empty"
    When "alice" sends DELETE "/api/v1/files/{stale.txt.id}" for tenant "acme"
    And "alice" sends DELETE "/api/v1/folders/{old}" for tenant "acme"
    Then the response status is 204
    When "alice" sends GET "/api/v1/folders/{old}" for tenant "acme"
    Then the response status is 404
    When "alice" sends POST "/api/v1/files/{stale.txt.id}/restore" for tenant "acme"
    Then the response status is 200
    And the response JSON at "folder_id" equals null

  Scenario: Another organization's folders do not exist for you
    When "alice" sends POST "/api/v1/folders" for tenant "acme" with:
      """
      {"name": "Private"}
      """
    And the response JSON at "id" is remembered as "private"
    Given an organization "globex" owned by "mallory"
    When "mallory" sends GET "/api/v1/folders/{private}" for tenant "globex"
    Then the response status is 404
    When "mallory" sends GET "/api/v1/folders/{private}/children" for tenant "globex"
    Then the response status is 404
    When "mallory" sends PATCH "/api/v1/folders/{private}" for tenant "globex" with:
      """
      {"name": "Taken over"}
      """
    Then the response status is 404
    When "mallory" sends DELETE "/api/v1/folders/{private}" for tenant "globex"
    Then the response status is 404
    When "mallory" sends POST "/api/v1/folders" for tenant "globex" with:
      """
      {"name": "Inside", "parent_id": "{private}"}
      """
    Then the response status is 404
    When "mallory" uploads the text "planted" as "planted.txt" into folder "{private}" for tenant "globex"
    Then the response status is 404
    When "mallory" sends GET "/api/v1/folders/root/children" for tenant "globex"
    Then the response JSON at "items" has 0 entries
    When "alice" sends GET "/api/v1/folders/{private}" for tenant "acme"
    Then the response status is 200
