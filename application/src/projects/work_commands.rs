//! Work on tasks: time entries and threaded comments.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use tenantry_domain::projects::{Comment, CommentAdded, CommentId, ProjectAction, TaskId, TimeEntry, TimeLogged};
use tenantry_kernel::{Clock, ValidationError};

use super::{envelope, require_project_role, task_not_found, tenant_of};
use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::AppError;

/// Log time on a task, as the caller.
#[derive(Debug, Clone)]
pub struct LogTime {
    pub task_id: TaskId,
    pub minutes: u32,
    pub note: Option<String>,
    pub spent_on: NaiveDate,
}

impl Command for LogTime {
    const NAME: &'static str = "projects.log_time";
    type Output = TimeEntry;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("project:update")
    }

    fn audit_subject(&self, _: &RequestContext, output: &TimeEntry) -> Option<AuditSubject> {
        Some(AuditSubject::new("time_entry", output.id))
    }
}

/// Comment on a task, or reply to one of its comments.
#[derive(Debug, Clone)]
pub struct AddComment {
    pub task_id: TaskId,
    pub parent_id: Option<CommentId>,
    pub body: String,
}

impl Command for AddComment {
    const NAME: &'static str = "projects.add_comment";
    type Output = Comment;

    fn authorization(&self) -> Authorization {
        Authorization::TenantPermission("project:update")
    }

    fn audit_subject(&self, _: &RequestContext, output: &Comment) -> Option<AuditSubject> {
        Some(AuditSubject::new("comment", output.id))
    }
}

pub struct WorkHandler {
    clock: Arc<dyn Clock>,
}

impl WorkHandler {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock }
    }
}

#[async_trait]
impl CommandHandler<LogTime> for WorkHandler {
    /// # Errors
    /// 400 for minutes outside 1..=1440 or an overlong note; 404 for an unknown task.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &LogTime,
        uow: &mut dyn UnitOfWork,
    ) -> Result<TimeEntry, AppError> {
        let caller = context.require_caller()?.user_id;
        let tenant = tenant_of(context)?;
        let now = self.clock.now();
        let task = uow.tasks().find(tenant, command.task_id).await?.ok_or_else(task_not_found)?;
        require_project_role(context, uow, tenant, task.project_id(), ProjectAction::Contribute).await?;
        let entry = TimeEntry::log(
            tenant,
            task.project_id(),
            task.id(),
            caller,
            command.minutes,
            command.note.as_deref(),
            command.spent_on,
            now,
        )?;
        uow.tasks().insert_time_entry(&entry).await?;
        let event = TimeLogged {
            tenant_id: tenant,
            project_id: entry.project_id,
            task_id: entry.task_id,
            time_entry_id: entry.id,
            user_id: caller,
            minutes: entry.minutes,
        };
        uow.record_event(envelope(&event, tenant, context, now)?);
        Ok(entry)
    }
}

#[async_trait]
impl CommandHandler<AddComment> for WorkHandler {
    /// # Errors
    /// 400 for an empty body or a parent that is not a comment of this task; 404 for
    /// an unknown task.
    async fn handle(
        &self,
        context: &RequestContext,
        command: &AddComment,
        uow: &mut dyn UnitOfWork,
    ) -> Result<Comment, AppError> {
        let caller = context.require_caller()?.user_id;
        let tenant = tenant_of(context)?;
        let now = self.clock.now();
        let task = uow.tasks().find(tenant, command.task_id).await?.ok_or_else(task_not_found)?;
        require_project_role(context, uow, tenant, task.project_id(), ProjectAction::Contribute).await?;
        let comment = Comment::write(tenant, task.id(), command.parent_id, caller, &command.body, now);
        let parent = match command.parent_id {
            Some(parent) if !uow.tasks().comment_on(tenant, task.id(), parent).await? => {
                Err(ValidationError::field("parent_id", "not_in_thread"))
            }
            _ => Ok(()),
        };
        let comment = match (comment, parent) {
            (Ok(comment), Ok(())) => comment,
            (comment, parent) => {
                return Err(ValidationError::collect([comment.map(drop), parent])
                    .err()
                    .map_or_else(|| AppError::internal(ValidationError::field("body", "invalid")), AppError::from))
            }
        };
        uow.tasks().insert_comment(&comment).await?;
        let event = CommentAdded {
            tenant_id: tenant,
            project_id: task.project_id(),
            task_id: task.id(),
            comment_id: comment.id,
            parent_id: comment.parent_id,
            author_id: caller,
            task_assignee_id: task.assignee_id(),
        };
        uow.record_event(envelope(&event, tenant, context, now)?);
        Ok(comment)
    }
}

