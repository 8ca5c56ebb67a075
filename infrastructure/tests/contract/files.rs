use chrono::TimeDelta;
use tenantry_application::files::ports::FileRepositories;
use tenantry_application::ports::RepositoryError;
use tenantry_infrastructure::testing::TestBackend;
use tenantry_infrastructure::SqlRepositories;
use tenantry_kernel::UserId;

use super::{now, Fixture};

async fn files_and_their_versions_stay_inside_their_tenant(backend: TestBackend) {
    use tenantry_application::ports::DataScope;
    use tenantry_domain::files::{Blob, FileName, StoredFile};
    use tenantry_kernel::TenantId;

    let fixture = Fixture::new(backend).await;
    let (tenant, stranger, owner) = (TenantId::new(), TenantId::new(), UserId::new());
    let blob = |sha: char| Blob { sha256: sha.to_string().repeat(64), size: 42, content_type: "text/plain".into() };
    let (file, _) = StoredFile::upload(tenant, FileName::sanitize("plan.txt").unwrap(), None, blob('a'), owner, now());
    let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
    SqlRepositories.files(uow.as_mut()).unwrap().insert(&file).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
    let mut found = SqlRepositories.files(uow.as_mut()).unwrap().find(tenant, file.id()).await.unwrap().expect("found");
    assert_eq!(found, file);
    found.add_version(blob('b'), owner, now());
    SqlRepositories.files(uow.as_mut()).unwrap().add_version(&found).await.unwrap();
    let mut stale = file.clone();
    stale.add_version(blob('c'), owner, now());
    assert!(matches!(
        SqlRepositories.files(uow.as_mut()).unwrap().add_version(&stale).await,
        Err(RepositoryError::StaleVersion)
    ));
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
    use tenantry_application::files::ports::{FileGrant, FolderEntry};
    use tenantry_application::ports::DataScope;
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
        SqlRepositories.files(uow.as_mut()).unwrap().insert_folder(folder).await.unwrap();
    }
    for file in [&alices, &bobs, &shared] {
        SqlRepositories.files(uow.as_mut()).unwrap().insert(file).await.unwrap();
    }
    let grant = FileGrant {
        file_id: shared.id(),
        user_id: bob,
        access: FileAccess::Read,
        granted_by: alice,
        granted_at: now(),
    };
    SqlRepositories.files(uow.as_mut()).unwrap().grant(tenant, &grant).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
    assert!(
        matches!(
            SqlRepositories.files(uow.as_mut()).unwrap().insert_folder(&folder("reports", None)).await,
            Err(RepositoryError::Duplicate { .. })
        ),
        "the top level is a parent like any other"
    );
    drop(uow);
    let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
    SqlRepositories.files(uow.as_mut()).unwrap().lock_folder_tree(tenant).await.unwrap();
    SqlRepositories.files(uow.as_mut()).unwrap().lock_folder_tree(tenant).await.unwrap();
    assert_eq!(
        SqlRepositories.files(uow.as_mut()).unwrap().ancestors(tenant, deep.id()).await.unwrap(),
        [q1.id(), reports.id()]
    );
    assert!(SqlRepositories.files(uow.as_mut()).unwrap().ancestors(tenant, reports.id()).await.unwrap().is_empty());
    assert!(SqlRepositories.files(uow.as_mut()).unwrap().ancestors(stranger, deep.id()).await.unwrap().is_empty());
    assert!(SqlRepositories.files(uow.as_mut()).unwrap().folder_has_children(tenant, reports.id()).await.unwrap());
    assert!(!SqlRepositories.files(uow.as_mut()).unwrap().folder_has_children(tenant, deep.id()).await.unwrap());
    let mut renamed =
        SqlRepositories.files(uow.as_mut()).unwrap().find_folder(tenant, q1.id()).await.unwrap().expect("q1");
    renamed.rename(FolderName::parse("quarter one").unwrap(), now());
    SqlRepositories.files(uow.as_mut()).unwrap().save_folder(&renamed).await.unwrap();
    assert!(matches!(
        SqlRepositories.files(uow.as_mut()).unwrap().save_folder(&renamed).await,
        Err(RepositoryError::StaleVersion)
    ));
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
    let mut binned =
        SqlRepositories.files(uow.as_mut()).unwrap().find(tenant, alices.id()).await.unwrap().expect("a.txt");
    binned.delete(now());
    SqlRepositories.files(uow.as_mut()).unwrap().save_state(&binned).await.unwrap();
    SqlRepositories.files(uow.as_mut()).unwrap().delete_folder(tenant, deep.id()).await.unwrap();
    uow.commit().await.unwrap();
    let mut uow = fixture.units.begin_in(DataScope::Tenant(tenant)).await.unwrap();
    assert!(SqlRepositories.files(uow.as_mut()).unwrap().find_folder(tenant, deep.id()).await.unwrap().is_none());
    for file in [&bobs, &shared] {
        let mut moved =
            SqlRepositories.files(uow.as_mut()).unwrap().find(tenant, file.id()).await.unwrap().expect("file");
        moved.relocate(None, Some(None));
        SqlRepositories.files(uow.as_mut()).unwrap().save_state(&moved).await.unwrap();
    }
    SqlRepositories.files(uow.as_mut()).unwrap().delete_folder(tenant, q1.id()).await.unwrap();
    SqlRepositories.files(uow.as_mut()).unwrap().delete_folder(tenant, reports.id()).await.unwrap();
    assert_eq!(
        SqlRepositories.files(uow.as_mut()).unwrap().find(tenant, alices.id()).await.unwrap().expect("binned").folder(),
        None
    );
    uow.commit().await.unwrap();
    let top = queries.children(tenant, None, None, page(1, 20)).await.unwrap();
    assert_eq!(names(&top), ["file:b.txt", "file:c.txt"], "the binned file stays out of listings");
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
        SqlRepositories.files(uow.as_mut()).unwrap().insert(file).await.unwrap();
        if let Some(at) = binned_at {
            let mut binned =
                SqlRepositories.files(uow.as_mut()).unwrap().find(tenant, file.id()).await.unwrap().unwrap();
            binned.delete(at);
            SqlRepositories.files(uow.as_mut()).unwrap().save_state(&binned).await.unwrap();
        }
        uow.commit().await.unwrap();
    }

    let mut uow = fixture.units.begin().await.unwrap();
    let mut unreferenced =
        SqlRepositories.files(uow.as_mut()).unwrap().purge_binned(now() - TimeDelta::days(30)).await.unwrap();
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
    files_and_their_versions_stay_inside_their_tenant,
    folders_keep_sibling_names_unique_and_list_what_each_viewer_reaches,
    purging_the_bin_removes_old_binned_files_and_reports_only_unshared_blobs,
);
