//! The project summary read model over real HTTP, on both backends: it converges
//! from events, a redelivered event changes nothing, and a rebuild from the outbox
//! reproduces it exactly.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use tenantry_server::testing::{TestApp, TestBackend};

const PASSWORD: &str = "correct horse battery staple";

struct Caller {
    client: reqwest::Client,
    token: String,
    tenant: String,
}

impl Caller {
    async fn send(&self, app: &TestApp, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request =
            self.client.request(method, app.url(path)).bearer_auth(&self.token).header("x-tenant-id", &self.tenant);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.unwrap_or(Value::Null)
    }
}

async fn signed_in_owner(app: &TestApp) -> Caller {
    let client = reqwest::Client::new();
    let register = json!({"email": "owner@example.com", "password": PASSWORD, "display_name": "Owner"});
    assert_eq!(
        client.post(app.url("/api/v1/auth/register")).json(&register).send().await.unwrap().status(),
        StatusCode::CREATED
    );
    let login = json!({"email": "owner@example.com", "password": PASSWORD});
    let pair: Value =
        client.post(app.url("/api/v1/auth/login")).json(&login).send().await.unwrap().json().await.unwrap();
    let token = pair["access_token"].as_str().unwrap().to_owned();
    let org: Value = client
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(&token)
        .json(&json!({"name": "Acme"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Caller { client, token, tenant: org["id"].as_str().unwrap().to_owned() }
}

async fn summary_when(app: &TestApp, caller: &Caller, project: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let summary =
            caller.send(app, reqwest::Method::GET, &format!("/api/v1/projects/{project}/summary"), None).await;
        if ready(&summary) {
            return summary;
        }
        assert!(Instant::now() < deadline, "the summary did not converge: {summary}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_rebuild_from_the_outbox_reproduces_the_summary_and_redelivery_changes_nothing(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let owner = signed_in_owner(&app).await;
    let project = owner.send(&app, reqwest::Method::POST, "/api/v1/projects", Some(json!({"name": "Apollo"}))).await;
    let project = project["id"].as_str().unwrap().to_owned();
    let tasks = format!("/api/v1/projects/{project}/tasks");
    for (title, estimate) in [("Design", 60), ("Build", 240), ("Ship", 30)] {
        owner
            .send(&app, reqwest::Method::POST, &tasks, Some(json!({"title": title, "estimate_minutes": estimate})))
            .await;
    }
    let live = summary_when(&app, &owner, &project, |s| s["tasks"]["todo"] == 3).await;
    assert_eq!(live["estimated_minutes"], 330);

    // Every committed event delivered once more: the summary must not move.
    let events = app.tenantry().database().events_after(None, 1_000).await.unwrap();
    let projects = app.tenantry().service::<tenantry_application::projects::Projects>().unwrap();
    let projector = projects.summary_projector();
    for event in &events {
        assert!(!projector.apply(event).await.unwrap(), "event {} was applied twice", event.id);
    }

    let applied = app.tenantry().rebuild_read_models().await.unwrap();
    assert_eq!(applied, 4, "one project and three tasks");
    let rebuilt = summary_when(&app, &owner, &project, |_| true).await;
    assert_eq!((&rebuilt["tasks"], &rebuilt["estimated_minutes"]), (&live["tasks"], &live["estimated_minutes"]));
    app.shutdown().await;
}

tenantry_infrastructure::backend_test_suite!(
    a_rebuild_from_the_outbox_reproduces_the_summary_and_redelivery_changes_nothing,
);
