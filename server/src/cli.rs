//! The `tenantry` command line, as a library: Tenantry's binary and a product's own
//! (`examples/invoices`) run the same commands, each with its own modules, so a
//! product's `migrate`, `seed`, `openapi` and `worker` know its contexts too.

use std::net::TcpListener;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use tenantry_infrastructure::crypto::KeyRing;
use tenantry_infrastructure::{Database, ModuleMigrations};

use crate::config::{redact_url, Settings};
use crate::{serve, telemetry, TenantryBuilder};

#[derive(Parser)]
#[command(name = "tenantry", version, about = "The Tenantry SaaS backbone")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API (the default).
    Serve,
    /// Apply, revert or list database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Load a seed set (idempotent): essential, development or test.
    Seed {
        #[arg(long, value_enum, default_value = "essential")]
        env: SeedEnv,
        /// Run one module of the set only (e.g. `roles`, `admin`, `acme`, `fixtures`).
        #[arg(long)]
        module: Option<String>,
    },
    /// Print the OpenAPI document as JSON.
    Openapi,
    /// Empty the read models (project summaries) and replay every committed event into them.
    RebuildReadModels,
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Manage the access-token signing keys.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Run background jobs (thumbnails, ...) until stopped; for deployments that
    /// set `jobs.run_in_server = false` or want more workers.
    Worker,
    /// Files maintenance.
    Files {
        #[command(subcommand)]
        action: FilesAction,
    },
    /// Inspect and steer the background job queue.
    Jobs {
        #[command(subcommand)]
        action: JobsAction,
    },
}

#[derive(Subcommand)]
enum FilesAction {
    /// Remove files binned more than `--older-than-days` ago (default: the configured
    /// `files.bin_retention_days`) and their blobs; the worker also does this daily.
    Purge {
        #[arg(long)]
        older_than_days: Option<u32>,
    },
}

#[derive(Subcommand)]
enum JobsAction {
    /// List jobs, newest first.
    List {
        /// Only jobs in this state: queued, running, done or dead.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Queue a dead job again with fresh attempts.
    Retry { id: uuid::Uuid },
    /// Delete done and dead jobs last changed more than `--older-than-days` ago.
    Purge {
        #[arg(long, default_value_t = 7)]
        older_than_days: u32,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Recompute every hash chain; exits non-zero when an entry was changed or removed.
    Verify,
}

#[derive(Subcommand)]
enum KeysAction {
    /// Add a new signing key: it signs from the next start on, older keys keep
    /// verifying until their files are deleted (after the 15-minute token lifetime).
    Rotate,
    /// List the keys (kid, and which one signs).
    List,
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert migrations: the newest one, or every one newer than `--to`.
    Down {
        #[arg(long)]
        to: Option<i64>,
    },
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Clone, Copy, ValueEnum)]
enum SeedEnv {
    Essential,
    Development,
    Test,
}

/// Parses the command line and runs the command on the builder `wire` makes from
/// the loaded settings (`Tenantry::builder` for Tenantry's binary; the product's
/// builder with its modules for a product's). Answers the process's exit code.
pub fn main_with(wire: impl Fn(Settings) -> TenantryBuilder) -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), settings, &wire)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "tenantry failed");
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings, wire: &impl Fn(Settings) -> TenantryBuilder) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve_api(wire(settings.clone()), settings).await,
        Command::Migrate { action } => migrate(action, &settings, &wire(settings.clone()).migrations()).await,
        Command::Seed { env, module } => {
            let set = match env {
                SeedEnv::Essential => tenantry_seeds::SeedSet::Essential,
                SeedEnv::Development => tenantry_seeds::SeedSet::Development,
                SeedEnv::Test => tenantry_seeds::SeedSet::Test,
            };
            seed(wire(settings.clone()), &settings, set, module.as_deref()).await
        }
        Command::Keys { action } => keys(action, &settings),
        Command::RebuildReadModels => {
            let tenantry = wire(settings.clone()).build().await?;
            let result = tenantry.rebuild_read_models().await;
            tenantry.shutdown().await;
            println!("read models rebuilt: {} events applied", result?);
            Ok(())
        }
        Command::Audit { action: AuditAction::Verify } => verify_audit(&settings).await,
        Command::Worker => {
            let mut settings = settings;
            // This process's own loop below is the worker.
            settings.jobs.run_in_server = false;
            let tenantry = wire(settings.clone()).build().await?;
            println!("Tenantry worker running; Ctrl-C or SIGTERM stops it after the job in progress");
            let result = tenantry.work_until_stopped(settings.jobs.poll_interval_ms).await;
            tenantry.shutdown().await;
            result
        }
        Command::Jobs { action } => jobs(action, &settings, &wire(settings.clone()).migrations()).await,
        Command::Files { action: FilesAction::Purge { older_than_days } } => {
            let mut settings = settings;
            settings.jobs.run_in_server = false;
            let days = older_than_days.unwrap_or(settings.files.bin_retention_days);
            let tenantry = wire(settings.clone()).build().await?;
            let report = tenantry.purge_bin(days).await;
            tenantry.shutdown().await;
            let report = report?;
            println!(
                "bin purged (files deleted more than {days} days ago): {} blobs deleted, {} kept (uploaded within the hour)",
                report.blobs_deleted, report.blobs_kept
            );
            Ok(())
        }
        Command::Openapi => {
            let document = wire(settings).openapi();
            let json = document.to_pretty_json().context("serialising the OpenAPI document")?;
            println!("{json}");
            Ok(())
        }
    }
}

