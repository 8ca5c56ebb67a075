//! The cucumber [`World`](cucumber::World) shared by every Tenantry feature.

mod accounts;
mod http;
mod organizations;
mod settings;

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _};
use tenantry_server::testing::{ProductWiring, TestApp, TestBackend};

pub use self::accounts::{Account, RefreshCarrier, WhichRefreshToken, DEFAULT_PASSWORD, EMAIL_DOMAIN};
pub use self::http::{ApiRequest, RecordedResponse, Upload};
pub use self::organizations::Organization;
use self::settings::apply_settings;
use crate::json;

/// How long steps wait for a message to reach the server's mailbox: mail may be
/// written by a background task after the request that caused it was answered.
pub const MAIL_DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// One scenario's view of a running Tenantry: the server, an HTTP client, the users
/// the scenario created and the last responses it received.
///
/// # Which backend, and when the server starts
///
/// The database backend is a property of the *run*, not of a scenario: the same
/// features run once on SQLite and once on PostgreSQL. The runner tells each fresh
/// world which backend it belongs to from a cucumber `before` hook
/// ([`TenantryWorld::use_backend`]); [`crate::run_features`] does this for you. A
/// hook argument rather than a process-wide `static` keeps two runs on different
/// backends in one process (or two embedding suites) from stepping on each other.
///
/// The server itself is spawned lazily, by the first step that needs it
/// ([`TenantryWorld::app`]), over a database of its own, so a failure to start it
/// is reported as that step's failure with its cause rather than as an anonymous
/// hook panic. The runner's `after` hook calls [`TenantryWorld::shutdown`], which
/// stops the server and drops the database.
///
/// # Extending it
///
/// Embedding products write their own steps against `&mut TenantryWorld`
/// (cucumber collects every `#[given]`/`#[when]`/`#[then]` for this type that is
/// linked into the test binary) and reuse [`TenantryWorld::send`],
/// [`TenantryWorld::last_response`], [`TenantryWorld::user`] and
/// [`TenantryWorld::interpolate`].
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct TenantryWorld {
    backend: Option<TestBackend>,
    product: Option<ProductWiring>,
    app: Option<TestApp>,
    client: reqwest::Client,
    users: HashMap<String, Account>,
    organizations: HashMap<String, Organization>,
    /// Per address, how many messages it had received before the last invitation
    /// the scenario sent to it: the invitation's own mail is the one after those.
    mails_before_invitation: HashMap<String, usize>,
    remembered: HashMap<String, String>,
    next_headers: Vec<(String, String)>,
    /// Server settings this scenario changes (`auth.require_verified_email`...),
    /// applied when its server is spawned.
    setting_overrides: Vec<(String, String)>,
    last: Option<RecordedResponse>,
    previous: Option<RecordedResponse>,
}

impl fmt::Debug for TenantryWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantryWorld")
            .field("backend", &self.backend.map(|b| b.name()))
            .field("base_url", &self.app.as_ref().map(|a| a.base_url.as_str()))
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .field("organizations", &self.organizations.keys().collect::<Vec<_>>())
            .field("remembered", &self.remembered)
            .field("last_status", &self.last.as_ref().map(|r| r.status))
            .finish_non_exhaustive()
    }
}

