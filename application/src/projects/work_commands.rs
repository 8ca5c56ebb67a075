//! Work on tasks: time entries and threaded comments.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use std::collections::HashMap;

use tenantry_domain::projects::{Comment, CommentAdded, CommentId, TaskId, TimeEntry, TimeLogged, MAX_REPLY_DEPTH};
use tenantry_kernel::{Clock, ValidationError};

use super::{envelope, task_to_work_on, tenant_of};
use crate::pipeline::{AuditSubject, Authorization, Command, CommandHandler, RequestContext};
use crate::ports::UnitOfWork;
use crate::projects::ports::ProjectRepositories;
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
    repositories: Arc<dyn ProjectRepositories>,
    clock: Arc<dyn Clock>,
}

impl WorkHandler {
    pub fn new(repositories: Arc<dyn ProjectRepositories>, clock: Arc<dyn Clock>) -> Self {
        Self { repositories, clock }
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
        let task = task_to_work_on(self.repositories.as_ref(), context, uow, tenant, command.task_id).await?;
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
        self.repositories.tasks(uow)?.insert_time_entry(&entry).await?;
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
        let task = task_to_work_on(self.repositories.as_ref(), context, uow, tenant, command.task_id).await?;
        let parent = match command.parent_id {
            Some(parent) => match self.repositories.tasks(uow)?.comment_on(tenant, task.id(), parent).await? {
                Some(place) => Ok(Some(place)),
                None => Err(ValidationError::field("parent_id", "not_in_thread")),
            },
            None => Ok(None),
        };
        let comment = match parent {
            Ok(parent) => {
                if let Some(parent) = parent {
                    parent.accepts_reply()?;
                }
                Comment::write(tenant, task.id(), parent, caller, &command.body, now)?
            }
            Err(parent) => {
                let body = Comment::write(tenant, task.id(), None, caller, &command.body, now).map(drop);
                return Err(ValidationError::collect([body, Err(parent)]).err().map_or_else(
                    || AppError::internal(ValidationError::field("parent_id", "invalid")),
                    AppError::from,
                ));
            }
        };
        self.repositories.tasks(uow)?.insert_comment(&comment).await?;
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

/// Builds threads from top-level comments and the replies of their threads (each
/// oldest first), in one pass and without recursion: stored threads may be deeper
/// than the depth a reply can have today, so replies below [`MAX_REPLY_DEPTH`]
/// levels are shown at that level, under their nearest ancestor that is.
pub fn threads(roots: Vec<Comment>, mut replies: Vec<Comment>) -> Vec<CommentThread> {
    // Shallower first: every parent then precedes its replies, whatever order (or
    // clock) the rows came in; siblings stay oldest first.
    replies.sort_by_key(|reply| (reply.depth, reply.created_at, reply.id));
    let root_count = roots.len();
    let comments: Vec<Comment> = roots.into_iter().chain(replies).collect();
    let index: HashMap<CommentId, usize> = comments.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    // Where each comment is shown: under which comment, at which level. A parent
    // always precedes its replies (it existed when they were written).
    let mut shown_under: Vec<Option<usize>> = vec![None; comments.len()];
    let mut level: Vec<u16> = vec![0; comments.len()];
    for (i, comment) in comments.iter().enumerate().skip(root_count) {
        let Some(&parent) = comment.parent_id.as_ref().and_then(|p| index.get(p)).filter(|&&p| p < i) else {
            continue; // a reply whose parent is not in this page: nothing to hang it on
        };
        if level[parent] < MAX_REPLY_DEPTH {
            shown_under[i] = Some(parent);
            level[i] = level[parent] + 1;
        } else {
            shown_under[i] = shown_under[parent];
            level[i] = level[parent];
        }
    }
    let mut nodes: Vec<Option<CommentThread>> =
        comments.into_iter().map(|comment| Some(CommentThread { comment, replies: Vec::new() })).collect();
    // Children come after their parents, so walking backwards hands every node over
    // complete; replies are collected newest first and turned around at the end.
    for i in (root_count..nodes.len()).rev() {
        let Some(parent) = shown_under[i] else { continue };
        if let Some(node) = nodes[i].take() {
            if let Some(parent) = nodes[parent].as_mut() {
                parent.replies.push(node);
            }
        }
    }
    let mut threads: Vec<CommentThread> = nodes.into_iter().take(root_count).flatten().collect();
    let mut pending: Vec<&mut CommentThread> = threads.iter_mut().collect();
    while let Some(thread) = pending.pop() {
        thread.replies.reverse();
        pending.extend(thread.replies.iter_mut());
    }
    threads
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
        uow.tasks.expect_comment_on().returning(|_, _, _| Ok(None));
        let command = AddComment { task_id: id, parent_id: Some(CommentId::new()), body: "+1".into() };
        let error = WorkHandler::new(test_repositories(), fixed_clock())
            .handle(&context(tenant), &command, &mut uow)
            .await
            .unwrap_err();
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
        WorkHandler::new(test_repositories(), fixed_clock())
            .handle(&context(tenant), &command, &mut uow)
            .await
            .unwrap();
        assert_eq!(uow.events[0].event_type, "projects.time_logged");
        assert_eq!(uow.events[0].payload["minutes"], 45);
    }

    #[tokio::test]
    async fn a_reply_past_the_maximum_depth_breaks_a_business_rule() {
        let tenant = TenantId::new();
        let task = task(tenant);
        let id = task.id();
        let mut uow = TestUnitOfWork::default();
        uow.tasks.expect_find().returning(move |_, _| Ok(Some(task.clone())));
        let deepest = tenantry_domain::projects::CommentPlace {
            id: CommentId::new(),
            thread_id: CommentId::new(),
            depth: MAX_REPLY_DEPTH,
        };
        uow.tasks.expect_comment_on().returning(move |_, _, _| Ok(Some(deepest)));
        uow.tasks.expect_insert_comment().never();
        let command = AddComment { task_id: id, parent_id: Some(deepest.id), body: "+1".into() };
        let error = WorkHandler::new(test_repositories(), fixed_clock())
            .handle(&context(tenant), &command, &mut uow)
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::ReplyTooDeep);
        assert!(uow.events.is_empty());
    }