async fn serve_api(builder: TenantryBuilder, settings: Settings) -> anyhow::Result<()> {
    let url = settings.database_url();
    let tenantry = builder.build().await?;
    let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))
        .with_context(|| format!("binding {}:{}", settings.server.host, settings.server.port))?;
    let address = listener.local_addr().context("reading the bound address")?;
    let mut state = tenantry.http_state();
    if state.public_url.is_none() {
        if address.ip().is_unspecified() {
            // 0.0.0.0 is no address a client can use: links stay server-relative.
            tracing::warn!(%address, "server.public_url is not set: download links are relative paths");
        } else {
            state = state.with_public_url(format!("http://{address}"));
        }
    }
    let server =
        serve::http_server(listener, state, settings.server.workers, settings.server.shutdown_timeout_seconds)?;
    tracing::info!(%address, database = %redact_url(&url), backend = tenantry.database().backend_name(), "tenantry listening");
    println!("Tenantry listening on http://{address}");
    println!("  Swagger UI:  http://{address}/swagger-ui/");
    println!("  OpenAPI:     http://{address}/api-docs/openapi.json");
    println!("  Database:    {} ({})", redact_url(&url), tenantry.database().backend_name());
    println!(
        "  Admin:       `tenantry seed` with TENANTRY__SEED__ADMIN_PASSWORD set creates {}",
        settings.seed.admin_email
    );
    // actix stops accepting on SIGTERM/SIGINT and drains in-flight requests.
    server.await.context("HTTP server")?;
    tracing::info!("draining background tasks");
    tenantry.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}

fn keys(action: KeysAction, settings: &Settings) -> anyhow::Result<()> {
    let dir = settings.keys_dir();
    match action {
        KeysAction::Rotate => {
            let key = KeyRing::add_generated(&dir, chrono::Utc::now())?;
            println!("added signing key {} in {}; restart the servers to sign with it", key.kid, dir.display());
        }
        KeysAction::List => match KeyRing::load(&dir)? {
            None => println!("no keys in {} (one is generated on first start)", dir.display()),
            Some(ring) => {
                for key in ring.all() {
                    let role = if key.kid == ring.signing().kid { "signs+verifies" } else { "verifies" };
                    println!("{}  {role}", key.kid);
                }
            }
        },
    }
    Ok(())
}

