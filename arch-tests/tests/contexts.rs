//! ADR 0002: bounded contexts do not import each other's internals. The first test
//! scans the real sources; the others prove the scanner on synthetic files.

use std::path::Path;

use tenantry_arch_tests::contexts::context_of;
use tenantry_arch_tests::{
    scan_neutral, scan_neutral_files, scan_source, scan_workspace, workspace_root, ContextViolation,
};

const IDENTITY_FILE: &str = "application/src/identity/login.rs";

fn scan(path: &str, source: &str) -> Vec<ContextViolation> {
    scan_source(Path::new(path), source)
}

#[test]
fn contexts_do_not_import_each_others_internals() {
    let violations = scan_workspace(&workspace_root()).expect("the layer sources are readable");

    let report: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(violations.is_empty(), "context boundaries crossed:\n  {}", report.join("\n  "));
}

#[test]
fn the_shared_modules_reach_no_context() {
    let violations = scan_neutral_files(&workspace_root()).expect("the shared modules are readable");

    let report: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(violations.is_empty(), "shared modules import a context:\n  {}", report.join("\n  "));
}

#[test]
fn the_neutral_scanner_flags_a_context_outside_tests_only() {
    let source = "use crate::ports::UnitOfWork;\n\
                  fn grant() { crate::tenancy::permission_catalogue(); }\n\
                  #[cfg(test)]\n\
                  impl X { fn f(a: [u8; 2], b: u8) { crate::projects::Thing; } }\n\
                  #[cfg(test)]\n\
                  use crate::files::Other;\n\
                  fn after() { crate::identity::Login; }\n\
                  struct S { #[cfg(test)] a: u8, b: crate::files::Blob }\n";
    let reached: Vec<(usize, &str)> =
        scan_neutral(Path::new("application/src/pipeline.rs"), source).iter().map(|v| (v.line, v.to)).collect();

    assert_eq!(reached, vec![(2, "tenancy"), (7, "identity"), (8, "files")]);
}

#[test]
fn the_scanner_flags_tenancy_internals_used_inside_identity() {
    let violations = scan(IDENTITY_FILE, "use crate::pipeline::Command;\nuse crate::tenancy::Membership;\n");

    assert_eq!(
        violations,
        vec![ContextViolation {
            file: IDENTITY_FILE.into(),
            line: 2,
            from: "identity",
            to: "tenancy",
            path: "crate::tenancy::Membership".into(),
        }]
    );
}

#[test]
fn the_scanner_ignores_a_cross_context_path_inside_a_comment() {
    let source = "// use crate::tenancy::Membership;\n\
                  /// See [`crate::tenancy::Membership`].\n\
                  /* outer /* nested */ crate::tenancy::Role */\n\
                  fn f() {}\n";

    assert_eq!(scan(IDENTITY_FILE, source), Vec::new());
}

#[test]
fn the_scanner_ignores_a_cross_context_path_inside_a_literal() {
    let source = r####"const A: &str = "crate::tenancy::Role \" crate::billing::Plan";
const B: &str = r#"tenantry_domain::tenancy::Role"#;
const C: char = '"';
fn d<'a>(x: &'a str) -> &'a str { x }"####;

    assert_eq!(scan(IDENTITY_FILE, source), Vec::new());
}

#[test]
fn the_scanner_flags_a_cross_context_import_inside_a_use_group() {
    let source = "use crate::{\n    pipeline::Command,\n    tenancy::{Membership, Role as R},\n};";

    let paths: Vec<String> = scan(IDENTITY_FILE, source).into_iter().map(|v| v.path).collect();

    assert_eq!(paths, ["crate::tenancy::Membership", "crate::tenancy::Role"]);
}

#[test]
fn the_scanner_flags_another_contexts_domain_module_from_an_adapter() {
    let source = "use tenantry_domain::tenancy::Role;\nuse tenantry_domain::identity::User;";

    let violations = scan("infrastructure/src/postgres/identity.rs", source);

    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert_eq!((violations[0].from, violations[0].to), ("identity", "tenancy"));
}

#[test]
fn the_scanner_flags_a_sibling_context_reached_through_super() {
    let source = "use super::super::billing::Plan;\nuse super::session::Session;";

    let violations = scan("domain/src/identity/user.rs", source);

    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert_eq!(violations[0].path, "super::super::billing::Plan");
}

#[test]
fn the_scanner_matches_whole_path_segments_only() {
    let source =
        "use crate::tenancy_view::Row;\nuse my_crate::tenancy::Role;\nuse crate::identity::User;\npub(crate) fn f() {}";

    assert_eq!(scan(IDENTITY_FILE, source), Vec::new());
}

#[test]
fn the_scanner_allows_the_shared_test_support_doubles() {
    let source = "#[cfg(test)]\nmod tests {\n    use crate::identity::test_support::TestUnitOfWork;\n}";

    assert_eq!(scan("application/src/tenancy/mod.rs", source), Vec::new());
}

#[test]
fn the_scanner_ignores_files_outside_any_context() {
    let source = "use crate::identity::*;\nuse crate::tenancy::SyncRoleCatalogue;";

    assert_eq!(scan("application/src/lib.rs", source), Vec::new());
}

#[test]
fn files_belong_to_the_context_their_path_names() {
    let cases = [
        ("domain/src/tenancy/role.rs", Some("tenancy")),
        ("domain/src/billing.rs", Some("billing")),
        ("application/src/identity/mod.rs", Some("identity")),
        ("application/src/pipeline.rs", None),
        ("application/src/pipeline/audit.rs", None),
        ("infrastructure/src/postgres/files/versions.rs", Some("files")),
        ("infrastructure/src/sqlite/usage.rs", Some("usage")),
        ("presentation/src/routes/prompts.rs", Some("prompts")),
        ("presentation/src/lib.rs", None),
        ("server/src/identity.rs", None),
    ];

    for (path, expected) in cases {
        assert_eq!(context_of(Path::new(path)), expected, "{path}");
    }
}
