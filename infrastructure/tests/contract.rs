//! One contract suite for every storage adapter, run against both backends on a
//! fresh database each (SQLite file, real PostgreSQL). A backend that behaves
//! differently from the other fails here, not in production.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DurationRound, TimeDelta, Utc};
use tenantry_application::pipeline::{AuditEntry, RequestContext};
use tenantry_application::ports::{ListQuery, RepositoryError, UnitOfWorkFactory};
use tenantry_domain::identity::{DisplayName, EmailAddress, PasswordHash, Session, User, UserRegistered};
use tenantry_domain::tenancy::{Invitation, Membership, Organization, OrganizationName, Role, Slug};
use tenantry_infrastructure::events::{InProcessEventBus, OutboxRelay};
use tenantry_infrastructure::testing::{owner_view, rows_visible_in, TestBackend, TestDatabase};
use tenantry_infrastructure::Database;
use tenantry_kernel::{EventEnvelope, UserId};
use tenantry_kernel::{PageRequest, SortOrder};
use tokio::sync::Notify;

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

async fn stores_and_finds_users_by_id_and_email(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let (user, _) = new_user("finder@example.com");
    let mut uow = fx.units.begin().await.unwrap();
    uow.users().insert(&user).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fx.units.begin().await.unwrap();
    let by_id = uow.users().find_by_id(user.id()).await.unwrap().expect("found by id");
    let by_email = uow.users().find_by_email(user.email()).await.unwrap().expect("found by email");
    assert_eq!(by_id, user);
    assert_eq!(by_email, user);
    assert!(uow.users().find_by_id(UserId::new()).await.unwrap().is_none());
    drop(uow);
    let view = fx.database.identity_queries().user_by_id(user.id()).await.unwrap().expect("view");
    assert_eq!((view.email.as_str(), view.display_name.as_str()), ("finder@example.com", "Contract Tester"));
    fx.finish().await;
}

async fn a_duplicate_email_is_reported_as_duplicate(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let mut uow = fx.units.begin().await.unwrap();
    uow.users().insert(&new_user("dup@example.com").0).await.unwrap();
    let error = uow.users().insert(&new_user("dup@example.com").0).await.unwrap_err();
    assert!(matches!(error, RepositoryError::Duplicate { .. }), "{error:?}");
    drop(uow);
    fx.finish().await;
}

async fn a_stale_user_update_is_refused(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let (user, _) = new_user("stale@example.com");
    let mut uow = fx.units.begin().await.unwrap();
    uow.users().insert(&user).await.unwrap();
    let mut first = user.clone();
    first.grant_platform_admin(now());
    uow.users().update(&first).await.unwrap();
    // A second writer that read version 1 as well.
    let mut second = user.clone();
    second.grant_platform_admin(now());
    assert!(matches!(uow.users().update(&second).await.unwrap_err(), RepositoryError::StaleVersion));
    drop(uow);
    fx.finish().await;
}

async fn dropping_a_unit_of_work_rolls_everything_back(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let (user, registered) = new_user("rollback@example.com");
    let mut uow = fx.units.begin().await.unwrap();
    uow.users().insert(&user).await.unwrap();
    uow.record_event(EventEnvelope::wrap(&registered, now(), None, None).unwrap());
    uow.record_audit(audit_entry("identity.register_user"));
    drop(uow);

    let mut uow = fx.units.begin().await.unwrap();
    assert!(uow.users().find_by_email(user.email()).await.unwrap().is_none());
    drop(uow);
    assert_eq!(fx.database.outbox().pending().await.unwrap(), 0);
    fx.finish().await;
}

