//! Running feature files against one backend, with the hooks the world relies on.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use cucumber::feature::Ext as _;
use cucumber::gherkin::{self, GherkinEnv};
use cucumber::writer::Stats as _;
use cucumber::{cli, World as _};
use futures::FutureExt as _;
use tenantry_server::testing::{ProductWiring, TestBackend};

use crate::TenantryWorld;

/// Scenarios run at once. Each one owns a server and a database (on PostgreSQL a
/// whole `CREATE DATABASE`), and the suites are expected to run on small CI machines.
pub const MAX_CONCURRENT_SCENARIOS: usize = 4;

/// Only scenarios whose feature or scenario name contains this text (case
/// insensitive) run, when set: the way to focus on one scenario, since the cucumber
/// command line is not parsed (see [`run_features`]).
pub const SCENARIO_FILTER_ENV: &str = "TENANTRY_ACCEPTANCE_FILTER";

/// What one run on one backend came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendOutcome {
    pub backend: TestBackend,
    pub passed_steps: usize,
    pub skipped_steps: usize,
    pub failed_steps: usize,
    pub parsing_errors: usize,
    pub hook_errors: usize,
}

impl BackendOutcome {
    /// Whether any step failed, any feature did not parse or any hook panicked.
    pub fn has_failed(&self) -> bool {
        self.failed_steps > 0 || self.parsing_errors > 0 || self.hook_errors > 0
    }
}

/// Runs every feature under `features` (a `.feature` file or a directory) against
/// `backend`: each scenario gets a fresh [`TenantryWorld`] and so a fresh server and
/// database, shut down and dropped after the scenario whatever its result. Steps
/// that match no definition fail rather than being skipped.
///
/// The cucumber command line is deliberately not parsed: under `cargo test` the
/// binary receives libtest's arguments (`--test-threads`, `--nocapture`, a name
/// filter) which cucumber would reject. Use [`SCENARIO_FILTER_ENV`] to focus.
pub async fn run_features(backend: TestBackend, features: impl AsRef<Path>) -> BackendOutcome {
    run_features_wired(backend, features, None).await
}

/// [`run_features`] for a product's suite: every scenario's server is wired by
/// `product` (its modules, its adapters), so the product's own features run on
/// Tenantry's step library and its own steps alike.
pub async fn run_product_features(
    backend: TestBackend,
    features: impl AsRef<Path>,
    product: ProductWiring,
) -> BackendOutcome {
    run_features_wired(backend, features, Some(product)).await
}

async fn run_features_wired(
    backend: TestBackend,
    features: impl AsRef<Path>,
    product: Option<ProductWiring>,
) -> BackendOutcome {
    let filter = std::env::var(SCENARIO_FILTER_ENV).ok().map(|f| f.trim().to_lowercase()).filter(|f| !f.is_empty());

    let writer = TenantryWorld::cucumber()
        .max_concurrent_scenarios(MAX_CONCURRENT_SCENARIOS)
        .fail_on_skipped()
        .before(move |_, _, _, world| {
            world.use_backend(backend);
            if let Some(product) = &product {
                world.use_product(product.clone());
            }
            futures::future::ready(()).boxed_local()
        })
        .after(|_, _, _, _, world| {
            async move {
                if let Some(world) = world {
                    world.shutdown().await;
                }
            }
            .boxed_local()
        })
        .with_cli(cli::Opts::<_, _, _, cli::Empty>::default())
        .filter_run(features.as_ref().to_path_buf(), move |feature, _, scenario| {
            filter
                .as_deref()
                .is_none_or(|f| feature.name.to_lowercase().contains(f) || scenario.name.to_lowercase().contains(f))
        })
        .await;

    BackendOutcome {
        backend,
        passed_steps: writer.passed_steps(),
        skipped_steps: writer.skipped_steps(),
        failed_steps: writer.failed_steps(),
        parsing_errors: writer.parsing_errors(),
        hook_errors: writer.hook_errors(),
    }
}

