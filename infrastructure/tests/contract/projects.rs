use tenantry_application::ports::{ListQuery, RepositoryError};
use tenantry_application::projects::ports::ProjectRepositories;
use tenantry_infrastructure::testing::TestBackend;
use tenantry_infrastructure::SqlRepositories;
use tenantry_kernel::UserId;
use tenantry_kernel::{PageRequest, SortOrder};

use super::{now, Fixture};

async fn projects_and_tasks_stay_inside_their_tenant_and_refuse_stale_writes(backend: TestBackend) {
    use tenantry_application::projects::ports::{ProjectFilter, TaskFilter};
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
    SqlRepositories.projects(uow.as_mut()).unwrap().insert(&project).await.unwrap();
    SqlRepositories
        .projects(uow.as_mut())
        .unwrap()
        .add_member(tenant, project.id(), owner, ProjectRole::Manager, now())
        .await
        .unwrap();
    SqlRepositories.tasks(uow.as_mut()).unwrap().insert(&task).await.unwrap();
    uow.commit().await.unwrap();

    let mut uow = fixture.units.begin().await.unwrap();
    assert_eq!(
        SqlRepositories.projects(uow.as_mut()).unwrap().find(tenant, project.id()).await.unwrap(),
        Some(project.clone())
    );
    assert_eq!(
        SqlRepositories.projects(uow.as_mut()).unwrap().find(stranger, project.id()).await.unwrap(),
        None,
        "another tenant sees nothing"
    );
    assert_eq!(SqlRepositories.tasks(uow.as_mut()).unwrap().find(stranger, task.id()).await.unwrap(), None);
    assert_eq!(
        SqlRepositories.projects(uow.as_mut()).unwrap().member_role(stranger, project.id(), owner).await.unwrap(),
        None
    );
    assert_eq!(SqlRepositories.tasks(uow.as_mut()).unwrap().find(tenant, task.id()).await.unwrap(), Some(task.clone()));

    let mut renamed = project.clone();
    renamed.apply(ProjectChanges { status: Some(ProjectStatus::Archived), ..ProjectChanges::default() }, now());
    SqlRepositories.projects(uow.as_mut()).unwrap().update(&renamed).await.unwrap();
    let mut stale = project.clone();
    stale.apply(ProjectChanges { description: Some(None), ..ProjectChanges::default() }, now());
    assert!(matches!(
        SqlRepositories.projects(uow.as_mut()).unwrap().update(&stale).await,
        Err(RepositoryError::StaleVersion)
    ));
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

tenantry_infrastructure::backend_test_suite!(projects_and_tasks_stay_inside_their_tenant_and_refuse_stale_writes);
