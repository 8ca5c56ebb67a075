/// Projects adapters for one backend: project and task repositories (on the unit
/// of work) and the read-side queries (on the pool). Every statement filters by
/// `tenant_id` first; soft-deleted projects (and their tasks) are invisible.
macro_rules! projects {
    ($db:ty, $uow:ty, $lock:literal, $begin:literal) => {
        use async_trait::async_trait;
        use chrono::{DateTime, NaiveDate, Utc};
        use sqlx::Row;
        use tenantry_application::ports::{DataScope, ListQuery, RepositoryError};
        use tenantry_application::projects::ports::{CommentPage, ProjectFilter, ProjectMemberView, ProjectQueries, ProjectRepository, ProjectSummaryStore, TaskFilter, TaskRepository};
        use tenantry_application::projects::{ProjectSummary, SummaryChange};
        use tenantry_domain::projects::{
            Comment, CommentId, CommentPlace, Money, Project, ProjectId, ProjectName, ProjectRole, ProjectStatus, Task, TaskId, TaskStatus,
            TaskTitle, TimeEntry, TimeEntryId,
        };
        use tenantry_kernel::{EventId, Page, PageRequest, TenantId, UserId};

        use crate::sql::{corrupt, storage_error};

        type DbRow = <$db as sqlx::Database>::Row;

        const PROJECT_COLUMNS: &str = "id, tenant_id, name, description, status, budget_amount_minor, budget_currency, \
             owner_id, created_at, updated_at, deleted_at, version";
        const TASK_COLUMNS: &str = "t.id, t.tenant_id, t.project_id, t.title, t.description, t.status, t.assignee_id, \
             t.due_date, t.estimate_minutes, t.created_by, t.created_at, t.updated_at, t.version";

        fn project_from_row(row: &DbRow) -> Result<Project, RepositoryError> {
            let name: String = row.try_get("name").map_err(storage_error)?;
            let status: String = row.try_get("status").map_err(storage_error)?;
            let amount: Option<i64> = row.try_get("budget_amount_minor").map_err(storage_error)?;
            let currency: Option<String> = row.try_get("budget_currency").map_err(storage_error)?;
            let budget = match (amount, currency) {
                (Some(amount), Some(currency)) => Some(Money::parse(amount, &currency).map_err(corrupt("budget"))?),
                _ => None,
            };
            Ok(Project::restore(
                ProjectId::from_uuid(row.try_get("id").map_err(storage_error)?),
                TenantId::from_uuid(row.try_get("tenant_id").map_err(storage_error)?),
                ProjectName::parse(&name).map_err(corrupt("project name"))?,
                row.try_get("description").map_err(storage_error)?,
                ProjectStatus::parse(&status).map_err(corrupt("project status"))?,
                budget,
                UserId::from_uuid(row.try_get("owner_id").map_err(storage_error)?),
                row.try_get("created_at").map_err(storage_error)?,
                row.try_get("updated_at").map_err(storage_error)?,
                row.try_get("deleted_at").map_err(storage_error)?,
                row.try_get("version").map_err(storage_error)?,
            ))
        }

        fn task_from_row(row: &DbRow) -> Result<Task, RepositoryError> {
            let title: String = row.try_get("title").map_err(storage_error)?;
            let status: String = row.try_get("status").map_err(storage_error)?;
            let assignee: Option<uuid::Uuid> = row.try_get("assignee_id").map_err(storage_error)?;
            let estimate: Option<i32> = row.try_get("estimate_minutes").map_err(storage_error)?;
            let due_date: Option<NaiveDate> = row.try_get("due_date").map_err(storage_error)?;
            Ok(Task::restore(
                TaskId::from_uuid(row.try_get("id").map_err(storage_error)?),
                TenantId::from_uuid(row.try_get("tenant_id").map_err(storage_error)?),
                ProjectId::from_uuid(row.try_get("project_id").map_err(storage_error)?),
                TaskTitle::parse(&title).map_err(corrupt("task title"))?,
                row.try_get("description").map_err(storage_error)?,
                TaskStatus::parse(&status).map_err(corrupt("task status"))?,
                assignee.map(UserId::from_uuid),
                due_date,
                estimate.and_then(|m| u32::try_from(m).ok()),
                UserId::from_uuid(row.try_get("created_by").map_err(storage_error)?),
                row.try_get("created_at").map_err(storage_error)?,
                row.try_get("updated_at").map_err(storage_error)?,
                row.try_get("version").map_err(storage_error)?,
            ))
        }

        fn time_entry_from_row(row: &DbRow) -> Result<TimeEntry, RepositoryError> {
            let minutes: i32 = row.try_get("minutes").map_err(storage_error)?;
            Ok(TimeEntry {
                id: TimeEntryId::from_uuid(row.try_get("id").map_err(storage_error)?),
                tenant_id: TenantId::from_uuid(row.try_get("tenant_id").map_err(storage_error)?),
                project_id: ProjectId::from_uuid(row.try_get("project_id").map_err(storage_error)?),
                task_id: TaskId::from_uuid(row.try_get("task_id").map_err(storage_error)?),
                user_id: UserId::from_uuid(row.try_get("user_id").map_err(storage_error)?),
                minutes: u32::try_from(minutes).unwrap_or_default(),
                note: row.try_get("note").map_err(storage_error)?,
                spent_on: row.try_get("spent_on").map_err(storage_error)?,
                created_at: row.try_get("created_at").map_err(storage_error)?,
            })
        }

        const COMMENT_COLUMNS: &str = "id, tenant_id, task_id, parent_id, thread_id, depth, author_id, body, created_at";

        fn comment_from_row(row: &DbRow) -> Result<Comment, RepositoryError> {
            let parent: Option<uuid::Uuid> = row.try_get("parent_id").map_err(storage_error)?;
            let depth: i32 = row.try_get("depth").map_err(storage_error)?;
            Ok(Comment {
                id: CommentId::from_uuid(row.try_get("id").map_err(storage_error)?),
                tenant_id: TenantId::from_uuid(row.try_get("tenant_id").map_err(storage_error)?),
                task_id: TaskId::from_uuid(row.try_get("task_id").map_err(storage_error)?),
                parent_id: parent.map(CommentId::from_uuid),
                thread_id: CommentId::from_uuid(row.try_get("thread_id").map_err(storage_error)?),
                // Threads stored before replies were bounded can be deeper than u16.
                depth: u16::try_from(depth).unwrap_or(u16::MAX),
                author_id: UserId::from_uuid(row.try_get("author_id").map_err(storage_error)?),
                body: row.try_get("body").map_err(storage_error)?,
                created_at: row.try_get("created_at").map_err(storage_error)?,
            })
        }

        fn estimate_column(task: &Task) -> Option<i32> {
            task.estimate_minutes().and_then(|m| i32::try_from(m).ok())
        }

        #[async_trait]
        impl ProjectRepository for $uow {
            async fn insert(&mut self, project: &Project) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO projects (id, tenant_id, name, description, status, budget_amount_minor, budget_currency, \
                     owner_id, created_at, updated_at, deleted_at, version) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(project.id().as_uuid())
                .bind(project.tenant_id().as_uuid())
                .bind(project.name().as_str())
                .bind(project.description())
                .bind(project.status().as_str())
                .bind(project.budget().map(|b| b.amount_minor))
                .bind(project.budget().map(|b| b.currency.as_str().to_owned()))
                .bind(project.owner_id().as_uuid())
                .bind(project.created_at())
                .bind(project.updated_at())
                .bind(project.deleted_at())
                .bind(project.version())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn update(&mut self, project: &Project) -> Result<(), RepositoryError> {
                let result = sqlx::query(
                    "UPDATE projects SET name = $3, description = $4, status = $5, budget_amount_minor = $6, \
                     budget_currency = $7, updated_at = $8, deleted_at = $9, version = $10 \
                     WHERE tenant_id = $1 AND id = $2 AND version = $11",
                )
                .bind(project.tenant_id().as_uuid())
                .bind(project.id().as_uuid())
                .bind(project.name().as_str())
                .bind(project.description())
                .bind(project.status().as_str())
                .bind(project.budget().map(|b| b.amount_minor))
                .bind(project.budget().map(|b| b.currency.as_str().to_owned()))
                .bind(project.updated_at())
                .bind(project.deleted_at())
                .bind(project.version())
                .bind(project.version() - 1)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                crate::sql::stale_unless_one(result.rows_affected())
            }

            async fn find(&mut self, tenant: TenantId, id: ProjectId) -> Result<Option<Project>, RepositoryError> {
                let sql = format!(
                    "SELECT {PROJECT_COLUMNS} FROM projects WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL{}",
                    $lock
                );
                let row = sqlx::query(&sql)
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(project_from_row).transpose()
            }

            async fn add_member(
                &mut self,
                tenant: TenantId,
                project: ProjectId,
                user: UserId,
                role: ProjectRole,
                now: DateTime<Utc>,
            ) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO project_members (project_id, tenant_id, user_id, role, added_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role",
                )
                .bind(project.as_uuid())
                .bind(tenant.as_uuid())
                .bind(user.as_uuid())
                .bind(role.as_str())
                .bind(now)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn member_role(
                &mut self,
                tenant: TenantId,
                project: ProjectId,
                user: UserId,
            ) -> Result<Option<ProjectRole>, RepositoryError> {
                let role: Option<String> = sqlx::query_scalar(
                    "SELECT role FROM project_members WHERE tenant_id = $1 AND project_id = $2 AND user_id = $3",
                )
                .bind(tenant.as_uuid())
                .bind(project.as_uuid())
                .bind(user.as_uuid())
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                role.map(|r| ProjectRole::parse(&r).map_err(corrupt("project role"))).transpose()
            }

            async fn remove_member_everywhere(
                &mut self,
                tenant: TenantId,
                user: UserId,
                now: DateTime<Utc>,
            ) -> Result<(), RepositoryError> {
                sqlx::query("DELETE FROM project_members WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant.as_uuid())
                    .bind(user.as_uuid())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                // Done tasks keep their assignee: it records who did the work.
                sqlx::query(
                    "UPDATE tasks SET assignee_id = NULL, updated_at = $3, version = version + 1 \
                     WHERE tenant_id = $1 AND assignee_id = $2 AND status <> 'done'",
                )
                .bind(tenant.as_uuid())
                .bind(user.as_uuid())
                .bind(now)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }
        }

        #[async_trait]
        impl TaskRepository for $uow {
            async fn insert(&mut self, task: &Task) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO tasks (id, tenant_id, project_id, title, description, status, assignee_id, due_date, \
                     estimate_minutes, created_by, created_at, updated_at, version) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                )
                .bind(task.id().as_uuid())
                .bind(task.tenant_id().as_uuid())
                .bind(task.project_id().as_uuid())
                .bind(task.title().as_str())
                .bind(task.description())
                .bind(task.status().as_str())
                .bind(task.assignee_id().map(|u| u.as_uuid()))
                .bind(task.due_date())
                .bind(estimate_column(task))
                .bind(task.created_by().as_uuid())
                .bind(task.created_at())
                .bind(task.updated_at())
                .bind(task.version())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn update(&mut self, task: &Task) -> Result<(), RepositoryError> {
                let result = sqlx::query(
                    "UPDATE tasks SET title = $3, description = $4, status = $5, assignee_id = $6, due_date = $7, \
                     estimate_minutes = $8, updated_at = $9, version = $10 \
                     WHERE tenant_id = $1 AND id = $2 AND version = $11",
                )
                .bind(task.tenant_id().as_uuid())
                .bind(task.id().as_uuid())
                .bind(task.title().as_str())
                .bind(task.description())
                .bind(task.status().as_str())
                .bind(task.assignee_id().map(|u| u.as_uuid()))
                .bind(task.due_date())
                .bind(estimate_column(task))
                .bind(task.updated_at())
                .bind(task.version())
                .bind(task.version() - 1)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                crate::sql::stale_unless_one(result.rows_affected())
            }

            async fn find(&mut self, tenant: TenantId, id: TaskId) -> Result<Option<Task>, RepositoryError> {
                let sql = format!(
                    "SELECT {TASK_COLUMNS} FROM tasks t JOIN projects p ON p.id = t.project_id AND p.tenant_id = t.tenant_id \
                     WHERE t.tenant_id = $1 AND t.id = $2 AND p.deleted_at IS NULL{}",
                    $lock
                );
                let row = sqlx::query(&sql)
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(task_from_row).transpose()
            }

            async fn insert_time_entry(&mut self, entry: &TimeEntry) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO time_entries (id, tenant_id, project_id, task_id, user_id, minutes, note, spent_on, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(entry.id.as_uuid())
                .bind(entry.tenant_id.as_uuid())
                .bind(entry.project_id.as_uuid())
                .bind(entry.task_id.as_uuid())
                .bind(entry.user_id.as_uuid())
                .bind(i32::try_from(entry.minutes).unwrap_or(i32::MAX))
                .bind(entry.note.as_deref())
                .bind(entry.spent_on)
                .bind(entry.created_at)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn insert_comment(&mut self, comment: &Comment) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO task_comments (id, tenant_id, task_id, parent_id, thread_id, depth, author_id, body, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(comment.id.as_uuid())
                .bind(comment.tenant_id.as_uuid())
                .bind(comment.task_id.as_uuid())
                .bind(comment.parent_id.map(|p| p.as_uuid()))
                .bind(comment.thread_id.as_uuid())
                .bind(i32::from(comment.depth))
                .bind(comment.author_id.as_uuid())
                .bind(&comment.body)
                .bind(comment.created_at)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn comment_on(
                &mut self,
                tenant: TenantId,
                task: TaskId,
                comment: CommentId,
            ) -> Result<Option<CommentPlace>, RepositoryError> {
                let row = sqlx::query(
                    "SELECT id, thread_id, depth FROM task_comments WHERE tenant_id = $1 AND task_id = $2 AND id = $3",
                )
                .bind(tenant.as_uuid())
                .bind(task.as_uuid())
                .bind(comment.as_uuid())
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                row.map(|row| {
                    let depth: i32 = row.try_get("depth").map_err(storage_error)?;
                    Ok(CommentPlace {
                        id: CommentId::from_uuid(row.try_get("id").map_err(storage_error)?),
                        thread_id: CommentId::from_uuid(row.try_get("thread_id").map_err(storage_error)?),
                        depth: u16::try_from(depth).unwrap_or(u16::MAX),
                    })
                })
                .transpose()
            }
        }

        /// Projects read side, straight from the pool.
        #[derive(Clone)]
        pub struct SqlProjectQueries {
            pool: sqlx::Pool<$db>,
        }

        impl SqlProjectQueries {
            pub fn new(pool: sqlx::Pool<$db>) -> Self {
                Self { pool }
            }
        }

        #[async_trait]
        impl ProjectQueries for SqlProjectQueries {
            async fn project(&self, tenant: TenantId, id: ProjectId) -> Result<Option<Project>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let sql = format!(
                    "SELECT {PROJECT_COLUMNS} FROM projects WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL"
                );
                let row = sqlx::query(&sql)
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(project_from_row).transpose()
            }

            async fn projects(
                &self,
                tenant: TenantId,
                filter: &ProjectFilter,
                query: &ListQuery,
            ) -> Result<Page<Project>, RepositoryError> {
                // Only columns from this list reach the SQL text.
                let column = match query.sort_by {
                    "name" => "name",
                    "updated_at" => "updated_at",
                    _ => "created_at",
                };
                let conditions = |builder: &mut sqlx::QueryBuilder<'_, $db>| {
                    builder.push(" WHERE tenant_id = ").push_bind(tenant.as_uuid()).push(" AND deleted_at IS NULL");
                    if let Some(status) = filter.status {
                        builder.push(" AND status = ").push_bind(status.as_str());
                    }
                };
                let from = format!("{PROJECT_COLUMNS} FROM projects");
                let order = format!("{column} {dir}, id {dir}", dir = crate::sql::direction(query.order));
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                super::page_of(&mut tx, &from, "FROM projects", &conditions, &order, query.page, project_from_row).await
            }

            async fn members(
                &self,
                tenant: TenantId,
                project: ProjectId,
            ) -> Result<Vec<ProjectMemberView>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let rows = sqlx::query(
                    "SELECT user_id, role, added_at FROM project_members WHERE tenant_id = $1 AND project_id = $2 \
                     ORDER BY added_at, user_id",
                )
                .bind(tenant.as_uuid())
                .bind(project.as_uuid())
                .fetch_all(&mut *tx)
                .await
                .map_err(storage_error)?;
                rows.iter()
                    .map(|row| {
                        let role: String = row.try_get("role").map_err(storage_error)?;
                        Ok(ProjectMemberView {
                            user_id: UserId::from_uuid(row.try_get("user_id").map_err(storage_error)?),
                            role: ProjectRole::parse(&role).map_err(corrupt("project role"))?,
                            added_at: row.try_get("added_at").map_err(storage_error)?,
                        })
                    })
                    .collect()
            }

            async fn task(&self, tenant: TenantId, id: TaskId) -> Result<Option<Task>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let sql = format!(
                    "SELECT {TASK_COLUMNS} FROM tasks t JOIN projects p ON p.id = t.project_id AND p.tenant_id = t.tenant_id \
                     WHERE t.tenant_id = $1 AND t.id = $2 AND p.deleted_at IS NULL"
                );
                let row = sqlx::query(&sql)
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(task_from_row).transpose()
            }

            async fn time_entries(&self, tenant: TenantId, task: TaskId) -> Result<Vec<TimeEntry>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let rows = sqlx::query(
                    "SELECT id, tenant_id, project_id, task_id, user_id, minutes, note, spent_on, created_at FROM time_entries \
                     WHERE tenant_id = $1 AND task_id = $2 ORDER BY spent_on, created_at, id",
                )
                .bind(tenant.as_uuid())
                .bind(task.as_uuid())
                .fetch_all(&mut *tx)
                .await
                .map_err(storage_error)?;
                rows.iter().map(time_entry_from_row).collect()
            }

            async fn comments(
                &self,
                tenant: TenantId,
                task: TaskId,
                page: PageRequest,
            ) -> Result<CommentPage, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let (size, offset) = (i64::from(page.size()), i64::try_from(page.offset()).unwrap_or(i64::MAX));
                let roots = sqlx::query(&format!(
                    "SELECT {COMMENT_COLUMNS} FROM task_comments \
                     WHERE tenant_id = $1 AND task_id = $2 AND parent_id IS NULL ORDER BY created_at, id LIMIT $3 OFFSET $4"
                ))
                .bind(tenant.as_uuid())
                .bind(task.as_uuid())
                .bind(size)
                .bind(offset)
                .fetch_all(&mut *tx)
                .await
                .map_err(storage_error)?;
                let roots: Vec<Comment> = roots.iter().map(comment_from_row).collect::<Result<_, _>>()?;
                // The replies of exactly the threads just read (at most a page of ids).
                let replies = if roots.is_empty() {
                    Vec::new()
                } else {
                    let mut select = sqlx::QueryBuilder::<$db>::new(format!("SELECT {COMMENT_COLUMNS} FROM task_comments WHERE tenant_id = "));
                    select.push_bind(tenant.as_uuid()).push(" AND task_id = ").push_bind(task.as_uuid());
                    select.push(" AND parent_id IS NOT NULL AND thread_id IN (");
                    let mut ids = select.separated(", ");
                    for root in &roots {
                        ids.push_bind(root.id.as_uuid());
                    }
                    select.push(") ORDER BY depth, created_at, id");
                    select.build().fetch_all(&mut *tx).await.map_err(storage_error)?
                };
                let total: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM task_comments WHERE tenant_id = $1 AND task_id = $2 AND parent_id IS NULL",
                )
                .bind(tenant.as_uuid())
                .bind(task.as_uuid())
                .fetch_one(&mut *tx)
                .await
                .map_err(storage_error)?;
                Ok(CommentPage {
                    threads: Page::new(roots, page, u64::try_from(total).unwrap_or_default()),
                    replies: replies.iter().map(comment_from_row).collect::<Result<_, _>>()?,
                })
            }

            async fn tasks(
                &self,
                tenant: TenantId,
                project: ProjectId,
                filter: &TaskFilter,
                query: &ListQuery,
            ) -> Result<Option<Page<Task>>, RepositoryError> {
                let column = match query.sort_by {
                    "title" => "t.title",
                    "updated_at" => "t.updated_at",
                    _ => "t.created_at",
                };
                let conditions = |builder: &mut sqlx::QueryBuilder<'_, $db>| {
                    builder
                        .push(" WHERE t.tenant_id = ")
                        .push_bind(tenant.as_uuid())
                        .push(" AND t.project_id = ")
                        .push_bind(project.as_uuid());
                    if let Some(status) = filter.status {
                        builder.push(" AND t.status = ").push_bind(status.as_str());
                    }
                    if let Some(assignee) = filter.assignee {
                        builder.push(" AND t.assignee_id = ").push_bind(assignee.as_uuid());
                    }
                };
                let from = format!("{TASK_COLUMNS} FROM tasks t");
                let order = format!("{column} {dir}, t.id {dir}", dir = crate::sql::direction(query.order));
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let live: Option<i32> =
                    sqlx::query_scalar("SELECT 1 FROM projects WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL")
                        .bind(tenant.as_uuid())
                        .bind(project.as_uuid())
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(storage_error)?;
                if live.is_none() {
                    return Ok(None);
                }
                let page =
                    super::page_of(&mut tx, &from, "FROM tasks t", &conditions, &order, query.page, task_from_row).await?;
                Ok(Some(page))
            }
        }

        /// The project summary read model.
        #[derive(Clone)]
        pub struct SqlProjectSummaryStore {
            pool: sqlx::Pool<$db>,
        }

        impl SqlProjectSummaryStore {
            pub fn new(pool: sqlx::Pool<$db>) -> Self {
                Self { pool }
            }
        }

        #[async_trait]
        impl ProjectSummaryStore for SqlProjectSummaryStore {
            async fn apply(
                &self,
                event: EventId,
                tenant: TenantId,
                project: ProjectId,
                change: &SummaryChange,
                at: DateTime<Utc>,
            ) -> Result<bool, RepositoryError> {
                let mut tx = super::write_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let fresh = sqlx::query("INSERT INTO summary_applied_events (event_id) VALUES ($1) ON CONFLICT (event_id) DO NOTHING")
                    .bind(event.as_uuid())
                    .execute(&mut *tx)
                    .await
                    .map_err(storage_error)?;
                if fresh.rows_affected() == 0 {
                    return Ok(false);
                }
                let statement = match change {
                    SummaryChange::Opened { budget_amount_minor, budget_currency } => sqlx::query(
                        "INSERT INTO project_summaries (project_id, tenant_id, budget_amount_minor, budget_currency, updated_at) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id) DO UPDATE SET \
                         budget_amount_minor = excluded.budget_amount_minor, budget_currency = excluded.budget_currency, \
                         updated_at = excluded.updated_at",
                    )
                    .bind(project.as_uuid())
                    .bind(tenant.as_uuid())
                    .bind(*budget_amount_minor)
                    .bind(budget_currency.clone())
                    .bind(at),
                    SummaryChange::Budget { budget_amount_minor, budget_currency } => sqlx::query(
                        "UPDATE project_summaries SET budget_amount_minor = $3, budget_currency = $4, updated_at = $5 \
                         WHERE project_id = $1 AND tenant_id = $2",
                    )
                    .bind(project.as_uuid())
                    .bind(tenant.as_uuid())
                    .bind(*budget_amount_minor)
                    .bind(budget_currency.clone())
                    .bind(at),
                    SummaryChange::Counts { todo, in_progress, done, estimated_minutes, logged_minutes } => sqlx::query(
                        "UPDATE project_summaries SET todo = todo + $3, in_progress = in_progress + $4, done = done + $5, \
                         estimated_minutes = estimated_minutes + $6, logged_minutes = logged_minutes + $7, updated_at = $8 \
                         WHERE project_id = $1 AND tenant_id = $2",
                    )
                    .bind(project.as_uuid())
                    .bind(tenant.as_uuid())
                    .bind(*todo)
                    .bind(*in_progress)
                    .bind(*done)
                    .bind(*estimated_minutes)
                    .bind(*logged_minutes)
                    .bind(at),
                    SummaryChange::Closed => {
                        sqlx::query("DELETE FROM project_summaries WHERE project_id = $1 AND tenant_id = $2")
                            .bind(project.as_uuid())
                            .bind(tenant.as_uuid())
                    }
                };
                statement.execute(&mut *tx).await.map_err(storage_error)?;
                tx.commit().await.map_err(storage_error)?;
                Ok(true)
            }

            async fn summary(&self, tenant: TenantId, project: ProjectId) -> Result<Option<ProjectSummary>, RepositoryError> {
                let mut tx = super::read_in(&self.pool, DataScope::Tenant(tenant)).await?;
                let row = sqlx::query(
                    "SELECT todo, in_progress, done, estimated_minutes, logged_minutes, budget_amount_minor, budget_currency, \
                     updated_at FROM project_summaries WHERE project_id = $1 AND tenant_id = $2",
                )
                .bind(project.as_uuid())
                .bind(tenant.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(storage_error)?;
                row.map(|row| {
                    Ok(ProjectSummary {
                        todo: row.try_get("todo").map_err(storage_error)?,
                        in_progress: row.try_get("in_progress").map_err(storage_error)?,
                        done: row.try_get("done").map_err(storage_error)?,
                        estimated_minutes: row.try_get("estimated_minutes").map_err(storage_error)?,
                        logged_minutes: row.try_get("logged_minutes").map_err(storage_error)?,
                        budget_amount_minor: row.try_get("budget_amount_minor").map_err(storage_error)?,
                        budget_currency: row.try_get("budget_currency").map_err(storage_error)?,
                        updated_at: row.try_get("updated_at").map_err(storage_error)?,
                    })
                })
                .transpose()
            }

            async fn reset(&self) -> Result<(), RepositoryError> {
                let mut tx = super::write_in(&self.pool, DataScope::Platform).await?;
                sqlx::query("DELETE FROM project_summaries").execute(&mut *tx).await.map_err(storage_error)?;
                sqlx::query("DELETE FROM summary_applied_events").execute(&mut *tx).await.map_err(storage_error)?;
                tx.commit().await.map_err(storage_error)?;
                Ok(())
            }
        }
    };
}

pub(crate) use projects;

impl tenantry_application::projects::ports::ProjectRepositories for crate::SqlRepositories {
    fn projects<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::projects::ports::ProjectRepository,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }

    fn tasks<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::projects::ports::TaskRepository,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }
}
