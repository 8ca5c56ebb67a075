//! Folders: how an organization arranges its files. A tree per organization whose
//! names are unique among siblings and which never loops back on itself.

use chrono::{DateTime, Utc};
use tenantry_kernel::{Revision, TenantId, UserId, ValidationError};

tenantry_kernel::typed_id!(
    /// A folder of an organization.
    FolderId
);

/// Rules of the folder tree that input alone cannot break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FolderError {
    /// The client's copy is older than the stored one (`If-Match` mismatch).
    #[error("the folder changed since you read it")]
    StaleVersion,
    /// A folder cannot move into itself or into one of its descendants.
    #[error("a folder cannot move inside itself")]
    Cycle,
}

/// A folder's name: one path component, 1..=255 characters, no slashes or control
/// characters, never `.` or `..` (unlike an uploaded file's name, nothing is cut off:
/// a folder name is typed, not sent by a browser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderName(String);

impl FolderName {
    /// # Errors
    /// `ValidationError` on field `name`: `required`, `invalid` or `too_long`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(ValidationError::field("name", "required"));
        }
        let unfit = |c: char| {
            c.is_control()
                || c == '/'
                || c == '\\'
                || tenantry_kernel::text::is_bidi_control(c)
                || tenantry_kernel::text::is_zero_width(c)
        };
        if name == "." || name == ".." || name.chars().any(unfit) {
            return Err(ValidationError::field("name", "invalid"));
        }
        if name.chars().count() > 255 {
            return Err(ValidationError::field("name", "too_long"));
        }
        Ok(Self(name.to_owned()))
    }

    /// A name read back from storage (it was parsed on the way in).
    pub fn from_storage(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A folder of an organization; `parent` is `None` at the top level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    id: FolderId,
    tenant_id: TenantId,
    name: FolderName,
    parent: Option<FolderId>,
    created_by: UserId,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    revision: Revision,
}

impl Folder {
    pub fn create(
        tenant_id: TenantId,
        name: FolderName,
        parent: Option<FolderId>,
        created_by: UserId,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: FolderId::new(),
            tenant_id,
            name,
            parent,
            created_by,
            created_at: now,
            updated_at: now,
            revision: Revision::first(),
        }
    }

    /// # Errors
    /// `StaleVersion` when `expected` is given and differs.
    pub fn ensure_version(&self, expected: Option<i64>) -> Result<(), FolderError> {
        if self.revision.matches(expected) {
            Ok(())
        } else {
            Err(FolderError::StaleVersion)
        }
    }

    /// Renames the folder; `false` when the name is already this one.
    pub fn rename(&mut self, name: FolderName, now: DateTime<Utc>) -> bool {
        if name == self.name {
            return false;
        }
        self.name = name;
        self.touch(now);
        true
    }

    /// Moves the folder under `parent`, whose own ancestors (nearest first, up to
    /// the top level) are `parent_ancestors`; `false` when it already is there.
    ///
    /// # Errors
    /// `Cycle` when `parent` is this folder or lies inside it.
    pub fn move_to(
        &mut self,
        parent: Option<FolderId>,
        parent_ancestors: &[FolderId],
        now: DateTime<Utc>,
    ) -> Result<bool, FolderError> {
        if let Some(parent) = parent {
            if parent == self.id || parent_ancestors.contains(&self.id) {
                return Err(FolderError::Cycle);
            }
        }
        if parent == self.parent {
            return Ok(false);
        }
        self.parent = parent;
        self.touch(now);
        Ok(true)
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
        self.revision.step();
    }

    /// A folder read back from storage.
    #[allow(clippy::too_many_arguments)]
    pub fn restore(
        id: FolderId,
        tenant_id: TenantId,
        name: FolderName,
        parent: Option<FolderId>,
        created_by: UserId,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
        version: i64,
    ) -> Self {
        Self { id, tenant_id, name, parent, created_by, created_at, updated_at, revision: Revision::loaded(version) }
    }

    pub fn id(&self) -> FolderId {
        self.id
    }
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }
    pub fn name(&self) -> &FolderName {
        &self.name
    }
    pub fn parent(&self) -> Option<FolderId> {
        self.parent
    }
    pub fn created_by(&self) -> UserId {
        self.created_by
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    /// The row version (optimistic concurrency and `ETag`), stepped once per save.
    pub fn version(&self) -> i64 {
        self.revision.value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, parent: Option<FolderId>) -> Folder {
        Folder::create(TenantId::new(), FolderName::parse(name).unwrap(), parent, UserId::new(), Utc::now())
    }

    #[test]
    fn folder_names_are_one_clean_path_component() {
        assert_eq!(FolderName::parse("  Reports 2026 ").unwrap().as_str(), "Reports 2026");
        for (raw, issue) in [
            ("", "required"),
            ("   ", "required"),
            ("a/b", "invalid"),
            ("a\\b", "invalid"),
            ("..", "invalid"),
            ("tab\there", "invalid"),
            ("Q3\u{202E}fdp", "invalid"),
            ("dup\u{200B}licate", "invalid"),
        ] {
            assert_eq!(FolderName::parse(raw).unwrap_err(), ValidationError::field("name", issue), "{raw:?}");
        }
        assert!(FolderName::parse(&"n".repeat(256)).is_err());
    }

    #[test]
    fn a_folder_never_moves_into_itself_or_its_descendants() {
        let now = Utc::now();
        let mut top = folder("top", None);
        let child = folder("child", Some(top.id()));
        let grandchild = folder("grandchild", Some(child.id()));
        assert_eq!(top.move_to(Some(top.id()), &[], now), Err(FolderError::Cycle));
        assert_eq!(top.move_to(Some(grandchild.id()), &[child.id(), top.id()], now), Err(FolderError::Cycle));
        assert_eq!(top.version(), 1, "a refused move changes nothing");

        let mut moved = folder("moved", Some(top.id()));
        assert_eq!(moved.move_to(Some(top.id()), &[], now), Ok(false), "already there");
        assert_eq!(moved.move_to(Some(grandchild.id()), &[child.id(), top.id()], now), Ok(true));
        assert_eq!((moved.parent(), moved.version()), (Some(grandchild.id()), 2));
        assert_eq!(moved.move_to(None, &[], now), Ok(true));
        assert_eq!(moved.parent(), None);
    }

    #[test]
    fn renaming_to_the_same_name_changes_nothing() {
        let mut reports = folder("reports", None);
        assert!(!reports.rename(FolderName::parse("reports").unwrap(), Utc::now()));
        assert_eq!(reports.version(), 1);
        assert!(reports.rename(FolderName::parse("archive").unwrap(), Utc::now()));
        assert_eq!((reports.name().as_str(), reports.version()), ("archive", 2));
        assert_eq!(reports.ensure_version(Some(1)), Err(FolderError::StaleVersion));
        assert_eq!(reports.ensure_version(Some(2)), Ok(()));
    }
}
