//! ADR 0012: a module's migrations change only its own PostgreSQL schema. A file
//! named `{version}_{context}_{action}_{table}.up.sql` may create, alter, fill or
//! drop objects of the schema `{context}` and no other; reading another context's
//! tables (a foreign key, a policy calling `tenancy.scope_tenant()`) is fine. The
//! platform migrations that set up every schema are the reviewed exceptions.

use std::fs;
use std::path::{Path, PathBuf};

use tenantry_arch_tests::workspace_root;

/// `(version, schema)`: platform migrations allowed to change another schema.
const REVIEWED: &[(&str, &str)] = &[
    // Creates (and drops) every context's schema.
    ("20261123000001", "identity"),
    ("20261123000001", "tenancy"),
    ("20261123000001", "audit"),
    ("20261123000001", "messaging"),
    // Row-level security: the policy function and the organizations' own policy.
    ("20261123000019", "tenancy"),
    // The job queue moved thumbnail state onto file versions.
    ("20261123000024", "files"),
    // Cheaper policy functions.
    ("20261123000025", "tenancy"),
];

/// Every PostgreSQL migration directory: Tenantry's and the example product's.
fn migration_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![root.join("migrations/postgres")];
    if let Ok(examples) = fs::read_dir(root.join("examples")) {
        dirs.extend(examples.flatten().map(|e| e.path().join("migrations/postgres")).filter(|d| d.is_dir()));
    }
    dirs
}

/// Tokens of `sql` without comments and string literals (a `format('ALTER TABLE
/// %I.%I', ...)` names no schema); a dotted name (`files.file_versions`) is one token.
fn tokens(sql: &str) -> Vec<String> {
    let without_comments: String =
        sql.lines().map(|line| line.split("--").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let mut in_literal = false;
    let without_literals: String = without_comments
        .chars()
        .map(|c| {
            if c == '\'' {
                in_literal = !in_literal;
                ' '
            } else if in_literal {
                ' '
            } else {
                c
            }
        })
        .collect();
    without_literals
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';'))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The schemas `sql` changes: the qualified targets of CREATE/ALTER/DROP TABLE,
/// CREATE INDEX ... ON, INSERT INTO, UPDATE, DELETE FROM, CREATE/DROP POLICY ... ON,
/// CREATE FUNCTION, and the names of CREATE/DROP SCHEMA.
fn changed_schemas(sql: &str) -> Vec<String> {
    let tokens = tokens(sql);
    let upper: Vec<String> = tokens.iter().map(|t| t.to_uppercase()).collect();
    let is = |i: usize, word: &str| upper.get(i).is_some_and(|t| t == word);
    let skip = |mut i: usize, words: &[&str]| {
        while words.iter().any(|w| is(i, w)) {
            i += 1;
        }
        i
    };
    let schema_of = |i: usize| tokens.get(i).and_then(|t| t.split_once('.')).map(|(schema, _)| schema.to_lowercase());
    let mut changed = Vec::new();
    for i in 0..tokens.len() {
        let target = if (is(i, "CREATE") || is(i, "ALTER") || is(i, "DROP")) && is(i + 1, "TABLE") {
            schema_of(skip(i + 2, &["IF", "NOT", "EXISTS", "ONLY"]))
        } else if (is(i, "CREATE") || is(i, "DROP")) && is(i + 1, "SCHEMA") {
            let at = skip(i + 2, &["IF", "NOT", "EXISTS"]);
            tokens.get(at).map(|name| name.to_lowercase())
        } else if is(i, "INDEX") || is(i, "POLICY") {
            let at = skip(i + 1, &["IF", "NOT", "EXISTS"]);
            if is(at + 1, "ON") {
                schema_of(skip(at + 2, &["ONLY"]))
            } else {
                None
            }
        } else if is(i, "FUNCTION") && (is(i.wrapping_sub(1), "CREATE") || is(i.wrapping_sub(1), "REPLACE")) {
            schema_of(i + 1)
        } else if (is(i, "INSERT") && is(i + 1, "INTO")) || (is(i, "DELETE") && is(i + 1, "FROM")) {
            schema_of(i + 2)
        } else if is(i, "UPDATE") {
            schema_of(i + 1)
        } else {
            None
        };
        changed.extend(target);
    }
    changed
}

#[test]
fn each_migration_changes_only_its_own_contexts_schema() {
    let mut problems = Vec::new();
    let mut scanned = 0;
    for dir in migration_dirs(&workspace_root()) {
        let mut files: Vec<PathBuf> =
            fs::read_dir(&dir).expect("a migration directory").flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files.iter().filter(|f| f.extension().is_some_and(|x| x == "sql")) {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let mut parts = name.split('_');
            let (Some(version), Some(context)) = (parts.next(), parts.next()) else {
                problems.push(format!("{name}: not named {{version}}_{{context}}_{{action}}_{{table}}"));
                continue;
            };
            scanned += 1;
            let sql = fs::read_to_string(file).expect("a readable migration");
            for schema in changed_schemas(&sql) {
                if schema != context && !REVIEWED.contains(&(version, schema.as_str())) {
                    problems.push(format!("{}: the {context} migration changes the schema {schema}", file.display()));
                }
            }
        }
    }
    assert!(scanned > 50, "only {scanned} migrations found: are the directories right?");
    assert!(problems.is_empty(), "migrations outside their context:\n  {}", problems.join("\n  "));
}

#[test]
fn the_scanner_sees_the_statements_that_change_a_schema() {
    let sql = "-- ALTER TABLE ignored.in_comment\n\
               CREATE TABLE IF NOT EXISTS files.blobs (id UUID REFERENCES tenancy.organizations (id));\n\
               CREATE UNIQUE INDEX blobs_idx ON files.blobs (id);\n\
               ALTER TABLE ONLY projects.tasks ADD COLUMN x INT;\n\
               INSERT INTO identity.users SELECT * FROM tenancy.organizations;\n\
               UPDATE audit.entries SET x = 1; DELETE FROM messaging.outbox;\n\
               CREATE POLICY p ON usage.meters USING (tenant_id = (SELECT tenancy.scope_tenant()));\n\
               CREATE OR REPLACE FUNCTION billing.f() RETURNS INT; CREATE SCHEMA flags;\n\
               GRANT SELECT, INSERT, UPDATE, DELETE ON files.blobs TO tenantry_app;\n\
               ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES x.y ON UPDATE CASCADE;\n\
               EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', 'it''s', 'x');";
    assert_eq!(
        changed_schemas(sql),
        ["files", "files", "projects", "identity", "audit", "messaging", "usage", "billing", "flags"]
    );
}
