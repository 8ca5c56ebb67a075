//! Files (seed 004 file management): documents an organization uploads, each with
//! its versions. The bytes live in a blob store, addressed by their SHA-256; this
//! is what was uploaded, under which name, by whom.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tenantry_kernel::{text, DomainEvent, Revision, TenantId, UserId, ValidationError};

mod folder;

pub use folder::{Folder, FolderError, FolderId, FolderName};

tenantry_kernel::typed_id!(
    /// A file of an organization.
    FileId
);

/// A file's name as shown and downloaded: the last path component of what the
/// client sent (so `../../etc/passwd` is `passwd`), without control, bidirectional
/// formatting or zero-width characters (`invoice\u{202E}txt.exe` is `invoicetxt.exe`,
/// shown as what it is), 1..=255 characters, never `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    /// # Errors
    /// `ValidationError` on field `file` (`required`, `invalid` or `too_long`).
    pub fn sanitize(raw: &str) -> Result<Self, ValidationError> {
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let cleaned: String =
            last.chars().filter(|&c| !c.is_control() && !text::is_bidi_control(c) && !text::is_zero_width(c)).collect();
        let name = cleaned.trim();
        if name.is_empty() {
            return Err(ValidationError::field("file", "required"));
        }
        if name == "." || name == ".." {
            return Err(ValidationError::field("file", "invalid"));
        }
        if name.chars().count() > 255 {
            return Err(ValidationError::field("file", "too_long"));
        }
        Ok(Self(name.to_owned()))
    }

    /// A name read back from storage (it was sanitized on the way in).
    pub fn from_storage(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a grant lets another member of the organization do with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAccess {
    /// See it and download it.
    Read,
    /// Also upload new versions.
    Write,
}

impl FileAccess {
    /// # Errors
    /// `ValidationError` on field `access`: `invalid`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            _ => Err(ValidationError::field("access", "invalid")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

/// The bytes of one version as the blob store keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// Lower-case hex SHA-256 of the content: its address in the store and its ETag.
    pub sha256: String,
    pub size: u64,
    /// Sniffed from the bytes, never taken from the client.
    pub content_type: String,
}

/// Background work on a version after upload (thumbnails of images).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processing {
    /// Nothing to do for this type.
    None,
    /// Queued or running.
    Pending,
    /// Done; the thumbnail's blob address.
    Done { thumbnail_sha256: String },
    /// Given up after the job's last attempt.
    Failed,
}

impl Processing {
    /// What a new version of `content_type` needs.
    pub fn for_content_type(content_type: &str) -> Self {
        if THUMBNAILED_TYPES.contains(&content_type) {
            Self::Pending
        } else {
            Self::None
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pending => "pending",
            Self::Done { .. } => "done",
            Self::Failed => "failed",
        }
    }

    /// # Errors
    /// `ValidationError` on field `processing` for an unknown state or a `done`
    /// without its thumbnail.
    pub fn from_parts(state: &str, thumbnail_sha256: Option<String>) -> Result<Self, ValidationError> {
        match (state, thumbnail_sha256) {
            ("none", _) => Ok(Self::None),
            ("pending", _) => Ok(Self::Pending),
            ("done", Some(thumbnail_sha256)) => Ok(Self::Done { thumbnail_sha256 }),
            ("failed", _) => Ok(Self::Failed),
            _ => Err(ValidationError::field("processing", "invalid")),
        }
    }
}

/// Types whose uploads get a thumbnail.
pub const THUMBNAILED_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

/// One version of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileVersion {
    pub file_id: FileId,
    /// 1 for the first upload, then 2, 3, ...
    pub number: i64,
    pub blob: Blob,
    pub uploaded_by: UserId,
    pub created_at: DateTime<Utc>,
    pub processing: Processing,
}

impl FileVersion {
    fn new(file_id: FileId, number: i64, blob: Blob, uploaded_by: UserId, created_at: DateTime<Utc>) -> Self {
        let processing = Processing::for_content_type(&blob.content_type);
        Self { file_id, number, blob, uploaded_by, created_at, processing }
    }
}

/// A file and its current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    id: FileId,
    tenant_id: TenantId,
    name: FileName,
    folder: Option<FolderId>,
    uploaded_by: UserId,
    current: FileVersion,
    created_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
    revision: Revision,
}

