//! Regression tests for what the black-box attack of issue 14 found, each at the level
//! where its class lives: the API-key scope walk over the whole OpenAPI document, the
//! lockout race, and the request budget around a keyed request's body.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tenantry_server::testing::{TestApp, TestBackend};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{count, log_in, register, PASSWORD};

/// What the walk needs to fill every path of the document with something real.
struct Fixture {
    token: String,
    tenant: String,
    ids: BTreeMap<&'static str, String>,
}

async fn post_json(client: &reqwest::Client, app: &TestApp, fixture: &Fixture, path: &str, body: Value) -> Value {
    let response = client
        .post(app.url(path))
        .bearer_auth(&fixture.token)
        .header("x-tenant-id", &fixture.tenant)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "arranging {path}: {}", response.status());
    response.json().await.unwrap()
}

const BOUNDARY: &str = "tenantry-walk-boundary";

/// A multipart/form-data request with one `file` part of text.
fn upload(request: reqwest::RequestBuilder, name: &str, content: &str) -> reqwest::RequestBuilder {
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/plain\r\n\r\n{content}\r\n--{BOUNDARY}--\r\n"
    );
    request.header("content-type", format!("multipart/form-data; boundary={BOUNDARY}")).body(body)
}

/// An owner's organization with one of everything, and a second member.
async fn arrange(client: &reqwest::Client, app: &TestApp) -> Fixture {
    assert_eq!(register(client, app, "owner@example.com").await.status(), StatusCode::CREATED);
    assert_eq!(register(client, app, "member@example.com").await.status(), StatusCode::CREATED);
    let token = log_in(client, app, "owner@example.com").await["access_token"].as_str().unwrap().to_owned();
    let member_token = log_in(client, app, "member@example.com").await["access_token"].as_str().unwrap().to_owned();
    let mut fixture = Fixture { token, tenant: String::new(), ids: BTreeMap::new() };
    let organization = post_json(client, app, &fixture, "/api/v1/organizations", json!({"name": "Walk Co"})).await;
    fixture.tenant = organization["id"].as_str().unwrap().to_owned();
    let tenant = fixture.tenant.clone();
    let member: Value =
        client.get(app.url("/api/v1/users/me")).bearer_auth(&member_token).send().await.unwrap().json().await.unwrap();
    let member_id = member["id"].as_str().unwrap().to_owned();
    let invite = |email: &'static str, role: &'static str| {
        let (path, fixture) = (format!("/api/v1/organizations/{tenant}/invitations"), &fixture);
        async move { post_json(client, app, fixture, &path, json!({"email": email, "role": role})).await }
    };
    let invitation = invite("member@example.com", "member").await;
    let token_mail = app.latest_invitation_token("member@example.com").unwrap();
    let accepted = client
        .post(app.url(&format!("/api/v1/invitations/{token_mail}/accept")))
        .bearer_auth(&member_token)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);
    let pending = invite("later@example.com", "viewer").await;
    assert_ne!(pending["id"], invitation["id"]);
    let project = post_json(client, app, &fixture, "/api/v1/projects", json!({"name": "Walk"})).await;
    let project_id = project["id"].as_str().unwrap().to_owned();
    let task =
        post_json(client, app, &fixture, &format!("/api/v1/projects/{project_id}/tasks"), json!({"title": "t"})).await;
    let folder = post_json(client, app, &fixture, "/api/v1/folders", json!({"name": "Docs"})).await;
    let upload_request =
        client.post(app.url("/api/v1/files")).bearer_auth(&fixture.token).header("x-tenant-id", &tenant);
    let uploaded = upload(upload_request, "notes.txt", "walk").send().await.unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let file: Value = uploaded.json().await.unwrap();
    let other_key = post_json(
        client,
        app,
        &fixture,
        &format!("/api/v1/organizations/{tenant}/api-keys"),
        json!({"name": "other", "scopes": ["project:read"]}),
    )
    .await;
    let notifications: Value = client
        .get(app.url("/api/v1/notifications"))
        .bearer_auth(&fixture.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sessions: Value = client
        .get(app.url("/api/v1/users/me/sessions"))
        .bearer_auth(&fixture.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = |value: &Value| value["id"].as_str().unwrap_or("00000000-0000-7000-8000-000000000000").to_owned();
    fixture.ids.insert("organizations", tenant);
    fixture.ids.insert("projects", project_id);
    fixture.ids.insert("tasks", id(&task));
    fixture.ids.insert("folders", id(&folder));
    fixture.ids.insert("files", id(&file));
    fixture.ids.insert("users", member_id.clone());
    fixture.ids.insert("user_id", member_id);
    fixture.ids.insert("key_id", id(&other_key));
    fixture.ids.insert("invitation_id", id(&pending));
    fixture.ids.insert("notifications", id(&notifications["items"][0]));
    fixture.ids.insert("sessions", id(&sessions["items"][0]));
    fixture
}

/// A valid body for every operation that takes one: authorization must be what
/// refuses the request, not validation. A new route fails the walk until it is here.
fn body_of(method: &Method, template: &str, ids: &BTreeMap<&'static str, String>) -> Option<Value> {
    let member = ids["user_id"].clone();
    let body = match (method.as_str(), template) {
        ("POST", "/api/v1/organizations") => json!({"name": "Other Co"}),
        ("POST", "/api/v1/organizations/{id}/api-keys") => json!({"name": "k", "scopes": ["organization:read"]}),
        ("POST", "/api/v1/organizations/{id}/invitations") => json!({"email": "x@example.com", "role": "member"}),
        ("PATCH", "/api/v1/organizations/{id}/members/{user_id}") => json!({"role": "viewer"}),
        ("POST", "/api/v1/projects") => json!({"name": "P2"}),
        ("PATCH", "/api/v1/projects/{id}") => json!({"name": "P3"}),
        ("POST", "/api/v1/projects/{id}/members") => json!({"user_id": member, "role": "viewer"}),
        ("POST", "/api/v1/projects/{id}/tasks") => json!({"title": "T2"}),
        ("PATCH", "/api/v1/tasks/{id}") => json!({"title": "T3"}),
        ("POST", "/api/v1/tasks/{id}/comments") => json!({"body": "hi"}),
        ("POST", "/api/v1/tasks/{id}/time-entries") => json!({"minutes": 5, "spent_on": "2026-01-01"}),
        ("POST", "/api/v1/folders") => json!({"name": "F2"}),
        ("PATCH", "/api/v1/folders/{id}") => json!({"name": "F3"}),
        ("PATCH", "/api/v1/files/{id}") => json!({"name": "renamed.txt"}),
        ("POST", "/api/v1/files/{id}/links") => json!({"expires_in_seconds": 60}),
        ("POST", "/api/v1/files/{id}/permissions") => json!({"user_id": member, "access": "read"}),
        ("PUT", "/api/v1/notifications/preferences") => json!({}),
        ("POST", "/api/v1/users/me/password") => {
            json!({"current_password": PASSWORD, "new_password": "another long passphrase"})
        }
        ("PATCH", "/api/v1/users/me/profile") => json!({"display_name": "Key"}),
        _ => return None,
    };
    Some(body)
}

/// Operations whose request has no body or a multipart one.
const WITHOUT_JSON_BODY: &[&str] = &[
    "POST /api/v1/auth/logout",
    "POST /api/v1/files",
    "POST /api/v1/files/{id}/versions",
    "POST /api/v1/files/{id}/restore",
    "POST /api/v1/invitations/{token}/accept",
    "POST /api/v1/notifications/read-all",
    "POST /api/v1/notifications/{id}/read",
];

/// The path with every parameter replaced by a real id of the fixture.
fn fill(template: &str, ids: &BTreeMap<&'static str, String>) -> String {
    let segments: Vec<&str> = template.split('/').collect();
    let mut filled = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        let value = match *segment {
            "{id}" => ids.get(segments[i - 1]).cloned().unwrap_or_else(|| panic!("no fixture for {template}")),
            "{n}" => "1".to_owned(),
            "{token}" => "not-a-token".to_owned(),
            s if s.starts_with('{') => ids
                .get(s.trim_matches(|c| c == '{' || c == '}'))
                .cloned()
                .unwrap_or_else(|| panic!("no {s} for {template}")),
            s => s.to_owned(),
        };
        filled.push(value);
    }
    filled.join("/")
}

