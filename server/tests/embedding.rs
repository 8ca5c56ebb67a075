//! An embedding product mounts Tenantry on its own actix `App` next to its routes.

use std::net::TcpListener;

use actix_web::{web, App, HttpResponse, HttpServer};
use tenantry_server::testing::{test_settings, TestBackend, TestDatabase};
use tenantry_server::Tenantry;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_app_serves_its_own_routes_beside_tenantrys() {
    let database = TestDatabase::create(TestBackend::Sqlite).await.unwrap();
    let data_dir = std::env::temp_dir().join(format!("tenantry-embed-{}", uuid::Uuid::now_v7().simple()));
    let tenantry = Tenantry::build(&test_settings(&database.url, data_dir)).await.unwrap();
    let state = tenantry.http_state();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        App::new()
            // The host's own routes come first: Tenantry's scope answers everything else.
            .route("/hello", web::get().to(|| async { HttpResponse::Ok().body("hello from the host") }))
            .configure(tenantry_http::configure(state.clone()))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);

    let hello = reqwest::get(format!("{base}/hello")).await.unwrap();
    assert_eq!(hello.text().await.unwrap(), "hello from the host");
    let me = reqwest::get(format!("{base}/api/v1/users/me")).await.unwrap();
    assert_eq!(me.status(), 401);
    assert!(me.headers().contains_key("x-request-id"));
    let body: serde_json::Value = me.json().await.unwrap();
    assert_eq!(body["error_code"], "unauthenticated");
    assert_eq!(reqwest::get(format!("{base}/ready")).await.unwrap().status(), 200);

    handle.stop(true).await;
    tenantry.shutdown().await;
    database.drop_database().await;
}

/// Mail the product sends itself: what Tenantry asked it to send, kept for the test.
#[derive(Default)]
struct ProductMailer(std::sync::Mutex<Vec<String>>);

#[async_trait::async_trait]
impl tenantry_application::ports::Mailer for ProductMailer {
    async fn send(
        &self,
        message: &tenantry_application::ports::MailMessage,
    ) -> Result<(), tenantry_application::ports::MailError> {
        self.0.lock().unwrap().push(format!("{}: {}", message.to.as_str(), message.subject));
        Ok(())
    }
}

/// A product's follow-up to a new organization: queued in the very transaction that
/// created it, run by the product's own job handler.
struct WelcomeNewOrganizations;

#[async_trait::async_trait]
impl tenantry_application::pipeline::InTransactionReaction for WelcomeNewOrganizations {
    fn event_type(&self) -> &'static str {
        "tenancy.organization_created"
    }

    async fn react(
        &self,
        event: &tenantry_kernel::EventEnvelope,
        uow: &mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<(), tenantry_application::AppError> {
        uow.enqueue_job(tenantry_application::ports::NewJob {
            kind: "product.welcome".into(),
            payload: event.payload.clone(),
            run_at: event.occurred_at,
            max_attempts: 3,
            fair_key: event.tenant_id.map(|tenant| tenant.to_string()),
        });
        Ok(())
    }
}

#[derive(Default)]
struct Welcomes(std::sync::Mutex<Vec<serde_json::Value>>);

