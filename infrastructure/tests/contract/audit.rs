use tenantry_application::pipeline::AuditEntry;
use tenantry_infrastructure::testing::{owner_view, TestBackend};
use tenantry_infrastructure::Database;
use tenantry_kernel::PageRequest;

use super::{audit_entry, Fixture};

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
    use tenantry_application::audit::ports::AuditFilter;
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

tenantry_infrastructure::backend_test_suite!(
    the_audit_log_is_append_only,
    the_audit_chain_links_each_tenants_entries_and_exposes_tampering,
);
