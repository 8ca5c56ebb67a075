//! Projects and tasks (seed 004 project-management schema): tenant-scoped projects
//! with a budget and members, and tasks that move through a small state machine.

mod errors;
mod events;
mod money;
mod project;
mod task;
mod work;

pub use errors::ProjectsError;
pub use events::{
    CommentAdded, ProjectCreated, ProjectDeleted, ProjectUpdated, TaskAssigned, TaskCreated, TaskEstimateChanged,
    TaskStatusChanged, TimeLogged,
};
pub use money::{Currency, Money};
pub use project::{Project, ProjectAction, ProjectChanges, ProjectId, ProjectName, ProjectRole, ProjectStatus};
pub use task::{check_estimate, Task, TaskChanges, TaskId, TaskStatus, TaskTitle, MAX_ESTIMATE_MINUTES};
pub use work::{
    Comment, CommentId, CommentPlace, TimeEntry, TimeEntryId, MAX_COMMENT_CHARS, MAX_MINUTES_PER_ENTRY, MAX_NOTE_CHARS,
    MAX_REPLY_DEPTH,
};

/// Free text of projects and tasks is bounded so a single row stays small.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;

/// An optional description: trimmed, empty means none, at most [`MAX_DESCRIPTION_CHARS`].
///
/// # Errors
/// `ValidationError` on field `description`: `too_long` or `invalid_characters`.
pub fn parse_description(raw: Option<&str>) -> Result<Option<String>, tenantry_kernel::ValidationError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => {
            tenantry_kernel::text::free_text(text, "description", MAX_DESCRIPTION_CHARS)?;
            Ok(Some(text.to_owned()))
        }
    }
}
