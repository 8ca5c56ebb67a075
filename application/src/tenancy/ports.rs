//! Ports of the tenancy context: organizations, memberships, invitations, API keys, the role catalogue, its read side and the membership cache.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::tenancy::{ApiKey, ApiKeyId, Invitation, InvitationId, Membership, Organization, Role};
use tenantry_kernel::{Page, PageRequest, TenantId, UserId};

use crate::ports::{ListQuery, RepositoryError, UnitOfWork};

/// Opens the tenancy context's repositories on a unit of work (see
/// [`crate::projects::ports::ProjectRepositories`]).
pub trait TenancyRepositories: Send + Sync + 'static {
    /// # Errors
    /// A unit of work of another adapter.
    fn role_catalogue<'u>(
        &self,
        uow: &'u mut dyn UnitOfWork,
    ) -> Result<&'u mut dyn RoleCatalogueRepository, RepositoryError>;
    /// # Errors
    /// A unit of work of another adapter.
    fn organizations<'u>(
        &self,
        uow: &'u mut dyn UnitOfWork,
    ) -> Result<&'u mut dyn OrganizationRepository, RepositoryError>;
    /// # Errors
    /// A unit of work of another adapter.
    fn memberships<'u>(&self, uow: &'u mut dyn UnitOfWork)
        -> Result<&'u mut dyn MembershipRepository, RepositoryError>;
    /// # Errors
    /// A unit of work of another adapter.
    fn invitations<'u>(&self, uow: &'u mut dyn UnitOfWork)
        -> Result<&'u mut dyn InvitationRepository, RepositoryError>;
    /// # Errors
    /// A unit of work of another adapter.
    fn api_keys<'u>(&self, uow: &'u mut dyn UnitOfWork) -> Result<&'u mut dyn ApiKeyRepository, RepositoryError>;
}

/// The role and permission catalogue (tenancy), written by the essential seed.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait RoleCatalogueRepository: Send {
    /// Inserts or refreshes a permission; `true` when it was created.
    async fn upsert_permission(&mut self, key: &str, description: &str) -> Result<bool, RepositoryError>;
    /// Inserts or refreshes a role and replaces its permission set; `true` when anything changed.
    async fn upsert_role(
        &mut self,
        name: &str,
        description: &str,
        permissions: &[&'static str],
    ) -> Result<bool, RepositoryError>;
}

/// Organizations, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait OrganizationRepository: Send {
    /// # Errors
    /// `Duplicate` when the slug is taken.
    async fn insert(&mut self, organization: &Organization) -> Result<(), RepositoryError>;
    /// Locks the organization for the rest of the transaction, so membership
    /// changes of one tenant are serialised (the last-owner rule depends on it).
    /// `false` when it does not exist.
    async fn lock(&mut self, id: TenantId) -> Result<bool, RepositoryError>;
    async fn find_by_slug(&mut self, slug: &str) -> Result<Option<Organization>, RepositoryError>;
}

/// Memberships, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait MembershipRepository: Send {
    /// # Errors
    /// `Duplicate` when the user is already a member.
    async fn insert(&mut self, membership: &Membership) -> Result<(), RepositoryError>;
    async fn update(&mut self, membership: &Membership) -> Result<(), RepositoryError>;
    async fn delete(&mut self, tenant: TenantId, user: UserId) -> Result<(), RepositoryError>;
    async fn find(&mut self, tenant: TenantId, user: UserId) -> Result<Option<Membership>, RepositoryError>;
    async fn count_owners(&mut self, tenant: TenantId) -> Result<u64, RepositoryError>;
}

/// API keys, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ApiKeyRepository: Send {
    async fn insert(&mut self, key: &ApiKey) -> Result<(), RepositoryError>;
    /// Saves revocation.
    async fn update(&mut self, key: &ApiKey) -> Result<(), RepositoryError>;
    async fn find(&mut self, tenant: TenantId, id: ApiKeyId) -> Result<Option<ApiKey>, RepositoryError>;
}

/// Invitations, inside one transaction.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait InvitationRepository: Send {
    async fn insert(&mut self, invitation: &Invitation) -> Result<(), RepositoryError>;
    /// Saves acceptance.
    async fn update(&mut self, invitation: &Invitation) -> Result<(), RepositoryError>;
    /// Finds (and locks, where supported) the invitation a token belongs to.
    async fn find_by_token_hash(&mut self, hash: &str) -> Result<Option<Invitation>, RepositoryError>;
    /// A pending or used invitation of the tenant, locked where supported.
    async fn find(&mut self, tenant: TenantId, id: InvitationId) -> Result<Option<Invitation>, RepositoryError>;
    /// Withdraws an invitation: its token stops working at once.
    async fn delete(&mut self, tenant: TenantId, id: InvitationId) -> Result<(), RepositoryError>;
}

/// An organization as one of its members sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationView {
    pub id: TenantId,
    pub name: String,
    pub slug: String,
    /// The viewer's role in it.
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One membership row of a member list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipView {
    pub user_id: UserId,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

/// Read side of tenancy.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait TenancyQueries: Send + Sync + 'static {
    async fn role_of(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>, RepositoryError>;
    async fn organization_for_member(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<OrganizationView>, RepositoryError>;
    /// `sort_by`: `name`, `slug` or `created_at`.
    async fn organizations_of(
        &self,
        user: UserId,
        query: &ListQuery,
    ) -> Result<Page<OrganizationView>, RepositoryError>;
    /// `sort_by`: `joined_at` or `role`.
    async fn members(&self, tenant: TenantId, query: &ListQuery) -> Result<Page<MembershipView>, RepositoryError>;
    /// A page of the organization's invitations not yet accepted (expired ones
    /// included), newest first.
    async fn pending_invitations(
        &self,
        tenant: TenantId,
        page: PageRequest,
    ) -> Result<Page<Invitation>, RepositoryError>;
    /// The organization's API keys, newest first (revoked ones included).
    async fn api_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, RepositoryError>;
    /// The key a presented secret hashes to, for request authentication.
    async fn api_key_by_token_hash(&self, hash: &str) -> Result<Option<ApiKey>, RepositoryError>;
    /// Bookkeeping outside any unit of work: when the key was last used (the caller
    /// throttles it, so a busy key does not write on every request).
    async fn record_api_key_use(&self, id: ApiKeyId, at: DateTime<Utc>) -> Result<(), RepositoryError>;
}

/// A membership-cache lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachedRole {
    /// The cached answer; `Hit(None)` is a cached "not a member".
    Hit(Option<Role>),
    /// Not cached. Pass the ticket to `put`, which refuses the value if any
    /// invalidation happened since this lookup (the value read may be stale).
    Miss { ticket: u64 },
}

/// Remembers membership lookups (they run on every tenant-scoped request). Entries
/// are invalidated the moment a membership changes.
#[cfg_attr(test, mockall::automock)]
pub trait MembershipCache: Send + Sync + 'static {
    fn get(&self, tenant: TenantId, user: UserId) -> CachedRole;
    fn put(&self, tenant: TenantId, user: UserId, role: Option<Role>, ticket: u64);
    fn invalidate(&self, tenant: TenantId, user: UserId);
}
