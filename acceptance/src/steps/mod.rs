//! The step library: product-agnostic Gherkin phrasing for Tenantry's HTTP API.
//!
//! Cucumber collects these definitions for [`TenantryWorld`](crate::TenantryWorld)
//! automatically; an embedding product only links this crate and writes features.
//! Text in quotes goes through [`TenantryWorld::interpolate`](crate::TenantryWorld::interpolate)
//! where it reaches the server (paths, bodies, header values), so features can say
//! `"/api/v1/users/{alice.id}"`.
//!
//! | Kind  | Phrase |
//! |-------|--------|
//! | Given | `the service is running` |
//! | Given | `a registered user "alice"` / `a registered user "alice" with email "..."` |
//! | Given | `"alice" is logged in` / `a logged-in user "alice"` |
//! | Given | `the next request has header "X-Request-Id" set to "..."` |
//! | When  | `"alice" registers` / `"alice" registers with email "..."` |
//! | When  | `"alice" logs in` / `... with password "..."` / `... with email "..."` |
//! | When  | `someone logs in as "..." with password "..."` |
//! | When  | `"alice" refreshes her session` / `... with her previous refresh token` / `... sending the refresh token in the body` |
//! | When  | `"alice" logs out` |
//! | When  | `"alice" sends GET "/path"` / `"alice" sends POST "/path" with:` (docstring JSON) |
//! | When  | `an anonymous client sends GET "/path"` / `... sends POST "/path" with:` / `... with the raw body:` |
//! | When  | `a client with the bearer token "..." sends GET "/path"` |
//! | When  | `the response JSON at "id" is remembered as "org_id"` / `the response header "X-Request-Id" is remembered as "first"` |
//! | Then  | `the response status is 201` / `the error code is "email_taken"` / `the response is an error envelope` |
//! | Then  | `the response JSON at "email" is "..."` / `... equals 900` / `... is a UUID` (string, non-empty string, number, integer, boolean, array, object, null, UUID, timestamp, JWT) |
//! | Then  | `the response JSON at "email" starts with "..."` / `... has 2 entries` / `... has key "..."` / `... matches the response header "..."` |
//! | Then  | `the response has the field "id"` / `the response has no field "password_hash"` / `the response has exactly the fields "id, email"` |
//! | Then  | `the response has header "Location"` / `the response header "Location" is "..."` / `... is not "..."` / `... contains "..."` |
//! | Then  | `the response body contains "..."` / `the response body equals the previous response body apart from "request_id"` |
//! | Then  | `the validation details include "password" with issue "too_short"` / `... include the field "..."` / `the validation details are:` (table) |
//! | Then  | `"alice" received a new token pair` |

pub mod accounts;
pub mod requests;
pub mod responses;