/// A comment with its replies, as a thread is read.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentThread {
    pub comment: Comment,
    pub replies: Vec<CommentThread>,
}

/// Builds the threads of a task from its comments (oldest first at every level).
pub fn threads(comments: Vec<Comment>) -> Vec<CommentThread> {
    fn children(parent: Option<CommentId>, all: &[Comment]) -> Vec<CommentThread> {
        all.iter()
            .filter(|c| c.parent_id == parent)
            .map(|c| CommentThread { comment: c.clone(), replies: children(Some(c.id), all) })
            .collect()
    }
    children(None, &comments)
}

#[cfg(test)]
mod tests {
    use tenantry_domain::projects::{ProjectId, Task, TaskTitle};
    use tenantry_kernel::{SessionId, TenantId, UserId};

    use super::*;
    use crate::identity::test_support::*;
    use crate::pipeline::Principal;
    use crate::ErrorCode;

    /// An organization owner, as the pipeline hands the context over after authorizing.
    fn context(tenant: TenantId) -> RequestContext {
        RequestContext {
            principal: Some(Principal::session(UserId::new(), SessionId::new())),
            tenant_id: Some(tenant),
            ..RequestContext::default()
        }
        .authorized_as("owner")
    }

    fn task(tenant: TenantId) -> Task {
        let title = TaskTitle::parse("t").unwrap();
        Task::create(tenant, ProjectId::new(), title, None, None, None, None, UserId::new(), fixed_now()).0
    }

    #[tokio::test]
    async fn a_reply_must_belong_to_the_same_task() {
        let tenant = TenantId::new();
        let task = task(tenant);
        let id = task.id();
        let mut uow = TestUnitOfWork::default();
        uow.tasks.expect_find().returning(move |_, _| Ok(Some(task.clone())));
        uow.tasks.expect_comment_on().returning(|_, _, _| Ok(false));
        let command = AddComment { task_id: id, parent_id: Some(CommentId::new()), body: "+1".into() };
        let error = WorkHandler::new(fixed_clock()).handle(&context(tenant), &command, &mut uow).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::ValidationFailed);
        assert_eq!(error.details()[0].field, "parent_id");
    }

    #[tokio::test]
    async fn logged_time_is_stored_and_announced_for_the_summary() {
        let tenant = TenantId::new();
        let task = task(tenant);
        let id = task.id();
        let mut uow = TestUnitOfWork::default();
        uow.tasks.expect_find().returning(move |_, _| Ok(Some(task.clone())));
        uow.tasks.expect_insert_time_entry().withf(|e| e.minutes == 45).times(1).returning(|_| Ok(()));
        let command = LogTime { task_id: id, minutes: 45, note: None, spent_on: fixed_now().date_naive() };
        WorkHandler::new(fixed_clock()).handle(&context(tenant), &command, &mut uow).await.unwrap();
        assert_eq!(uow.events[0].event_type, "projects.time_logged");
        assert_eq!(uow.events[0].payload["minutes"], 45);
    }

    #[test]
    fn threads_nest_replies_under_their_parents() {
        let (tenant, task) = (TenantId::new(), tenantry_domain::projects::TaskId::new());
        let write =
            |parent, body: &str| Comment::write(tenant, task, parent, UserId::new(), body, fixed_now()).unwrap();
        let root = write(None, "root");
        let reply = write(Some(root.id), "reply");
        let nested = write(Some(reply.id), "nested");
        let other = write(None, "other");
        let threads = threads(vec![root.clone(), reply.clone(), nested.clone(), other.clone()]);
        assert_eq!(threads.len(), 2);
        assert_eq!(threads[0].replies[0].replies[0].comment, nested);
        assert!(threads[1].replies.is_empty());
    }
}
