//! Turns a run directory into `report.json` and `REPORT.md`: the load generator's
//! figures per scenario, the pgbench ceiling of the same SQL (percentiles computed
//! from its per-transaction logs), growth, peak memory and the targets we hold
//! ourselves to. It reports; it never fails on a timing.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Deserialize, Serialize)]
struct Latency {
    mean: f64,
    p50: u64,
    p90: u64,
    p95: u64,
    p99: u64,
    max: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
struct Errors {
    connect: u64,
    read: u64,
    write: u64,
    timeout: u64,
    non_2xx_3xx: u64,
}

/// One load generator run, as `bench/wrk/common.lua` writes it.
#[derive(Debug, Clone, Deserialize, Serialize)]
struct Scenario {
    scenario: String,
    phase: String,
    connections: u64,
    duration_s: f64,
    requests: u64,
    rps: f64,
    latency_us: Latency,
    errors: Errors,
}

/// One pgbench run: throughput from its summary, latency from its transaction log.
#[derive(Debug, Clone, Serialize)]
struct Baseline {
    script: String,
    phase: String,
    clients: u64,
    tps: f64,
    transactions: u64,
    p50_us: u64,
    p95_us: u64,
    p99_us: u64,
}

#[derive(Debug, Serialize)]
struct Target {
    name: &'static str,
    goal: String,
    measured: String,
    met: Option<bool>,
}

#[derive(Debug, Serialize)]
struct Report {
    run: Value,
    machine: Value,
    scenarios: Vec<Scenario>,
    pgbench: Vec<Baseline>,
    peak_rss_mib: Option<f64>,
    targets: Vec<Target>,
}

pub fn run(dir: &Path) -> anyhow::Result<()> {
    let run: Value = read_json(&dir.join("run.json"))?;
    let mut scenarios = Vec::new();
    for path in sorted_files(&dir.join("scenarios"), "json")? {
        let text = fs::read_to_string(&path)?;
        scenarios.push(serde_json::from_str::<Scenario>(&text).with_context(|| format!("reading {}", path.display()))?);
    }
    let mut pgbench = Vec::new();
    for path in sorted_files(&dir.join("pgbench"), "out")? {
        pgbench.push(baseline(&path)?);
    }
    let peak_rss_mib = run.get("peak_rss_kib").and_then(Value::as_f64).map(|kib| kib / 1024.0);
    let targets = targets(&scenarios, &pgbench, peak_rss_mib);
    let report = Report { run, machine: machine(), scenarios, pgbench, peak_rss_mib, targets };
    fs::write(dir.join("report.json"), serde_json::to_string_pretty(&report)?)?;
    fs::write(dir.join("REPORT.md"), markdown(&report))?;
    println!("{}", dir.join("REPORT.md").display());
    Ok(())
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn sorted_files(dir: &Path, extension: &str) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    if dir.is_dir() {
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == extension) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// `<phase>-<script>.out` holds pgbench's summary; `<phase>-<script>.log*` its
/// per-transaction log (column 3 is the latency in microseconds).
fn baseline(out: &Path) -> anyhow::Result<Baseline> {
    let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
    let (phase, script) = stem.split_once('-').unwrap_or(("", stem.as_str()));
    let summary = fs::read_to_string(out)?;
    let field = |prefix: &str| {
        summary
            .lines()
            .find_map(|line| line.trim().strip_prefix(prefix))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<f64>().ok())
    };
    let tps = field("tps = ").context("pgbench printed no tps")?;
    let clients = field("number of clients: ").unwrap_or_default() as u64;
    let mut latencies = Vec::new();
    let dir = out.parent().unwrap_or(Path::new("."));
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with(&format!("{stem}.log")) {
            for line in fs::read_to_string(&path)?.lines() {
                if let Some(us) = line.split_whitespace().nth(2).and_then(|v| v.parse::<u64>().ok()) {
                    latencies.push(us);
                }
            }
        }
    }
    latencies.sort_unstable();
    Ok(Baseline {
        script: script.to_owned(),
        phase: phase.to_owned(),
        clients,
        tps,
        transactions: latencies.len() as u64,
        p50_us: percentile(&latencies, 50.0),
        p95_us: percentile(&latencies, 95.0),
        p99_us: percentile(&latencies, 99.0),
    })
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn find<'a>(scenarios: &'a [Scenario], phase: &str, name: &str) -> Option<&'a Scenario> {
    scenarios.iter().find(|s| s.phase == phase && s.scenario == name)
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// The pgbench run of `script` in `phase`.
fn ceiling<'a>(pgbench: &'a [Baseline], phase: &str, script: &str) -> Option<&'a Baseline> {
    pgbench.iter().find(|b| b.phase == phase && b.script == script)
}