async fn sessions_rotate_and_revoke(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let (user, _) = new_user("session@example.com");
    let mut session = Session::start(user.id(), "hash-1".into(), now());
    let mut uow = fx.units.begin().await.unwrap();
    uow.users().insert(&user).await.unwrap();
    uow.sessions().insert(&session).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fx.units.begin().await.unwrap();
    let found = uow.sessions().find_by_refresh_token_hash("hash-1").await.unwrap().expect("by hash");
    assert_eq!(found, session);
    uow.sessions().retire_refresh_token_hash(&session, "hash-1").await.unwrap();
    session.rotate("hash-2".into(), now());
    uow.sessions().update(&session).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fx.units.begin().await.unwrap();
    assert!(uow.sessions().find_by_refresh_token_hash("hash-1").await.unwrap().is_none(), "old hash is dead");
    let retired = uow.sessions().find_by_retired_refresh_token_hash("hash-1").await.unwrap();
    assert_eq!(retired.map(|s| s.id()), Some(session.id()), "a retired hash leads back to its session");
    assert!(uow.sessions().find_by_retired_refresh_token_hash("hash-2").await.unwrap().is_none());
    assert_eq!(uow.sessions().find_by_id(session.id()).await.unwrap(), Some(session.clone()));
    session.revoke(now());
    uow.sessions().update(&session).await.unwrap();
    uow.commit().await.unwrap();

    let status = fx.database.identity_queries().session_status(session.id()).await.unwrap().expect("status");
    assert!(status.revoked);
    assert_eq!(status.user_id, user.id());
    fx.finish().await;
}

async fn the_role_catalogue_upsert_is_idempotent(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let mut uow = fx.units.begin().await.unwrap();
    assert!(uow.role_catalogue().upsert_permission("project:read", "See projects").await.unwrap());
    assert!(!uow.role_catalogue().upsert_permission("project:read", "See projects").await.unwrap());
    assert!(uow.role_catalogue().upsert_permission("project:update", "Change projects").await.unwrap());
    assert!(uow.role_catalogue().upsert_role("viewer", "Reads", &["project:read"]).await.unwrap());
    assert!(!uow.role_catalogue().upsert_role("viewer", "Reads", &["project:read"]).await.unwrap());
    assert!(uow.role_catalogue().upsert_role("viewer", "Reads", &["project:read", "project:update"]).await.unwrap());
    uow.commit().await.unwrap();
    fx.finish().await;
}

async fn commit_writes_the_outbox_and_the_relay_delivers_each_event_once(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let bus = InProcessEventBus::default();
    let mut received = bus.subscribe();
    let relay = OutboxRelay::new(fx.database.outbox(), Arc::new(bus.clone()), fx.signal.clone()).spawn();

    let (user, registered) = new_user("outbox@example.com");
    let event = EventEnvelope::wrap(&registered, now(), None, Some(user.id())).unwrap();
    let mut uow = fx.units.begin().await.unwrap();
    uow.users().insert(&user).await.unwrap();
    uow.record_event(event.clone());
    uow.record_audit(audit_entry("identity.register_user"));
    uow.commit().await.unwrap();

    let delivered =
        tokio::time::timeout(Duration::from_secs(5), received.recv()).await.expect("delivered in time").unwrap();
    assert_eq!(delivered, event);
    // Once the row is marked sent nothing can deliver it again: wait for that, then
    // the bus must have carried it exactly once.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while fx.database.outbox().pending().await.unwrap() > 0 {
        assert!(std::time::Instant::now() < deadline, "the relay never marked the event sent");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(bus.published(), 1, "delivered exactly once");
    assert!(received.try_recv().is_err());
    relay.shutdown().await;
    fx.finish().await;
}

async fn the_audit_log_is_append_only(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let mut uow = fx.units.begin().await.unwrap();
    uow.record_audit(audit_entry("identity.register_user"));
    uow.commit().await.unwrap();
    let (update, delete) = match &fx.database {
        Database::Postgres(pool) => (
            sqlx::query("UPDATE audit.audit_log SET action = 'forged'").execute(pool).await.map(drop),
            sqlx::query("DELETE FROM audit.audit_log").execute(pool).await.map(drop),
        ),
        Database::Sqlite(pool) => (
            sqlx::query("UPDATE audit_log SET action = 'forged'").execute(pool).await.map(drop),
            sqlx::query("DELETE FROM audit_log").execute(pool).await.map(drop),
        ),
    };
    assert!(update.is_err(), "UPDATE must be refused");
    assert!(delete.is_err(), "DELETE must be refused");
    fx.finish().await;
}

