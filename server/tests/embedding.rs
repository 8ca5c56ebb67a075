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
