//! Seed sets (seed 004 §7), run through the application layer so every rule and
//! audit entry applies to seeded data as to any other. Every step is idempotent:
//! a second run reports that nothing was created.
//!
//! | set | modules |
//! |---|---|
//! | `essential` (production-safe) | `roles` (role/permission catalogue), `admin` (platform admin, password from config) |
//! | `development` | the essential modules, then `acme`: a demo organization with an owner, an admin, a member and a viewer (credentials printed once, when created) |
//! | `test` | the essential modules, then `fixtures`: two organizations with one owner each, for isolation checks |
//!
//! A module adds steps of its own ([`SeedStep`]): they run after Tenantry's steps of
//! the sets they name, and alone with `--module <name>`.

pub mod factories;

use std::sync::Arc;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use tenantry_application::identity::Identity;
use tenantry_application::identity::{ProvisionPlatformAdmin, Provisioned};
use tenantry_application::tenancy::Tenancy;
use tenantry_application::{AppError, Principal, RequestContext};
use tenantry_domain::tenancy::Role;
use tenantry_kernel::{SessionId, TenantId, UserId};

use crate::factories::{Created, Factories};

/// Which set to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedSet {
    /// Production-safe: the role/permission catalogue and the platform admin.
    Essential,
    /// Demo data for a developer's machine.
    Development,
    /// Fixed fixtures for automated and exploratory tests.
    Test,
}

impl SeedSet {
    pub fn name(&self) -> &'static str {
        match self {
            SeedSet::Essential => "essential",
            SeedSet::Development => "development",
            SeedSet::Test => "test",
        }
    }

    /// The modules of this set, in run order.
    pub fn modules(&self) -> &'static [&'static str] {
        match self {
            SeedSet::Essential => &["roles", "admin"],
            SeedSet::Development => &["roles", "admin", "acme"],
            SeedSet::Test => &["roles", "admin", "fixtures"],
        }
    }
}

/// A module's seed step (a product's demo invoices, say). Like Tenantry's steps it
/// runs through the application layer and must be idempotent: a second run creates
/// nothing.
#[async_trait]
pub trait SeedStep: Send + Sync {
    /// Unique among the set's steps (`--module <name>`).
    fn name(&self) -> &'static str;

    /// The sets it belongs to; it runs after Tenantry's steps of each.
    fn sets(&self) -> &'static [SeedSet];

    /// # Errors
    /// Whatever the use cases it calls refuse.
    async fn run(&self, seeding: &Seeding<'_>) -> Result<StepOutcome, AppError>;
}

/// What a seed step works with: the system context and the factories over
/// Tenantry's contexts (users, organizations, memberships).
pub struct Seeding<'a> {
    pub context: &'a RequestContext,
    pub factories: Factories<'a>,
}

impl Seeding<'_> {
    /// A context acting as `user` in `tenant`, so a module's seed commands run with
    /// that user's permissions and audit entry: the tenant guard still checks their
    /// membership and role on every command, as for a request.
    pub fn acting_as(&self, tenant: TenantId, user: UserId) -> RequestContext {
        let mut context = RequestContext::default();
        context.request_id.clone_from(&self.context.request_id);
        context.principal = Some(Principal::session(user, SessionId::new()));
        context.tenant_id = Some(tenant);
        context
    }
}

/// The operator account; its password always comes from configuration.
#[derive(Debug, Clone)]
pub struct AdminSeed {
    pub email: String,
    pub display_name: String,
    pub password: Option<SecretString>,
}