async fn the_audit_chain_links_each_tenants_entries_and_exposes_tampering(backend: TestBackend) {
    use tenantry_application::ports::AuditFilter;
    use tenantry_kernel::TenantId;

    let fx = Fixture::new(backend).await;
    let (acme, globex) = (TenantId::new(), TenantId::new());
    for (tenant, action) in [
        (Some(acme), "projects.create_project"),
        (None, "identity.register_user"),
        (Some(acme), "projects.update_project"),
        (Some(globex), "projects.create_project"),
        (Some(acme), "projects.delete_project"),
    ] {
        let mut uow = fx.units.begin().await.unwrap();
        uow.record_audit(AuditEntry { tenant_id: tenant, ..audit_entry(action) });
        uow.commit().await.unwrap();
    }
    let report = fx.database.verify_audit_chains().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!((report.chains, report.entries), (3, 5));

    let first_page = PageRequest::new(Some(1), Some(2)).unwrap();
    let acme_entries = fx.database.audit_queries().entries(acme, &AuditFilter::default(), first_page).await.unwrap();
    assert_eq!(acme_entries.total, 3, "another tenant's and platform entries are not listed");
    let actions: Vec<&str> = acme_entries.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["projects.delete_project", "projects.update_project"], "newest first");
    assert_eq!(acme_entries.items[0].seq, Some(3));

    // Someone with database access rewrites history, bypassing the append-only trigger.
    match &owner_view(&fx.database).await {
        Database::Postgres(pool) => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("ALTER TABLE audit.audit_log DISABLE TRIGGER audit_log_append_only")
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query(
                "UPDATE audit.audit_log SET action = 'projects.nothing' WHERE action = 'projects.update_project'",
            )
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query("ALTER TABLE audit.audit_log ENABLE TRIGGER audit_log_append_only")
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        Database::Sqlite(pool) => {
            sqlx::query("DROP TRIGGER audit_log_no_update").execute(pool).await.unwrap();
            sqlx::query("UPDATE audit_log SET action = 'projects.nothing' WHERE action = 'projects.update_project'")
                .execute(pool)
                .await
                .unwrap();
        }
    }
    let report = fx.database.verify_audit_chains().await.unwrap();
    assert_eq!(report.broken, [(acme.to_string(), 2, "the entry was changed after it was written")]);
    fx.finish().await;
}

async fn notifications_are_delivered_once_per_event_and_honour_preferences(backend: TestBackend) {
    use tenantry_domain::notifications::{Notification, NotificationKind};
    use tenantry_kernel::EventId;

    let fx = Fixture::new(backend).await;
    let store = fx.database.notifications();
    let (bob, alice) = (UserId::new(), UserId::new());
    let event = EventId::new();
    let note = |user, kind| Notification::new(kind, user, None, ("task", "t-1".to_owned()), event, now());
    assert_eq!(store.deliver(&[note(bob, NotificationKind::TaskAssigned)]).await.unwrap(), 1);
    assert_eq!(store.deliver(&[note(bob, NotificationKind::TaskAssigned)]).await.unwrap(), 0, "same event, same user");

    store.set_kinds(alice, &[(NotificationKind::TaskAssigned, false)]).await.unwrap();
    assert_eq!(store.disabled_kinds(alice).await.unwrap(), [NotificationKind::TaskAssigned]);
    assert_eq!(store.deliver(&[note(alice, NotificationKind::TaskAssigned)]).await.unwrap(), 0, "turned off");
    assert_eq!(store.deliver(&[note(alice, NotificationKind::CommentOnYourTask)]).await.unwrap(), 1);

    let page = PageRequest::new(None, None).unwrap();
    let listed = store.list(bob, page).await.unwrap();
    assert_eq!(listed.total, 1);
    let id = listed.items[0].id;
    assert!(!store.mark_read(alice, id, now()).await.unwrap(), "not alice's");
    assert!(store.mark_read(bob, id, now()).await.unwrap());
    assert_eq!(store.mark_all_read(bob, now()).await.unwrap(), 0);
    assert!(store.list(bob, page).await.unwrap().items[0].read_at.is_some());
    fx.finish().await;
}

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
    uow.users().insert(&new_user("again@example.com").0).await.unwrap();
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

