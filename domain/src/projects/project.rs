use chrono::{DateTime, Utc};
use tenantry_kernel::{Revision, TenantId, UserId, ValidationError};

use super::{Money, ProjectCreated, ProjectsError};

tenantry_kernel::typed_id!(
    /// A project of an organization.
    ProjectId
);

/// A project's name: 1..=200 characters, one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectName(String);

impl ProjectName {
    /// # Errors
    /// `ValidationError` on field `name`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        tenantry_kernel::text::single_line(raw, "name", 200).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a project is being worked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectStatus {
    Active,
    Archived,
}

impl ProjectStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Archived => "archived",
        }
    }

    /// # Errors
    /// `ValidationError` on field `status`: `invalid`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw {
            "active" => Ok(Self::Active),
            "archived" => Ok(Self::Archived),
            _ => Err(ValidationError::field("status", "invalid")),
        }
    }
}

/// A member's role within one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectRole {
    Manager,
    Contributor,
    Viewer,
}

/// What happens inside a project, as far as project roles are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectAction {
    /// Rename, archive, re-budget, and choose the members.
    Manage,
    /// Create and change tasks, log time, comment.
    Contribute,
}

impl ProjectRole {
    /// Managers do everything, contributors the work, viewers only look.
    pub fn allows(self, action: ProjectAction) -> bool {
        match self {
            Self::Manager => true,
            Self::Contributor => action == ProjectAction::Contribute,
            Self::Viewer => false,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manager => "manager",
            Self::Contributor => "contributor",
            Self::Viewer => "viewer",
        }
    }

    /// # Errors
    /// `ValidationError` on field `role`: `invalid`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw {
            "manager" => Ok(Self::Manager),
            "contributor" => Ok(Self::Contributor),
            "viewer" => Ok(Self::Viewer),
            _ => Err(ValidationError::field("role", "invalid")),
        }
    }
}

/// The fields a project update may change; `None` leaves a field alone, and for the
/// optional fields `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectChanges {
    pub name: Option<ProjectName>,
    pub description: Option<Option<String>>,
    pub status: Option<ProjectStatus>,
    pub budget: Option<Option<Money>>,
}

/// A project: the aggregate root of its tasks' context. Deleting is soft.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    id: ProjectId,
    tenant_id: TenantId,
    name: ProjectName,
    description: Option<String>,
    status: ProjectStatus,
    budget: Option<Money>,
    owner_id: UserId,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
    revision: Revision,
}

impl Project {
    pub fn create(
        tenant_id: TenantId,
        name: ProjectName,
        description: Option<String>,
        budget: Option<Money>,
        owner_id: UserId,
        now: DateTime<Utc>,
    ) -> (Self, ProjectCreated) {
        let project = Self {
            id: ProjectId::new(),
            tenant_id,
            name,
            description,
            status: ProjectStatus::Active,
            budget,
            owner_id,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            revision: Revision::first(),
        };
        let event = ProjectCreated {
            tenant_id,
            project_id: project.id,
            name: project.name.as_str().to_owned(),
            owner_id,
            budget_amount_minor: budget.map(|b| b.amount_minor),
            budget_currency: budget.map(|b| b.currency.as_str().to_owned()),
        };
        (project, event)
    }

    /// Rebuilds a project from storage; only adapters call this.
    #[allow(clippy::too_many_arguments)]
    pub fn restore(
        id: ProjectId,
        tenant_id: TenantId,
        name: ProjectName,
        description: Option<String>,
        status: ProjectStatus,
        budget: Option<Money>,
        owner_id: UserId,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
        deleted_at: Option<DateTime<Utc>>,
        version: i64,
    ) -> Self {
        Self {
            id,
            tenant_id,
            name,
            description,
            status,
            budget,
            owner_id,
            created_at,
            updated_at,
            deleted_at,
            revision: Revision::loaded(version),
        }
    }

