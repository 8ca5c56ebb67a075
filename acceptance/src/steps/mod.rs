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
//! | Given | `the server setting "auth.require_verified_email" is "true"` (before the first request; also `rate_limit.*`, `server.cors_allowed_origins`) |
//! | When  | `"alice" registers` / `"alice" registers with email "..."` |
//! | When  | `"alice" logs in` / `... with password "..."` / `... with email "..."` |
//! | When  | `someone logs in as "..." with password "..."` |
//! | When  | `"alice" refreshes her session` / `... with her previous refresh token` / `... sending the refresh token in the body` |
//! | When  | `"alice" logs out` |
//! | When  | `"alice" sends GET "/path" with her access token forged with alg none` (also: `re-signed with HS256 keyed by the published public key`, `with a tampered payload`, `naming an unknown key id`, `without a signature`) |
//! | When  | `"alice" sends GET "/path"` / `"alice" sends POST "/path" with:` (docstring JSON) |
//! | When  | `an anonymous client sends GET "/path"` / `... sends POST "/path" with:` / `... with the raw body:` |
//! | When  | `a client with the bearer token "..." sends GET "/path"` |
//! | When  | `the response JSON at "id" is remembered as "org_id"` / `the response header "X-Request-Id" is remembered as "first"` |
//! | Then  | `the response status is 201` / `the error code is "email_taken"` / `the response is an error envelope` |
//! | Then  | `the response JSON at "email" is "..."` / `... equals 900` / `... is a UUID` (string, non-empty string, number, integer, boolean, array, object, null, UUID, timestamp, JWT) |
//! | Then  | `the response JSON at "email" starts with "..."` / `... has 2 entries` / `... has key "..."` / `... matches the response header "..."` |
//! | Then  | `the response has the field "id"` / `the response has no field "password_hash"` / `the response has exactly the fields "id, email"` |
//! | Then  | `the response has no header "RateLimit-Limit"` |
//! | Then  | `the response has header "Location"` / `the response header "Location" is "..."` / `... is not "..."` / `... contains "..."` |
//! | Then  | `the response body contains "..."` / `... does not contain "..."` / `the response body equals the previous response body apart from "request_id"` |
//! | Then  | `the validation details include "password" with issue "too_short"` / `... include the field "..."` / `the validation details are:` (table) |
//! | Then  | `"alice" received a new token pair` |
//! | Then  | `the response JSON at "permissions" includes "member:invite"` / `... does not include "..."` / `... lists exactly "a, b" in any order` |
//! | Then  | `the response JSON at "items" has the "slug" values "acme, globex"` (in order) / `the response JSON at "items.0" has exactly the fields "..."` |
//! | Then  | `the response JSON at "expires_at" is 7 days after the one at "created_at"` |
//!
//! Organizations, members and tenants ([`organizations`]); `"acme"` is then
//! `{acme.id}`, `{acme.slug}`, `{acme.name}`. An addressee (`"bob"` below, in
//! invitations and mail) is a user of the scenario or an e-mail address.
//!
//! | Kind  | Phrase |
//! |-------|--------|
//! | Given | `an organization "acme" owned by "alice"` (registers and logs in alice if needed) |
//! | Given | `"bob" is a member of "acme" with role "admin"` (invited by acme's creator, token read from the mail, accepted by bob) |
//! | Given | `"alice" invited "bob" to "acme" as "member"` |
//! | When  | `"alice" creates an organization "acme"` / `... with slug "acme-hq"` |
//! | When  | `"alice" invites "bob@example.test" to "acme" as "member"` |
//! | When  | `"bob" accepts his invitation` / `"mallory" accepts the latest invitation sent to "bob"` / `an anonymous client accepts the latest invitation sent to "bob"` |
//! | When  | `"alice" changes the role of "bob" in "acme" to "viewer"` / `"alice" removes "bob" from "acme"` / `"bob" leaves "acme"` |
//! | When  | `"alice" sends GET "/api/v1/membership" for tenant "acme"` / `... for tenant "acme" with:` (docstring JSON; sets `X-Tenant-Id`) |
//! | Then  | `"bob" has the role "admin" in "acme"` / `"bob" is not a member of "acme"` / `"alice" sees the members of "acme" as:` (`email \| role` table) — these send a request of their own |
//!
//! The server's mail ([`mail`]), waited for up to [`MAIL_DELIVERY_TIMEOUT`](crate::MAIL_DELIVERY_TIMEOUT):
//!
//! | Kind  | Phrase |
//! |-------|--------|
//! | When  | `the latest invitation token sent to "bob" is remembered as "token"` |
//! | When  | `the latest verification token mailed to "bob" is remembered as "token"` / `the latest password reset token mailed to ...` |
//! | Then  | `"bob" received an invitation mail` / `"bob" received no mail` / `"bob" received 2 mails` |
//! | Then  | `"bob" received no invitation mail` (also `verification`, `password reset`) |
//! | Then  | `the latest mail to "bob" contains "..."` / `the response does not contain the latest invitation token sent to "bob"` |

//!
//! API keys ([`api_keys`]); a key created as `"ci"` is then `{ci.id}` and `{ci.secret}`:
//!
//! | Kind  | Phrase |
//! |-------|--------|
//! | Given | `"alice" created an API key "ci" for "acme" with scopes "member:read, organization:read"` |
//! | When  | `the API key "ci" sends GET "/api/v1/organizations/{acme.id}/members"` / `... sends POST "..." with:` (a JSON doc string) |
//!
//! Projects and tasks ([`projects`]); a project `"Apollo"` is then `{Apollo.id}`, a
//! task `"launch"` is `{launch.id}`:
//!
//! | Kind  | Phrase |
//! |-------|--------|
//! | Given | `"alice" created a project "Apollo" in "acme"` |
//! | Given | `"alice" created a task "launch" in "Apollo" for "acme"` |
//! | Given | `"alice" added "bob" to the project "Apollo" in "acme" as "contributor"` |
//! | Given | `the next request is based on version 1` (sends `If-Match: "1"`) |
//! | Then  | `the response ETag names version 2` |
//! | Then  | `"alice" soon sees the summary of "Apollo" in "acme" with "tasks.done" equal to 1` (polls the read model) |
//! | Then  | `"bob" soon has 2 notifications` (polls, then checks no more arrive) |

pub mod accounts;
pub mod api_keys;
pub mod files;
pub mod mail;
pub mod organizations;
pub mod projects;
pub mod requests;
pub mod responses;
