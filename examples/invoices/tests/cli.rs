//! The product's own binary runs Tenantry's command line with its module: `migrate`
//! knows the invoicing migrations, `seed` runs its seed step, `openapi` prints its
//! paths. A product never needs a second tool for its own context.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `invoices` binary over a fresh SQLite database in its own directory.
struct Product {
    dir: PathBuf,
}

impl Product {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("invoices-cli-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        Self { dir }
    }

    /// Runs a command; answers its standard output, failing the test on a non-zero exit.
    fn run(&self, args: &[&str]) -> String {
        let output = self.command(args).output().expect("the invoices binary runs");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "invoices {args:?} failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_invoices"));
        command
            .args(args)
            .current_dir(&self.dir)
            .env("TENANTRY__DATA_DIR", self.dir.join("data"))
            .env("TENANTRY__LOG__LEVEL", "warn")
            .env("TENANTRY__SEED__ADMIN_PASSWORD", "a long operator passphrase")
            .env("TENANTRY__JOBS__RUN_IN_SERVER", "false")
            .env_remove("TENANTRY__DATABASE__URL");
        command
    }

    fn status_of(&self, needle: &str) -> String {
        let status = self.run(&["migrate", "status"]);
        status.lines().find(|line| line.contains(needle)).unwrap_or_else(|| panic!("{needle} in {status}")).to_owned()
    }
}

impl Drop for Product {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(Path::new(&self.dir));
    }
}

#[test]
fn the_products_binary_migrates_its_module_with_tenantry() {
    let product = Product::new();
    assert!(product.status_of("invoicing create invoices").contains("pending"));
    assert_eq!(product.run(&["migrate", "up"]).trim(), "migrations applied");
    assert!(product.status_of("invoicing create invoices").contains("applied"));
    // The newest migration is the module's: `down` reverts it, and only it.
    let reverted = product.run(&["migrate", "down"]);
    assert!(reverted.contains("reverted migrations newer than"), "{reverted}");
    assert!(product.status_of("invoicing create invoices").contains("pending"));
    let others = product.run(&["migrate", "status"]);
    assert_eq!(others.lines().filter(|line| line.contains("pending")).count(), 1, "{others}");
}

#[test]
fn the_products_seed_step_runs_after_tenantrys_and_only_once() {
    let product = Product::new();
    let first = product.run(&["seed", "--env", "development"]);
    let order: Vec<&str> = first.lines().filter_map(|line| line.split_whitespace().nth(2)).collect();
    assert_eq!(order[..4], ["roles", "admin", "acme", "invoices"], "{first}");
    assert!(first.contains("issued ACME-0001, ACME-0002, ACME-0003 for Acme"), "{first}");
    let second = product.run(&["seed", "--env", "development", "--module", "invoices"]);
    assert!(second.contains("demo invoices already present"), "{second}");
    // Not part of the production-safe set, and named among the known steps.
    let refused = product.command(&["seed", "--env", "essential", "--module", "invoices"]).output().unwrap();
    assert!(!refused.status.success());
    let development = product.command(&["seed", "--env", "development", "--module", "nope"]).output().unwrap();
    assert!(String::from_utf8_lossy(&development.stderr).contains("roles, admin, acme, invoices"));
}

#[test]
fn the_products_openapi_has_its_paths() {
    let document: serde_json::Value =
        serde_json::from_str(&Product::new().run(&["openapi"])).expect("the document is JSON");
    assert!(document["paths"].get("/api/v1/invoices").is_some());
    assert!(document["paths"].get("/api/v1/projects").is_some());
}