fn organization(name: &str, slug: &str, owner: UserId) -> (Organization, Membership) {
    let (org, membership, _) =
        Organization::create(OrganizationName::parse(name).unwrap(), Slug::parse(slug).unwrap(), owner, now());
    (org, membership)
}

fn list(sort_by: &'static str, order: SortOrder) -> ListQuery {
    ListQuery { page: PageRequest::new(Some(1), Some(10)).unwrap(), sort_by, order }
}

async fn organizations_memberships_and_their_queries(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let (alice, bob) = (UserId::new(), UserId::new());
    let (acme, acme_owner) = organization("Acme", "acme", alice);
    let (zeta, zeta_owner) = organization("Zeta", "zeta", alice);
    let mut uow = fx.units.begin().await.unwrap();
    for (org, owner) in [(&acme, &acme_owner), (&zeta, &zeta_owner)] {
        uow.organizations().insert(org).await.unwrap();
        uow.memberships().insert(owner).await.unwrap();
    }
    uow.memberships().insert(&Membership::new(acme.id(), bob, Role::Viewer, now())).await.unwrap();
    uow.commit().await.unwrap();
    // A failed statement aborts a PostgreSQL transaction: each duplicate gets its own.
    let mut uow = fx.units.begin().await.unwrap();
    let duplicate = organization("Other Acme", "acme", bob).0;
    assert!(matches!(uow.organizations().insert(&duplicate).await.unwrap_err(), RepositoryError::Duplicate { .. }));
    drop(uow);
    let mut uow = fx.units.begin().await.unwrap();
    assert!(matches!(
        uow.memberships().insert(&Membership::new(acme.id(), bob, Role::Admin, now())).await.unwrap_err(),
        RepositoryError::Duplicate { .. }
    ));
    drop(uow);
    let mut uow = fx.units.begin().await.unwrap();
    assert!(uow.organizations().lock(acme.id()).await.unwrap());
    assert_eq!(uow.memberships().count_owners(acme.id()).await.unwrap(), 1);
    let mut bobs = uow.memberships().find(acme.id(), bob).await.unwrap().expect("bob is a member");
    bobs.change_role(Role::Owner, now());
    uow.memberships().update(&bobs).await.unwrap();
    assert_eq!(uow.memberships().count_owners(acme.id()).await.unwrap(), 2);
    uow.commit().await.unwrap();

    let queries = fx.database.tenancy_queries();
    assert_eq!(queries.role_of(acme.id(), bob).await.unwrap(), Some(Role::Owner));
    assert_eq!(queries.role_of(zeta.id(), bob).await.unwrap(), None, "no membership leaks across tenants");
    assert!(queries.organization_for_member(zeta.id(), bob).await.unwrap().is_none());
    let page = queries.organizations_of(alice, &list("name", SortOrder::Desc)).await.unwrap();
    let names: Vec<_> = page.items.iter().map(|o| o.name.as_str()).collect();
    assert_eq!((names, page.total), (vec!["Zeta", "Acme"], 2));
    let members = queries.members(acme.id(), &list("role", SortOrder::Asc)).await.unwrap();
    assert_eq!(members.total, 2);
    assert!(members.items.iter().all(|m| m.role == Role::Owner));

    let mut uow = fx.units.begin().await.unwrap();
    uow.memberships().delete(acme.id(), bob).await.unwrap();
    uow.commit().await.unwrap();
    assert_eq!(queries.role_of(acme.id(), bob).await.unwrap(), None);
    fx.finish().await;
}

async fn invitations_are_found_by_token_hash_and_remember_acceptance(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let alice = UserId::new();
    let (acme, owner) = organization("Acme", "acme", alice);
    let email = tenantry_kernel::EmailAddress::parse("bob@example.com").unwrap();
    let mut invitation = Invitation::issue(acme.id(), email.clone(), Role::Member, "token-hash".into(), alice, now());
    let mut uow = fx.units.begin().await.unwrap();
    uow.organizations().insert(&acme).await.unwrap();
    uow.memberships().insert(&owner).await.unwrap();
    uow.invitations().insert(&invitation).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fx.units.begin().await.unwrap();
    assert_eq!(uow.invitations().find_by_token_hash("token-hash").await.unwrap(), Some(invitation.clone()));
    assert!(uow.invitations().find_by_token_hash("other").await.unwrap().is_none());
    invitation.accept(UserId::new(), &email, now()).unwrap();
    uow.invitations().update(&invitation).await.unwrap();
    uow.commit().await.unwrap();
    let mut uow = fx.units.begin().await.unwrap();
    let stored = uow.invitations().find_by_token_hash("token-hash").await.unwrap().unwrap();
    assert_eq!(stored.accepted_by(), invitation.accepted_by());
    assert!(stored.accepted_at().is_some());
    drop(uow);
    fx.finish().await;
}

