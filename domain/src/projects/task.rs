use chrono::{DateTime, NaiveDate, Utc};
use tenantry_kernel::{Revision, TenantId, UserId, ValidationError};

use super::{ProjectId, ProjectsError, TaskAssigned, TaskCreated, TaskStatusChanged};

tenantry_kernel::typed_id!(
    /// A task of a project.
    TaskId
);

/// A task's title: 1..=300 characters, one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTitle(String);

impl TaskTitle {
    /// # Errors
    /// `ValidationError` on field `title`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        tenantry_kernel::text::single_line(raw, "title", 300).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a task stands. It moves todo -> in_progress -> done, and any started or
/// finished task can go back to todo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    Todo,
    InProgress,
    Done,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 3] = [TaskStatus::Todo, TaskStatus::InProgress, TaskStatus::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Todo => "todo",
            Self::InProgress => "in_progress",
            Self::Done => "done",
        }
    }

    /// # Errors
    /// `ValidationError` on field `status`: `invalid`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| ValidationError::field("status", "invalid"))
    }

    pub fn can_move_to(self, to: TaskStatus) -> bool {
        matches!(
            (self, to),
            (Self::Todo, Self::InProgress)
                | (Self::InProgress, Self::Done)
                | (Self::InProgress | Self::Done, Self::Todo)
        )
    }
}

/// The most a task may be estimated at: a year of working minutes is plenty.
pub const MAX_ESTIMATE_MINUTES: u32 = 60 * 24 * 365;

/// The fields a task update may change (`Some(None)` clears an optional field).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskChanges {
    pub title: Option<TaskTitle>,
    pub description: Option<Option<String>>,
    pub due_date: Option<Option<NaiveDate>>,
    pub estimate_minutes: Option<Option<u32>>,
}

/// A unit of work in a project.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    id: TaskId,
    tenant_id: TenantId,
    project_id: ProjectId,
    title: TaskTitle,
    description: Option<String>,
    status: TaskStatus,
    assignee_id: Option<UserId>,
    due_date: Option<NaiveDate>,
    estimate_minutes: Option<u32>,
    created_by: UserId,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    revision: Revision,
}

/// Checks an estimate: positive and at most [`MAX_ESTIMATE_MINUTES`].
///
/// # Errors
/// `ValidationError` on field `estimate_minutes`: `out_of_range`.
pub fn check_estimate(minutes: Option<u32>) -> Result<Option<u32>, ValidationError> {
    match minutes {
        Some(m) if m == 0 || m > MAX_ESTIMATE_MINUTES => {
            Err(ValidationError::field("estimate_minutes", "out_of_range"))
        }
        other => Ok(other),
    }
}

