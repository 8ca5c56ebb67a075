/// Everything one backend provides: the unit of work, the health check and one
/// module of adapters per bounded context. `$begin` opens write transactions,
/// `$lock` locks a row read for update, `$skip_locked` lets concurrent relays skip
/// each other's outbox rows, `$set_scope` (when the backend has row-level security)
/// names the transaction's tenant, `*` for all.
macro_rules! backend {
    ($db:ty, begin = $begin:literal, lock = $lock:literal, skip_locked = $skip_locked:literal, set_scope = $set_scope:expr) => {
        crate::sql::unit_of_work::unit_of_work!($db, $begin);

        /// Confines an open transaction to `scope` for the rest of its life.
        pub(crate) async fn enter_scope(
            conn: &mut <$db as sqlx::Database>::Connection,
            scope: tenantry_application::ports::DataScope,
        ) -> Result<(), RepositoryError> {
            let set_scope: Option<&str> = $set_scope;
            if let Some(sql) = set_scope {
                sqlx::query(sql).bind(crate::sql::scope_setting(scope)).execute(conn).await.map_err(storage_error)?;
            }
            Ok(())
        }

        /// A read transaction confined to `scope`: how the query adapters reach
        /// tenant-scoped tables (rolling it back at the end is free).
        pub(crate) async fn read_in(
            pool: &sqlx::Pool<$db>,
            scope: tenantry_application::ports::DataScope,
        ) -> Result<sqlx::Transaction<'static, $db>, RepositoryError> {
            let mut tx = pool.begin().await.map_err(storage_error)?;
            enter_scope(&mut *tx, scope).await?;
            Ok(tx)
        }

        /// A write transaction confined to `scope`, outside a unit of work (event
        /// consumers, bookkeeping).
        pub(crate) async fn write_in(
            pool: &sqlx::Pool<$db>,
            scope: tenantry_application::ports::DataScope,
        ) -> Result<sqlx::Transaction<'static, $db>, RepositoryError> {
            let mut tx = pool.begin_with($begin).await.map_err(storage_error)?;
            enter_scope(&mut *tx, scope).await?;
            Ok(tx)
        }

        /// One page of `SELECT {columns_from}` plus the total, both under `conditions`;
        /// `order` only ever holds column names from the callers' allow-lists.
        pub(crate) async fn page_of<T>(
            conn: &mut <$db as sqlx::Database>::Connection,
            columns_from: &str,
            from: &str,
            conditions: &(dyn Fn(&mut sqlx::QueryBuilder<'_, $db>) + Sync),
            order: &str,
            page: tenantry_kernel::PageRequest,
            map: fn(&<$db as sqlx::Database>::Row) -> Result<T, RepositoryError>,
        ) -> Result<tenantry_kernel::Page<T>, RepositoryError> {
            let mut select = sqlx::QueryBuilder::<$db>::new(format!("SELECT {columns_from}"));
            conditions(&mut select);
            select
                .push(format!(" ORDER BY {order} LIMIT "))
                .push_bind(i64::from(page.size()))
                .push(" OFFSET ")
                .push_bind(i64::try_from(page.offset()).unwrap_or(i64::MAX));
            let rows = select.build().fetch_all(&mut *conn).await.map_err(storage_error)?;
            let mut count = sqlx::QueryBuilder::<$db>::new(format!("SELECT COUNT(*) {from}"));
            conditions(&mut count);
            let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await.map_err(storage_error)?;
            let items = rows.iter().map(map).collect::<Result<_, _>>()?;
            Ok(tenantry_kernel::Page::new(items, page, u64::try_from(total).unwrap_or_default()))
        }

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

        pub mod files {
            crate::sql::files::files!($db, super::SqlUnitOfWork, $lock);
        }

        pub mod idempotency {
            crate::sql::idempotency::idempotency!($db, $lock);
        }

        pub mod jobs {
            crate::sql::jobs::jobs!($db, $begin, $skip_locked);
        }

        pub mod messaging {
            crate::sql::messaging::messaging!($db, $begin, $skip_locked);
        }
    };
}

pub(crate) use backend;