/// The fewest-statements script that answers the same as `scenario` (issue 16).
fn minimal_script(scenario: &str) -> String {
    format!("{scenario}_minimal")
}

/// The targets of issue 16, each measured in this run.
fn targets(scenarios: &[Scenario], pgbench: &[Baseline], rss_mib: Option<f64>) -> Vec<Target> {
    let mut out = Vec::new();
    let mut throughput = |name: &'static str, scenario: &str, rps_goal: f64, p99_ms_goal: u64| {
        if let Some(s) = find(scenarios, "full", scenario) {
            out.push(Target {
                name,
                goal: format!(">= {rps_goal} req/s, p99 < {p99_ms_goal} ms"),
                measured: format!("{:.0} req/s, p99 {:.1} ms", s.rps, ms(s.latency_us.p99)),
                met: Some(s.rps >= rps_goal && s.latency_us.p99 < p99_ms_goal * 1000),
            });
        }
    };
    throughput("GET /users/me", "me", 10_000.0, 30);
    throughput("list 20 tasks", "list", 4_000.0, 30);
    throughput("create task", "create", 2_000.0, 100);
    throughput("mixed 80/20", "mixed", 3_000.0, 100);
    throughput("login (2 connections)", "login", 80.0, 60);
    for (name, scenario) in
        [("/users/me vs minimal SQL", "me"), ("list vs minimal SQL", "list"), ("create vs minimal SQL", "create")]
    {
        if let (Some(api), Some(minimal)) =
            (find(scenarios, "full", scenario), ceiling(pgbench, "full", &minimal_script(scenario)))
        {
            let ratio = api.rps / minimal.tps;
            out.push(Target {
                name,
                goal: ">= 50% of the minimal statements' tps".into(),
                measured: format!("{:.0}% ({:.0} / {:.0})", ratio * 100.0, api.rps, minimal.tps),
                met: Some(ratio >= 0.5),
            });
        }
    }
    if let (Some(small), Some(full)) = (find(scenarios, "small", "list"), find(scenarios, "full", "list")) {
        let growth = full.latency_us.p95 as f64 / small.latency_us.p95.max(1) as f64;
        out.push(Target {
            name: "list p95 growth, small -> full",
            goal: "flat (<= 1.5x)".into(),
            measured: format!("{:.2} ms -> {:.2} ms ({growth:.2}x)", ms(small.latency_us.p95), ms(full.latency_us.p95)),
            met: Some(growth <= 1.5),
        });
    }
    if let Some(mib) = rss_mib {
        out.push(Target {
            name: "server peak RSS",
            goal: "< 100 MiB".into(),
            measured: format!("{mib:.1} MiB"),
            met: Some(mib < 100.0),
        });
    }
    let failures: u64 = scenarios
        .iter()
        .map(|s| s.errors.non_2xx_3xx + s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout)
        .sum();
    out.push(Target {
        name: "errors under load",
        goal: "none".into(),
        measured: format!("{failures}"),
        met: Some(failures == 0),
    });
    out
}

/// What the figures were measured on: cores, memory, CPU, and the versions involved.
fn machine() -> Value {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_owned()));
    let memory_kib = fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
    });
    let version = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(if o.stdout.is_empty() { &o.stderr } else { &o.stdout }).trim().to_owned())
            .and_then(|s| s.lines().next().map(str::to_owned))
    };
    serde_json::json!({
        "cores": std::thread::available_parallelism().map(usize::from).ok(),
        "cpu": cpu,
        "memory_gib": memory_kib.map(|k| (k as f64 / 1024.0 / 1024.0 * 10.0).round() / 10.0),
        "kernel": version("uname", &["-r"]),
        "rustc": version("rustc", &["--version"]),
        "psql": version("psql", &["--version"]),
        "wrk": version("wrk", &["--version"]),
        "commit": version("git", &["rev-parse", "--short", "HEAD"]),
    })
}