/// Every step of the features under `features` (a file or a directory) that no step
/// definition matches, or that more than one matches, as `file:line: problem`.
/// Cheap (no server is started), so a suite can check its features before running
/// them; [`run_features`] would report the same steps as failures.
///
/// # Errors
/// When a feature file cannot be read or parsed.
pub fn unmatched_steps(features: impl AsRef<Path>) -> anyhow::Result<Vec<String>> {
    let steps = TenantryWorld::collection();
    let mut problems = Vec::new();
    for file in feature_files(features.as_ref())? {
        let feature = gherkin::Feature::parse_path(&file, GherkinEnv::default())
            .map_err(|e| anyhow!("{}: {e}", file.display()))?
            .expand_examples()
            .map_err(|e| anyhow!("{}: {e}", file.display()))?;
        let rules = feature.rules.iter().map(|r| (r.background.as_ref(), &r.scenarios));
        let groups = std::iter::once((None, &feature.scenarios)).chain(rules);
        for (background, scenarios) in groups {
            let background_steps = feature.background.iter().chain(background).flat_map(|b| &b.steps);
            let all_steps = background_steps.chain(scenarios.iter().flat_map(|s| &s.steps));
            for step in all_steps {
                let at = format!("{}:{}", file.display(), step.position.line);
                match steps.find(step) {
                    Ok(Some(_)) => {}
                    Ok(None) => {
                        problems.push(format!("{at}: no step definition matches `{}{}`", step.keyword, step.value))
                    }
                    Err(e) => problems.push(format!(
                        "{at}: `{}{}` matches several definitions: {:?}",
                        step.keyword, step.value, e.possible_matches
                    )),
                }
            }
        }
    }
    problems.dedup();
    Ok(problems)
}

fn feature_files(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let entries = std::fs::read_dir(path).map_err(|e| anyhow!("reading {}: {e}", path.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| anyhow!("reading {}: {e}", path.display()))?;
        let path = entry.path();
        if path.is_dir() {
            files.extend(feature_files(&path)?);
        } else if path.extension().is_some_and(|ext| ext == "feature") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// A whole suite as a test binary's `main` runs it: checks that every step of the
/// features under `features` has exactly one definition, plays them on every
/// selected backend (`TENANTRY_TEST_BACKENDS`), wired by `product` when given, and
/// prints one summary line per backend. Fails when a step failed, when nothing ran
/// or when no backend was selected.
pub async fn run_suite(title: &str, features: &str, product: Option<ProductWiring>) -> std::process::ExitCode {
    use std::process::ExitCode;
    // Fail in a second, before any server or database is created, on a feature that
    // uses a phrase the step library does not have.
    match unmatched_steps(features) {
        Ok(problems) if problems.is_empty() => {}
        Ok(problems) => {
            eprintln!("steps without exactly one definition:\n{}", problems.join("\n"));
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("cannot read the features: {e:#}");
            return ExitCode::FAILURE;
        }
    }
    let mut outcomes = Vec::new();
    for backend in TestBackend::selected() {
        println!("\n=== {title} on {} ===\n", backend.name());
        outcomes.push(run_features_wired(backend, features, product.clone()).await);
    }
    println!("\n=== {title}: summary ===");
    for outcome in &outcomes {
        println!(
            "{:<9} {}: {} steps passed, {} failed, {} skipped, {} parsing errors, {} hook errors",
            outcome.backend.name(),
            if outcome.has_failed() { "FAILED" } else { "ok" },
            outcome.passed_steps,
            outcome.failed_steps,
            outcome.skipped_steps,
            outcome.parsing_errors,
            outcome.hook_errors,
        );
    }
    if outcomes.is_empty() {
        eprintln!("no backend selected: nothing was tested");
        return ExitCode::FAILURE;
    }
    if outcomes.iter().any(|o| o.passed_steps == 0) {
        eprintln!("a backend ran no step at all: check {features} and the scenario filter");
        return ExitCode::FAILURE;
    }
    if outcomes.iter().any(BackendOutcome::has_failed) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_of_tenantrys_features_has_exactly_one_definition() {
        let features = concat!(env!("CARGO_MANIFEST_DIR"), "/features");
        let problems = unmatched_steps(features).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
