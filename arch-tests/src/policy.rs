//! The layer rules of ADR 0001 as a table, and the pure checker that holds a
//! [`DependencyGraph`] against it. A rule change is a one-line diff here plus a line in
//! the ADR, reviewed like any other decision.

use std::fmt;

use crate::graph::{DepKind, DependencyGraph};

/// Which crates a rule lets a package depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    Any,
    Only(&'static [&'static str]),
}

/// Where one workspace package sits. Normal and build dependencies are held to every
/// field; dev-dependencies only to `forbidden_dev`, because tests may use a runtime
/// or fakes that production code must not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub package: &'static str,
    /// Workspace packages it may depend on.
    pub workspace: Allowed,
    /// External crates it may depend on.
    pub external: Allowed,
    /// Crates named explicitly, so the message says "forbidden" rather than "not listed".
    pub forbidden: &'static [&'static str],
    /// Crates that must not appear even as dev-dependencies.
    pub forbidden_dev: &'static [&'static str],
    /// The reason, quoted in every violation of this rule.
    pub why: &'static str,
}

/// Small crates with no I/O, runtime or framework: the only ones the inner rings use.
pub const PURE_CRATES: &[&str] = &["serde", "serde_json", "uuid", "chrono", "thiserror"];

/// I/O, runtime and framework crates the inner rings must never name.
const IO_CRATES: &[&str] = &["tokio", "sqlx", "actix-web", "reqwest", "config", "utoipa", "async-trait"];

const KERNEL: &str = "tenantry-kernel";
const DOMAIN: &str = "tenantry-domain";
const APPLICATION: &str = "tenantry-application";

/// The rules for every Tenantry workspace package (ARCHITECTURE.md section 1).
pub const TENANTRY_RULES: &[Rule] = &[
    Rule {
        package: KERNEL,
        workspace: Allowed::Only(&[]),
        external: Allowed::Only(PURE_CRATES),
        forbidden: IO_CRATES,
        forbidden_dev: &["sqlx", "actix-web"],
        why: "the shared kernel sits below every layer: small pure crates only",
    },
    Rule {
        package: DOMAIN,
        workspace: Allowed::Only(&[KERNEL]),
        external: Allowed::Only(PURE_CRATES),
        forbidden: IO_CRATES,
        forbidden_dev: &["sqlx", "actix-web"],
        why: "the domain is pure: no I/O, no async runtime, no framework",
    },
    Rule {
        package: APPLICATION,
        workspace: Allowed::Only(&[KERNEL, DOMAIN]),
        external: Allowed::Any,
        forbidden: &["sqlx", "actix-web", "utoipa", "reqwest", "config", "tokio", "argon2", "jsonwebtoken"],
        forbidden_dev: &[],
        why: "use cases own the ports; SQL, HTTP, runtime and crypto belong to adapters",
    },
    Rule {
        package: "tenantry-infrastructure",
        workspace: Allowed::Only(&[KERNEL, DOMAIN, APPLICATION, "tenantry-migrations"]),
        external: Allowed::Any,
        forbidden: &["tenantry-http", "tenantry-server", "actix-web", "utoipa", "utoipa-swagger-ui"],
        forbidden_dev: &[],
        why: "driven adapters never see the driving side or the composition root",
    },
    Rule {
        package: "tenantry-http",
        workspace: Allowed::Only(&[KERNEL, DOMAIN, APPLICATION]),
        external: Allowed::Any,
        forbidden: &["tenantry-infrastructure", "tenantry-server", "tenantry-migrations", "sqlx"],
        forbidden_dev: &[],
        why: "the HTTP adapter reaches storage only through application ports",
    },
    Rule {
        package: "tenantry-migrations",
        workspace: Allowed::Only(&[]),
        external: Allowed::Any,
        forbidden: &[],
        forbidden_dev: &[],
        why: "migrations only embed SQL; they know no layer",
    },
    Rule {
        package: "tenantry-seeds",
        workspace: Allowed::Only(&[KERNEL, DOMAIN, APPLICATION]),
        external: Allowed::Any,
        forbidden: &["tenantry-infrastructure", "tenantry-http", "tenantry-server", "sqlx"],
        forbidden_dev: &[],
        why: "seed sets run through the application layer, never around it",
    },
    Rule {
        package: "tenantry-server",
        workspace: Allowed::Any,
        external: Allowed::Any,
        forbidden: &[],
        forbidden_dev: &[],
        why: "the composition root wires everything",
    },
    Rule {
        package: "tenantry-acceptance",
        workspace: Allowed::Any,
        external: Allowed::Any,
        forbidden: &[],
        forbidden_dev: &[],
        why: "acceptance suites drive the whole product",
    },
    Rule {
        package: "tenantry-bench",
        workspace: Allowed::Only(&[KERNEL, DOMAIN, APPLICATION, "tenantry-infrastructure"]),
        external: Allowed::Any,
        forbidden: &["tenantry-http", "tenantry-server"],
        forbidden_dev: &[],
        why: "the benchmark harness loads data and reports beside the product; it drives the server only over HTTP",
    },
    Rule {
        package: "invoices-example",
        workspace: Allowed::Any,
        external: Allowed::Any,
        forbidden: &[],
        forbidden_dev: &[],
        why: "the example product embeds Tenantry as an outside product would; it keeps its layers as modules",
    },
    Rule {
        package: "tenantry-arch-tests",
        workspace: Allowed::Any,
        external: Allowed::Any,
        forbidden: &[],
        forbidden_dev: &[],
        why: "the architecture tests inspect everything",
    },
];