/// What one step did, for the progress line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepOutcome {
    pub step: &'static str,
    pub created: usize,
    pub summary: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed step {step} failed")]
    Step { step: &'static str, source: AppError },
    #[error("unknown module {module:?} for the {set} set (known: {known})")]
    UnknownModule { module: String, set: &'static str, known: String },
    #[error("two seed steps are named {0:?} (Tenantry's are roles, admin, acme and fixtures)")]
    StepNamedTwice(&'static str),
}

/// The password every `test` fixture user gets: test data must be reproducible.
/// Never used by the essential or development sets.
pub const TEST_FIXTURE_PASSWORD: &str = "tenantry test fixture password";

/// Refuses module steps that share a name with each other or with Tenantry's own,
/// which `--module <name>` could not tell apart.
///
/// # Errors
/// [`SeedError::StepNamedTwice`].
pub fn check_step_names(steps: &[Arc<dyn SeedStep>]) -> Result<(), SeedError> {
    let mut names: Vec<&'static str> = [SeedSet::Essential, SeedSet::Development, SeedSet::Test]
        .iter()
        .flat_map(|set| set.modules().iter().copied())
        .collect();
    for step in steps {
        if names.contains(&step.name()) {
            return Err(SeedError::StepNamedTwice(step.name()));
        }
        names.push(step.name());
    }
    Ok(())
}

/// The contexts the seeds write through (every product has them).
#[derive(Clone, Copy)]
pub struct CoreContexts<'a> {
    pub identity: &'a Identity,
    pub tenancy: &'a Tenancy,
}

/// Runs a seed set (or one module of it), reporting each step as it completes.
///
/// # Errors
/// An unknown module, or the first step that fails; earlier steps stay committed
/// (each is its own transaction and idempotent, so rerunning is safe).
pub async fn run(
    app: CoreContexts<'_>,
    steps: &[Arc<dyn SeedStep>],
    set: SeedSet,
    module: Option<&str>,
    admin: &AdminSeed,
    mut progress: impl FnMut(&StepOutcome),
) -> Result<Vec<StepOutcome>, SeedError> {
    let own = steps.iter().filter(|step| step.sets().contains(&set));
    let all: Vec<&'static str> = set.modules().iter().copied().chain(own.map(|step| step.name())).collect();
    let modules: Vec<&'static str> =
        match module {
            None => all,
            Some(wanted) => vec![all.iter().copied().find(|m| *m == wanted).ok_or_else(|| {
                SeedError::UnknownModule { module: wanted.to_owned(), set: set.name(), known: all.join(", ") }
            })?],
        };
    let context = RequestContext::system("seed");
    let mut outcomes = Vec::new();
    for module in modules {
        let outcome = match module {
            "roles" => roles(app, &context).await,
            "admin" => platform_admin(app, &context, admin).await,
            "acme" => acme(app, &context).await,
            "fixtures" => fixtures(app, &context).await,
            name => match steps.iter().find(|step| step.name() == name) {
                Some(step) => step.run(&Seeding { context: &context, factories: Factories::new(app, &context) }).await,
                None => continue,
            },
        }
        .map_err(|source| SeedError::Step { step: module, source })?;
        progress(&outcome);
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

async fn roles(app: CoreContexts<'_>, context: &RequestContext) -> Result<StepOutcome, AppError> {
    let changes = app.tenancy.sync_role_catalogue(context).await?;
    Ok(StepOutcome {
        step: "roles",
        created: changes.permissions_created + changes.roles_changed,
        summary: format!(
            "{} permissions created, {} roles created or updated",
            changes.permissions_created, changes.roles_changed
        ),
    })
}

async fn platform_admin(
    app: CoreContexts<'_>,
    context: &RequestContext,
    admin: &AdminSeed,
) -> Result<StepOutcome, AppError> {
    let Some(password) = &admin.password else {
        return Ok(StepOutcome {
            step: "admin",
            created: 0,
            summary: "skipped: set TENANTRY__SEED__ADMIN_PASSWORD to create the admin account".to_owned(),
        });
    };
    let command = ProvisionPlatformAdmin {
        email: admin.email.clone(),
        display_name: admin.display_name.clone(),
        password: password.expose_secret().to_owned(),
    };
    let (created, summary) = match app.identity.provision_platform_admin(context, command).await? {
        Provisioned::Created(_) => (1, format!("created {}", admin.email)),
        Provisioned::Promoted(_) => (1, format!("{} already existed; made platform admin", admin.email)),
        Provisioned::AlreadyPresent(_) => (0, format!("{} already present", admin.email)),
    };
    Ok(StepOutcome { step: "admin", created, summary })
}

/// Summarises what a module's factories did.
fn summarise(step: &'static str, created: &[Created]) -> StepOutcome {
    let count = created.iter().filter(|c| c.is_new()).count();
    let lines: Vec<String> = created.iter().map(Created::describe).collect();
    StepOutcome { step, created: count, summary: lines.join("; ") }
}

async fn acme(app: CoreContexts<'_>, context: &RequestContext) -> Result<StepOutcome, AppError> {
    let factories = Factories::new(app, context);
    let mut created = Vec::new();
    let people = [
        ("owner@acme.test", "Olivia Owner", Role::Owner),
        ("admin@acme.test", "Adam Admin", Role::Admin),
        ("member@acme.test", "Mia Member", Role::Member),
        ("viewer@acme.test", "Victor Viewer", Role::Viewer),
    ];
    for (email, name, _) in people {
        created.push(factories.user(email, name, None).await?);
    }
    let (tenant, organization) = factories.organization("Acme", "acme", "owner@acme.test").await?;
    created.push(organization);
    for (email, _, role) in people.iter().filter(|(_, _, role)| *role != Role::Owner) {
        created.push(factories.member(tenant, email, *role).await?.1);
    }
    Ok(summarise("acme", &created))
}

async fn fixtures(app: CoreContexts<'_>, context: &RequestContext) -> Result<StepOutcome, AppError> {
    let factories = Factories::new(app, context);
    let mut created = Vec::new();
    for (email, name, org, slug) in [
        ("alice@globex.test", "Alice Globex", "Globex", "globex"),
        ("bob@initech.test", "Bob Initech", "Initech", "initech"),
    ] {
        created.push(factories.user(email, name, Some(TEST_FIXTURE_PASSWORD)).await?);
        created.push(factories.organization(org, slug, email).await?.1);
    }
    Ok(summarise("fixtures", &created))
}