    /// Refuses a change based on an older copy (`If-Match` with another version).
    ///
    /// # Errors
    /// `StaleVersion` when `expected` is given and differs.
    pub fn ensure_version(&self, expected: Option<i64>) -> Result<(), ProjectsError> {
        if self.revision.matches(expected) {
            Ok(())
        } else {
            Err(ProjectsError::StaleVersion)
        }
    }

    /// Applies the changes that differ; answers the names of the changed fields.
    pub fn apply(&mut self, changes: ProjectChanges, now: DateTime<Utc>) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if let Some(name) = changes.name.filter(|name| *name != self.name) {
            self.name = name;
            changed.push("name");
        }
        if let Some(description) = changes.description.filter(|d| *d != self.description) {
            self.description = description;
            changed.push("description");
        }
        if let Some(status) = changes.status.filter(|s| *s != self.status) {
            self.status = status;
            changed.push("status");
        }
        if let Some(budget) = changes.budget.filter(|b| *b != self.budget) {
            self.budget = budget;
            changed.push("budget");
        }
        if !changed.is_empty() {
            self.touch(now);
        }
        changed
    }

    /// Soft-deletes the project; `false` when it already was.
    pub fn delete(&mut self, now: DateTime<Utc>) -> bool {
        if self.deleted_at.is_some() {
            return false;
        }
        self.deleted_at = Some(now);
        self.touch(now);
        true
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
        self.revision.step();
    }

    pub fn id(&self) -> ProjectId {
        self.id
    }
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }
    pub fn name(&self) -> &ProjectName {
        &self.name
    }
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    pub fn status(&self) -> ProjectStatus {
        self.status
    }
    pub fn budget(&self) -> Option<Money> {
        self.budget
    }
    pub fn owner_id(&self) -> UserId {
        self.owner_id
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    pub fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.deleted_at
    }
    /// Optimistic-concurrency version: the `ETag` of the project.
    pub fn version(&self) -> i64 {
        self.revision.value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> Project {
        let name = ProjectName::parse("Apollo").unwrap();
        Project::create(TenantId::new(), name, None, None, UserId::new(), Utc::now()).0
    }

    #[test]
    fn only_real_changes_count_and_one_save_is_one_version() {
        let mut project = project();
        let same = ProjectChanges { name: Some(ProjectName::parse("Apollo").unwrap()), ..ProjectChanges::default() };
        assert!(project.apply(same, Utc::now()).is_empty());
        assert_eq!(project.version(), 1);
        let changes = ProjectChanges {
            name: Some(ProjectName::parse("Artemis").unwrap()),
            status: Some(ProjectStatus::Archived),
            budget: Some(Some(Money::parse(1000, "USD").unwrap())),
            ..ProjectChanges::default()
        };
        assert_eq!(project.apply(changes, Utc::now()), ["name", "status", "budget"]);
        assert_eq!(project.version(), 2);
    }

    #[test]
    fn a_stale_version_is_refused() {
        let project = project();
        assert_eq!(project.ensure_version(Some(1)), Ok(()));
        assert_eq!(project.ensure_version(None), Ok(()));
        assert_eq!(project.ensure_version(Some(0)), Err(ProjectsError::StaleVersion));
    }

    #[test]
    fn deleting_is_soft_and_idempotent() {
        let mut project = project();
        assert!(project.delete(Utc::now()));
        assert!(project.deleted_at().is_some());
        assert!(!project.delete(Utc::now()));
    }
}

#[cfg(test)]
mod project_role_tests {
    use super::*;

    #[test]
    fn managers_manage_and_contribute_contributors_contribute_viewers_look() {
        use ProjectAction::{Contribute, Manage};
        let table = [
            (ProjectRole::Manager, Manage, true),
            (ProjectRole::Manager, Contribute, true),
            (ProjectRole::Contributor, Manage, false),
            (ProjectRole::Contributor, Contribute, true),
            (ProjectRole::Viewer, Manage, false),
            (ProjectRole::Viewer, Contribute, false),
        ];
        for (role, action, allowed) in table {
            assert_eq!(role.allows(action), allowed, "{role:?} {action:?}");
        }
    }
}
