use std::sync::Arc;
use tenantry_application::identity::ports::IdentityRepositories;
use tenantry_application::projects::ports::ProjectRepositories;
use tenantry_infrastructure::SqlRepositories;

use chrono::{DurationRound, TimeDelta, Utc};
use tenantry_application::ports::RepositoryError;
use tenantry_infrastructure::testing::{rows_visible_in, TestBackend};
use tenantry_infrastructure::Database;
use tenantry_kernel::UserId;

use super::{new_user, now, Fixture};

async fn migrations_go_up_down_and_up_again(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let status = fx.database.migration_status().await.unwrap();
    assert!(!status.is_empty() && status.iter().all(|m| m.applied));
    fx.database.migrate_down(0).await.unwrap();
    assert!(fx.database.migration_status().await.unwrap().iter().all(|m| !m.applied));
    fx.database.migrate_up().await.unwrap();
    assert!(fx.database.migration_status().await.unwrap().iter().all(|m| m.applied));
    // The schema works after the round trip.
    let mut uow = fx.units.begin().await.unwrap();
    SqlRepositories.users(uow.as_mut()).unwrap().insert(&new_user("again@example.com").0).await.unwrap();
    uow.commit().await.unwrap();
    fx.finish().await;
}

async fn migration_names_follow_timestamp_context_action_table(_: TestBackend) {
    for migrator in [&tenantry_migrations::POSTGRES, &tenantry_migrations::SQLITE] {
        for migration in migrator.iter() {
            let words: Vec<&str> = migration.description.split(' ').collect();
            assert!(migration.version >= 20_000_000_000_000, "{} lacks a timestamp", migration.version);
            assert!(words.len() >= 3, "{} is not context_action_table", migration.description);
            assert!(
                ["platform", "identity", "tenancy", "projects", "files", "notifications", "audit", "messaging"]
                    .contains(&words[0]),
                "{}",
                migration.description
            );
            assert!(["create", "add", "drop", "alter", "rename"].contains(&words[1]), "{}", migration.description);
        }
    }
}