#[async_trait::async_trait]
impl tenantry_application::jobs::JobHandler for Welcomes {
    fn kind(&self) -> &'static str {
        "product.welcome"
    }

    async fn run(&self, payload: &serde_json::Value) -> Result<(), tenantry_application::jobs::JobFailure> {
        self.0.lock().unwrap().push(payload.clone());
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_wires_its_own_mailer_reaction_and_job_through_the_builder() {
    let database = TestDatabase::create(TestBackend::Sqlite).await.unwrap();
    let data_dir = std::env::temp_dir().join(format!("tenantry-builder-{}", uuid::Uuid::now_v7().simple()));
    let mailer = std::sync::Arc::new(ProductMailer::default());
    let welcomes = std::sync::Arc::new(Welcomes::default());
    let tenantry = Tenantry::builder(test_settings(&database.url, data_dir.clone()))
        .with_mailer(mailer.clone())
        .without_rate_limiter()
        .reaction(std::sync::Arc::new(WelcomeNewOrganizations))
        .job_handler(welcomes.clone())
        .build()
        .await
        .unwrap();
    let state = tenantry.http_state();
    assert!(state.rate_limiter.is_none(), "the product limits at its own edge");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || App::new().configure(tenantry_http::configure(state.clone())))
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
    let handle = server.handle();
    tokio::spawn(server);

    let client = reqwest::Client::new();
    let registered = client
        .post(format!("{base}/api/v1/auth/register"))
        .json(&serde_json::json!({"email": "owner@product.test", "password": "correct horse battery staple", "display_name": "Owner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "owner@product.test", "password": "correct horse battery staple"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap();
    let organization: serde_json::Value = client
        .post(format!("{base}/api/v1/organizations"))
        .bearer_auth(token)
        .json(&serde_json::json!({"name": "Product Co"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tenantry.settled(std::time::Duration::from_secs(10)).await.unwrap();

    let sent = mailer.0.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].starts_with("owner@product.test: Confirm your email address"), "{sent:?}");
    assert!(!data_dir.join("mail").exists(), "nothing went to the default file mailer");
    let welcomed = welcomes.0.lock().unwrap().clone();
    assert_eq!(welcomed.len(), 1);
    assert_eq!(welcomed[0]["organization_id"], organization["id"]);

    handle.stop(true).await;
    tenantry.shutdown().await;
    database.drop_database().await;
    let _ = std::fs::remove_dir_all(data_dir);
}

/// A product route inside Tenantry's middleware stack, on Tenantry's extractors.
async fn product_dashboard(scoped: tenantry_http::TenantScoped) -> HttpResponse {
    let tenant = scoped.0.tenant_id.map(|t| t.to_string()).unwrap_or_default();
    HttpResponse::Ok().json(serde_json::json!({"tenant": tenant}))
}

fn product_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/product/dashboard", web::get().to(product_dashboard));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_route_inside_the_stack_gets_request_ids_the_error_shape_and_the_extractors() {
    let database = TestDatabase::create(TestBackend::Sqlite).await.unwrap();
    let data_dir = std::env::temp_dir().join(format!("tenantry-host-{}", uuid::Uuid::now_v7().simple()));
    let tenantry = Tenantry::build(&test_settings(&database.url, data_dir.clone())).await.unwrap();
    let state = tenantry.http_state();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server =
        HttpServer::new(move || App::new().configure(tenantry_http::configure_with(state.clone(), product_routes)))
            .workers(1)
            .listen(listener)
            .unwrap()
            .run();
    let handle = server.handle();
    tokio::spawn(server);
    let client = reqwest::Client::new();

    let anonymous = client.get(format!("{base}/api/v1/product/dashboard")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("x-request-id"));
    assert_eq!(anonymous.headers()["x-content-type-options"], "nosniff", "the security headers apply");
    let body: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(body["error_code"], "unauthenticated");

    let password = "correct horse battery staple";
    let account = serde_json::json!({"email": "host@product.test", "password": password, "display_name": "Host"});
    client.post(format!("{base}/api/v1/auth/register")).json(&account).send().await.unwrap();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "host@product.test", "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap();
    let no_tenant = client.get(format!("{base}/api/v1/product/dashboard")).bearer_auth(token).send().await.unwrap();
    assert_eq!(no_tenant.status(), 400);
    assert_eq!(no_tenant.json::<serde_json::Value>().await.unwrap()["error_code"], "tenant_required");
    let tenant = uuid::Uuid::now_v7().to_string();
    let scoped = client
        .get(format!("{base}/api/v1/product/dashboard"))
        .bearer_auth(token)
        .header("x-tenant-id", &tenant)
        .send()
        .await
        .unwrap();
    assert_eq!(scoped.status(), 200);
    assert_eq!(scoped.json::<serde_json::Value>().await.unwrap()["tenant"], tenant);

    handle.stop(true).await;
    tenantry.shutdown().await;
    database.drop_database().await;
    let _ = std::fs::remove_dir_all(data_dir);
}

/// A product that does not want projects or in-app notifications leaves those modules
/// out: their routes answer 404 and leave the OpenAPI document, the rest of Tenantry
/// serves on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_leaves_the_projects_and_notifications_modules_out() {
    let app = tenantry_server::testing::TestApp::spawn_product(
        TestBackend::Sqlite,
        |_| {},
        |builder| builder.without_module("notifications").without_module("projects"),
    )
    .await
    .unwrap();
    let owner = app.sign_up_owner("owner@product.test", "product").await.unwrap();
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(app.url(path)).bearer_auth(&owner.access_token).send();
    assert_eq!(get("/api/v1/notifications").await.unwrap().status(), 404);
    assert_eq!(get("/api/v1/projects").await.unwrap().status(), 404);
    assert_eq!(get("/api/v1/users/me").await.unwrap().status(), 200);
    let document: serde_json::Value = get("/api-docs/openapi.json").await.unwrap().json().await.unwrap();
    assert!(document["paths"].get("/api/v1/notifications").is_none());
    assert!(document["paths"].get("/api/v1/projects").is_none());
    assert!(document["paths"].get("/api/v1/files").is_some());
    app.shutdown().await;

    let with_notifications = tenantry_server::testing::TestApp::spawn(TestBackend::Sqlite).await.unwrap();
    let owner = with_notifications.sign_up_owner("owner@product.test", "product").await.unwrap();
    let listed = client
        .get(with_notifications.url("/api/v1/notifications"))
        .bearer_auth(&owner.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200, "notifications are on by default");
    with_notifications.shutdown().await;
}

/// Files is a module too: left out, its routes answer 404, its paths leave the
/// document, its service is not published and the bin purge says why it cannot run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_leaves_the_files_module_out() {
    let app = tenantry_server::testing::TestApp::spawn_product(
        TestBackend::Sqlite,
        |_| {},
        |builder| builder.without_module("files"),
    )
    .await
    .unwrap();
    let owner = app.sign_up_owner("owner@nofiles.test", "nofiles").await.unwrap();
    let client = reqwest::Client::new();
    let get = |path: &str| {
        client
            .get(app.url(path))
            .bearer_auth(&owner.access_token)
            .header("X-Tenant-Id", owner.tenant_id.as_str())
            .send()
    };
    assert_eq!(get("/api/v1/folders/root/children").await.unwrap().status(), 404);
    assert_eq!(get("/api/v1/projects").await.unwrap().status(), 200, "projects stays");
    let document: serde_json::Value = get("/api-docs/openapi.json").await.unwrap().json().await.unwrap();
    assert!(document["paths"].get("/api/v1/files").is_none());
    assert!(document["paths"].get("/api/v1/projects").is_some());
    assert!(app.tenantry().service::<tenantry_application::files::Files>().is_none());
    assert!(app.tenantry().service::<tenantry_application::projects::Projects>().is_some());
    let purge = app.tenantry().purge_bin(30).await.unwrap_err();
    assert!(purge.to_string().contains("files module is not started"), "{purge}");
    app.shutdown().await;
}

/// A module documenting a route Tenantry (or another module) already serves is
/// refused at start-up, instead of silently shadowing it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_cannot_take_over_a_served_route() {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
    struct Shadow(&'static str);
    impl tenantry_server::TenantryModule for Shadow {
        fn name(&self) -> &'static str {
            "shadow"
        }
        fn document(&self) -> tenantry_http::ModuleDocument {
            let paths = PathsBuilder::new().path(self.0, PathItem::new(HttpMethod::Get, OperationBuilder::new()));
            tenantry_http::ModuleDocument {
                openapi: Some(utoipa::openapi::OpenApiBuilder::new().paths(paths).build()),
                error_codes: Vec::new(),
            }
        }
        fn start(&self, _: &tenantry_server::ModuleContext<'_>) -> anyhow::Result<tenantry_server::ModuleParts> {
            Ok(tenantry_server::ModuleParts::default())
        }
    }
    for (path, owner) in [("/api/v1/users/me", "tenantry"), ("/api/v1/projects", "projects")] {
        let refused =
            tenantry_server::testing::TestApp::spawn_product(TestBackend::Sqlite, |_| {}, |b| b.module(Shadow(path)))
                .await;
        let error = format!("{:#}", refused.err().expect("a shadowing module is refused"));
        assert!(error.contains(&format!("GET {path}, which \"{owner}\" already serves")), "{error}");
    }
    let own = tenantry_server::testing::TestApp::spawn_product(
        TestBackend::Sqlite,
        |_| {},
        |builder| builder.module(Shadow("/api/v1/shadow")),
    )
    .await
    .expect("a route of its own is fine");
    own.shutdown().await;
}

