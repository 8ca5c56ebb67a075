//! Tenantry's acceptance suite: every feature in `features/`, once per selected
//! database backend (`TENANTRY_TEST_BACKENDS=sqlite,postgres`, both by default).

use std::process::ExitCode;

use tenantry_acceptance::{run_features, unmatched_steps, TestBackend};

#[tokio::main]
async fn main() -> ExitCode {
    let features = concat!(env!("CARGO_MANIFEST_DIR"), "/features");
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
        println!("\n=== Tenantry acceptance features on {} ===\n", backend.name());
        outcomes.push(run_features(backend, features).await);
    }

    println!("\n=== Tenantry acceptance summary ===");
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
    if outcomes.iter().any(|o| o.has_failed()) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
