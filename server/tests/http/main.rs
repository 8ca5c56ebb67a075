//! Integration tests of the wired server over real HTTP, on both backends: what the
//! Gherkin features cannot see (storage side effects, events, the OpenAPI contract).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use tenantry_infrastructure::testing::owner_view;
use tenantry_infrastructure::Database;
use tenantry_server::testing::{TestApp, TestBackend};

mod security;

const PASSWORD: &str = "correct horse battery staple";

async fn count(app: &TestApp, table_pg: &str, table_sqlite: &str) -> i64 {
    match &owner_view(app.tenantry().database()).await {
        Database::Postgres(pool) => {
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table_pg}")).fetch_one(pool).await.unwrap()
        }
        Database::Sqlite(pool) => {
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table_sqlite}")).fetch_one(pool).await.unwrap()
        }
    }
}

async fn register(client: &reqwest::Client, app: &TestApp, email: &str) -> reqwest::Response {
    client
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"email": email, "password": PASSWORD, "display_name": "Tester"}))
        .send()
        .await
        .unwrap()
}

/// The token pair of a fresh login.
async fn log_in(client: &reqwest::Client, app: &TestApp, email: &str) -> Value {
    let response = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn every_command_leaves_one_audit_row_and_its_events_reach_the_bus(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let client = reqwest::Client::new();
    let mut events = app.tenantry().events().subscribe();

    let response = register(&client, &app, "audited@example.com").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let user: Value = response.json().await.unwrap();
    let login = client
        .post(app.url("/api/v1/auth/login"))
        .header("x-request-id", "trace-me-123")
        .json(&json!({"email": "audited@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);

    assert_eq!(count(&app, "identity.users", "users").await, 1);
    assert_eq!(count(&app, "audit.audit_log", "audit_log").await, 2);
    let registered = tokio::time::timeout(Duration::from_secs(5), events.recv()).await.unwrap().unwrap();
    assert_eq!(registered.event_type, "identity.user_registered");
    assert_eq!(registered.payload["user_id"], user["id"]);
    let logged_in = tokio::time::timeout(Duration::from_secs(5), events.recv()).await.unwrap().unwrap();
    assert_eq!(logged_in.event_type, "identity.user_logged_in");
    let request_ids: Vec<String> = match &owner_view(app.tenantry().database()).await {
        Database::Postgres(pool) => {
            sqlx::query_scalar("SELECT request_id FROM audit.audit_log WHERE action = 'identity.log_in'")
                .fetch_all(pool)
                .await
                .unwrap()
        }
        Database::Sqlite(pool) => {
            sqlx::query_scalar("SELECT request_id FROM audit_log WHERE action = 'identity.log_in'")
                .fetch_all(pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(request_ids, ["trace-me-123"]);
    app.shutdown().await;
}

async fn rejected_input_changes_nothing(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let client = reqwest::Client::new();
    assert_eq!(register(&client, &app, "first@example.com").await.status(), StatusCode::CREATED);
    let before = (
        count(&app, "identity.users", "users").await,
        count(&app, "audit.audit_log", "audit_log").await,
        count(&app, "messaging.outbox", "outbox").await,
    );

    assert_eq!(register(&client, &app, "FIRST@example.com").await.status(), StatusCode::CONFLICT);
    assert_eq!(register(&client, &app, "not-an-email").await.status(), StatusCode::BAD_REQUEST);
    let weak = client
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"email": "weak@example.com", "password": "password1234", "display_name": "W"}))
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), StatusCode::BAD_REQUEST);
    let injection = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "x@example.com' OR '1'='1", "password": "' OR 1=1; DROP TABLE users; --"}))
        .send()
        .await
        .unwrap();
    assert_eq!(injection.status(), StatusCode::BAD_REQUEST);

    let after = (
        count(&app, "identity.users", "users").await,
        count(&app, "audit.audit_log", "audit_log").await,
        count(&app, "messaging.outbox", "outbox").await,
    );
    assert_eq!(before, after);
    app.shutdown().await;
}

