//! The tenant population generator. It writes rows with `generate_series` inside
//! PostgreSQL (nothing crosses the wire but the statements), in chunks so a progress
//! bar can follow a million tasks. Passwords are hashed once with the server's own
//! argon2id parameters, so logging in costs what it costs in production.
//!
//! Every organization gets one "hot" project (its first) that receives every
//! `hot_every`-th task and has all the organization's members; the load scenarios
//! list those, so the growth comparison (10k vs 1M tasks) reads a project that grew.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{ensure, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::{Connection, Executor, PgConnection};
use tenantry_application::identity::ports::PasswordHasher;
use tenantry_domain::identity::Password;
use tenantry_infrastructure::crypto::Argon2Hasher;

/// Rows per task insert statement: one progress step.
const TASK_CHUNK: i64 = 25_000;

#[derive(Args)]
pub struct SeedOptions {
    /// A migrated PostgreSQL database without users (`tenantry migrate up` first).
    #[arg(long, env = "TENANTRY__DATABASE__URL")]
    database_url: String,
    #[arg(long, default_value_t = 100)]
    organizations: i64,
    #[arg(long, default_value_t = 2_000)]
    users: i64,
    #[arg(long, default_value_t = 20_000)]
    projects: i64,
    #[arg(long, default_value_t = 1_000_000)]
    tasks: i64,
    /// Every n-th task goes to its organization's hot project.
    #[arg(long, default_value_t = 5)]
    hot_every: i64,
    /// Every generated user's password.
    #[arg(long, default_value = "bench-password-0123")]
    password: String,
    /// Where to write one line per organization: owner email, organization id, hot
    /// project id, a member of it (tab separated).
    #[arg(long)]
    fixtures: PathBuf,
}

impl SeedOptions {
    fn check(&self) -> anyhow::Result<()> {
        ensure!(self.organizations >= 1, "--organizations must be at least 1");
        ensure!(
            self.users >= 2 * self.organizations,
            "--users must be at least twice --organizations (an owner and a member each)"
        );
        ensure!(
            self.projects >= self.organizations,
            "--projects must be at least --organizations (one hot project each)"
        );
        ensure!(self.tasks >= 0, "--tasks must not be negative");
        ensure!(self.hot_every >= 1, "--hot-every must be at least 1");
        Ok(())
    }

    /// Every task is hot when there are no other projects to spread over.
    fn effective_hot_every(&self) -> i64 {
        if self.projects == self.organizations {
            1
        } else {
            self.hot_every
        }
    }
}

pub async fn run(options: SeedOptions) -> anyhow::Result<()> {
    options.check()?;
    let started = Instant::now();
    let password = Password::parse(&options.password).map_err(|e| anyhow::anyhow!("--password: {e}"))?;
    let hash = Argon2Hasher::owasp()?.hash(&password).await?;

    let mut conn = PgConnection::connect(&options.database_url).await.context("connecting to PostgreSQL")?;
    // Platform scope: the row-level security policies admit it when the login role
    // does not bypass them anyway.
    conn.execute("SELECT set_config('tenantry.tenant_id', '*', false)").await?;
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM identity.users")
        .fetch_one(&mut conn)
        .await
        .context("reading identity.users: run `tenantry migrate up` on this database first")?;
    ensure!(users == 0, "the database already has {users} users: seed a fresh one");

    let style =
        ProgressStyle::with_template("{prefix:>14} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")?.progress_chars("=> ");
    let step = |prefix: &'static str, len: u64| {
        let bar = ProgressBar::new(len).with_style(style.clone()).with_prefix(prefix);
        bar.tick();
        bar
    };

    let people = step("organizations", 4);
    population(&mut conn, &options, hash.as_phc()).await?;
    people.finish();

    let hot_every = options.effective_hot_every();
    let tasks = step("tasks", u64::try_from(options.tasks)?);
    let mut low = 1;
    while low <= options.tasks {
        let high = (low + TASK_CHUNK - 1).min(options.tasks);
        sqlx::query(INSERT_TASKS)
            .bind(low)
            .bind(high)
            .bind(options.tasks)
            .bind(options.organizations)
            .bind(options.projects)
            .bind(hot_every)
            .bind(options.users / options.organizations)
            .execute(&mut conn)
            .await
            .context("inserting tasks")?;
        tasks.inc(u64::try_from(high - low + 1)?);
        low = high + 1;
    }
    tasks.finish();

    let finishing = step("read models", 2);
    conn.execute(SUMMARIES).await.context("building project summaries")?;
    finishing.inc(1);
    conn.execute("VACUUM (ANALYZE) projects.tasks").await?;
    conn.execute("ANALYZE").await?;
    finishing.finish();

    write_fixtures(&mut conn, &options.fixtures).await?;
    println!(
        "seeded {} organizations, {} users, {} projects, {} tasks in {:.1}s (password: {})",
        options.organizations,
        options.users,
        options.projects,
        options.tasks,
        started.elapsed().as_secs_f64(),
        options.password
    );
    Ok(())
}