fn markdown(report: &Report) -> String {
    let mut md = String::from("# Tenantry benchmark\n\n");
    let m = &report.machine;
    let text = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
    let _ = writeln!(
        md,
        "Machine: {} cores ({}), {} GiB memory, Linux {}. {}; PostgreSQL server {}; {}; commit {}.\n",
        m["cores"],
        text(&m["cpu"]),
        m["memory_gib"],
        text(&m["kernel"]),
        text(&m["rustc"]),
        text(&report.run["postgres_server"]),
        text(&m["wrk"]),
        text(&m["commit"]),
    );
    let _ = writeln!(md, "Run: `{}`\n", serde_json::to_string(&report.run).unwrap_or_default());
    md.push_str(
        "The load generator, the server and PostgreSQL share the machine's cores, so every figure \
         is a floor for a deployment that gives the database its own host.\n\n## Targets\n\n\
         | target | goal | measured | |\n|---|---|---|---|\n",
    );
    for t in &report.targets {
        let mark = match t.met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "",
        };
        let _ = writeln!(md, "| {} | {} | {} | {mark} |", t.name, t.goal, t.measured);
    }
    md.push_str(
        "\n## Scenarios (wrk, loopback)\n\n\
         | phase | scenario | connections | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for s in &report.scenarios {
        let e = &s.errors;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.1} | {} |",
            s.phase,
            s.scenario,
            s.connections,
            s.rps,
            ms(s.latency_us.p50),
            ms(s.latency_us.p95),
            ms(s.latency_us.p99),
            ms(s.latency_us.max),
            e.non_2xx_3xx + e.connect + e.read + e.write + e.timeout
        );
    }
    md.push_str(
        "\n## Database ceilings (pgbench, no HTTP)\n\n\
         `list`, `create`: the endpoints' own statements, as the serving role (the design's \
         ceiling). `*_minimal`: the fewest statements giving the same answer, as the owner (the \
         data's ceiling).\n\n\
         | phase | script | clients | tps | p50 ms | p95 ms | p99 ms | API / ceiling |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for b in &report.pgbench {
        let scenario = b.script.strip_suffix("_minimal").unwrap_or(&b.script);
        let api = find(&report.scenarios, &b.phase, scenario)
            .map(|s| format!("{:.0}%", s.rps / b.tps * 100.0))
            .unwrap_or_default();
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {api} |",
            b.phase,
            b.script,
            b.clients,
            b.tps,
            ms(b.p50_us),
            ms(b.p95_us),
            ms(b.p99_us)
        );
    }
    if let Some(mib) = report.peak_rss_mib {
        let _ = writeln!(md, "\nServer peak RSS (VmHWM) over the whole run: {mib:.1} MiB.");
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_takes_the_nearest_rank() {
        let sorted: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 50.0), 50);
        assert_eq!(percentile(&sorted, 99.0), 99);
        assert_eq!(percentile(&sorted, 100.0), 100);
        assert_eq!(percentile(&[7], 95.0), 7);
        assert_eq!(percentile(&[], 95.0), 0);
    }

    #[test]
    fn each_scenario_is_held_against_its_minimal_statements() {
        let scenario = |name: &str, rps: f64| Scenario {
            scenario: name.into(),
            phase: "full".into(),
            connections: 32,
            duration_s: 5.0,
            requests: 1,
            rps,
            latency_us: Latency { mean: 1.0, p50: 1_000, p90: 1_000, p95: 1_000, p99: 1_000, max: 1_000 },
            errors: Errors { connect: 0, read: 0, write: 0, timeout: 0, non_2xx_3xx: 0 },
        };
        let run = |script: &str, tps: f64| Baseline {
            script: script.into(),
            phase: "full".into(),
            clients: 32,
            tps,
            transactions: 1,
            p50_us: 1,
            p95_us: 1,
            p99_us: 1,
        };
        let targets = targets(
            &[scenario("me", 6_000.0), scenario("list", 1_000.0)],
            &[run("me_minimal", 10_000.0), run("list_minimal", 8_000.0), run("list", 2_000.0)],
            Some(80.0),
        );
        let named = |name: &str| targets.iter().find(|t| t.name == name);
        let me = named("/users/me vs minimal SQL").unwrap();
        assert_eq!((me.met, me.measured.as_str()), (Some(true), "60% (6000 / 10000)"));
        assert_eq!(named("list vs minimal SQL").unwrap().met, Some(false), "12% of the minimal list");
        assert!(named("create vs minimal SQL").is_none(), "no create run, no create target");
        assert_eq!(named("server peak RSS").unwrap().met, Some(true));
    }

    #[test]
    fn a_pgbench_run_is_read_from_its_summary_and_transaction_log() {
        let dir = std::env::temp_dir().join(format!("tenantry-bench-report-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("full-list.out"),
            "transaction type: list.sql\nnumber of clients: 8\ntps = 1234.5 (without initial connection time)\n",
        )
        .unwrap();
        fs::write(dir.join("full-list.log.1"), "0 1 100 0 0 0\n0 2 300 0 0 0\n").unwrap();
        fs::write(dir.join("full-list.log.2"), "1 1 200 0 0 0\n").unwrap();
        let b = baseline(&dir.join("full-list.out")).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!((b.phase.as_str(), b.script.as_str(), b.clients), ("full", "list", 8));
        assert!((b.tps - 1234.5).abs() < f64::EPSILON);
        assert_eq!((b.transactions, b.p50_us, b.p99_us), (3, 200, 300));
    }
}
