//! `tenantry-bench`: the two parts of the benchmark that are easier to get right in
//! Rust than in the `bench/run` script: loading a tenant population fast (bulk SQL on
//! PostgreSQL, with a progress bar) and turning the raw measurements into a report.

mod report;
mod seed;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "tenantry-bench", about = "Tenantry benchmark harness (driven by bench/run)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load a tenant population into a migrated, empty PostgreSQL database.
    Seed(seed::SeedOptions),
    /// Write report.json and REPORT.md from the measurements in a run directory.
    Report {
        /// The run's output directory (holds scenarios/, pgbench/ and run.json).
        #[arg(long)]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Seed(options) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|runtime| runtime.block_on(seed::run(options))),
        Command::Report { dir } => report::run(&dir),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tenantry-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}
