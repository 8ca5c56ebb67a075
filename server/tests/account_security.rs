//! Account security over real HTTP on both backends: what the features cannot see
//! (audit rows of refused logins, the lock's storage) and the CORS allow-list.

use reqwest::StatusCode;
use serde_json::{json, Value};
use tenantry_infrastructure::testing::owner_view;
use tenantry_infrastructure::Database;
use tenantry_server::testing::{TestApp, TestBackend};

const PASSWORD: &str = "correct horse battery staple";

async fn audit_actions(app: &TestApp) -> Vec<(String, String)> {
    let sql = |table: &str| format!("SELECT action, entity_type FROM {table} ORDER BY occurred_at, id");
    match &owner_view(app.tenantry().database()).await {
        Database::Postgres(pool) => sqlx::query_as(&sql("audit.audit_log")).fetch_all(pool).await.unwrap(),
        Database::Sqlite(pool) => sqlx::query_as(&sql("audit_log")).fetch_all(pool).await.unwrap(),
    }
}

async fn log_in(client: &reqwest::Client, app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn failed_logins_and_the_lock_are_audited_although_the_logins_fail(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let client = reqwest::Client::new();
    let registered = client
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"email": "locked@example.com", "password": PASSWORD, "display_name": "Locked"}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    for attempt in 1..=5 {
        let response = log_in(&client, &app, "locked@example.com", &format!("wrong password {attempt}")).await;
        let expected = if attempt < 5 { StatusCode::UNAUTHORIZED } else { StatusCode::TOO_MANY_REQUESTS };
        assert_eq!(response.status(), expected, "attempt {attempt}");
        if attempt == 5 {
            let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=1800).contains(&retry_after), "Retry-After {retry_after}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error_code"], "account_locked");
        }
    }
    let unknown = log_in(&client, &app, "ghost@example.com", "whatever it is").await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);

    let actions = audit_actions(&app).await;
    let failures = actions.iter().filter(|(a, e)| a == "identity.login_failed" && e == "user").count();
    let locks = actions.iter().filter(|(a, e)| a == "identity.login_locked" && e == "user").count();
    assert_eq!((failures, locks), (4, 1), "{actions:?}");
    assert!(
        actions.contains(&("identity.login_failed".into(), "login".into())),
        "unknown address audited: {actions:?}"
    );
    assert!(!actions.iter().any(|(a, _)| a == "identity.log_in"), "no session was opened: {actions:?}");
    app.shutdown().await;
}

async fn cors_answers_allowed_origins_only(backend: TestBackend) {
    let app = TestApp::spawn_with(backend, |settings| {
        settings.server.cors_allowed_origins = vec!["https://app.example.com".into()];
    })
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/auth/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = preflight("https://app.example.com").await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.example.com");
    let refused = preflight("https://evil.example.net").await.unwrap();
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    app.shutdown().await;
}

async fn the_jwks_key_verifies_the_issued_access_tokens(backend: TestBackend) {
    let app = TestApp::spawn(backend).await.unwrap();
    let client = reqwest::Client::new();
    client
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"email": "jwks@example.com", "password": PASSWORD, "display_name": "Keys"}))
        .send()
        .await
        .unwrap();
    let pair: Value = log_in(&client, &app, "jwks@example.com", PASSWORD).await.json().await.unwrap();
    let token = pair["access_token"].as_str().unwrap();
    let jwks: Value = client.get(app.url("/.well-known/jwks.json")).send().await.unwrap().json().await.unwrap();
    let key = &jwks["keys"][0];
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    // What another service would do: verify with the published key alone.
    let decoding = jsonwebtoken::DecodingKey::from_ed_components(key["x"].as_str().unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_audience(&["tenantry-api"]);
    validation.set_issuer(&["tenantry"]);
    let claims = jsonwebtoken::decode::<Value>(token, &decoding, &validation).unwrap().claims;
    assert_eq!(claims["sub"], pair_user(&client, &app, token).await);
    app.shutdown().await;
}

async fn pair_user(client: &reqwest::Client, app: &TestApp, token: &str) -> Value {
    let me: Value =
        client.get(app.url("/api/v1/users/me")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    me["id"].clone()
}

tenantry_infrastructure::backend_test_suite!(
    failed_logins_and_the_lock_are_audited_although_the_logins_fail,
    cors_answers_allowed_origins_only,
    the_jwks_key_verifies_the_issued_access_tokens,
);
