use std::fmt;

use chrono::{DateTime, Utc};
use tenantry_kernel::{TenantId, UserId, ValidationError};

use super::{Membership, OrganizationCreated, Role};

/// The display name of an organization: 1..=100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationName(String);

impl OrganizationName {
    /// # Errors
    /// `ValidationError` on field `name`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        tenantry_kernel::text::single_line(raw, "name", 100).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A URL-safe organization handle: lowercase `[a-z0-9]+(-[a-z0-9]+)*`, 3..=63 characters
/// (a DNS label, so it can become a subdomain).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// # Errors
    /// `ValidationError` on field `slug` (`invalid`).
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let valid = (3..=63).contains(&raw.len())
            && raw
                .split('-')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::field("slug", "invalid"))
        }
    }

    /// Derives a slug from a name: ASCII letters and digits kept (lower-cased),
    /// everything else collapses into single hyphens.
    ///
    /// # Errors
    /// `ValidationError` on field `slug` when the name has too few usable characters.
    pub fn from_name(name: &OrganizationName) -> Result<Self, ValidationError> {
        let mut slug = String::new();
        for c in name.as_str().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let mut slug = slug.trim_end_matches('-').to_owned();
        slug.truncate(63);
        let slug = slug.trim_end_matches('-');
        Self::parse(slug).map_err(|_| ValidationError::field("slug", "cannot_derive_from_name"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An organization: the tenant that owns every tenant-scoped row.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    id: TenantId,
    name: OrganizationName,
    slug: Slug,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

impl Organization {
    /// A new organization whose creator is its first owner.
    pub fn create(
        name: OrganizationName,
        slug: Slug,
        creator: UserId,
        now: DateTime<Utc>,
    ) -> (Self, Membership, OrganizationCreated) {
        let organization = Self { id: TenantId::new(), name, slug, created_at: now, updated_at: now, version: 1 };
        let owner = Membership::new(organization.id, creator, Role::Owner, now);
        let event = OrganizationCreated {
            organization_id: organization.id,
            name: organization.name.as_str().to_owned(),
            slug: organization.slug.as_str().to_owned(),
            owner_id: creator,
        };
        (organization, owner, event)
    }

    /// Rebuilds an organization from storage; only adapters call this.
    pub fn restore(
        id: TenantId,
        name: OrganizationName,
        slug: Slug,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
        version: i64,
    ) -> Self {
        Self { id, name, slug, created_at, updated_at, version }
    }

    pub fn id(&self) -> TenantId {
        self.id
    }
    pub fn name(&self) -> &OrganizationName {
        &self.name
    }
    pub fn slug(&self) -> &Slug {
        &self.slug
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    pub fn version(&self) -> i64 {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn name(raw: &str) -> OrganizationName {
        OrganizationName::parse(raw).unwrap()
    }

    #[test]
    fn derives_slugs_from_names() {
        assert_eq!(Slug::from_name(&name("Acme Corp")).unwrap().as_str(), "acme-corp");
        assert_eq!(Slug::from_name(&name("  Ünïcode & Co. 42!! ")).unwrap().as_str(), "n-code-co-42");
        assert!(Slug::from_name(&name("!!")).is_err());
    }

    #[test]
    fn slugs_are_lowercase_dns_labels() {
        assert!(Slug::parse("acme-corp").is_ok());
        for bad in ["Acme", "ac", "-acme", "acme-", "ac--me", "acme_corp", &"a".repeat(64)] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_creator_becomes_the_owner() {
        let creator = UserId::new();
        let (org, owner, event) = Organization::create(name("Acme"), Slug::parse("acme").unwrap(), creator, Utc::now());
        assert_eq!((owner.tenant_id(), owner.user_id(), owner.role()), (org.id(), creator, Role::Owner));
        assert_eq!(event.owner_id, creator);
    }

    proptest! {
        #[test]
        fn derived_slugs_always_parse(raw in "\\PC{1,120}") {
            if let Ok(n) = OrganizationName::parse(&raw) {
                if let Ok(slug) = Slug::from_name(&n) {
                    prop_assert_eq!(Slug::parse(slug.as_str()).unwrap(), slug);
                }
            }
        }
    }
}
