/// Defines `SqlUnitOfWork` and `SqlUnitOfWorkFactory` for one backend: a transaction
/// plus the events and audit entries to write into it at commit. `$begin` opens the
/// transaction: SQLite needs `BEGIN IMMEDIATE` so concurrent writers queue on the
/// busy timeout instead of failing when a read lock cannot be upgraded.
macro_rules! unit_of_work {
    ($db:ty, $begin:literal) => {
        use std::sync::Arc;

        use async_trait::async_trait;
        use tenantry_application::pipeline::AuditEntry;
        use tenantry_application::ports::{DataScope, NewJob, RepositoryError, UnitOfWork, UnitOfWorkFactory};
        use tenantry_kernel::EventEnvelope;

        use self::audit::insert_audit_entry;
        use self::jobs::insert_job;
        use self::messaging::insert_outbox_event;
        use crate::sql::storage_error;

        /// One transaction. Repositories of every context are implemented on it, so
        /// they all share the transaction; dropping it uncommitted rolls back.
        pub struct SqlUnitOfWork {
            pub(crate) tx: sqlx::Transaction<'static, $db>,
            events: Vec<EventEnvelope>,
            audit: Vec<AuditEntry>,
            jobs: Vec<NewJob>,
            outbox_signal: Arc<tokio::sync::Notify>,
        }

        #[async_trait]
        impl UnitOfWork for SqlUnitOfWork {
            fn record_event(&mut self, event: EventEnvelope) {
                self.events.push(event);
            }
            fn recorded_events(&self) -> &[EventEnvelope] {
                &self.events
            }
            fn record_audit(&mut self, entry: AuditEntry) {
                self.audit.push(entry);
            }
            fn enqueue_job(&mut self, job: NewJob) {
                self.jobs.push(job);
            }
            /// The unit of work itself: the repositories ports of Tenantry's contexts
            /// (`crate::SqlRepositories`) and `sql_transaction` downcast it.
            fn transaction(&mut self) -> &mut (dyn std::any::Any + Send) {
                self
            }
            async fn commit(mut self: Box<Self>) -> Result<(), RepositoryError> {
                let events = std::mem::take(&mut self.events);
                for event in &events {
                    insert_outbox_event(&mut *self.tx, event).await?;
                }
                for entry in std::mem::take(&mut self.audit) {
                    insert_audit_entry(&mut *self.tx, &entry).await?;
                }
                let now = chrono::Utc::now();
                for job in std::mem::take(&mut self.jobs) {
                    insert_job(&mut *self.tx, tenantry_application::ports::JobId::new(), &job, now).await?;
                }
                self.tx.commit().await.map_err(storage_error)?;
                if !events.is_empty() {
                    // Wake the relay now rather than at its next poll.
                    self.outbox_signal.notify_one();
                }
                Ok(())
            }
        }

        /// Opens units of work on a pool.
        #[derive(Clone)]
        pub struct SqlUnitOfWorkFactory {
            pool: sqlx::Pool<$db>,
            outbox_signal: Arc<tokio::sync::Notify>,
        }

        impl SqlUnitOfWorkFactory {
            pub fn new(pool: sqlx::Pool<$db>, outbox_signal: Arc<tokio::sync::Notify>) -> Self {
                Self { pool, outbox_signal }
            }
        }

        #[async_trait]
        impl UnitOfWorkFactory for SqlUnitOfWorkFactory {
            async fn begin_in(&self, scope: DataScope) -> Result<Box<dyn UnitOfWork>, RepositoryError> {
                let mut tx = self.pool.begin_with($begin).await.map_err(storage_error)?;
                enter_scope(&mut *tx, scope).await?;
                Ok(Box::new(SqlUnitOfWork {
                    tx,
                    events: Vec::new(),
                    audit: Vec::new(),
                    jobs: Vec::new(),
                    outbox_signal: self.outbox_signal.clone(),
                }))
            }
        }
    };
}

pub(crate) use unit_of_work;