async fn row_level_security_confines_a_statement_that_forgets_its_tenant_filter(backend: TestBackend) {
    use tenantry_application::ports::DataScope;
    use tenantry_domain::projects::{Project, ProjectName};
    use tenantry_kernel::TenantId;

    let fixture = Fixture::new(backend).await;
    let (acme, globex, owner) = (TenantId::new(), TenantId::new(), UserId::new());
    let project_of =
        |tenant| Project::create(tenant, ProjectName::parse("Apollo").unwrap(), None, None, owner, now()).0;
    let globex_project = project_of(globex);
    for project in [project_of(acme), globex_project.clone()] {
        let mut uow = fixture.units.begin_in(DataScope::Tenant(project.tenant_id())).await.unwrap();
        SqlRepositories.projects(uow.as_mut()).unwrap().insert(&project).await.unwrap();
        uow.commit().await.unwrap();
    }
    let visible = |scope| rows_visible_in(&fixture.database, scope, "projects");
    let Database::Postgres(pool) = &fixture.database else {
        // SQLite has no row-level security: the statement's own tenant filter is the
        // only guard there (ADR 0007), which is what this shows.
        assert_eq!(visible(DataScope::Tenant(acme)).await.unwrap(), 2);
        fixture.finish().await;
        return;
    };
    assert_eq!(visible(DataScope::Tenant(acme)).await.unwrap(), 1, "only acme's project");
    assert_eq!(visible(DataScope::Tenant(globex)).await.unwrap(), 1, "only globex's project");
    assert_eq!(visible(DataScope::Platform).await.unwrap(), 2);
    let bare: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects").fetch_one(pool).await.unwrap();
    assert_eq!(bare, 0, "a statement outside any scope sees no tenant's rows");

    // Through the repositories: acme's unit of work can neither read nor write globex's rows,
    // even when it names globex explicitly.
    let mut uow = fixture.units.begin_in(DataScope::Tenant(acme)).await.unwrap();
    assert_eq!(SqlRepositories.projects(uow.as_mut()).unwrap().find(globex, globex_project.id()).await.unwrap(), None);
    assert!(
        SqlRepositories.projects(uow.as_mut()).unwrap().insert(&project_of(globex)).await.is_err(),
        "writing into another tenant is refused"
    );
    drop(uow);

    // The application's role cannot switch the policies off.
    let (role, superuser, bypass): (String, bool, bool) =
        sqlx::query_as("SELECT rolname::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((role.as_str(), superuser, bypass), ("tenantry_app", false, false));
    assert!(sqlx::query("ALTER TABLE projects DISABLE ROW LEVEL SECURITY").execute(pool).await.is_err());

    // Every table that holds tenant rows has its policy forced (the outbox is the relay's, not a tenant's).
    let unprotected: Vec<String> = sqlx::query_scalar(
        "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped \
         WHERE c.relkind = 'r' AND n.nspname NOT IN ('messaging', 'pg_catalog', 'information_schema') \
         AND NOT (c.relrowsecurity AND c.relforcerowsecurity) ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(unprotected.is_empty(), "tables without row-level security: {unprotected:?}");
    fixture.finish().await;
}

async fn idempotency_claims_are_exclusive_replayable_and_expire(backend: TestBackend) {
    use tenantry_application::ports::{ClaimWindow, IdempotencyClaim, StoredResponse};

    let fixture = Fixture::new(backend).await;
    let store = fixture.database.idempotency_store();
    let at = |offset_minutes: i64| {
        let now = now() + TimeDelta::minutes(offset_minutes);
        ClaimWindow { now, expired_before: now - TimeDelta::hours(24), abandoned_before: now - TimeDelta::minutes(2) }
    };
    let claim = |scope: &'static str, fingerprint: &'static str, window| {
        let store = store.clone();
        async move { store.claim(scope, "k-1", fingerprint, window).await.unwrap() }
    };
    assert_eq!(claim("user:a", "f1", at(0)).await, IdempotencyClaim::Claimed);
    assert_eq!(claim("user:a", "f1", at(0)).await, IdempotencyClaim::InProgress, "one runner at a time");
    assert_eq!(claim("user:a", "f2", at(0)).await, IdempotencyClaim::Mismatch);
    assert_eq!(claim("user:b", "f2", at(0)).await, IdempotencyClaim::Claimed, "keys belong to their scope");

    let answer = StoredResponse {
        status: 201,
        headers: vec![("location".into(), "/api/v1/projects/1".into())],
        body: br#"{"id":"1"}"#.to_vec(),
    };
    store.complete("user:a", "k-1", &answer).await.unwrap();
    assert_eq!(claim("user:a", "f1", at(1)).await, IdempotencyClaim::Replay(answer.clone()));
    store.release("user:a", "k-1").await.unwrap();
    assert_eq!(
        claim("user:a", "f1", at(1)).await,
        IdempotencyClaim::Replay(answer),
        "releasing never drops a kept answer"
    );

    // A released claim is free again; an abandoned one (its request died) is taken over.
    store.release("user:b", "k-1").await.unwrap();
    assert_eq!(claim("user:b", "f3", at(1)).await, IdempotencyClaim::Claimed);
    assert_eq!(claim("user:b", "f3", at(2)).await, IdempotencyClaim::InProgress);
    assert_eq!(claim("user:b", "f3", at(4)).await, IdempotencyClaim::Claimed, "abandoned after two minutes");

    // A day later the answer is forgotten and the key starts afresh.
    assert_eq!(claim("user:a", "f9", at(24 * 60 + 5)).await, IdempotencyClaim::Claimed);
    fixture.finish().await;
}

/// A clock the test moves by hand, so backoff is exercised without waiting.
struct ManualClock(std::sync::Mutex<chrono::DateTime<Utc>>);

impl ManualClock {
    fn advance(&self, by: TimeDelta) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

impl tenantry_kernel::Clock for ManualClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// Fails its first `failures` runs (transiently), then succeeds; counts runs.
struct FlakyHandler {
    kind: &'static str,
    failures: std::sync::atomic::AtomicU32,
    runs: std::sync::atomic::AtomicU32,
    gave_up: std::sync::atomic::AtomicBool,
}

impl FlakyHandler {
    fn new(kind: &'static str, failures: u32) -> Arc<Self> {
        Arc::new(Self { kind, failures: failures.into(), runs: 0.into(), gave_up: false.into() })
    }
}

#[async_trait::async_trait]
impl tenantry_application::jobs::JobHandler for FlakyHandler {
    fn kind(&self) -> &'static str {
        self.kind
    }

    async fn run(&self, payload: &serde_json::Value) -> Result<(), tenantry_application::jobs::JobFailure> {
        use std::sync::atomic::Ordering;
        assert_eq!(payload["n"], 7, "the payload arrives as queued");
        self.runs.fetch_add(1, Ordering::SeqCst);
        let left = self.failures.load(Ordering::SeqCst);
        if left == 0 {
            return Ok(());
        }
        self.failures.store(left - 1, Ordering::SeqCst);
        Err(tenantry_application::jobs::JobFailure::Transient("the disk is on fire".into()))
    }

    async fn gave_up(&self, _: &serde_json::Value) -> Result<(), RepositoryError> {
        self.gave_up.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

async fn jobs_are_claimed_once_retried_with_backoff_and_dead_lettered(backend: TestBackend) {
    use std::sync::atomic::Ordering;
    use tenantry_application::jobs::{backoff, JobRunner, Turn, LEASE};
    use tenantry_application::ports::{DataScope, JobState, NewJob};
    use tenantry_kernel::Clock;

    let fixture = Fixture::new(backend).await;
    let store = fixture.database.job_store();
    let start = Utc::now().duration_trunc(TimeDelta::seconds(1)).unwrap();
    let clock = Arc::new(ManualClock(std::sync::Mutex::new(start)));
    let job = |kind: &str, max_attempts| NewJob {
        kind: kind.to_owned(),
        payload: serde_json::json!({"n": 7}),
        run_at: start,
        max_attempts,
        fair_key: None,
    };

    // A job queued in a unit of work exists only if the unit commits.
    let mut uow = fixture.units.begin_in(DataScope::Platform).await.unwrap();
    uow.enqueue_job(job("test.flaky", 5));
    drop(uow);
    assert!(store.list(None, 10).await.unwrap().is_empty(), "rolled back with its transaction");
    let mut uow = fixture.units.begin_in(DataScope::Platform).await.unwrap();
    uow.enqueue_job(job("test.flaky", 5));
    uow.commit().await.unwrap();

    // A claim is exclusive until its lease runs out.
    let claimed = store.claim(start, start + LEASE).await.unwrap().expect("due");
    assert_eq!((claimed.state, claimed.attempts), (JobState::Running, 1));
    assert!(store.claim(start, start + LEASE).await.unwrap().is_none(), "held by the first worker");
    let reclaimed = store.claim(start + LEASE + TimeDelta::seconds(1), start + LEASE * 2).await.unwrap();
    assert_eq!(reclaimed.map(|j| (j.id, j.attempts)), Some((claimed.id, 2)), "its worker died: claimed again");
    store.fail(claimed.id, "lost", Some(start), start).await.unwrap();
    store.retry(claimed.id, start).await.unwrap();
    store.purge(start + TimeDelta::days(1)).await.unwrap();
    assert_eq!(store.list(Some(JobState::Queued), 10).await.unwrap().len(), 1, "queued jobs are not purged");

    // Fails twice, then succeeds: each retry waits its backoff.
    let flaky = FlakyHandler::new("test.flaky", 2);
    let broken = FlakyHandler::new("test.broken", u32::MAX);
    let runner = JobRunner::new(store.clone(), vec![flaky.clone(), broken.clone()], clock.clone());
    let first_retry = match runner.turn().await.unwrap() {
        Turn::Retrying(at) => at,
        other => panic!("expected a retry, got {other:?}"),
    };
    // Its third attempt (two were used by the lease test above), so the third wait.
    assert_eq!(first_retry, start + backoff(3));
    assert_eq!(runner.turn().await.unwrap(), Turn::Idle, "not due before its backoff");
    clock.advance(backoff(3));
    assert!(matches!(runner.turn().await.unwrap(), Turn::Retrying(_)));
    clock.advance(backoff(4));
    assert_eq!(runner.turn().await.unwrap(), Turn::Succeeded);
    assert_eq!(flaky.runs.load(Ordering::SeqCst), 3);
    let done = store.list(Some(JobState::Done), 10).await.unwrap();
    assert_eq!((done.len(), done[0].attempts, done[0].last_error.as_deref()), (1, 5, None));

    // Out of attempts: dead, its handler told, and `retry` brings it back.
    let dead_id = store.enqueue(&job("test.broken", 2), clock.now()).await.unwrap();
    assert!(matches!(runner.turn().await.unwrap(), Turn::Retrying(_)));
    clock.advance(backoff(1));
    assert_eq!(runner.turn().await.unwrap(), Turn::Dead);
    assert!(broken.gave_up.load(Ordering::SeqCst));
    let dead = store.list(Some(JobState::Dead), 10).await.unwrap();
    assert_eq!((dead[0].id, dead[0].last_error.as_deref()), (dead_id, Some("the disk is on fire")));
    assert!(store.retry(dead_id, clock.now()).await.unwrap());
    assert!(!store.retry(dead_id, clock.now()).await.unwrap(), "only dead jobs are retried");
    assert_eq!(store.list(Some(JobState::Queued), 10).await.unwrap()[0].attempts, 0);

    // An unknown kind is dead at once; purge keeps recent history.
    store.enqueue(&job("test.nobody", 5), clock.now()).await.unwrap();
    let only_unknown = JobRunner::new(store.clone(), vec![], clock.clone());
    assert_eq!(only_unknown.turn().await.unwrap(), Turn::Dead);
    assert_eq!(store.purge(clock.now() - TimeDelta::days(1)).await.unwrap(), 0);
    assert_eq!(store.purge(clock.now() + TimeDelta::days(8)).await.unwrap(), 2, "the done and the dead job");

    // Recurring work is queued once however often it is ensured.
    let daily = job("test.daily", 3);
    store.ensure_scheduled(&daily, clock.now()).await.unwrap();
    store.ensure_scheduled(&daily, clock.now()).await.unwrap();
    let queued = store.list(Some(JobState::Queued), 10).await.unwrap();
    assert_eq!(queued.iter().filter(|job| job.kind == "test.daily").count(), 1);
    fixture.finish().await;
}

async fn jobs_take_turns_so_one_tenants_backlog_starves_no_other(backend: TestBackend) {
    use tenantry_application::jobs::LEASE;
    use tenantry_application::ports::NewJob;

    let fixture = Fixture::new(backend).await;
    let store = fixture.database.job_store();
    let start = Utc::now().duration_trunc(TimeDelta::seconds(1)).unwrap();
    let job = |tenant: &str, n: i64| NewJob {
        kind: "test.thumbnail".into(),
        payload: serde_json::json!({"tenant": tenant, "n": n}),
        run_at: start + TimeDelta::milliseconds(n),
        max_attempts: 3,
        fair_key: Some(tenant.to_owned()),
    };
    // A large backlog of acme's first, then one job of globex and one of the platform.
    for n in 0..6 {
        store.enqueue(&job("acme", n), start).await.unwrap();
    }
    store.enqueue(&job("globex", 10), start).await.unwrap();
    let platform = NewJob { fair_key: None, ..job("platform", 11) };
    store.enqueue(&platform, start).await.unwrap();

    let mut served = Vec::new();
    for turn in 1..=8 {
        let now = start + TimeDelta::seconds(turn);
        let claimed = store.claim(now, now + LEASE).await.unwrap().expect("a due job");
        served.push(claimed.payload["tenant"].as_str().unwrap().to_owned());
        store.complete(claimed.id, now).await.unwrap();
    }
    assert_eq!(served[..3].iter().filter(|t| *t == "acme").count(), 1, "turns: {served:?}");
    assert!(served[..3].contains(&"globex".to_owned()) && served[..3].contains(&"platform".to_owned()), "{served:?}");
    assert_eq!(served.iter().filter(|t| *t == "acme").count(), 6, "acme's backlog is served too: {served:?}");
    let mut acme_order = Vec::new();
    for job in store.list(Some(tenantry_application::ports::JobState::Done), 20).await.unwrap() {
        if job.payload["tenant"] == "acme" {
            acme_order.push((job.updated_at, job.payload["n"].as_i64().unwrap()));
        }
    }
    acme_order.sort();
    let numbers: Vec<i64> = acme_order.into_iter().map(|(_, n)| n).collect();
    assert_eq!(numbers, [0, 1, 2, 3, 4, 5], "within a tenant, first due first served");
    fixture.finish().await;
}

tenantry_infrastructure::backend_test_suite!(
    migrations_go_up_down_and_up_again,
    migration_names_follow_timestamp_context_action_table,
    row_level_security_confines_a_statement_that_forgets_its_tenant_filter,
    idempotency_claims_are_exclusive_replayable_and_expire,
    jobs_are_claimed_once_retried_with_backoff_and_dead_lettered,
    jobs_take_turns_so_one_tenants_backlog_starves_no_other,
);