impl TenantryWorld {
    /// A world with no backend yet: see [`TenantryWorld::use_backend`].
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new() -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            // Assertions are about what the server answers, not where it leads.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .context("building the HTTP client")?;
        Ok(Self {
            backend: None,
            product: None,
            app: None,
            client,
            users: HashMap::new(),
            organizations: HashMap::new(),
            mails_before_invitation: HashMap::new(),
            remembered: HashMap::new(),
            next_headers: Vec::new(),
            setting_overrides: Vec::new(),
            last: None,
            previous: None,
        })
    }

    /// Chooses the database backend of this scenario's server; called by the
    /// runner's `before` hook, before any step.
    pub fn use_backend(&mut self, backend: TestBackend) {
        self.backend = Some(backend);
    }

    /// Wires this scenario's server as the product does (its modules); called by
    /// [`crate::run_product_features`]'s `before` hook.
    pub fn use_product(&mut self, product: ProductWiring) {
        self.product = Some(product);
    }

    pub fn backend(&self) -> Option<TestBackend> {
        self.backend
    }

    /// The scenario's server, spawned on first use over a fresh database.
    ///
    /// # Errors
    /// When no backend was chosen or the server does not start.
    pub async fn app(&mut self) -> anyhow::Result<&TestApp> {
        if self.app.is_none() {
            let backend = self.backend.ok_or_else(|| {
                anyhow!(
                    "no database backend chosen for this scenario: run the features with \
                     tenantry_acceptance::run_features, or call TenantryWorld::use_backend \
                     from a `before` hook"
                )
            })?;
            let overrides = self.setting_overrides.clone();
            let mut invalid = Ok(());
            let product = self.product.clone();
            let app = TestApp::spawn_product(
                backend,
                |settings| invalid = apply_settings(settings, &overrides),
                |builder| match product {
                    Some(wire) => wire(builder),
                    None => builder,
                },
            )
            .await
            .map_err(|e| anyhow!("spawning a Tenantry server on {}: {e:#}", backend.name()))?;
            self.app = Some(app);
            invalid?;
        }
        Ok(self.app.as_ref().expect("spawned above"))
    }

    /// Stops the server (if one was spawned) and drops its database.
    pub async fn shutdown(&mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown().await;
        }
    }

    /// Waits until the server's background work caught up with every request so far
    /// (events consumed, jobs done): the way to assert that nothing more happens.
    ///
    /// # Errors
    /// When the server cannot be spawned or does not settle in time.
    pub async fn settle(&mut self) -> anyhow::Result<()> {
        self.app().await?.settle().await
    }

    /// The raw messages the server's mailer wrote to `email`, oldest first.
    ///
    /// # Errors
    /// When the server cannot be spawned.
    pub async fn mails_to(&mut self, email: &str) -> anyhow::Result<Vec<String>> {
        Ok(self.app().await?.mails_to(email))
    }

    /// Remembers a value for `{name}` placeholders.
    pub fn remember(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.remembered.insert(name.into(), value.into());
    }

    /// Replaces `{placeholders}` in feature text:
    /// - `{alice.email}`, `{alice.password}`, `{alice.display_name}`, `{alice.id}`,
    ///   `{alice.access_token}`, `{alice.refresh_token}`,
    ///   `{alice.previous_refresh_token}` for a user of the scenario;
    /// - `{acme.id}`, `{acme.slug}`, `{acme.name}` for an organization of the
    ///   scenario (a user of the same name wins);
    /// - `{response.<path>}` for a value of the last response's JSON body;
    /// - `{name}` for a value remembered with
    ///   `the response JSON at "<path>" is remembered as "<name>"`.
    ///
    /// Braces around anything else (JSON objects, spaces, quotes) are left alone; an
    /// unknown placeholder is an error rather than being sent as is.
    ///
    /// # Errors
    /// When a placeholder names nothing known.
    pub fn interpolate(&self, text: &str) -> anyhow::Result<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) if is_placeholder(&after[..close]) => {
                    out.push_str(&self.resolve(&after[..close])?);
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    fn resolve(&self, key: &str) -> anyhow::Result<String> {
        let (head, tail) = key.split_once('.').unwrap_or((key, ""));
        if let Some(account) = self.users.get(head) {
            let value = match tail {
                "email" => Some(account.email.clone()),
                "password" => Some(account.password.clone()),
                "display_name" => Some(account.display_name.clone()),
                "id" => account.id.clone(),
                "access_token" => account.access_token.clone(),
                "refresh_token" => account.refresh_token.clone(),
                "previous_refresh_token" => account.previous_refresh_token.clone(),
                other => bail!("{{{key}}}: users have no field {other:?}"),
            };
            return value.ok_or_else(|| anyhow!("{{{key}}}: {head:?} has no {tail} yet"));
        }
        if let Some(organization) = self.organizations.get(head) {
            return match tail {
                "id" => Ok(organization.id.clone()),
                "slug" => Ok(organization.slug.clone()),
                "name" => Ok(organization.name.clone()),
                other => bail!("{{{key}}}: organizations have no field {other:?}"),
            };
        }
        if head == "response" {
            let value = self.last_response()?.json_at(tail)?;
            return Ok(json::as_text(value));
        }
        self.remembered
            .get(key)
            .cloned()
            .ok_or_else(|| anyhow!("{{{key}}} names no user, organization, response value or remembered value"))
    }
}

fn is_placeholder(inner: &str) -> bool {
    let mut chars = inner.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world_with_alice() -> TenantryWorld {
        let mut world = TenantryWorld::new().unwrap();
        let mut alice = Account::for_name("alice");
        alice.id = Some("0190-id".into());
        world.users.insert("alice".into(), alice);
        world.remember("org_id", "0190-org");
        world.add_organization(Organization {
            name: "acme".into(),
            id: "0190-acme".into(),
            slug: "acme-corp".into(),
            creator: "alice".into(),
        });
        world
    }

    #[test]
    fn interpolates_organizations() {
        let world = world_with_alice();
        assert_eq!(
            world.interpolate("/api/v1/organizations/{acme.id}/members/{alice.id} {acme.slug}").unwrap(),
            "/api/v1/organizations/0190-acme/members/0190-id acme-corp"
        );
        assert!(world.interpolate("{acme.owner}").is_err());
    }

    #[test]
    fn addressees_are_emails_or_users() {
        let world = world_with_alice();
        assert_eq!(world.email_of("alice").unwrap(), "alice@example.test");
        assert_eq!(world.email_of("bob@example.test").unwrap(), "bob@example.test");
        assert_eq!(world.email_of("{alice.email}").unwrap(), "alice@example.test");
        assert!(world.email_of("bob").is_err());
    }

    #[test]
    fn interpolates_users_and_remembered_values() {
        let world = world_with_alice();
        assert_eq!(
            world.interpolate("/api/v1/users/{alice.id}?org={org_id}").unwrap(),
            "/api/v1/users/0190-id?org=0190-org"
        );
    }

    #[test]
    fn leaves_json_braces_alone() {
        let world = world_with_alice();
        let body = r#"{"email": "{alice.email}", "nested": {"a": {}}}"#;
        assert_eq!(world.interpolate(body).unwrap(), r#"{"email": "alice@example.test", "nested": {"a": {}}}"#);
    }

    #[test]
    fn refuses_unknown_placeholders() {
        let world = world_with_alice();
        assert!(world.interpolate("{bob.email}").is_err());
        assert!(world.interpolate("{alice.refresh_token}").is_err());
    }

    #[test]
    fn default_accounts_capitalise_the_display_name() {
        let account = Account::for_name("alice");
        assert_eq!(account.email, "alice@example.test");
        assert_eq!(account.display_name, "Alice");
    }
}
