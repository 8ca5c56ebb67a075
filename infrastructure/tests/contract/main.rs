//! One contract suite for every storage adapter, run against both backends on a
//! fresh database each (SQLite file, real PostgreSQL). A backend that behaves
//! differently from the other fails here, not in production.

use std::sync::Arc;

use chrono::{DurationRound, TimeDelta, Utc};
use tenantry_application::pipeline::{AuditEntry, RequestContext};
use tenantry_application::ports::UnitOfWorkFactory;
use tenantry_domain::identity::{DisplayName, EmailAddress, PasswordHash, User, UserRegistered};
use tenantry_infrastructure::testing::{TestBackend, TestDatabase};
use tenantry_infrastructure::Database;
use tokio::sync::Notify;

mod audit;
mod files;
mod identity;
mod messaging;
mod notifications;
mod platform;
mod projects;
mod tenancy;

struct Fixture {
    database: Database,
    test_database: TestDatabase,
    signal: Arc<Notify>,
    units: Arc<dyn UnitOfWorkFactory>,
}

impl Fixture {
    async fn new(backend: TestBackend) -> Self {
        let test_database = TestDatabase::create(backend).await.expect("test database");
        let database = Database::connect(&test_database.url, 5).await.expect("connect");
        database.migrate_up().await.expect("migrate");
        let signal = Arc::new(Notify::new());
        let units = database.units_of_work(signal.clone());
        Self { database, test_database, signal, units }
    }

    async fn finish(self) {
        self.database.close().await;
        self.test_database.drop_database().await;
    }
}

/// Storage keeps microseconds; compare at that precision.
fn now() -> chrono::DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::microseconds(1)).unwrap()
}

fn new_user(email: &str) -> (User, UserRegistered) {
    User::register(
        EmailAddress::parse(email).unwrap(),
        DisplayName::parse("Contract Tester").unwrap(),
        PasswordHash::from_phc("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        now(),
    )
}

fn audit_entry(action: &'static str) -> AuditEntry {
    AuditEntry {
        id: uuid::Uuid::now_v7(),
        occurred_at: now(),
        tenant_id: None,
        actor_id: None,
        action,
        entity_type: "user",
        entity_id: None,
        request_id: RequestContext::system("contract").request_id,
        ip: Some("127.0.0.1".into()),
    }
}
