/// Business rules of projects and tasks that input alone cannot break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProjectsError {
    /// The client's copy is older than the stored one (`If-Match` mismatch).
    #[error("the resource changed since you read it")]
    StaleVersion,
    /// Tasks move todo -> in_progress -> done, and back to todo.
    #[error("a task cannot move from {from} to {to}")]
    IllegalTransition { from: &'static str, to: &'static str },
    /// Only project members can be assigned.
    #[error("the assignee is not a member of the project")]
    AssigneeNotMember,
    /// Archived projects take no new tasks.
    #[error("the project is archived")]
    ProjectArchived,
    /// Replies nest at most `MAX_REPLY_DEPTH` levels.
    #[error("replies nest at most {} levels deep", super::MAX_REPLY_DEPTH)]
    ReplyTooDeep,
}