/// A file was uploaded (its first version).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileUploaded {
    pub tenant_id: TenantId,
    pub file_id: FileId,
    pub name: String,
    pub uploaded_by: UserId,
    pub size: u64,
    pub content_type: String,
}

/// A new version of a file was uploaded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileVersionAdded {
    pub tenant_id: TenantId,
    pub file_id: FileId,
    pub version: i64,
    pub uploaded_by: UserId,
    pub size: u64,
    pub content_type: String,
}

/// Background processing of a version ended (`outcome`: `done` or `failed`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileProcessed {
    pub tenant_id: TenantId,
    pub file_id: FileId,
    pub version: i64,
    /// Who uploaded that version: the one to tell.
    pub uploaded_by: UserId,
    pub outcome: &'static str,
}

impl DomainEvent for FileProcessed {
    fn event_type(&self) -> &'static str {
        "files.file_processed"
    }
}

impl DomainEvent for FileUploaded {
    fn event_type(&self) -> &'static str {
        "files.file_uploaded"
    }
}

impl DomainEvent for FileVersionAdded {
    fn event_type(&self) -> &'static str {
        "files.version_added"
    }
}

impl StoredFile {
    /// A first upload, at the top level (`folder` `None`) or into a folder.
    pub fn upload(
        tenant_id: TenantId,
        name: FileName,
        folder: Option<FolderId>,
        blob: Blob,
        uploaded_by: UserId,
        now: DateTime<Utc>,
    ) -> (Self, FileUploaded) {
        let id = FileId::new();
        let event = FileUploaded {
            tenant_id,
            file_id: id,
            name: name.as_str().to_owned(),
            uploaded_by,
            size: blob.size,
            content_type: blob.content_type.clone(),
        };
        let current = FileVersion::new(id, 1, blob, uploaded_by, now);
        let file = Self {
            id,
            tenant_id,
            name,
            folder,
            uploaded_by,
            current,
            created_at: now,
            deleted_at: None,
            revision: Revision::first(),
        };
        (file, event)
    }

    /// Makes `blob` the current content, as the next version.
    pub fn add_version(&mut self, blob: Blob, by: UserId, now: DateTime<Utc>) -> FileVersionAdded {
        self.current = FileVersion::new(self.id, self.current.number + 1, blob, by, now);
        self.revision.step();
        FileVersionAdded {
            tenant_id: self.tenant_id,
            file_id: self.id,
            version: self.current.number,
            uploaded_by: by,
            size: self.current.blob.size,
            content_type: self.current.blob.content_type.clone(),
        }
    }

    /// Renames and/or moves the file (`Some(None)` moves it to the top level);
    /// `false` when nothing changes.
    pub fn relocate(&mut self, name: Option<FileName>, folder: Option<Option<FolderId>>) -> bool {
        let mut changed = false;
        if let Some(name) = name.filter(|name| *name != self.name) {
            self.name = name;
            changed = true;
        }
        if let Some(folder) = folder.filter(|folder| *folder != self.folder) {
            self.folder = folder;
            changed = true;
        }
        if changed {
            self.revision.step();
        }
        changed
    }

    /// Moves the file to the bin (soft delete); `false` when it already was there.
    pub fn delete(&mut self, now: DateTime<Utc>) -> bool {
        if self.deleted_at.is_some() {
            return false;
        }
        self.deleted_at = Some(now);
        self.revision.step();
        true
    }

    /// Takes the file out of the bin; `false` when it was not there.
    pub fn undelete(&mut self) -> bool {
        if self.deleted_at.take().is_none() {
            return false;
        }
        self.revision.step();
        true
    }

    /// A file read back from storage.
    #[allow(clippy::too_many_arguments)]
    pub fn restore(
        id: FileId,
        tenant_id: TenantId,
        name: FileName,
        folder: Option<FolderId>,
        uploaded_by: UserId,
        current: FileVersion,
        created_at: DateTime<Utc>,
        deleted_at: Option<DateTime<Utc>>,
        version: i64,
    ) -> Self {
        Self {
            id,
            tenant_id,
            name,
            folder,
            uploaded_by,
            current,
            created_at,
            deleted_at,
            revision: Revision::loaded(version),
        }
    }