/// Organizations, users, memberships, projects and project members, numbered so the
/// task statement can address them by arithmetic. The numbering is kept in the
/// `bench` schema: the pgbench scripts pick their project from it.
async fn population(conn: &mut PgConnection, options: &SeedOptions, hash: &str) -> anyhow::Result<()> {
    let mut tx = conn.begin().await?;
    let statements: [(&str, &[i64]); 9] = [
        ("CREATE SCHEMA bench", &[]),
        (
            "CREATE TABLE bench.organizations AS SELECT n::bigint AS n, gen_random_uuid() AS id FROM generate_series(1, $1) n",
            &[options.organizations],
        ),
        (
            "CREATE TABLE bench.users AS SELECT n::bigint AS n, gen_random_uuid() AS id, ((n - 1) % $2) + 1 AS org_n \
             FROM generate_series(1, $1::bigint) n",
            &[options.users, options.organizations],
        ),
        (
            "CREATE TABLE bench.projects AS SELECT n::bigint AS n, gen_random_uuid() AS id, ((n - 1) % $2) + 1 AS org_n \
             FROM generate_series(1, $1::bigint) n",
            &[options.projects, options.organizations],
        ),
        ("ALTER TABLE bench.organizations ADD PRIMARY KEY (n)", &[]),
        ("ALTER TABLE bench.users ADD PRIMARY KEY (n)", &[]),
        ("ALTER TABLE bench.projects ADD PRIMARY KEY (n)", &[]),
        (
            "INSERT INTO tenancy.organizations (id, name, slug, created_at, updated_at, version) \
             SELECT id, 'Bench Org ' || n, 'bench-org-' || n, now(), now(), 1 FROM bench.organizations",
            &[],
        ),
        (
            "INSERT INTO tenancy.memberships (tenant_id, user_id, role, joined_at, updated_at) \
             SELECT o.id, u.id, CASE WHEN u.n <= $1 THEN 'owner' ELSE 'member' END, now(), now() \
             FROM bench.users u JOIN bench.organizations o ON o.n = u.org_n",
            &[options.organizations],
        ),
    ];
    for (sql, binds) in statements {
        let mut query = sqlx::query(sql);
        for value in binds {
            query = query.bind(*value);
        }
        query.execute(&mut *tx).await.with_context(|| format!("seeding: {sql}"))?;
    }
    sqlx::query(
        "INSERT INTO identity.users (id, email, display_name, password_hash, is_platform_admin, created_at, updated_at, version, email_verified_at) \
         SELECT id, 'bench-user-' || n || '@bench.tenantry.test', 'Bench User ' || n, $1, FALSE, now(), now(), 1, now() FROM bench.users",
    )
    .bind(hash)
    .execute(&mut *tx)
    .await
    .context("seeding users")?;
    sqlx::query(
        "INSERT INTO projects.projects (id, tenant_id, name, description, status, owner_id, created_at, updated_at, version) \
         SELECT p.id, o.id, 'Bench Project ' || p.n, NULL, 'active', owner.id, now(), now(), 1 \
         FROM bench.projects p JOIN bench.organizations o ON o.n = p.org_n JOIN bench.users owner ON owner.n = p.org_n",
    )
    .execute(&mut *tx)
    .await
    .context("seeding projects")?;
    // The owner manages every project; every member contributes to the hot one.
    sqlx::query(
        "INSERT INTO projects.project_members (project_id, tenant_id, user_id, role, added_at) \
         SELECT p.id, o.id, u.id, CASE WHEN u.n = p.org_n THEN 'manager' ELSE 'contributor' END, now() \
         FROM bench.projects p JOIN bench.organizations o ON o.n = p.org_n \
         JOIN bench.users u ON u.org_n = p.org_n AND (u.n = p.org_n OR p.n <= $1)",
    )
    .bind(options.organizations)
    .execute(&mut *tx)
    .await
    .context("seeding project members")?;
    sqlx::query(
        "CREATE TABLE bench.hot_projects AS \
         SELECT o.n, o.id AS tenant_id, p.id AS project_id, owner.id AS owner_id, \
                'bench-user-' || owner.n || '@bench.tenantry.test' AS owner_email, member.id AS member_id \
         FROM bench.organizations o JOIN bench.projects p ON p.n = o.n \
         JOIN bench.users owner ON owner.n = o.n JOIN bench.users member ON member.n = o.n + $1",
    )
    .bind(options.organizations)
    .execute(&mut *tx)
    .await
    .context("recording hot projects")?;
    tx.execute("ALTER TABLE bench.hot_projects ADD PRIMARY KEY (n)").await?;
    // pgbench runs as the serving role (row-level security applies) and picks from here.
    tx.execute("GRANT USAGE ON SCHEMA bench TO tenantry_app").await?;
    tx.execute("GRANT SELECT ON ALL TABLES IN SCHEMA bench TO tenantry_app").await?;
    tx.commit().await?;
    Ok(())
}

