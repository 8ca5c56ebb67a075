//! Idempotent factories over the application's use cases: the building blocks of
//! the development and test sets, usable by embedding products' own seeds.

use rand::distributions::Alphanumeric;
use rand::Rng;
use tenantry_application::identity::RegisterUser;
use tenantry_application::tenancy::{Provision, ProvisionMembership, ProvisionOrganization};
use tenantry_application::{AppError, ErrorCode, RequestContext};

use crate::CoreContexts;
use tenantry_domain::tenancy::Role;
use tenantry_kernel::{TenantId, UserId};

/// What a factory call found or made, for the progress line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// A new account, with the password it was given (printed once, never stored).
    User {
        email: String,
        password: String,
    },
    Organization {
        slug: String,
    },
    Membership {
        email: String,
        role: Role,
    },
    Present(String),
}

impl Created {
    pub fn is_new(&self) -> bool {
        !matches!(self, Created::Present(_))
    }

    pub fn describe(&self) -> String {
        match self {
            Created::User { email, password } => format!("created {email} (password: {password})"),
            Created::Organization { slug } => format!("created organization {slug}"),
            Created::Membership { email, role } => format!("{email} is {role}"),
            Created::Present(what) => format!("{what} already present"),
        }
    }
}

pub struct Factories<'a> {
    app: CoreContexts<'a>,
    context: &'a RequestContext,
}

impl<'a> Factories<'a> {
    pub fn new(app: CoreContexts<'a>, context: &'a RequestContext) -> Self {
        Self { app, context }
    }

    /// A user, with `password` or a random 20-character one.
    ///
    /// # Errors
    /// Invalid email or name, storage failures.
    pub async fn user(&self, email: &str, display_name: &str, password: Option<&str>) -> Result<Created, AppError> {
        let password = password.map_or_else(random_password, str::to_owned);
        let command =
            RegisterUser { email: email.to_owned(), password: password.clone(), display_name: display_name.to_owned() };
        match self.app.identity.register_user(self.context, command).await {
            Ok(_) => Ok(Created::User { email: email.to_owned(), password }),
            Err(error) if error.code() == ErrorCode::EmailTaken => Ok(Created::Present(email.to_owned())),
            Err(error) => Err(error),
        }
    }

    /// An organization owned by an existing user.
    ///
    /// # Errors
    /// Invalid name or slug, unknown owner.
    pub async fn organization(
        &self,
        name: &str,
        slug: &str,
        owner_email: &str,
    ) -> Result<(TenantId, Created), AppError> {
        let command =
            ProvisionOrganization { name: name.to_owned(), slug: slug.to_owned(), owner_email: owner_email.to_owned() };
        let outcome = self.app.tenancy.provision_organization(self.context, command).await?;
        let created = match outcome {
            Provision::AlreadyPresent(_) => Created::Present(format!("organization {slug}")),
            _ => Created::Organization { slug: slug.to_owned() },
        };
        Ok((outcome.value(), created))
    }

    /// A membership with exactly this role, and the member's user id (to act as
    /// them in a module's seed step).
    ///
    /// # Errors
    /// Unknown user.
    pub async fn member(&self, tenant: TenantId, email: &str, role: Role) -> Result<(UserId, Created), AppError> {
        let command = ProvisionMembership { tenant, email: email.to_owned(), role };
        let outcome = self.app.tenancy.provision_membership(self.context, command).await?;
        let created = match outcome {
            Provision::AlreadyPresent(_) => Created::Present(format!("{email} as {role}")),
            _ => Created::Membership { email: email.to_owned(), role },
        };
        Ok((outcome.value(), created))
    }
}

fn random_password() -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(20).map(char::from).collect()
}
