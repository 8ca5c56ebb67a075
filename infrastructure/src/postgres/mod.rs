//! PostgreSQL adapters: the scale-out store, one schema per context.

crate::sql::unit_of_work::unit_of_work!(sqlx::Postgres, "BEGIN");

/// Health of the store: one round trip.
#[derive(Clone)]
pub struct SqlHealthCheck {
    pool: sqlx::Pool<sqlx::Postgres>,
}

impl SqlHealthCheck {
    pub fn new(pool: sqlx::Pool<sqlx::Postgres>) -> Self {
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
    crate::sql::identity::identity!(sqlx::Postgres, super::SqlUnitOfWork, " FOR UPDATE");
}

pub mod tenancy {
    crate::sql::tenancy::tenancy!(sqlx::Postgres, super::SqlUnitOfWork);
}

pub mod audit {
    crate::sql::audit::audit!(sqlx::Postgres);
}

pub mod messaging {
    crate::sql::messaging::messaging!(sqlx::Postgres, "BEGIN", " FOR UPDATE SKIP LOCKED");
}
