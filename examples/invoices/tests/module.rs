//! The module API's promises, checked on both backends through the example module:
//! its row, event and audit entry commit or roll back together, and its tables are
//! confined to the transaction's tenant by the database itself (PostgreSQL).

use std::sync::Arc;

use async_trait::async_trait;
use invoices_example::domain::InvoiceIssued;
use invoices_example::InvoicingModule;
use serde_json::{json, Value};
use tenantry_application::pipeline::InTransactionReaction;
use tenantry_application::ports::{DataScope, UnitOfWork};
use tenantry_application::{AppError, ErrorCode};
use tenantry_infrastructure::{ScopedRead, SqlTransaction};
use tenantry_kernel::{EventEnvelope, TenantId};
use tenantry_server::testing::{TestApp, TestBackend};

/// A product rule that runs in the command's transaction and refuses one invoice number.
struct RefuseNumber(&'static str);

#[async_trait]
impl InTransactionReaction for RefuseNumber {
    fn event_type(&self) -> &'static str {
        InvoiceIssued::TYPE
    }

    async fn react(&self, event: &EventEnvelope, _: &mut dyn UnitOfWork) -> Result<(), AppError> {
        let number = event.payload["number"].as_str().unwrap_or_default();
        if number == self.0 {
            return Err(AppError::BusinessRule { code: ErrorCode::Module("customer_refused"), message: "refused" });
        }
        Ok(())
    }
}

struct Client {
    http: reqwest::Client,
    app: TestApp,
    token: String,
    tenant: String,
}

impl Client {
    /// A server with the invoicing module (and `reaction`), and an owner of one organization.
    async fn start(backend: TestBackend) -> Client {
        let app = TestApp::spawn_product(
            backend,
            |_| {},
            |builder| builder.module(InvoicingModule).reaction(Arc::new(RefuseNumber("REFUSED-1"))),
        )
        .await
        .expect("the product's server starts");
        let owner = app.sign_up_owner("owner@example.test", "acme").await.expect("an owner of an organization");
        let (token, tenant) = (owner.access_token, owner.tenant_id);
        let http = reqwest::Client::new();
        Client { http, app, token, tenant }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request =
            self.http.request(method, self.app.url(path)).bearer_auth(&self.token).header("X-Tenant-Id", &self.tenant);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    async fn issue(&self, number: &str) -> (u16, Value) {
        let body = json!({"number": number, "customer": "Initech", "amount_cents": 100, "currency": "EUR"});
        self.send(reqwest::Method::POST, "/api/v1/invoices", Some(body)).await
    }
}

async fn refused_command_leaves_nothing_behind(backend: TestBackend) {
    let client = Client::start(backend).await;
    let (status, body) = client.issue("REFUSED-1").await;
    assert_eq!((status, body["error_code"].as_str()), (422, Some("customer_refused")), "{body}");
    client.app.settle().await.unwrap();
    let (_, invoices) = client.send(reqwest::Method::GET, "/api/v1/invoices", None).await;
    assert_eq!(invoices["total"], 0, "the invoice row was rolled back: {invoices}");
    let (_, audit) = client.send(reqwest::Method::GET, "/api/v1/audit-logs?entity_type=invoice", None).await;
    assert_eq!(audit["total"], 0, "the audit entry was rolled back: {audit}");
    let (_, totals) = client.send(reqwest::Method::GET, "/api/v1/invoices/totals", None).await;
    assert_eq!(totals["items"], json!([]), "no event reached the consumer: {totals}");

    let (status, _) = client.issue("ACCEPTED-1").await;
    assert_eq!(status, 201);
    client.app.settle().await.unwrap();
    let (_, totals) = client.send(reqwest::Method::GET, "/api/v1/invoices/totals", None).await;
    assert_eq!(totals["items"][0]["invoices"], 1, "{totals}");
    client.app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_command_rolls_back_the_modules_row_event_and_audit_entry_on_sqlite() {
    refused_command_leaves_nothing_behind(TestBackend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_command_rolls_back_the_modules_row_event_and_audit_entry_on_postgres() {
    refused_command_leaves_nothing_behind(TestBackend::Postgres).await;
}

/// Row-level security covers the module's tables: a statement without any tenant
/// filter, in another tenant's scope, sees none of the organization's invoices.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_confines_the_modules_tables_to_the_transactions_tenant() {
    let client = Client::start(TestBackend::Postgres).await;
    assert_eq!(client.issue("INV-1").await.0, 201);
    let database = client.app.tenantry().database();
    let count = |scope| async move {
        let mut read = ScopedRead::begin(database, scope).await.unwrap();
        let SqlTransaction::Postgres(conn) = read.connection() else { panic!("a PostgreSQL server") };
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM invoicing_invoices").fetch_one(conn).await.unwrap()
    };
    let own = TenantId::from_uuid(client.tenant.parse().unwrap());
    assert_eq!(count(DataScope::Tenant(own)).await, 1);
    assert_eq!(count(DataScope::Tenant(TenantId::new())).await, 0);
    assert_eq!(count(DataScope::Platform).await, 1);
    client.app.shutdown().await;
}