async fn racing_refreshes_of_one_token_yield_one_new_pair(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let client = reqwest::Client::new();
    assert_eq!(register(&client, &app, "racer@example.com").await.status(), StatusCode::CREATED);
    let pair = log_in(&client, &app, "racer@example.com").await;
    let token = pair["refresh_token"].as_str().unwrap().to_owned();
    let attempts =
        (0..4).map(|_| client.post(app.url("/api/v1/auth/refresh")).header("x-refresh-token", &token).send());
    let statuses: Vec<StatusCode> =
        futures::future::join_all(attempts).await.into_iter().map(|r| r.unwrap().status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
    app.shutdown().await;
}

async fn the_openapi_document_lists_every_route_and_error_code(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let spec: Value = reqwest::get(app.url("/api-docs/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    for (path, method) in [
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/users/me", "get"),
        ("/health", "get"),
        ("/ready", "get"),
        ("/metrics", "get"),
    ] {
        assert!(spec["paths"][path][method].is_object(), "{method} {path} is undocumented");
    }
    for (path, item) in spec["paths"].as_object().unwrap() {
        if let Some(post) = item.get("post") {
            let parameters = post["parameters"].as_array().cloned().unwrap_or_default();
            assert!(
                parameters.iter().any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
                "POST {path} does not document Idempotency-Key"
            );
        }
    }
    let codes: Vec<&str> = spec["components"]["schemas"]["ErrorBody"]["properties"]["error_code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for code in tenantry_application::ErrorCode::ALL {
        assert!(codes.contains(&code.as_str()), "{} missing from the spec", code.as_str());
    }
    app.shutdown().await;
}

async fn the_location_of_a_registration_resolves_for_its_owner_only(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let client = reqwest::Client::new();
    let created = register(&client, &app, "located@example.com").await;
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let other = register(&client, &app, "other@example.com").await;
    assert_eq!(other.status(), StatusCode::CREATED);
    let token = |email: &'static str| {
        let client = client.clone();
        let url = app.url("/api/v1/auth/login");
        async move {
            let pair: Value = client
                .post(url)
                .json(&json!({"email": email, "password": PASSWORD}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            pair["access_token"].as_str().unwrap().to_owned()
        }
    };
    let own = client.get(app.url(&location)).bearer_auth(token("located@example.com").await).send().await.unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    let body: Value = own.json().await.unwrap();
    assert_eq!(body["email"], "located@example.com");
    let foreign = client.get(app.url(&location)).bearer_auth(token("other@example.com").await).send().await.unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    app.shutdown().await;
}

async fn an_oversized_refresh_body_is_refused_in_the_error_shape(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/auth/refresh"))
        .header("content-type", "application/json")
        .body(format!(r#"{{"refresh_token":"{}"}}"#, "x".repeat(300 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_code"], "payload_too_large");
    app.shutdown().await;
}

async fn every_answer_carries_the_security_headers(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    for path in ["/health", "/api/v1/users/me", "/no/such/route"] {
        let response = reqwest::get(app.url(path)).await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
    }
    app.shutdown().await;
}

async fn a_user_lists_their_sessions_and_ends_the_others(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let client = reqwest::Client::new();
    assert_eq!(register(&client, &app, "sessions@example.com").await.status(), StatusCode::CREATED);
    let mut tokens = Vec::new();
    for agent in ["laptop", "phone"] {
        let pair: Value = client
            .post(app.url("/api/v1/auth/login"))
            .header("user-agent", agent)
            .json(&json!({"email": "sessions@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tokens.push(pair["access_token"].as_str().unwrap().to_owned());
    }
    let (laptop, phone) = (&tokens[0], &tokens[1]);
    let list: Value = client
        .get(app.url("/api/v1/users/me/sessions"))
        .bearer_auth(laptop)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 2);
    let current: Vec<&Value> = list["items"].as_array().unwrap().iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "laptop");
    assert_eq!(current[0]["ip"], "127.0.0.1");

    let ended: Value = client
        .delete(app.url("/api/v1/users/me/sessions"))
        .bearer_auth(laptop)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ended["revoked"], 1);
    let refused = client.get(app.url("/api/v1/users/me")).bearer_auth(phone).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let still = client.get(app.url("/api/v1/users/me")).bearer_auth(laptop).send().await.unwrap();
    assert_eq!(still.status(), StatusCode::OK);

    let own_id = current[0]["id"].as_str().unwrap().to_owned();
    let gone = client
        .delete(app.url(&format!("/api/v1/users/me/sessions/{own_id}")))
        .bearer_auth(laptop)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let after = client.get(app.url("/api/v1/users/me")).bearer_auth(laptop).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    app.shutdown().await;
}

async fn racing_copies_of_one_keyed_request_run_it_once(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let client = reqwest::Client::new();
    let owner = app.sign_up_owner("retry@example.com", "retry-co").await.unwrap();
    let (token, tenant) = (owner.access_token, owner.tenant_id);
    let attempts = (0..6).map(|_| {
        client
            .post(app.url("/api/v1/projects"))
            .bearer_auth(&token)
            .header("x-tenant-id", &tenant)
            .header("idempotency-key", "one-launch")
            .json(&json!({"name": "Launch"}))
            .send()
    });
    let responses = futures::future::join_all(attempts).await;
    let mut created_ids = Vec::new();
    for response in responses {
        let response = response.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        match status {
            StatusCode::CREATED => created_ids.push(body["id"].as_str().unwrap().to_owned()),
            StatusCode::CONFLICT => assert_eq!(body["error_code"], "idempotency_key_in_progress"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(!created_ids.is_empty());
    assert!(created_ids.iter().all(|id| *id == created_ids[0]), "every 201 is the first answer: {created_ids:?}");
    let listed: Value = client
        .get(app.url("/api/v1/projects"))
        .bearer_auth(&token)
        .header("x-tenant-id", &tenant)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 1, "the command ran once");
    app.shutdown().await;
}

async fn a_download_link_past_its_time_is_gone_and_a_foreign_one_unknown(backend: TestBackend) {
    use chrono::{Duration as Span, Utc};
    use tenantry_application::files::ports::{FileLinkClaims, FileLinkSigner};
    use tenantry_domain::files::FileId;
    use tenantry_infrastructure::crypto::{JwtFileLinkSigner, KeyRing, SigningKey};
    use tenantry_kernel::{TenantId, UserId};

    let app = TestApp::spawn(backend).await.unwrap();
    let client = reqwest::Client::new();
    register(&client, &app, "linker@example.com").await;
    let token = log_in(&client, &app, "linker@example.com").await["access_token"].as_str().unwrap().to_owned();
    let me: Value =
        client.get(app.url("/api/v1/users/me")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let organization: Value = client
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(&token)
        .json(&json!({"name": "Linkers"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tenant = organization["id"].as_str().unwrap().to_owned();
    let boundary = "link-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nlinked\r\n--{boundary}--\r\n"
    );
    let file: Value = client
        .post(app.url("/api/v1/files"))
        .bearer_auth(&token)
        .header("x-tenant-id", &tenant)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let claims = |expires_at| FileLinkClaims {
        tenant_id: TenantId::from_uuid(tenant.parse().unwrap()),
        file_id: FileId::from_uuid(file["id"].as_str().unwrap().parse().unwrap()),
        version: 1,
        created_by: UserId::from_uuid(me["id"].as_str().unwrap().parse().unwrap()),
        expires_at,
    };
    let open = |token: String| {
        let client = client.clone();
        let url = app.url(&format!("/api/v1/file-links/{token}"));
        async move { client.get(url).send().await.unwrap() }
    };
    let signer = JwtFileLinkSigner::new(&app.signing_keys().unwrap());
    let hour_ago = Utc::now() - Span::hours(1);
    let fresh = signer.sign(&claims(Utc::now() + Span::minutes(5)), Utc::now()).unwrap();
    assert_eq!(open(fresh).await.text().await.unwrap(), "linked");
    let expired = open(signer.sign(&claims(hour_ago), hour_ago - Span::minutes(5)).unwrap()).await;
    assert_eq!(expired.status(), StatusCode::GONE);
    assert_eq!(expired.json::<Value>().await.unwrap()["error_code"], "link_expired");
    let foreign = JwtFileLinkSigner::new(&KeyRing::new(vec![SigningKey::generate().unwrap()]).unwrap());
    let forged = open(foreign.sign(&claims(Utc::now() + Span::minutes(5)), Utc::now()).unwrap()).await;
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
    app.shutdown().await;
}

tenantry_infrastructure::backend_test_suite!(
    a_download_link_past_its_time_is_gone_and_a_foreign_one_unknown,
    racing_copies_of_one_keyed_request_run_it_once,
    every_command_leaves_one_audit_row_and_its_events_reach_the_bus,
    rejected_input_changes_nothing,
    racing_refreshes_of_one_token_yield_one_new_pair,
    the_openapi_document_lists_every_route_and_error_code,
    the_location_of_a_registration_resolves_for_its_owner_only,
    an_oversized_refresh_body_is_refused_in_the_error_shape,
    every_answer_carries_the_security_headers,
    a_user_lists_their_sessions_and_ends_the_others,
);