/// A set of rules, one per workspace package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub rules: Vec<Rule>,
}

impl Policy {
    pub fn tenantry() -> Self {
        Self { rules: TENANTRY_RULES.to_vec() }
    }

    pub fn rule_for(&self, package: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.package == package)
    }
}

/// What a violation broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broken {
    /// The dependency is on the rule's `forbidden` or `forbidden_dev` list.
    Forbidden,
    /// A workspace dependency outside the rule's `workspace` set.
    WorkspaceNotAllowed(&'static [&'static str]),
    /// An external dependency outside the rule's `external` allow-list.
    ExternalNotAllowed(&'static [&'static str]),
    /// A workspace package no rule places: a new crate must pick its layer.
    NoRule,
    /// A rule for a package that is gone: a stale rule would guard nothing.
    UnknownPackage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub package: String,
    /// `None` for the package-level violations (`NoRule`, `UnknownPackage`).
    pub dependency: Option<(String, DepKind)>,
    pub broken: Broken,
    pub why: &'static str,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let package = &self.package;
        match (&self.dependency, self.broken) {
            (_, Broken::NoRule) => {
                write!(f, "workspace package `{package}` has no layer rule: add one to TENANTRY_RULES (ADR 0001)")
            }
            (_, Broken::UnknownPackage) => {
                write!(f, "TENANTRY_RULES has a rule for `{package}`, which is not a workspace package")
            }
            (None, _) => write!(f, "`{package}` broke {:?}", self.broken),
            (Some((dep, kind)), broken) => {
                write!(f, "`{package}` has a {kind} dependency on `{dep}`: ")?;
                match broken {
                    Broken::WorkspaceNotAllowed(allowed) => write!(f, "workspace crates allowed are only {allowed:?}")?,
                    Broken::ExternalNotAllowed(allowed) => write!(f, "external crates allowed are only {allowed:?}")?,
                    _ => write!(f, "forbidden")?,
                }
                write!(f, " ({}; ADR 0001)", self.why)
            }
        }
    }
}

/// Every way `graph` breaks `policy`, in package order; empty means the graph is clean.
pub fn check(graph: &DependencyGraph, policy: &Policy) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (package, dependencies) in graph.packages() {
        let Some(rule) = policy.rule_for(package) else {
            violations.push(Violation {
                package: package.to_owned(),
                dependency: None,
                broken: Broken::NoRule,
                why: "",
            });
            continue;
        };
        for dependency in dependencies {
            let name = dependency.name.as_str();
            let broken = match dependency.kind {
                DepKind::Dev if rule.forbidden_dev.contains(&name) => Some(Broken::Forbidden),
                DepKind::Dev => None,
                _ if rule.forbidden.contains(&name) => Some(Broken::Forbidden),
                _ if graph.contains(name) => match rule.workspace {
                    Allowed::Only(allowed) if !allowed.contains(&name) => Some(Broken::WorkspaceNotAllowed(allowed)),
                    _ => None,
                },
                _ => match rule.external {
                    Allowed::Only(allowed) if !allowed.contains(&name) => Some(Broken::ExternalNotAllowed(allowed)),
                    _ => None,
                },
            };
            if let Some(broken) = broken {
                violations.push(Violation {
                    package: package.to_owned(),
                    dependency: Some((dependency.name.clone(), dependency.kind)),
                    broken,
                    why: rule.why,
                });
            }
        }
    }
    for rule in &policy.rules {
        if !graph.contains(rule.package) {
            violations.push(Violation {
                package: rule.package.to_owned(),
                dependency: None,
                broken: Broken::UnknownPackage,
                why: rule.why,
            });
        }
    }
    violations
}
