use chrono::{DateTime, NaiveDate, Utc};
use tenantry_kernel::{TenantId, UserId, ValidationError};

use super::{ProjectId, TaskId};

tenantry_kernel::typed_id!(
    /// Time logged against a task.
    TimeEntryId
);

tenantry_kernel::typed_id!(
    /// A comment on a task.
    CommentId
);

/// One sitting of work on a task, logged by its worker.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeEntry {
    pub id: TimeEntryId,
    pub tenant_id: TenantId,
    pub project_id: ProjectId,
    pub task_id: TaskId,
    pub user_id: UserId,
    pub minutes: u32,
    pub note: Option<String>,
    pub spent_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

/// A day of work has at most this many minutes.
pub const MAX_MINUTES_PER_ENTRY: u32 = 24 * 60;
/// Notes and comments are bounded so a row stays small.
pub const MAX_NOTE_CHARS: usize = 2_000;
pub const MAX_COMMENT_CHARS: usize = 10_000;

impl TimeEntry {
    /// # Errors
    /// `ValidationError` on `minutes` (`out_of_range`) and/or `note` (`too_long`).
    #[allow(clippy::too_many_arguments)]
    pub fn log(
        tenant_id: TenantId,
        project_id: ProjectId,
        task_id: TaskId,
        user_id: UserId,
        minutes: u32,
        note: Option<&str>,
        spent_on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationError> {
        let minutes_ok = if (1..=MAX_MINUTES_PER_ENTRY).contains(&minutes) {
            Ok(())
        } else {
            Err(ValidationError::field("minutes", "out_of_range"))
        };
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        let note_ok = note.map_or(Ok(()), |text| tenantry_kernel::text::free_text(text, "note", MAX_NOTE_CHARS));
        ValidationError::collect([minutes_ok, note_ok])?;
        Ok(Self {
            id: TimeEntryId::new(),
            tenant_id,
            project_id,
            task_id,
            user_id,
            minutes,
            note: note.map(str::to_owned),
            spent_on,
            created_at: now,
        })
    }
}

/// A comment on a task; `parent_id` makes threads.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: CommentId,
    pub tenant_id: TenantId,
    pub task_id: TaskId,
    pub parent_id: Option<CommentId>,
    /// The top-level comment the thread starts from (the comment itself for one).
    pub thread_id: CommentId,
    /// 0 for a top-level comment, the parent's depth + 1 for a reply.
    pub depth: u16,
    pub author_id: UserId,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Replies nest at most this deep: threads are stored data that every read renders,
/// so their depth must be bounded where they are written.
pub const MAX_REPLY_DEPTH: u16 = 8;

/// Where an existing comment sits in its thread: what a reply to it needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentPlace {
    pub id: CommentId,
    pub thread_id: CommentId,
    pub depth: u16,
}

impl Comment {
    /// A top-level comment (`parent` = `None`) or a reply to `parent` (which the
    /// caller has checked with [`CommentPlace::accepts_reply`]).
    ///
    /// # Errors
    /// `ValidationError` on `body`: `required` or `too_long`.
    pub fn write(
        tenant_id: TenantId,
        task_id: TaskId,
        parent: Option<CommentPlace>,
        author_id: UserId,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationError> {
        let body = body.trim();
        if body.is_empty() {
            return Err(ValidationError::field("body", "required"));
        }
        tenantry_kernel::text::free_text(body, "body", MAX_COMMENT_CHARS)?;
        let id = CommentId::new();
        let (thread_id, depth) = match parent {
            Some(parent) => (parent.thread_id, parent.depth.saturating_add(1)),
            None => (id, 0),
        };
        Ok(Self {
            id,
            tenant_id,
            task_id,
            parent_id: parent.map(|p| p.id),
            thread_id,
            depth,
            author_id,
            body: body.to_owned(),
            created_at: now,
        })
    }

    /// Where this comment sits, for a reply to it.
    pub fn place(&self) -> CommentPlace {
        CommentPlace { id: self.id, thread_id: self.thread_id, depth: self.depth }
    }
}

impl CommentPlace {
    /// Whether this comment may take a reply.
    ///
    /// # Errors
    /// [`super::ProjectsError::ReplyTooDeep`] when the reply would nest past [`MAX_REPLY_DEPTH`].
    pub fn accepts_reply(&self) -> Result<(), super::ProjectsError> {
        if self.depth >= MAX_REPLY_DEPTH {
            Err(super::ProjectsError::ReplyTooDeep)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_entries_are_positive_bounded_minutes_with_optional_notes() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let log = |minutes, note| {
            TimeEntry::log(
                TenantId::new(),
                ProjectId::new(),
                TaskId::new(),
                UserId::new(),
                minutes,
                note,
                day,
                Utc::now(),
            )
        };
        let long_note = "x".repeat(MAX_NOTE_CHARS + 1);
        let error = log(0, Some(long_note.as_str())).unwrap_err();
        let fields: Vec<&str> = error.violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["minutes", "note"]);
        assert!(log(MAX_MINUTES_PER_ENTRY + 1, None).is_err());
        assert_eq!(log(90, Some("  ")).unwrap().note, None);
    }

    #[test]
    fn comments_need_a_body() {
        let write = |body: &str| Comment::write(TenantId::new(), TaskId::new(), None, UserId::new(), body, Utc::now());
        assert_eq!(write("  Looks good  ").unwrap().body, "Looks good");
        assert!(write(" ").is_err());
    }

    #[test]
    fn replies_carry_their_thread_and_stop_at_the_maximum_depth() {
        let (tenant, task) = (TenantId::new(), TaskId::new());
        let root = Comment::write(tenant, task, None, UserId::new(), "root", Utc::now()).unwrap();
        assert_eq!((root.thread_id, root.depth), (root.id, 0));
        let mut last = root.clone();
        for _ in 0..MAX_REPLY_DEPTH {
            last.place().accepts_reply().unwrap();
            last = Comment::write(tenant, task, Some(last.place()), UserId::new(), "reply", Utc::now()).unwrap();
            assert_eq!(last.thread_id, root.id);
        }
        assert_eq!(last.depth, MAX_REPLY_DEPTH);
        assert_eq!(last.place().accepts_reply(), Err(crate::projects::ProjectsError::ReplyTooDeep));
    }
}
