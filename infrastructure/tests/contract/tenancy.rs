use tenantry_application::ports::{ListQuery, RepositoryError};
use tenantry_application::tenancy::ports::TenancyRepositories;
use tenantry_domain::tenancy::{Invitation, Membership, Organization, OrganizationName, Role, Slug};
use tenantry_infrastructure::testing::TestBackend;
use tenantry_infrastructure::SqlRepositories;
use tenantry_kernel::UserId;
use tenantry_kernel::{PageRequest, SortOrder};

use super::{now, Fixture};

async fn the_role_catalogue_upsert_is_idempotent(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let mut uow = fx.units.begin().await.unwrap();
    assert!(SqlRepositories
        .role_catalogue(uow.as_mut())
        .unwrap()
        .upsert_permission("project:read", "See projects")
        .await
        .unwrap());
    assert!(!SqlRepositories
        .role_catalogue(uow.as_mut())
        .unwrap()
        .upsert_permission("project:read", "See projects")
        .await
        .unwrap());
    assert!(SqlRepositories
        .role_catalogue(uow.as_mut())
        .unwrap()
        .upsert_permission("project:update", "Change projects")
        .await
        .unwrap());
    assert!(SqlRepositories
        .role_catalogue(uow.as_mut())
        .unwrap()
        .upsert_role("viewer", "Reads", &["project:read"])
        .await
        .unwrap());
    assert!(!SqlRepositories
        .role_catalogue(uow.as_mut())
        .unwrap()
        .upsert_role("viewer", "Reads", &["project:read"])
        .await
        .unwrap());
    assert!(SqlRepositories
        .role_catalogue(uow.as_mut())
        .unwrap()
        .upsert_role("viewer", "Reads", &["project:read", "project:update"])
        .await
        .unwrap());
    uow.commit().await.unwrap();
    fx.finish().await;
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
        SqlRepositories.organizations(uow.as_mut()).unwrap().insert(org).await.unwrap();
        SqlRepositories.memberships(uow.as_mut()).unwrap().insert(owner).await.unwrap();
    }
    SqlRepositories
        .memberships(uow.as_mut())
        .unwrap()
        .insert(&Membership::new(acme.id(), bob, Role::Viewer, now()))
        .await
        .unwrap();
    uow.commit().await.unwrap();
    // A failed statement aborts a PostgreSQL transaction: each duplicate gets its own.
    let mut uow = fx.units.begin().await.unwrap();
    let duplicate = organization("Other Acme", "acme", bob).0;
    assert!(matches!(
        SqlRepositories.organizations(uow.as_mut()).unwrap().insert(&duplicate).await.unwrap_err(),
        RepositoryError::Duplicate { .. }
    ));
    drop(uow);
    let mut uow = fx.units.begin().await.unwrap();
    assert!(matches!(
        SqlRepositories
            .memberships(uow.as_mut())
            .unwrap()
            .insert(&Membership::new(acme.id(), bob, Role::Admin, now()))
            .await
            .unwrap_err(),
        RepositoryError::Duplicate { .. }
    ));
    drop(uow);
    let mut uow = fx.units.begin().await.unwrap();
    assert!(SqlRepositories.organizations(uow.as_mut()).unwrap().lock(acme.id()).await.unwrap());
    assert_eq!(SqlRepositories.memberships(uow.as_mut()).unwrap().count_owners(acme.id()).await.unwrap(), 1);
    let mut bobs = SqlRepositories
        .memberships(uow.as_mut())
        .unwrap()
        .find(acme.id(), bob)
        .await
        .unwrap()
        .expect("bob is a member");
    bobs.change_role(Role::Owner, now());
    SqlRepositories.memberships(uow.as_mut()).unwrap().update(&bobs).await.unwrap();
    assert_eq!(SqlRepositories.memberships(uow.as_mut()).unwrap().count_owners(acme.id()).await.unwrap(), 2);
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
    SqlRepositories.memberships(uow.as_mut()).unwrap().delete(acme.id(), bob).await.unwrap();
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
    SqlRepositories.organizations(uow.as_mut()).unwrap().insert(&acme).await.unwrap();
    SqlRepositories.memberships(uow.as_mut()).unwrap().insert(&owner).await.unwrap();
    SqlRepositories.invitations(uow.as_mut()).unwrap().insert(&invitation).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fx.units.begin().await.unwrap();
    assert_eq!(
        SqlRepositories.invitations(uow.as_mut()).unwrap().find_by_token_hash("token-hash").await.unwrap(),
        Some(invitation.clone())
    );
    assert!(SqlRepositories.invitations(uow.as_mut()).unwrap().find_by_token_hash("other").await.unwrap().is_none());
    invitation.accept(UserId::new(), &email, now()).unwrap();
    SqlRepositories.invitations(uow.as_mut()).unwrap().update(&invitation).await.unwrap();
    uow.commit().await.unwrap();
    let mut uow = fx.units.begin().await.unwrap();
    let stored =
        SqlRepositories.invitations(uow.as_mut()).unwrap().find_by_token_hash("token-hash").await.unwrap().unwrap();
    assert_eq!(stored.accepted_by(), invitation.accepted_by());
    assert!(stored.accepted_at().is_some());
    drop(uow);
    fx.finish().await;
}

tenantry_infrastructure::backend_test_suite!(
    the_role_catalogue_upsert_is_idempotent,
    organizations_memberships_and_their_queries,
    invitations_are_found_by_token_hash_and_remember_acceptance,
);