async fn an_api_key_is_refused_every_route_its_scopes_do_not_cover(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let client = reqwest::Client::new();
    let fixture = arrange(&client, &app).await;
    let tenant = fixture.tenant.clone();
    // The creator owns the organization: only the key's one scope narrows it.
    let key = post_json(
        &client,
        &app,
        &fixture,
        &format!("/api/v1/organizations/{tenant}/api-keys"),
        json!({"name": "narrow", "scopes": ["organization:read"]}),
    )
    .await;
    let secret = key["secret"].as_str().unwrap().to_owned();

    // The routes this one scope does cover.
    let allowed: BTreeMap<&str, u16> =
        [("GET /api/v1/organizations/{id}", 200), ("GET /api/v1/membership", 200)].into_iter().collect();
    let spec: Value = reqwest::get(app.url("/api-docs/openapi.json")).await.unwrap().json().await.unwrap();
    let mut refused = 0;
    let mut wrong = Vec::new();
    for (template, item) in spec["paths"].as_object().unwrap() {
        for (method_name, operation) in item.as_object().unwrap() {
            let secured = operation["security"].as_array().is_some_and(|s| !s.is_empty());
            if !secured {
                continue;
            }
            let method = Method::from_bytes(method_name.to_uppercase().as_bytes()).unwrap();
            let name = format!("{method} {template}");
            let mut request = client
                .request(method.clone(), app.url(&fill(template, &fixture.ids)))
                .bearer_auth(&secret)
                .header("x-tenant-id", &tenant);
            if let Some(body) = body_of(&method, template, &fixture.ids) {
                request = request.json(&body);
            } else if template.ends_with("/api/v1/files") || template.ends_with("/versions") && method == Method::POST {
                request = upload(request, "key.txt", "by key");
            } else if method != Method::GET && method != Method::DELETE {
                assert!(WITHOUT_JSON_BODY.contains(&name.as_str()), "{name} needs a body in the walk's table");
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let expected = allowed.get(name.as_str()).copied().unwrap_or(403);
            if status != expected {
                wrong.push(format!("{name}: {status} (expected {expected}) {body}"));
            } else if expected == 403 {
                refused += 1;
            }
        }
    }
    assert!(wrong.is_empty(), "a key scoped to organization:read reached:\n  {}", wrong.join("\n  "));
    assert!(refused > 50, "the walk covered only {refused} operations");

    // The key's effective permissions are its scopes within the creator's role.
    let membership: Value = client
        .get(app.url("/api/v1/membership"))
        .bearer_auth(&secret)
        .header("x-tenant-id", &tenant)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(membership["permissions"], json!(["organization:read"]));
    assert_eq!(membership["role"], "owner");
    // Nothing the walk sent was carried out: the member is still there.
    let members: Value = client
        .get(app.url(&format!("/api/v1/organizations/{tenant}/members")))
        .bearer_auth(&fixture.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(members["total"], 2);
    app.shutdown().await;
}

async fn thirty_parallel_guesses_get_five_password_checks(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let client = reqwest::Client::new();
    assert_eq!(register(&client, &app, "victim@example.com").await.status(), StatusCode::CREATED);
    let guesses = (0..30).map(|i| {
        client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": "victim@example.com", "password": format!("wrong guess number {i}")}))
            .send()
    });
    let mut statuses = BTreeMap::new();
    for response in futures::future::join_all(guesses).await {
        *statuses.entry(response.unwrap().status().as_u16()).or_insert(0) += 1;
    }
    // Four refusals and the fifth check that locks; everything else never reached argon2.
    assert_eq!(statuses, BTreeMap::from([(401, 4), (429, 26)]), "{statuses:?}");
    let checks = count(
        &app,
        "audit.audit_log WHERE action IN ('identity.login_failed', 'identity.login_locked')",
        "audit_log WHERE action IN ('identity.login_failed', 'identity.login_locked')",
    )
    .await;
    assert_eq!(checks, 5);
    let right = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "victim@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS, "the address is locked");
    app.shutdown().await;
}

async fn a_keyed_request_with_a_slow_body_is_cut_by_the_request_budget(backend: TestBackend) {
    let app = TestApp::spawn_with(backend, |settings| settings.server.request_timeout_seconds = 1).await.unwrap();
    let client = reqwest::Client::new();
    assert_eq!(register(&client, &app, "slow@example.com").await.status(), StatusCode::CREATED);
    let token = log_in(&client, &app, "slow@example.com").await["access_token"].as_str().unwrap().to_owned();
    let body = r#"{"name": "Slow Co"}"#;
    let address = app.base_url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/organizations HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Idempotency-Key: slow-body\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..5]
    );
    let started = Instant::now();
    stream.write_all(head.as_bytes()).await.unwrap();
    // The rest of the body never comes; the budget must answer anyway.
    let mut answer = vec![0_u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer)).await.unwrap().unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("service_unavailable"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5), "answered after {:?}", started.elapsed());
    drop(stream);
    // The abandoned claim is released: a retry with the whole body runs.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let retry = client
            .post(app.url("/api/v1/organizations"))
            .bearer_auth(&token)
            .header("idempotency-key", "slow-body")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        if retry.status() == StatusCode::CREATED {
            break;
        }
        assert_eq!(retry.status(), StatusCode::CONFLICT, "only an in-progress claim may delay the retry");
        assert!(Instant::now() < deadline, "the claim of the abandoned request was never released");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.shutdown().await;
}

tenantry_infrastructure::backend_test_suite!(
    an_api_key_is_refused_every_route_its_scopes_do_not_cover,
    thirty_parallel_guesses_get_five_password_checks,
    a_keyed_request_with_a_slow_body_is_cut_by_the_request_budget,
);