/// Tasks `$1..=$2` of `$3`. Every `$6`-th goes to its organization's hot project and
/// is assigned to one of that organization's members (`$7` per organization); the
/// others spread over the remaining projects, every second one assigned to the owner.
/// Creation times step back 30 s per task, so newer tasks have higher numbers.
const INSERT_TASKS: &str = "\
INSERT INTO projects.tasks (id, tenant_id, project_id, title, description, status, assignee_id, due_date, \
                            estimate_minutes, created_by, created_at, updated_at, version) \
SELECT gen_random_uuid(), o.id, p.id, 'Bench task ' || k, NULL, (ARRAY['todo', 'in_progress', 'done'])[k % 3 + 1], \
       assignee.id, NULL, CASE WHEN k % 4 = 0 THEN 15 * (1 + k % 8) END, owner.id, \
       now() - ($3 - k) * interval '30 seconds', now() - ($3 - k) * interval '30 seconds', 1 \
FROM generate_series($1::bigint, $2::bigint) k \
CROSS JOIN LATERAL (SELECT k % $6 = 0 AS hot) h \
CROSS JOIN LATERAL (SELECT CASE WHEN h.hot THEN ((k / $6 - 1) % $4) + 1 \
                                ELSE $4 + ((k - k / $6 - 1) % ($5 - $4)) + 1 END AS project_n) x \
JOIN bench.projects p ON p.n = x.project_n \
JOIN bench.organizations o ON o.n = p.org_n \
JOIN bench.users owner ON owner.n = p.org_n \
LEFT JOIN bench.users assignee ON assignee.n = CASE \
    WHEN h.hot THEN p.org_n + $4 * (1 + (k / $6) % GREATEST($7 - 1, 1)) \
    WHEN k % 2 = 0 THEN p.org_n END";

/// The project summary read model, as its event consumer would have built it.
const SUMMARIES: &str = "\
INSERT INTO projects.project_summaries (project_id, tenant_id, todo, in_progress, done, estimated_minutes, \
                                        logged_minutes, budget_amount_minor, budget_currency, updated_at) \
SELECT p.id, p.tenant_id, \
       COUNT(*) FILTER (WHERE t.status = 'todo'), COUNT(*) FILTER (WHERE t.status = 'in_progress'), \
       COUNT(*) FILTER (WHERE t.status = 'done'), COALESCE(SUM(t.estimate_minutes), 0), 0, NULL, NULL, now() \
FROM projects.projects p LEFT JOIN projects.tasks t ON t.project_id = p.id \
GROUP BY p.id, p.tenant_id";

async fn write_fixtures(conn: &mut PgConnection, path: &PathBuf) -> anyhow::Result<()> {
    let rows: Vec<(String, sqlx::types::Uuid, sqlx::types::Uuid, sqlx::types::Uuid)> =
        sqlx::query_as("SELECT owner_email, tenant_id, project_id, member_id FROM bench.hot_projects ORDER BY n")
            .fetch_all(&mut *conn)
            .await?;
    let mut file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    for (email, tenant, project, member) in rows {
        writeln!(file, "{email}\t{tenant}\t{project}\t{member}")?;
    }
    Ok(())
}
