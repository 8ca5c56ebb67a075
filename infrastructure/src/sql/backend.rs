/// Everything one backend provides: the unit of work, the health check and one
/// module of adapters per bounded context. `$begin` opens write transactions,
/// `$lock` locks a row read for update, `$skip_locked` lets concurrent relays skip
/// each other's outbox rows.
macro_rules! backend {
    ($db:ty, begin = $begin:literal, lock = $lock:literal, skip_locked = $skip_locked:literal) => {
        crate::sql::unit_of_work::unit_of_work!($db, $begin);

        /// Health of the store: one round trip.
        #[derive(Clone)]
        pub struct SqlHealthCheck {
            pool: sqlx::Pool<$db>,
        }

        impl SqlHealthCheck {
            pub fn new(pool: sqlx::Pool<$db>) -> Self {
                Self { pool }
            }
        }

        #[async_trait]
        impl tenantry_application::ports::HealthCheck for SqlHealthCheck {
            async fn check(&self) -> Result<(), RepositoryError> {
                sqlx::query("SELECT 1").execute(&self.pool).await.map_err(storage_error)?;
                Ok(())
            }
        }

        pub mod identity {
            crate::sql::identity::identity!($db, super::SqlUnitOfWork, $lock);
        }

        pub mod tenancy {
            crate::sql::tenancy::tenancy!($db, super::SqlUnitOfWork, $lock);
        }

        pub mod projects {
            crate::sql::projects::projects!($db, super::SqlUnitOfWork, $lock, $begin);
        }

        pub mod notifications {
            crate::sql::notifications::notifications!($db);
        }

        pub mod audit {
            crate::sql::audit::audit!($db, $lock);
        }

        pub mod messaging {
            crate::sql::messaging::messaging!($db, $begin, $skip_locked);
        }
    };
}

pub(crate) use backend;
