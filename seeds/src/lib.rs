//! Seed sets (seed 004 §7), run through the application layer so every rule and
//! audit entry applies to seeded data as to any other. Every step is idempotent:
//! a second run reports that nothing was created.

use secrecy::{ExposeSecret, SecretString};
use tenantry_application::identity::{ProvisionPlatformAdmin, Provisioned};
use tenantry_application::{AppError, Application, RequestContext};

/// Which set to load. Development and test sets arrive with the tenancy issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedSet {
    /// Production-safe: the role/permission catalogue and the platform admin.
    Essential,
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
}

/// Runs a seed set, reporting each step as it completes.
///
/// # Errors
/// The first step that fails; earlier steps stay committed (each is its own
/// transaction and idempotent, so rerunning is safe).
pub async fn run(
    app: &Application,
    set: SeedSet,
    admin: &AdminSeed,
    mut progress: impl FnMut(&StepOutcome),
) -> Result<Vec<StepOutcome>, SeedError> {
    let SeedSet::Essential = set;
    let context = RequestContext::system("seed");
    let mut outcomes = Vec::new();

    let changes = app
        .sync_role_catalogue(&context)
        .await
        .map_err(|source| SeedError::Step { step: "roles_and_permissions", source })?;
    let outcome = StepOutcome {
        step: "roles_and_permissions",
        created: changes.permissions_created + changes.roles_changed,
        summary: format!(
            "{} permissions created, {} roles created or updated",
            changes.permissions_created, changes.roles_changed
        ),
    };
    progress(&outcome);
    outcomes.push(outcome);

    let outcome = match &admin.password {
        None => StepOutcome {
            step: "platform_admin",
            created: 0,
            summary: "skipped: set TENANTRY__SEED__ADMIN_PASSWORD to create the admin account".to_owned(),
        },
        Some(password) => {
            let command = ProvisionPlatformAdmin {
                email: admin.email.clone(),
                display_name: admin.display_name.clone(),
                password: password.expose_secret().to_owned(),
            };
            let provisioned = app
                .provision_platform_admin(&context, command)
                .await
                .map_err(|source| SeedError::Step { step: "platform_admin", source })?;
            let (created, summary) = match provisioned {
                Provisioned::Created(_) => (1, format!("created {}", admin.email)),
                Provisioned::Promoted(_) => (1, format!("{} already existed; made platform admin", admin.email)),
                Provisioned::AlreadyPresent(_) => (0, format!("{} already present", admin.email)),
            };
            StepOutcome { step: "platform_admin", created, summary }
        }
    };
    progress(&outcome);
    outcomes.push(outcome);
    Ok(outcomes)
}
