//! ADR 0001: the crate graph is the architecture. The first test holds the real
//! workspace to the policy; the others prove on hand-made graphs that the checker
//! rejects what it must, so a green first test means something.

use tenantry_arch_tests::graph::DepKind::{Build, Dev, Normal};
use tenantry_arch_tests::{check, workspace_root, Broken, DepKind, DependencyGraph, Policy, Violation};

/// The graph of ARCHITECTURE.md section 1, as it should be.
fn clean_graph() -> DependencyGraph {
    let inner = [("tenantry-kernel", Normal), ("tenantry-domain", Normal)];
    DependencyGraph::new()
        .with_package("tenantry-kernel", &[("serde", Normal), ("uuid", Normal), ("chrono", Normal)])
        .with_package("tenantry-domain", &[("tenantry-kernel", Normal), ("thiserror", Normal), ("proptest", Dev)])
        .with_package(
            "tenantry-application",
            &[inner[0], inner[1], ("async-trait", Normal), ("tokio", Dev), ("mockall", Dev)],
        )
        .with_package(
            "tenantry-infrastructure",
            &[inner[0], inner[1], ("tenantry-application", Normal), ("sqlx", Normal), ("tenantry-migrations", Dev)],
        )
        .with_package(
            "tenantry-http",
            &[inner[0], inner[1], ("tenantry-application", Normal), ("actix-web", Normal), ("utoipa", Normal)],
        )
        .with_package("tenantry-migrations", &[("sqlx", Normal)])
        .with_package("tenantry-seeds", &[inner[0], inner[1], ("tenantry-application", Normal)])
        .with_package(
            "tenantry-server",
            &[("tenantry-infrastructure", Normal), ("tenantry-http", Normal), ("tenantry-seeds", Normal)],
        )
        .with_package("tenantry-acceptance", &[("tenantry-server", Normal)])
        .with_package("tenantry-bench", &[("tenantry-infrastructure", Normal), ("sqlx", Normal)])
        .with_package("invoices-example", &[("tenantry-server", Normal), ("tenantry-acceptance", Dev)])
        .with_package("tenantry-arch-tests", &[("cargo_metadata", Normal)])
}

fn violations_with(package: &str, dependency: &str, kind: DepKind) -> Vec<Violation> {
    let mut graph = clean_graph();
    graph.add_dependency(package, dependency, kind);
    check(&graph, &Policy::tenantry())
}

fn assert_rejected(violations: &[Violation], package: &str, dependency: &str, broken: Broken) {
    assert!(
        violations.iter().any(|v| v.package == package
            && v.dependency.as_ref().is_some_and(|(name, _)| name == dependency)
            && v.broken == broken),
        "expected `{package}` -> `{dependency}` to break {broken:?}, got {violations:#?}"
    );
}

#[test]
fn the_workspace_respects_the_layer_rules() {
    let graph = DependencyGraph::load(&workspace_root()).expect("cargo metadata runs on the workspace");

    let violations = check(&graph, &Policy::tenantry());

    let declared = graph.packages().map(|(_, deps)| deps.len()).sum::<usize>();
    assert!(declared > 0, "cargo metadata listed no dependency: the check would be vacuous");
    let report: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(violations.is_empty(), "layer rules broken:\n  {}", report.join("\n  "));
}

#[test]
fn a_graph_shaped_like_the_architecture_passes() {
    assert_eq!(check(&clean_graph(), &Policy::tenantry()), Vec::new());
}

#[test]
fn the_checker_rejects_a_domain_that_depends_on_sqlx() {
    let violations = violations_with("tenantry-domain", "sqlx", Normal);

    assert_rejected(&violations, "tenantry-domain", "sqlx", Broken::Forbidden);
    assert!(violations[0].to_string().contains("the domain is pure"));
}

#[test]
fn the_checker_rejects_a_presentation_that_depends_on_infrastructure() {
    let violations = violations_with("tenantry-http", "tenantry-infrastructure", Normal);

    assert_rejected(&violations, "tenantry-http", "tenantry-infrastructure", Broken::Forbidden);
}

