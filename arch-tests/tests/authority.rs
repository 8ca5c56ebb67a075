//! ADR 0004: authority is decided in one place. Handlers and queries ask the request
//! context (`permits`, `require_permission`), which intersects an API key's scopes
//! with its creator's current role; a bare `Role::grants` elsewhere would judge a key
//! by its creator's role alone (issue 14: a `member:read` key removed an owner).

use std::fs;
use std::path::{Path, PathBuf};

use tenantry_arch_tests::workspace_root;

/// The only application files that may turn a role into a decision, and the one that
/// reads the domain's role definitions to build the permission catalogue (ADR 0012).
const DECIDERS: &[&str] =
    &["application/src/pipeline.rs", "application/src/tenancy/guard.rs", "application/src/tenancy/catalogue.rs"];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// A role asked about a permission: `role.grants(..)`, `x.role().grants(..)`, or
/// `.grants("literal")` on any receiver (a query port's `grants(file)` lists file
/// grants and is not a decision).
fn asks_a_role(line: &str) -> bool {
    line.contains(".grants(\"") || line.contains("role().grants(") || line.contains("role.grants(")
}

/// Lines of non-test code that decide by a role.
fn role_decisions(relative: &str, source: &str) -> Vec<String> {
    if DECIDERS.contains(&relative) || relative.ends_with("test_support.rs") {
        return Vec::new();
    }
    let production = source.split("#[cfg(test)]").next().unwrap_or_default();
    production
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//") && asks_a_role(line))
        .map(|(n, line)| format!("{relative}:{}: {}", n + 1, line.trim()))
        .collect()
}

#[test]
fn only_the_pipeline_and_the_tenant_guard_decide_by_role() {
    let root = workspace_root();
    let mut files = Vec::new();
    rust_files(&root.join("application/src"), &mut files);
    assert!(files.len() > 10, "the application sources were not found under {}", root.display());
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&root).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        let source = fs::read_to_string(&file).expect("readable source");
        found.extend(role_decisions(&relative, &source));
    }
    assert!(found.is_empty(), "decide by RequestContext::permits, not Role::grants:\n  {}", found.join("\n  "));
}

#[test]
fn the_check_flags_a_handler_that_asks_the_role() {
    let source = "fn handle() { if !actor.role().grants(\"member:remove\") { return; } }\n";
    assert_eq!(role_decisions("application/src/tenancy/members.rs", source).len(), 1);
    assert!(role_decisions("application/src/pipeline.rs", source).is_empty());
    let listing = "fn f() { self.file_queries.grants(tenant, id) }\n";
    assert!(role_decisions("application/src/files/service.rs", listing).is_empty());
    let in_tests = "fn f() {}\n#[cfg(test)]\nmod tests { fn g() { role.grants(\"x\"); } }\n";
    assert!(role_decisions("application/src/files/mod.rs", in_tests).is_empty());
}