    fn write(tenant: TenantId, task: TaskId, parent: Option<&Comment>, body: &str) -> Comment {
        Comment::write(tenant, task, parent.map(Comment::place), UserId::new(), body, fixed_now()).unwrap()
    }

    #[test]
    fn threads_nest_replies_under_their_parents() {
        let (tenant, task) = (TenantId::new(), TaskId::new());
        let root = write(tenant, task, None, "root");
        let reply = write(tenant, task, Some(&root), "reply");
        let nested = write(tenant, task, Some(&reply), "nested");
        let second = write(tenant, task, Some(&root), "second reply");
        let other = write(tenant, task, None, "other");
        let threads = threads(vec![root, other], vec![reply, nested.clone(), second.clone()]);
        assert_eq!(threads.len(), 2);
        assert_eq!(threads[0].replies.len(), 2);
        assert_eq!(threads[0].replies[0].replies[0].comment, nested);
        assert_eq!(threads[0].replies[1].comment, second);
        assert!(threads[1].replies.is_empty());
    }

    #[test]
    fn a_stored_chain_deeper_than_the_limit_is_shown_flat_at_the_limit() {
        // Threads written before the depth limit can be thousands deep; rendering one
        // must neither recurse on it nor nest it past the limit.
        let (tenant, task) = (TenantId::new(), TaskId::new());
        let root = write(tenant, task, None, "root");
        let mut chain = vec![root.clone()];
        for _ in 0..5_000 {
            let mut reply = write(tenant, task, chain.last(), "reply");
            reply.depth = chain.last().map_or(0, |c| c.depth.saturating_add(1));
            chain.push(reply);
        }
        let replies = chain.split_off(1);
        let threads = threads(chain, replies);
        let mut level = &threads[0];
        let mut depth = 0;
        while let Some(first) = level.replies.first() {
            level = first;
            depth += 1;
        }
        assert_eq!(depth, usize::from(MAX_REPLY_DEPTH));
        assert_eq!(level.comment.body, "reply");
        // Everything below the limit hangs under the deepest shown level's parent.
        let mut parent = &threads[0];
        for _ in 1..MAX_REPLY_DEPTH {
            parent = &parent.replies[0];
        }
        assert_eq!(parent.replies.len(), 5_000 - usize::from(MAX_REPLY_DEPTH) + 1);
    }
}