#[test]
fn the_checker_rejects_an_application_that_depends_on_actix() {
    let violations = violations_with("tenantry-application", "actix-web", Normal);

    assert_rejected(&violations, "tenantry-application", "actix-web", Broken::Forbidden);
}

#[test]
fn the_checker_rejects_an_application_that_depends_on_tokio_outside_its_tests() {
    let violations = violations_with("tenantry-application", "tokio", Normal);

    assert_rejected(&violations, "tenantry-application", "tokio", Broken::Forbidden);
}

#[test]
fn the_checker_rejects_an_infrastructure_that_depends_on_the_http_adapter() {
    let violations = violations_with("tenantry-infrastructure", "tenantry-http", Normal);

    assert_rejected(&violations, "tenantry-infrastructure", "tenantry-http", Broken::Forbidden);
}

#[test]
fn the_checker_rejects_a_kernel_that_depends_on_a_workspace_crate() {
    let violations = violations_with("tenantry-kernel", "tenantry-domain", Normal);

    assert_rejected(&violations, "tenantry-kernel", "tenantry-domain", Broken::WorkspaceNotAllowed(&[]));
}

#[test]
fn the_checker_rejects_a_domain_with_an_external_crate_off_its_allow_list() {
    let violations = violations_with("tenantry-domain", "rand", Normal);

    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert!(matches!(violations[0].broken, Broken::ExternalNotAllowed(_)));
}

#[test]
fn the_checker_rejects_seeds_that_bypass_the_application_layer() {
    let violations = violations_with("tenantry-seeds", "tenantry-infrastructure", Normal);

    assert_rejected(&violations, "tenantry-seeds", "tenantry-infrastructure", Broken::Forbidden);
}

#[test]
fn the_checker_rejects_a_benchmark_that_links_the_server_instead_of_driving_it() {
    let violations = violations_with("tenantry-bench", "tenantry-server", Normal);

    assert_rejected(&violations, "tenantry-bench", "tenantry-server", Broken::Forbidden);
}

#[test]
fn the_checker_rejects_migrations_that_depend_on_a_layer() {
    let violations = violations_with("tenantry-migrations", "tenantry-domain", Normal);

    assert!(matches!(violations[..], [Violation { broken: Broken::WorkspaceNotAllowed(_), .. }]));
}

#[test]
fn the_checker_treats_build_dependencies_like_normal_ones() {
    let violations = violations_with("tenantry-domain", "tokio", Build);

    assert_rejected(&violations, "tenantry-domain", "tokio", Broken::Forbidden);
}

#[test]
fn the_checker_rejects_sqlx_even_as_a_domain_dev_dependency() {
    let violations = violations_with("tenantry-domain", "sqlx", Dev);

    assert_rejected(&violations, "tenantry-domain", "sqlx", Broken::Forbidden);
}

#[test]
fn the_checker_lets_tests_use_freer_dev_dependencies() {
    let mut graph = clean_graph();
    graph.add_dependency("tenantry-domain", "tokio", Dev);
    graph.add_dependency("tenantry-http", "tenantry-infrastructure", Dev);

    assert_eq!(check(&graph, &Policy::tenantry()), Vec::new());
}

#[test]
fn the_checker_rejects_a_workspace_crate_without_a_rule() {
    let graph = clean_graph().with_package("tenantry-reports", &[]);

    let violations = check(&graph, &Policy::tenantry());

    assert!(
        matches!(&violations[..], [Violation { broken: Broken::NoRule, package, .. }] if package == "tenantry-reports")
    );
}

#[test]
fn the_checker_rejects_a_rule_for_a_crate_that_is_gone() {
    let mut policy = Policy::tenantry();
    let mut stale = policy.rules[0];
    stale.package = "tenantry-legacy";
    policy.rules.push(stale);

    let violations = check(&clean_graph(), &policy);

    assert!(matches!(&violations[..], [Violation { broken: Broken::UnknownPackage, .. }]));
}