    pub fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.deleted_at
    }

    pub fn id(&self) -> FileId {
        self.id
    }
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }
    pub fn name(&self) -> &FileName {
        &self.name
    }
    pub fn folder(&self) -> Option<FolderId> {
        self.folder
    }
    pub fn uploaded_by(&self) -> UserId {
        self.uploaded_by
    }
    pub fn current(&self) -> &FileVersion {
        &self.current
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// The row version (optimistic concurrency), stepped once per save.
    pub fn version(&self) -> i64 {
        self.revision.value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_last_component_and_lose_control_characters() {
        for (raw, expected) in [
            ("report.pdf", "report.pdf"),
            ("../../etc/passwd", "passwd"),
            ("C:\\Users\\eve\\secret.txt", "secret.txt"),
            ("bad\u{0}na\nme.png", "badname.png"),
            ("  spaced out.txt  ", "spaced out.txt"),
            ("ünïcødé.txt", "ünïcødé.txt"),
            ("invoice\u{202E}txt.exe", "invoicetxt.exe"),
            ("\u{2066}pay\u{200B}roll\u{FEFF}.pdf\u{2069}", "payroll.pdf"),
        ] {
            assert_eq!(FileName::sanitize(raw).unwrap().as_str(), expected, "{raw:?}");
        }
        for raw in ["", "   ", "dir/", "..", "a/..", ".", "\u{7}"] {
            assert!(FileName::sanitize(raw).is_err(), "{raw:?}");
        }
        assert!(FileName::sanitize(&"n".repeat(256)).is_err());
    }

    #[test]
    fn images_wait_for_a_thumbnail_and_states_round_trip() {
        assert_eq!(Processing::for_content_type("image/png"), Processing::Pending);
        assert_eq!(Processing::for_content_type("application/pdf"), Processing::None);
        let done = Processing::Done { thumbnail_sha256: "ab".into() };
        assert_eq!(Processing::from_parts(done.as_str(), Some("ab".into())).unwrap(), done);
        assert!(Processing::from_parts("done", None).is_err());
        assert!(Processing::from_parts("exploded", None).is_err());
    }

    #[test]
    fn each_new_version_numbers_on_and_steps_the_row_version_once() {
        let blob = |sha: &str| Blob { sha256: sha.into(), size: 3, content_type: "text/plain".into() };
        let owner = UserId::new();
        let now = Utc::now();
        let (mut file, uploaded) =
            StoredFile::upload(TenantId::new(), FileName::sanitize("a.txt").unwrap(), None, blob("aa"), owner, now);
        assert_eq!((file.current().number, file.version(), uploaded.size), (1, 1, 3));
        let added = file.add_version(blob("bb"), owner, now);
        assert_eq!((added.version, file.current().number, file.current().blob.sha256.as_str()), (2, 2, "bb"));
        assert_eq!(file.version(), 2);
        let reload = |file: &StoredFile| {
            StoredFile::restore(
                file.id(),
                file.tenant_id(),
                file.name().clone(),
                file.folder(),
                file.uploaded_by(),
                file.current().clone(),
                file.created_at(),
                file.deleted_at(),
                file.version(),
            )
        };
        let mut file = reload(&file);
        assert!(file.delete(now) && !file.delete(now), "deleting twice changes nothing the second time");
        assert_eq!((file.deleted_at(), file.version()), (Some(now), 3));
        let mut file = reload(&file);
        assert!(file.undelete() && !file.undelete());
        assert_eq!((file.deleted_at(), file.version()), (None, 4));
        let mut file = reload(&file);
        let folder = FolderId::new();
        assert!(!file.relocate(Some(FileName::sanitize("a.txt").unwrap()), Some(None)), "nothing changes");
        assert!(file.relocate(None, Some(Some(folder))));
        assert_eq!((file.folder(), file.name().as_str(), file.version()), (Some(folder), "a.txt", 5));
        assert_eq!(FileAccess::parse("write").unwrap().as_str(), "write");
        assert_eq!(file.current().processing, Processing::None, "text gets no thumbnail");
        assert!(FileAccess::parse("admin").is_err());
    }
}