async fn users_are_found_in_bulk_for_other_contexts_views(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let (a, _) = new_user("bulk-a@example.com");
    let (b, _) = new_user("bulk-b@example.com");
    let mut uow = fx.units.begin().await.unwrap();
    uow.users().insert(&a).await.unwrap();
    uow.users().insert(&b).await.unwrap();
    uow.commit().await.unwrap();
    let queries = fx.database.identity_queries();
    let mut found: Vec<String> =
        queries.users_by_ids(&[a.id(), b.id(), UserId::new()]).await.unwrap().into_iter().map(|u| u.email).collect();
    found.sort();
    assert_eq!(found, ["bulk-a@example.com", "bulk-b@example.com"]);
    assert!(queries.users_by_ids(&[]).await.unwrap().is_empty());
    fx.finish().await;
}

async fn projects_and_tasks_stay_inside_their_tenant_and_refuse_stale_writes(backend: TestBackend) {
    use tenantry_application::ports::{ProjectFilter, TaskFilter};
    use tenantry_domain::projects::{
        Money, Project, ProjectChanges, ProjectName, ProjectRole, ProjectStatus, Task, TaskTitle,
    };
    use tenantry_kernel::TenantId;

    let fixture = Fixture::new(backend).await;
    let (tenant, stranger, owner) = (TenantId::new(), TenantId::new(), UserId::new());
    let name = ProjectName::parse("Apollo").unwrap();
    let budget = Some(Money::parse(1_250_000, "EUR").unwrap());
    let (project, _) = Project::create(tenant, name, Some("Moon".into()), budget, owner, now());
    let title = TaskTitle::parse("Launch").unwrap();
    let (task, _, _) = Task::create(tenant, project.id(), title, None, Some(owner), None, Some(60), owner, now());

    let mut uow = fixture.units.begin().await.unwrap();
    uow.projects().insert(&project).await.unwrap();
    uow.projects().add_member(tenant, project.id(), owner, ProjectRole::Manager, now()).await.unwrap();
    uow.tasks().insert(&task).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fixture.units.begin().await.unwrap();
    assert_eq!(uow.projects().find(tenant, project.id()).await.unwrap(), Some(project.clone()));
    assert_eq!(uow.projects().find(stranger, project.id()).await.unwrap(), None, "another tenant sees nothing");
    assert_eq!(uow.tasks().find(stranger, task.id()).await.unwrap(), None);
    assert_eq!(uow.projects().member_role(stranger, project.id(), owner).await.unwrap(), None);
    assert_eq!(uow.tasks().find(tenant, task.id()).await.unwrap(), Some(task.clone()));

    let mut renamed = project.clone();
    renamed.apply(ProjectChanges { status: Some(ProjectStatus::Archived), ..ProjectChanges::default() }, now());
    uow.projects().update(&renamed).await.unwrap();
    let mut stale = project.clone();
    stale.apply(ProjectChanges { description: Some(None), ..ProjectChanges::default() }, now());
    assert!(matches!(uow.projects().update(&stale).await, Err(RepositoryError::StaleVersion)));
    drop(uow);

    let queries = fixture.database.project_queries();
    let page = |size| ListQuery {
        page: PageRequest::new(Some(1), Some(size)).unwrap(),
        sort_by: "name",
        order: SortOrder::Asc,
    };
    let listed = queries.projects(tenant, &ProjectFilter::default(), &page(20)).await.unwrap();
    assert_eq!((listed.total, listed.items.len()), (1, 1));
    assert!(queries.projects(stranger, &ProjectFilter::default(), &page(20)).await.unwrap().items.is_empty());
    let by_assignee = TaskFilter { status: None, assignee: Some(owner) };
    let newest_first = ListQuery { sort_by: "created_at", ..page(5) };
    let tasks = queries.tasks(tenant, project.id(), &by_assignee, &newest_first).await.unwrap().unwrap();
    assert_eq!(tasks.items, vec![task.clone()]);
    let elsewhere = queries.tasks(stranger, project.id(), &by_assignee, &newest_first).await.unwrap();
    assert!(elsewhere.is_none(), "another tenant's project lists as missing");
    assert!(queries.task(stranger, task.id()).await.unwrap().is_none());
    fixture.finish().await;
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
        uow.projects().insert(&project).await.unwrap();
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
    assert_eq!(uow.projects().find(globex, globex_project.id()).await.unwrap(), None);
    assert!(uow.projects().insert(&project_of(globex)).await.is_err(), "writing into another tenant is refused");
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

async fn files_and_their_versions_stay_inside_their_tenant(backend: TestBackend) {
    use tenantry_application::ports::DataScope;
    use tenantry_domain::files::{Blob, FileName, StoredFile};
    use tenantry_kernel::TenantId;

    let fixture = Fixture::new(backend).await;
    let (tenant, stranger, owner) = (TenantId::new(), TenantId::new(), UserId::new());
    let blob = |sha: char| Blob { sha256: sha.to_string().repeat(64), size: 42, content_type: "text/plain".into() };
    let (file, _) = StoredFile::upload(tenant, FileName::sanitize("plan.txt").unwrap(), None, blob('a'), owner, now());
    let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
    uow.files().insert(&file).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
    let mut found = uow.files().find(tenant, file.id()).await.unwrap().expect("found");
    assert_eq!(found, file);
    found.add_version(blob('b'), owner, now());
    uow.files().add_version(&found).await.unwrap();
    let mut stale = file.clone();
    stale.add_version(blob('c'), owner, now());
    assert!(matches!(uow.files().add_version(&stale).await, Err(RepositoryError::StaleVersion)));
    uow.commit().await.unwrap();

    let queries = fixture.database.file_queries();
    let current = queries.file(tenant, file.id()).await.unwrap().expect("current");
    assert_eq!((current.current().number, current.current().blob.sha256.as_str()), (2, "b".repeat(64).as_str()));
    let versions = queries.versions(tenant, file.id()).await.unwrap();
    assert_eq!(versions.iter().map(|v| v.number).collect::<Vec<_>>(), [1, 2]);
    assert!(queries.file(stranger, file.id()).await.unwrap().is_none(), "another tenant sees nothing");
    assert!(queries.versions(stranger, file.id()).await.unwrap().is_empty());
    fixture.finish().await;
}

async fn folders_keep_sibling_names_unique_and_list_what_each_viewer_reaches(backend: TestBackend) {
    use tenantry_application::ports::{DataScope, FileGrant, FolderEntry};
    use tenantry_domain::files::{Blob, FileAccess, FileName, Folder, FolderName, StoredFile};
    use tenantry_kernel::{PageRequest, TenantId};

    let fixture = Fixture::new(backend).await;
    let (tenant, stranger, alice, bob) = (TenantId::new(), TenantId::new(), UserId::new(), UserId::new());
    let folder = |name: &str, parent| Folder::create(tenant, FolderName::parse(name).unwrap(), parent, alice, now());
    let file = |name: &str, folder, by| {
        let blob = Blob { sha256: "d".repeat(64), size: 1, content_type: "text/plain".into() };
        StoredFile::upload(tenant, FileName::sanitize(name).unwrap(), folder, blob, by, now()).0
    };
    let reports = folder("reports", None);
    let q1 = folder("q1", Some(reports.id()));
    let deep = folder("deep", Some(q1.id()));
    let (alices, bobs, shared) = (
        file("a.txt", Some(reports.id()), alice),
        file("b.txt", Some(reports.id()), bob),
        file("c.txt", Some(reports.id()), alice),
    );
    let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
    for folder in [&reports, &q1, &deep] {
        uow.files().insert_folder(folder).await.unwrap();
    }
    for file in [&alices, &bobs, &shared] {
        uow.files().insert(file).await.unwrap();
    }
    let grant = FileGrant {
        file_id: shared.id(),
        user_id: bob,
        access: FileAccess::Read,
        granted_by: alice,
        granted_at: now(),
    };
    uow.files().grant(tenant, &grant).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
    assert!(
        matches!(uow.files().insert_folder(&folder("reports", None)).await, Err(RepositoryError::Duplicate { .. })),
        "the top level is a parent like any other"
    );
    drop(uow);
    let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
    uow.files().lock_folder_tree(tenant).await.unwrap();
    uow.files().lock_folder_tree(tenant).await.unwrap();
    assert_eq!(uow.files().ancestors(tenant, deep.id()).await.unwrap(), [q1.id(), reports.id()]);
    assert!(uow.files().ancestors(tenant, reports.id()).await.unwrap().is_empty());
    assert!(uow.files().ancestors(stranger, deep.id()).await.unwrap().is_empty());
    assert!(uow.files().folder_has_children(tenant, reports.id()).await.unwrap());
    assert!(!uow.files().folder_has_children(tenant, deep.id()).await.unwrap());
    let mut renamed = uow.files().find_folder(tenant, q1.id()).await.unwrap().expect("q1");
    renamed.rename(FolderName::parse("quarter one").unwrap(), now());
    uow.files().save_folder(&renamed).await.unwrap();
    assert!(matches!(uow.files().save_folder(&renamed).await, Err(RepositoryError::StaleVersion)));
    uow.commit().await.unwrap();

    let queries = fixture.database.file_queries();
    let names = |page: &tenantry_kernel::Page<FolderEntry>| {
        page.items
            .iter()
            .map(|entry| match entry {
                FolderEntry::Folder(folder) => format!("folder:{}", folder.name().as_str()),
                FolderEntry::File(file) => format!("file:{}", file.name().as_str()),
            })
            .collect::<Vec<_>>()
    };
    let page = |n, size| PageRequest::new(Some(n), Some(size)).unwrap();
    let all = queries.children(tenant, Some(reports.id()), None, page(1, 20)).await.unwrap();
    assert_eq!(
        (names(&all), all.total),
        (vec!["folder:quarter one".into(), "file:a.txt".into(), "file:b.txt".into(), "file:c.txt".into()], 4)
    );
    let second = queries.children(tenant, Some(reports.id()), None, page(2, 3)).await.unwrap();
    assert_eq!((names(&second), second.total), (vec!["file:c.txt".to_owned()], 4));
    let bobs_view = queries.children(tenant, Some(reports.id()), Some(bob), page(1, 20)).await.unwrap();
    assert_eq!(names(&bobs_view), ["folder:quarter one", "file:b.txt", "file:c.txt"], "his own and the granted one");
    let top = queries.children(tenant, None, None, page(1, 20)).await.unwrap();
    assert_eq!(names(&top), ["folder:reports"]);
    assert!(queries.children(stranger, None, None, page(1, 20)).await.unwrap().items.is_empty());
    assert!(queries.folder(stranger, reports.id()).await.unwrap().is_none());

    // Deleting a folder sends its binned files to the top level.
    let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
    let mut binned = uow.files().find(tenant, alices.id()).await.unwrap().expect("a.txt");
    binned.delete(now());
    uow.files().save_state(&binned).await.unwrap();
    uow.files().delete_folder(tenant, deep.id()).await.unwrap();
    uow.commit().await.unwrap();
    let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
    assert!(uow.files().find_folder(tenant, deep.id()).await.unwrap().is_none());
    for file in [&bobs, &shared] {
        let mut moved = uow.files().find(tenant, file.id()).await.unwrap().expect("file");
        moved.relocate(None, Some(None));
        uow.files().save_state(&moved).await.unwrap();
    }
    uow.files().delete_folder(tenant, q1.id()).await.unwrap();
    uow.files().delete_folder(tenant, reports.id()).await.unwrap();
    assert_eq!(uow.files().find(tenant, alices.id()).await.unwrap().expect("binned").folder(), None);
    uow.commit().await.unwrap();
    let top = queries.children(tenant, None, None, page(1, 20)).await.unwrap();
    assert_eq!(names(&top), ["file:b.txt", "file:c.txt"], "the binned file stays out of listings");
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

async fn purging_the_bin_removes_old_binned_files_and_reports_only_unshared_blobs(backend: TestBackend) {
    use tenantry_application::ports::DataScope;
    use tenantry_domain::files::{Blob, FileName, StoredFile};
    use tenantry_kernel::TenantId;

    let fixture = Fixture::new(backend).await;
    let (acme, globex, owner) = (TenantId::new(), TenantId::new(), UserId::new());
    let blob = |sha: char| Blob { sha256: sha.to_string().repeat(64), size: 1, content_type: "text/plain".into() };
    let file = |tenant, name: &str, sha| {
        StoredFile::upload(tenant, FileName::sanitize(name).unwrap(), None, blob(sha), owner, now()).0
    };
    let (old_unique, old_shared, kept_shared, recent, other_tenant) = (
        file(acme, "old.txt", 'a'),
        file(acme, "old-shared.txt", 'b'),
        file(acme, "live.txt", 'b'),
        file(acme, "recent.txt", 'c'),
        file(globex, "theirs.txt", 'd'),
    );
    let long_ago = now() - TimeDelta::days(40);
    for (tenant, file, binned_at) in [
        (acme, &old_unique, Some(long_ago)),
        (acme, &old_shared, Some(long_ago)),
        (acme, &kept_shared, None),
        (acme, &recent, Some(now())),
        (globex, &other_tenant, Some(long_ago)),
    ] {
        let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
        uow.files().insert(file).await.unwrap();
        if let Some(at) = binned_at {
            let mut binned = uow.files().find(tenant, file.id()).await.unwrap().unwrap();
            binned.delete(at);
            uow.files().save_state(&binned).await.unwrap();
        }
        uow.commit().await.unwrap();
    }

    let mut uow = fixture.units.begin().await.unwrap();
    let mut unreferenced = uow.files().purge_binned(now() - TimeDelta::days(30)).await.unwrap();
    uow.commit().await.unwrap();
    unreferenced.sort();
    assert_eq!(unreferenced, ["a".repeat(64), "d".repeat(64)], "b is still used by live.txt; c is recent");
    let queries = fixture.database.file_queries();
    assert!(queries.file(acme, old_unique.id()).await.unwrap().is_none());
    assert!(queries.file(globex, other_tenant.id()).await.unwrap().is_none(), "every organization's bin");
    assert!(queries.versions(acme, old_shared.id()).await.unwrap().is_empty(), "versions go with their file");
    assert!(queries.file(acme, recent.id()).await.unwrap().is_some(), "still restorable");
    assert!(queries.file(acme, kept_shared.id()).await.unwrap().is_some());
    fixture.finish().await;
}

tenantry_infrastructure::backend_test_suite!(
    jobs_take_turns_so_one_tenants_backlog_starves_no_other,
    purging_the_bin_removes_old_binned_files_and_reports_only_unshared_blobs,
    jobs_are_claimed_once_retried_with_backoff_and_dead_lettered,
    folders_keep_sibling_names_unique_and_list_what_each_viewer_reaches,
    files_and_their_versions_stay_inside_their_tenant,
    idempotency_claims_are_exclusive_replayable_and_expire,
    row_level_security_confines_a_statement_that_forgets_its_tenant_filter,
    notifications_are_delivered_once_per_event_and_honour_preferences,
    the_audit_chain_links_each_tenants_entries_and_exposes_tampering,
    projects_and_tasks_stay_inside_their_tenant_and_refuse_stale_writes,
    stores_and_finds_users_by_id_and_email,
    a_duplicate_email_is_reported_as_duplicate,
    a_stale_user_update_is_refused,
    dropping_a_unit_of_work_rolls_everything_back,
    sessions_rotate_and_revoke,
    the_role_catalogue_upsert_is_idempotent,
    commit_writes_the_outbox_and_the_relay_delivers_each_event_once,
    the_audit_log_is_append_only,
    migrations_go_up_down_and_up_again,
    migration_names_follow_timestamp_context_action_table,
    organizations_memberships_and_their_queries,
    invitations_are_found_by_token_hash_and_remember_acceptance,
    users_are_found_in_bulk_for_other_contexts_views,
);