async fn jobs(action: JobsAction, settings: &Settings, modules: &[ModuleMigrations]) -> anyhow::Result<()> {
    use tenantry_application::ports::{JobId, JobState};

    let database = connect(settings, modules).await?;
    if settings.database.migrate_on_start {
        // As `serve` would: on a fresh database the queue exists, empty.
        database.migrate_up_with(modules).await.context("applying migrations")?;
    }
    let store = database.job_store();
    let now = chrono::Utc::now();
    let result = match action {
        JobsAction::List { state, limit } => {
            let state = match state.as_deref() {
                Some(raw) => Some(
                    JobState::parse(raw)
                        .with_context(|| format!("unknown state {raw}: queued, running, done or dead"))?,
                ),
                None => None,
            };
            store.list(state, limit).await.map(|jobs| {
                println!(
                    "{:<36}  {:<16}  {:<7}  {:>8}  {:<25}  last error",
                    "id", "kind", "state", "attempts", "run at"
                );
                for job in jobs {
                    println!(
                        "{:<36}  {:<16}  {:<7}  {:>4}/{:<3}  {:<25}  {}",
                        job.id,
                        job.kind,
                        job.state.as_str(),
                        job.attempts,
                        job.max_attempts,
                        job.run_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        job.last_error.unwrap_or_default()
                    );
                }
            })
        }
        JobsAction::Retry { id } => store.retry(JobId::from_uuid(id), now).await.map(|queued| {
            if queued {
                println!("job {id} queued again");
            } else {
                println!("job {id} is not dead: nothing to retry");
            }
        }),
        JobsAction::Purge { older_than_days } => store
            .purge(now - chrono::Duration::days(i64::from(older_than_days)))
            .await
            .map(|deleted| println!("{deleted} done or dead jobs deleted")),
    };
    database.close().await;
    Ok(result?)
}

async fn verify_audit(settings: &Settings) -> anyhow::Result<()> {
    let url = settings.database_url();
    let database = Database::connect(&url, 1).await.with_context(|| format!("connecting to {}", redact_url(&url)))?;
    let report = database.verify_audit_chains().await;
    database.close().await;
    let report = report?;
    println!("audit: {} entries in {} chains", report.entries, report.chains);
    for (chain, seq, problem) in &report.broken {
        println!("BROKEN chain {chain} at entry {seq}: {problem}");
    }
    anyhow::ensure!(report.is_intact(), "{} audit chain(s) are broken", report.broken.len());
    println!("audit: every chain is intact");
    Ok(())
}

/// A one-connection pool that knows the modules' schemas.
async fn connect(settings: &Settings, modules: &[ModuleMigrations]) -> anyhow::Result<Database> {
    let url = settings.database_url();
    let schemas: Vec<&str> = modules.iter().map(|m| m.schema).collect();
    Database::connect_with_schemas(&url, 1, &schemas)
        .await
        .with_context(|| format!("connecting to {}", redact_url(&url)))
}

/// Tenantry's migrations and the modules', as one history.
async fn migrate(action: MigrateAction, settings: &Settings, modules: &[ModuleMigrations]) -> anyhow::Result<()> {
    let database = connect(settings, modules).await?;
    match action {
        MigrateAction::Up => {
            database.migrate_up_with(modules).await?;
            println!("migrations applied");
        }
        MigrateAction::Down { to } => {
            let target = match to {
                Some(target) => target,
                None => database.previous_version_with(modules).await?,
            };
            database.migrate_down_with(modules, target).await?;
            println!("reverted migrations newer than {target}");
        }
        MigrateAction::Status => {
            for migration in database.migration_status_with(modules).await? {
                let mark = if migration.applied { "applied" } else { "pending" };
                println!("{:>16}  {:<8} {}", migration.version, mark, migration.description);
            }
        }
    }
    database.close().await;
    Ok(())
}

async fn seed(
    builder: TenantryBuilder,
    settings: &Settings,
    set: tenantry_seeds::SeedSet,
    module: Option<&str>,
) -> anyhow::Result<()> {
    let tenantry = builder.build().await?;
    let admin = tenantry_seeds::AdminSeed {
        email: settings.seed.admin_email.clone(),
        display_name: settings.seed.admin_display_name.clone(),
        password: settings.seed.admin_password.clone(),
    };
    let label = set.name();
    let result = tenantry
        .seed(set, module, &admin, |step| {
            println!("[seed {label}] {:<8} {}", step.step, step.summary);
        })
        .await;
    tenantry.shutdown().await;
    let outcomes = result?;
    let created: usize = outcomes.iter().map(|o| o.created).sum();
    println!("[seed {label}] done: {created} change(s)");
    Ok(())
}
