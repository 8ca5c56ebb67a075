//! The essential seed set, through the application layer, on both backends.

use secrecy::SecretString;
use tenantry_infrastructure::testing::owner_view;
use tenantry_infrastructure::Database;
use tenantry_seeds::{AdminSeed, SeedSet};
use tenantry_server::testing::{test_settings, TestBackend, TestDatabase};
use tenantry_server::Tenantry;

async fn running_the_essential_seed_twice_changes_nothing_the_second_time(backend: TestBackend) {
    let database = TestDatabase::create(backend).await.unwrap();
    let data_dir = std::env::temp_dir().join(format!("tenantry-seed-{}", uuid::Uuid::now_v7().simple()));
    let tenantry = Tenantry::build(&test_settings(&database.url, data_dir)).await.unwrap();
    let admin = AdminSeed {
        email: "ops@example.com".into(),
        display_name: "Ops".into(),
        password: Some(SecretString::from("a long operator passphrase".to_owned())),
    };
    let mut lines = Vec::new();
    let first = tenantry.seed(SeedSet::Essential, None, &admin, |s| lines.push(s.step)).await.unwrap();
    assert_eq!(lines, ["roles", "admin"], "one progress line per step");
    assert!(first.iter().all(|step| step.created > 0), "{first:?}");
    let audit_rows = audit_count(tenantry.database()).await;

    let second = tenantry.seed(SeedSet::Essential, None, &admin, |_| {}).await.unwrap();
    assert!(second.iter().all(|step| step.created == 0), "{second:?}");
    assert_eq!(audit_count(tenantry.database()).await, audit_rows, "a no-op run leaves no audit trace");

    let (roles, grants, admins) = catalogue(tenantry.database()).await;
    assert_eq!((roles, admins), (4, 1));
    assert!(grants > 30, "roles are mapped to permissions ({grants} grants)");
    tenantry.shutdown().await;
    database.drop_database().await;
}

async fn without_a_configured_password_no_admin_is_created(backend: TestBackend) {
    let database = TestDatabase::create(backend).await.unwrap();
    let data_dir = std::env::temp_dir().join(format!("tenantry-seed-{}", uuid::Uuid::now_v7().simple()));
    let tenantry = Tenantry::build(&test_settings(&database.url, data_dir)).await.unwrap();
    let admin = AdminSeed { email: "ops@example.com".into(), display_name: "Ops".into(), password: None };
    let outcome = tenantry.seed(SeedSet::Essential, None, &admin, |_| {}).await.unwrap();
    assert!(outcome[1].summary.contains("TENANTRY__SEED__ADMIN_PASSWORD"));
    assert_eq!(catalogue(tenantry.database()).await.2, 0);
    tenantry.shutdown().await;
    database.drop_database().await;
}

async fn the_development_set_builds_acme_once_and_prints_credentials_once(backend: TestBackend) {
    let database = TestDatabase::create(backend).await.unwrap();
    let data_dir = std::env::temp_dir().join(format!("tenantry-seed-{}", uuid::Uuid::now_v7().simple()));
    let tenantry = Tenantry::build(&test_settings(&database.url, data_dir)).await.unwrap();
    let admin = AdminSeed { email: "ops@example.com".into(), display_name: "Ops".into(), password: None };
    let first = tenantry.seed(SeedSet::Development, None, &admin, |_| {}).await.unwrap();
    let acme = first.iter().find(|s| s.step == "acme").unwrap();
    assert_eq!(acme.created, 8, "4 users, the organization, 3 memberships: {}", acme.summary);
    assert_eq!(acme.summary.matches("password: ").count(), 4);

    let second = tenantry.seed(SeedSet::Development, None, &admin, |_| {}).await.unwrap();
    assert!(second.iter().all(|s| s.created == 0), "{second:?}");
    assert!(!second.iter().any(|s| s.summary.contains("password: ")), "credentials are printed only when created");

    let roles: Vec<String> = match &owner_view(tenantry.database()).await {
        Database::Postgres(pool) => {
            sqlx::query_scalar("SELECT role FROM memberships m JOIN organizations o ON o.id = m.tenant_id WHERE o.slug = 'acme' ORDER BY role")
                .fetch_all(pool)
                .await
                .unwrap()
        }
        Database::Sqlite(pool) => {
            sqlx::query_scalar("SELECT role FROM memberships m JOIN organizations o ON o.id = m.tenant_id WHERE o.slug = 'acme' ORDER BY role")
                .fetch_all(pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(roles, ["admin", "member", "owner", "viewer"]);
    tenantry.shutdown().await;
    database.drop_database().await;
}

async fn a_single_module_runs_alone_and_unknown_modules_are_refused(backend: TestBackend) {
    let database = TestDatabase::create(backend).await.unwrap();
    let data_dir = std::env::temp_dir().join(format!("tenantry-seed-{}", uuid::Uuid::now_v7().simple()));
    let tenantry = Tenantry::build(&test_settings(&database.url, data_dir)).await.unwrap();
    let admin = AdminSeed { email: "ops@example.com".into(), display_name: "Ops".into(), password: None };
    let only = tenantry.seed(SeedSet::Test, Some("fixtures"), &admin, |_| {}).await.unwrap();
    assert_eq!(only.iter().map(|s| s.step).collect::<Vec<_>>(), ["fixtures"]);
    assert_eq!(catalogue(tenantry.database()).await.0, 0, "the roles module did not run");
    let error = tenantry.seed(SeedSet::Essential, Some("acme"), &admin, |_| {}).await;
    assert!(matches!(error, Err(tenantry_seeds::SeedError::UnknownModule { .. })));
    tenantry.shutdown().await;
    database.drop_database().await;
}

async fn audit_count(database: &Database) -> i64 {
    match &owner_view(database).await {
        Database::Postgres(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM audit.audit_log").fetch_one(pool).await.unwrap()
        }
        Database::Sqlite(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(pool).await.unwrap(),
    }
}

/// (roles, role-permission grants, platform admins)
async fn catalogue(database: &Database) -> (i64, i64, i64) {
    let queries = [
        "SELECT COUNT(*) FROM roles",
        "SELECT COUNT(*) FROM role_permissions",
        "SELECT COUNT(*) FROM users WHERE is_platform_admin",
    ];
    let mut counts = [0i64; 3];
    for (slot, sql) in counts.iter_mut().zip(queries) {
        *slot = match database {
            Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        };
    }
    (counts[0], counts[1], counts[2])
}

tenantry_infrastructure::backend_test_suite!(
    running_the_essential_seed_twice_changes_nothing_the_second_time,
    without_a_configured_password_no_admin_is_created,
    the_development_set_builds_acme_once_and_prints_credentials_once,
    a_single_module_runs_alone_and_unknown_modules_are_refused,
);