/// What modules publish and seed is named once: a second service of one type (which
/// would replace what earlier contexts hold) and a seed step named like Tenantry's
/// are start-up errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modules_cannot_replace_services_or_seed_steps() {
    struct Publishes(&'static str);
    impl tenantry_server::TenantryModule for Publishes {
        fn name(&self) -> &'static str {
            self.0
        }
        fn start(&self, _: &tenantry_server::ModuleContext<'_>) -> anyhow::Result<tenantry_server::ModuleParts> {
            let mut services = tenantry_server::Services::default();
            services.publish(std::sync::Arc::new(format!("published by {}", self.0)));
            Ok(tenantry_server::ModuleParts { services, ..Default::default() })
        }
    }
    let twice = tenantry_server::testing::TestApp::spawn_product(
        TestBackend::Sqlite,
        |_| {},
        |builder| builder.module(Publishes("first")).module(Publishes("second")),
    )
    .await;
    let error = format!("{:#}", twice.err().expect("a second service of one type is refused"));
    assert!(error.contains("\"second\"") && error.contains("already published"), "{error}");

    struct SeedsAcme;
    #[async_trait::async_trait]
    impl tenantry_seeds::SeedStep for SeedsAcme {
        fn name(&self) -> &'static str {
            "acme"
        }
        fn sets(&self) -> &'static [tenantry_seeds::SeedSet] {
            &[tenantry_seeds::SeedSet::Development]
        }
        async fn run(
            &self,
            _: &tenantry_seeds::Seeding<'_>,
        ) -> Result<tenantry_seeds::StepOutcome, tenantry_application::AppError> {
            Ok(tenantry_seeds::StepOutcome { step: "acme", created: 0, summary: String::new() })
        }
    }
    struct Seeds;
    impl tenantry_server::TenantryModule for Seeds {
        fn name(&self) -> &'static str {
            "seeds"
        }
        fn start(&self, _: &tenantry_server::ModuleContext<'_>) -> anyhow::Result<tenantry_server::ModuleParts> {
            Ok(tenantry_server::ModuleParts { seeds: vec![std::sync::Arc::new(SeedsAcme)], ..Default::default() })
        }
    }
    let named_like_ours =
        tenantry_server::testing::TestApp::spawn_product(TestBackend::Sqlite, |_| {}, |b| b.module(Seeds)).await;
    let error = format!("{:#}", named_like_ours.err().expect("a step named like Tenantry's is refused"));
    assert!(error.contains("two seed steps are named \"acme\""), "{error}");
}

