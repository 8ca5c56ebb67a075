//! SQLite adapters: the zero-setup embedded default (one writer at a time, so no row locks).

crate::sql::unit_of_work::unit_of_work!(sqlx::Sqlite, "BEGIN IMMEDIATE");

/// Health of the store: one round trip.
#[derive(Clone)]
pub struct SqlHealthCheck {
    pool: sqlx::Pool<sqlx::Sqlite>,
}

impl SqlHealthCheck {
    pub fn new(pool: sqlx::Pool<sqlx::Sqlite>) -> Self {
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
    crate::sql::identity::identity!(sqlx::Sqlite, super::SqlUnitOfWork, "");
}

pub mod tenancy {
    crate::sql::tenancy::tenancy!(sqlx::Sqlite, super::SqlUnitOfWork);
}

pub mod audit {
    crate::sql::audit::audit!(sqlx::Sqlite);
}

pub mod messaging {
    crate::sql::messaging::messaging!(sqlx::Sqlite, "BEGIN IMMEDIATE", "");
}
