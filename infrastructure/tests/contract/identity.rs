use tenantry_application::identity::ports::IdentityRepositories;
use tenantry_application::ports::RepositoryError;
use tenantry_domain::identity::Session;
use tenantry_infrastructure::testing::TestBackend;
use tenantry_infrastructure::SqlRepositories;
use tenantry_kernel::UserId;

use super::{new_user, now, Fixture};

async fn stores_and_finds_users_by_id_and_email(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let (user, _) = new_user("finder@example.com");
    let mut uow = fx.units.begin().await.unwrap();
    SqlRepositories.users(uow.as_mut()).unwrap().insert(&user).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fx.units.begin().await.unwrap();
    let by_id = SqlRepositories.users(uow.as_mut()).unwrap().find_by_id(user.id()).await.unwrap().expect("found by id");
    let by_email = SqlRepositories
        .users(uow.as_mut())
        .unwrap()
        .find_by_email(user.email())
        .await
        .unwrap()
        .expect("found by email");
    assert_eq!(by_id, user);
    assert_eq!(by_email, user);
    assert!(SqlRepositories.users(uow.as_mut()).unwrap().find_by_id(UserId::new()).await.unwrap().is_none());
    drop(uow);
    let view = fx.database.identity_queries().user_by_id(user.id()).await.unwrap().expect("view");
    assert_eq!((view.email.as_str(), view.display_name.as_str()), ("finder@example.com", "Contract Tester"));
    fx.finish().await;
}

async fn a_duplicate_email_is_reported_as_duplicate(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let mut uow = fx.units.begin().await.unwrap();
    SqlRepositories.users(uow.as_mut()).unwrap().insert(&new_user("dup@example.com").0).await.unwrap();
    let error = SqlRepositories.users(uow.as_mut()).unwrap().insert(&new_user("dup@example.com").0).await.unwrap_err();
    assert!(matches!(error, RepositoryError::Duplicate { .. }), "{error:?}");
    drop(uow);
    fx.finish().await;
}

async fn a_stale_user_update_is_refused(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let (user, _) = new_user("stale@example.com");
    let mut uow = fx.units.begin().await.unwrap();
    SqlRepositories.users(uow.as_mut()).unwrap().insert(&user).await.unwrap();
    let mut first = user.clone();
    first.grant_platform_admin(now());
    SqlRepositories.users(uow.as_mut()).unwrap().update(&first).await.unwrap();
    // A second writer that read version 1 as well.
    let mut second = user.clone();
    second.grant_platform_admin(now());
    assert!(matches!(
        SqlRepositories.users(uow.as_mut()).unwrap().update(&second).await.unwrap_err(),
        RepositoryError::StaleVersion
    ));
    drop(uow);
    fx.finish().await;
}

async fn sessions_rotate_and_revoke(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let (user, _) = new_user("session@example.com");
    let mut session = Session::start(user.id(), "hash-1".into(), now());
    let mut uow = fx.units.begin().await.unwrap();
    SqlRepositories.users(uow.as_mut()).unwrap().insert(&user).await.unwrap();
    SqlRepositories.sessions(uow.as_mut()).unwrap().insert(&session).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fx.units.begin().await.unwrap();
    let found = SqlRepositories
        .sessions(uow.as_mut())
        .unwrap()
        .find_by_refresh_token_hash("hash-1")
        .await
        .unwrap()
        .expect("by hash");
    assert_eq!(found, session);
    SqlRepositories.sessions(uow.as_mut()).unwrap().retire_refresh_token_hash(&session, "hash-1").await.unwrap();
    session.rotate("hash-2".into(), now());
    SqlRepositories.sessions(uow.as_mut()).unwrap().update(&session).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fx.units.begin().await.unwrap();
    assert!(
        SqlRepositories.sessions(uow.as_mut()).unwrap().find_by_refresh_token_hash("hash-1").await.unwrap().is_none(),
        "old hash is dead"
    );
    let retired =
        SqlRepositories.sessions(uow.as_mut()).unwrap().find_by_retired_refresh_token_hash("hash-1").await.unwrap();
    assert_eq!(retired.map(|s| s.id()), Some(session.id()), "a retired hash leads back to its session");
    assert!(SqlRepositories
        .sessions(uow.as_mut())
        .unwrap()
        .find_by_retired_refresh_token_hash("hash-2")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        SqlRepositories.sessions(uow.as_mut()).unwrap().find_by_id(session.id()).await.unwrap(),
        Some(session.clone())
    );
    session.revoke(now());
    SqlRepositories.sessions(uow.as_mut()).unwrap().update(&session).await.unwrap();
    uow.commit().await.unwrap();

    let status = fx.database.identity_queries().session_status(session.id()).await.unwrap().expect("status");
    assert!(status.revoked);
    assert_eq!(status.user_id, user.id());
    fx.finish().await;
}

async fn users_are_found_in_bulk_for_other_contexts_views(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let (a, _) = new_user("bulk-a@example.com");
    let (b, _) = new_user("bulk-b@example.com");
    let mut uow = fx.units.begin().await.unwrap();
    SqlRepositories.users(uow.as_mut()).unwrap().insert(&a).await.unwrap();
    SqlRepositories.users(uow.as_mut()).unwrap().insert(&b).await.unwrap();
    uow.commit().await.unwrap();
    let queries = fx.database.identity_queries();
    let mut found: Vec<String> =
        queries.users_by_ids(&[a.id(), b.id(), UserId::new()]).await.unwrap().into_iter().map(|u| u.email).collect();
    found.sort();
    assert_eq!(found, ["bulk-a@example.com", "bulk-b@example.com"]);
    assert!(queries.users_by_ids(&[]).await.unwrap().is_empty());
    fx.finish().await;
}

tenantry_infrastructure::backend_test_suite!(
    stores_and_finds_users_by_id_and_email,
    a_duplicate_email_is_reported_as_duplicate,
    a_stale_user_update_is_refused,
    sessions_rotate_and_revoke,
    users_are_found_in_bulk_for_other_contexts_views,
);