impl Task {
    /// A new task in `todo`, at version 1 whether or not it starts assigned.
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        tenant_id: TenantId,
        project_id: ProjectId,
        title: TaskTitle,
        description: Option<String>,
        assignee_id: Option<UserId>,
        due_date: Option<NaiveDate>,
        estimate_minutes: Option<u32>,
        created_by: UserId,
        now: DateTime<Utc>,
    ) -> (Self, TaskCreated, Option<TaskAssigned>) {
        let task = Self {
            id: TaskId::new(),
            tenant_id,
            project_id,
            title,
            description,
            status: TaskStatus::Todo,
            assignee_id,
            due_date,
            estimate_minutes,
            created_by,
            created_at: now,
            updated_at: now,
            revision: Revision::first(),
        };
        let event = TaskCreated {
            tenant_id,
            project_id,
            task_id: task.id,
            title: task.title.as_str().to_owned(),
            status: task.status.as_str(),
            estimate_minutes,
            created_by,
        };
        let assigned = assignee_id.map(|assignee_id| TaskAssigned {
            tenant_id,
            project_id,
            task_id: task.id,
            assignee_id,
            assigned_by: created_by,
        });
        (task, event, assigned)
    }

    /// Rebuilds a task from storage; only adapters call this.
    #[allow(clippy::too_many_arguments)]
    pub fn restore(
        id: TaskId,
        tenant_id: TenantId,
        project_id: ProjectId,
        title: TaskTitle,
        description: Option<String>,
        status: TaskStatus,
        assignee_id: Option<UserId>,
        due_date: Option<NaiveDate>,
        estimate_minutes: Option<u32>,
        created_by: UserId,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
        version: i64,
    ) -> Self {
        Self {
            id,
            tenant_id,
            project_id,
            title,
            description,
            status,
            assignee_id,
            due_date,
            estimate_minutes,
            created_by,
            created_at,
            updated_at,
            revision: Revision::loaded(version),
        }
    }

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
    pub fn apply(&mut self, changes: TaskChanges, now: DateTime<Utc>) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if let Some(title) = changes.title.filter(|t| *t != self.title) {
            self.title = title;
            changed.push("title");
        }
        if let Some(description) = changes.description.filter(|d| *d != self.description) {
            self.description = description;
            changed.push("description");
        }
        if let Some(due_date) = changes.due_date.filter(|d| *d != self.due_date) {
            self.due_date = due_date;
            changed.push("due_date");
        }
        if let Some(estimate) = changes.estimate_minutes.filter(|e| *e != self.estimate_minutes) {
            self.estimate_minutes = estimate;
            changed.push("estimate_minutes");
        }
        if !changed.is_empty() {
            self.touch(now);
        }
        changed
    }

    /// Moves the task; `Ok(None)` when it already has that status.
    ///
    /// # Errors
    /// `IllegalTransition` for a move the state machine does not allow.
    pub fn move_to(&mut self, to: TaskStatus, now: DateTime<Utc>) -> Result<Option<TaskStatusChanged>, ProjectsError> {
        if to == self.status {
            return Ok(None);
        }
        if !self.status.can_move_to(to) {
            return Err(ProjectsError::IllegalTransition { from: self.status.as_str(), to: to.as_str() });
        }
        let from = self.status;
        self.status = to;
        self.touch(now);
        Ok(Some(TaskStatusChanged {
            tenant_id: self.tenant_id,
            project_id: self.project_id,
            task_id: self.id,
            from: from.as_str(),
            to: to.as_str(),
        }))
    }

    /// Assigns the task (the caller checked the assignee is a project member);
    /// `None` when nothing changed or the assignment was cleared.
    pub fn assign(&mut self, assignee: Option<UserId>, by: UserId, now: DateTime<Utc>) -> Option<TaskAssigned> {
        if assignee == self.assignee_id {
            return None;
        }
        self.assignee_id = assignee;
        self.touch(now);
        assignee.map(|assignee_id| TaskAssigned {
            tenant_id: self.tenant_id,
            project_id: self.project_id,
            task_id: self.id,
            assignee_id,
            assigned_by: by,
        })
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
        self.revision.step();
    }

    pub fn id(&self) -> TaskId {
        self.id
    }
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }
    pub fn project_id(&self) -> ProjectId {
        self.project_id
    }
    pub fn title(&self) -> &TaskTitle {
        &self.title
    }
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    pub fn status(&self) -> TaskStatus {
        self.status
    }
    pub fn assignee_id(&self) -> Option<UserId> {
        self.assignee_id
    }
    pub fn due_date(&self) -> Option<NaiveDate> {
        self.due_date
    }
    pub fn estimate_minutes(&self) -> Option<u32> {
        self.estimate_minutes
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
    /// Optimistic-concurrency version: the `ETag` of the task.
    pub fn version(&self) -> i64 {
        self.revision.value()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn task() -> Task {
        let title = TaskTitle::parse("Write the spec").unwrap();
        Task::create(TenantId::new(), ProjectId::new(), title, None, None, None, Some(90), UserId::new(), Utc::now()).0
    }

    #[test]
    fn the_state_machine_allows_forward_steps_and_going_back_to_todo() {
        let mut task = task();
        assert!(task.move_to(TaskStatus::Done, Utc::now()).is_err(), "todo cannot jump to done");
        assert!(task.move_to(TaskStatus::InProgress, Utc::now()).unwrap().is_some());
        assert!(task.move_to(TaskStatus::Done, Utc::now()).unwrap().is_some());
        assert_eq!(
            task.move_to(TaskStatus::InProgress, Utc::now()),
            Err(ProjectsError::IllegalTransition { from: "done", to: "in_progress" })
        );
        let back = task.move_to(TaskStatus::Todo, Utc::now()).unwrap().unwrap();
        assert_eq!((back.from, back.to), ("done", "todo"));
        assert_eq!(task.move_to(TaskStatus::Todo, Utc::now()), Ok(None), "staying put is no move");
    }

    #[test]
    fn a_task_created_assigned_starts_at_version_one_and_announces_it() {
        let title = TaskTitle::parse("t").unwrap();
        let bob = UserId::new();
        let (task, _, assigned) = Task::create(
            TenantId::new(),
            ProjectId::new(),
            title,
            None,
            Some(bob),
            None,
            None,
            UserId::new(),
            Utc::now(),
        );
        assert_eq!((task.version(), task.assignee_id()), (1, Some(bob)));
        assert_eq!(assigned.map(|e| e.assignee_id), Some(bob));
    }

    #[test]
    fn assigning_announces_the_assignee_once() {
        let mut task = task();
        let (alice, boss) = (UserId::new(), UserId::new());
        assert_eq!(task.assign(Some(alice), boss, Utc::now()).map(|e| e.assignee_id), Some(alice));
        assert!(task.assign(Some(alice), boss, Utc::now()).is_none());
        assert!(task.assign(None, boss, Utc::now()).is_none());
        assert_eq!(task.assignee_id(), None);
    }

    #[test]
    fn estimates_are_positive_and_bounded() {
        assert_eq!(check_estimate(Some(30)), Ok(Some(30)));
        assert_eq!(check_estimate(None), Ok(None));
        assert!(check_estimate(Some(0)).is_err());
        assert!(check_estimate(Some(MAX_ESTIMATE_MINUTES + 1)).is_err());
    }

    proptest! {
        /// Whatever sequence of moves is tried, the task only ever takes allowed steps.
        #[test]
        fn every_accepted_move_is_an_allowed_edge(moves in proptest::collection::vec(0usize..3, 0..30)) {
            let mut task = task();
            for index in moves {
                let to = TaskStatus::ALL[index];
                let from = task.status();
                match task.move_to(to, Utc::now()) {
                    Ok(Some(event)) => prop_assert!(from.can_move_to(to) && event.to == to.as_str()),
                    Ok(None) => prop_assert_eq!(from, to),
                    Err(_) => prop_assert!(!from.can_move_to(to) && task.status() == from),
                }
            }
        }
    }
}