/// A module that claims one of Tenantry's codes, or one that is not snake_case, is
/// refused at start-up: a client must be able to rely on what a code means.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_cannot_claim_a_built_in_error_code() {
    struct Claims(&'static str);
    impl tenantry_server::TenantryModule for Claims {
        fn name(&self) -> &'static str {
            "claims"
        }
        fn document(&self) -> tenantry_http::ModuleDocument {
            tenantry_http::ModuleDocument {
                openapi: None,
                error_codes: vec![tenantry_application::ErrorCode::Module(self.0)],
            }
        }
        fn start(&self, _: &tenantry_server::ModuleContext<'_>) -> anyhow::Result<tenantry_server::ModuleParts> {
            Ok(tenantry_server::ModuleParts::default())
        }
    }
    for (code, refusal) in [("forbidden", "Tenantry's own"), ("Not-Snake", "snake_case")] {
        let started = tenantry_server::testing::TestApp::spawn_product(
            TestBackend::Sqlite,
            |_| {},
            |builder| builder.module(Claims(code)),
        )
        .await;
        let error = started.err().map(|e| format!("{e:#}")).unwrap_or_default();
        assert!(error.contains(refusal), "{code:?} was not refused for {refusal:?}: {error:?}");
    }
    let fine = tenantry_server::testing::TestApp::spawn_product(
        TestBackend::Sqlite,
        |_| {},
        |b| b.module(Claims("claim_lost")),
    )
    .await
    .unwrap();
    fine.shutdown().await;
}
