//! Bounded-context isolation (ADR 0002): a context module must not import another
//! context's internals; contexts talk through a public query port or domain events.
//!
//! The scanner is a small lexer, not a parser: it blanks comments and literals, then
//! expands every path that starts at `crate`, `super` or a Tenantry layer crate,
//! including `use` groups (`crate::{pipeline::X, tenancy::Y}`), and compares the
//! context it reaches with the context of the file. It cannot see through a re-export
//! or a glob import of a non-context module; the rule is about honest imports.

use std::fmt;
use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::ArchError;

/// The bounded contexts of ARCHITECTURE.md section 2; the module names in every layer.
pub const CONTEXTS: &[&str] =
    &["identity", "tenancy", "projects", "files", "notifications", "audit", "billing", "flags", "usage", "prompts"];

/// Reviewed exceptions, `(from context, to context, item)`: `from` may import `item`
/// (the last path segment) from `to`. Only a context's public query port or events
/// belong here, e.g. `("notifications", "identity", "UserRegistered")`; each entry
/// should be named in ADR 0002.
pub const ALLOWED_CROSS_CONTEXT: &[(&str, &str, &str)] = &[
    ("projects", "tenancy", "MemberRemoved"),
    ("files", "tenancy", "MemberRemoved"),
    // Published query ports: members' profiles for tenancy; organization
    // membership for project members and file grants.
    ("tenancy", "identity", "IdentityQueries"),
    ("tenancy", "identity", "UserView"),
    ("projects", "tenancy", "TenancyQueries"),
    ("projects", "tenancy", "MockTenancyQueries"),
    ("files", "tenancy", "TenancyQueries"),
    // The one-way token hash invitations and API keys share with identity's tokens.
    ("tenancy", "identity", "OpaqueTokens"),
    // Tenancy finds users (an invitee, an owner by address) inside its own
    // transaction, through identity's repositories port.
    ("tenancy", "identity", "IdentityRepositories"),
];

/// A path through a `test_support` module is allowed from any context: those modules
/// hold shared test doubles (e.g. `identity::test_support::TestUnitOfWork`, the
/// in-memory unit of work every application test runs on), not a context's internals,
/// and duplicating them per context would let the doubles drift apart.
const TEST_SUPPORT: &str = "test_support";

/// Scanned layer crates: (directory, whether context modules sit below a technology
/// folder, as in `infrastructure/src/postgres/identity.rs`).
const LAYERS: &[(&str, bool)] =
    &[("domain", false), ("application", false), ("infrastructure", true), ("presentation", true)];

/// Path roots from which a context module can be reached.
const ROOTS: &[&str] =
    &["crate", "super", "tenantry_domain", "tenantry_application", "tenantry_infrastructure", "tenantry_http"];

/// One import of another context's internals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextViolation {
    pub file: PathBuf,
    pub line: usize,
    pub from: &'static str,
    pub to: &'static str,
    pub path: String,
}

impl fmt::Display for ContextViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: context `{}` reaches into `{}` through `{}` \
             (ADR 0002: use its query port or events, or list the item in ALLOWED_CROSS_CONTEXT)",
            self.file.display(),
            self.line,
            self.from,
            self.to,
            self.path
        )
    }
}

/// The context a file belongs to, from its path relative to the workspace root: the
/// first directory or file stem named after a context, looked up at the top of `src/`
/// for domain and application and at any depth for the adapters.
pub fn context_of(path: &Path) -> Option<&'static str> {
    let parts: Vec<&str> = path
        .components()
        .filter_map(|component| match component {
            Component::Normal(part) => part.to_str(),
            _ => None,
        })
        .collect();
    let (layer, rest) = match parts.as_slice() {
        [layer, "src", rest @ ..] if !rest.is_empty() => (*layer, rest),
        _ => return None,
    };
    let nested = LAYERS.iter().find(|(name, _)| *name == layer).map(|(_, nested)| *nested)?;
    let depth = if nested { rest.len() } else { 1 };
    rest.iter().take(depth).enumerate().find_map(|(i, part)| {
        let name = if i + 1 == rest.len() { part.strip_suffix(".rs")? } else { part };
        CONTEXTS.iter().copied().find(|context| *context == name)
    })
}

/// The neutral ground every context, Tenantry's or a product's, builds on (the
/// pipeline, the permission catalogue, consumers, jobs, the module API): these files
/// reach no context at all, apart from their `#[cfg(test)]` items (ADR 0012).
pub const NEUTRAL_FILES: &[&str] = &[
    "application/src/pipeline.rs",
    "application/src/authority.rs",
    "application/src/consumers.rs",
    "application/src/error.rs",
    "application/src/jobs.rs",
    "application/src/idempotency.rs",
    "application/src/platform.rs",
    "application/src/ports.rs",
    "application/src/queries.rs",
    "infrastructure/src/extension.rs",
    "presentation/src/concurrency.rs",
    "presentation/src/paging.rs",
    "presentation/src/tenant_context.rs",
    "server/src/module.rs",
    "server/src/consumers.rs",
];

/// What a neutral file (see [`NEUTRAL_FILES`]) reaches of any context, outside its
/// `#[cfg(test)]` items; reported as coming from the context `shared`.
pub fn scan_neutral(path: &Path, source: &str) -> Vec<ContextViolation> {
    let production = blank_test_items(&blank_comments_and_literals(source));
    violations_from(path, &production, "shared", |_, _| false)
}

/// Every neutral file's reach into a context, read from the workspace at `root`.
///
/// # Errors
/// [`ArchError::Io`] when a listed file is missing or unreadable (a renamed file must
/// not escape the check).
pub fn scan_neutral_files(root: &Path) -> Result<Vec<ContextViolation>, ArchError> {
    let mut violations = Vec::new();
    for file in NEUTRAL_FILES {
        let path = root.join(file);
        let source = fs::read_to_string(&path).map_err(|source| ArchError::Io { path: path.clone(), source })?;
        violations.extend(scan_neutral(Path::new(file), &source));
    }
    Ok(violations)
}

/// Blanks every item under `#[cfg(test)]` (up to its `;` or its matching `}`), in a
/// source whose comments and literals are already blank.
fn blank_test_items(source: &str) -> String {
    let mark: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut chars: Vec<char> = source.chars().collect();
    let mut start = 0;
    while start + mark.len() <= chars.len() {
        if chars[start..start + mark.len()] != mark[..] {
            start += 1;
            continue;
        }
        // The item ends at its `;` or `,` (a field, a variant, an arm) or its block's
        // closing `}`; a `}` before any `{` closes the enclosing block and is kept.
        let mut end = start + mark.len();
        let mut depth = 0usize;
        // Parentheses and brackets: a `,` or `;` inside them (`fn f(a: u8, b: u8)`,
        // `[u8; 4]`) does not end the item.
        let mut nested = 0usize;
        while end < chars.len() {
            match chars[end] {
                '(' | '[' => nested += 1,
                ')' | ']' => nested = nested.saturating_sub(1),
                ';' | ',' if depth == 0 && nested == 0 => break,
                '{' => depth += 1,
                '}' if depth == 0 => {
                    end -= 1;
                    break;
                }
                '}' if depth == 1 => break,
                '}' => depth -= 1,
                _ => {}
            }
            end += 1;
        }
        let end = end.min(chars.len().saturating_sub(1));
        for c in &mut chars[start..=end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        start = end + 1;
    }
    chars.into_iter().collect()
}

/// Every import in `source` that reaches from the context of `path` (relative to the
/// workspace root) into another context. Files outside any context yield nothing.
pub fn scan_source(path: &Path, source: &str) -> Vec<ContextViolation> {
    let Some(from) = context_of(path) else {
        return Vec::new();
    };
    // The shared test doubles answer every context's repositories port (see
    // `TEST_SUPPORT`): reaching each context is what they are for.
    if path.file_stem().is_some_and(|stem| stem == TEST_SUPPORT) {
        return Vec::new();
    }
    violations_from(path, &blank_comments_and_literals(source), from, |to, segments| is_allowed(from, to, segments))
}

/// The paths of `blanked` (comments and literals already blank) that reach a context
/// other than `from` and are not `allowed`.
fn violations_from(
    path: &Path,
    blanked: &str,
    from: &'static str,
    allowed: impl Fn(&str, &[String]) -> bool,
) -> Vec<ContextViolation> {
    let tokens = tokenize(blanked);
    let mut violations = Vec::new();
    for start in 0..tokens.len() {
        if !is_path_start(&tokens, start) {
            continue;
        }
        let mut paths = Vec::new();
        expand(&tokens, start, Vec::new(), &mut paths);
        for segments in paths {
            let Some(to) = reached_context(&segments) else {
                continue;
            };
            if to != from && !allowed(to, &segments) {
                violations.push(ContextViolation {
                    file: path.to_path_buf(),
                    line: tokens[start].line,
                    from,
                    to,
                    path: segments.join("::"),
                });
            }
        }
    }
    violations
}

/// Scans every `.rs` file under `src/` of the layer crates of the workspace.
///
/// # Errors
/// [`ArchError::Io`] when a layer's sources cannot be listed or read; a missing layer
/// is an error so that a renamed crate cannot silently escape the check.
pub fn scan_workspace(root: &Path) -> Result<Vec<ContextViolation>, ArchError> {
    let mut files = Vec::new();
    for (layer, _) in LAYERS {
        collect_rust_files(&root.join(layer).join("src"), &mut files)?;
    }
    files.sort();
    let mut violations = Vec::new();
    for file in files {
        let source = fs::read_to_string(&file).map_err(|source| ArchError::Io { path: file.clone(), source })?;
        let relative = file.strip_prefix(root).unwrap_or(&file);
        violations.extend(scan_source(relative, &source));
    }
    Ok(violations)
}

fn collect_rust_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), ArchError> {
    let io_error = |source| ArchError::Io { path: dir.to_path_buf(), source };
    for entry in fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        if path.is_dir() {
            collect_rust_files(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

fn reached_context(segments: &[String]) -> Option<&'static str> {
    let first = segments.first()?;
    let target =
        if first == "super" { segments.iter().find(|segment| *segment != "super")? } else { segments.get(1)? };
    CONTEXTS.iter().copied().find(|context| context == target)
}

fn is_allowed(from: &str, to: &str, segments: &[String]) -> bool {
    segments.iter().any(|segment| segment == TEST_SUPPORT)
        || segments.last().is_some_and(|item| ALLOWED_CROSS_CONTEXT.contains(&(from, to, item.as_str())))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Star,
    Other,
}

#[derive(Debug)]
struct Token {
    kind: Kind,
    line: usize,
}

fn is_ident(tokens: &[Token], index: usize, name: &str) -> bool {
    matches!(tokens.get(index), Some(Token { kind: Kind::Ident(ident), .. }) if ident == name)
}

fn kind_at(tokens: &[Token], index: usize) -> Option<&Kind> {
    tokens.get(index).map(|token| &token.kind)
}

/// A root identifier that is not itself the tail of a longer path (`a::crate` is not
/// Rust, but `super::super` is, and only its first `super` starts the path).
fn is_path_start(tokens: &[Token], index: usize) -> bool {
    let is_root = ROOTS.iter().any(|root| is_ident(tokens, index, root));
    let after_segment = index >= 2
        && kind_at(tokens, index - 1) == Some(&Kind::PathSep)
        && matches!(kind_at(tokens, index - 2), Some(Kind::Ident(_)));
    is_root && !after_segment
}

/// Expands the path or `use` tree at `index` into flat segment lists.
fn expand(tokens: &[Token], mut index: usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    loop {
        match kind_at(tokens, index) {
            Some(Kind::Ident(ident)) => {
                prefix.push(ident.clone());
                if kind_at(tokens, index + 1) != Some(&Kind::PathSep) {
                    break;
                }
                index += 2;
            }
            Some(Kind::Star) => {
                prefix.push("*".to_owned());
                break;
            }
            Some(Kind::Open) => {
                let mut depth = 0usize;
                let mut element_start = true;
                for (offset, token) in tokens[index + 1..].iter().enumerate() {
                    match token.kind {
                        Kind::Close if depth == 0 => return,
                        Kind::Open => depth += 1,
                        Kind::Close => depth -= 1,
                        Kind::Comma if depth == 0 => {
                            element_start = true;
                            continue;
                        }
                        _ if element_start && depth == 0 => {
                            expand(tokens, index + 1 + offset, prefix.clone(), out);
                        }
                        _ => {}
                    }
                    element_start = false;
                }
                return;
            }
            _ => break,
        }
    }
    out.push(prefix);
}

fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let ident_end = |from: usize| (from..chars.len()).find(|&j| !is_ident_char(chars[j])).unwrap_or(chars.len());
    let mut tokens = Vec::new();
    let (mut i, mut line) = (0, 1);
    while let Some(&c) = chars.get(i) {
        let (kind, end) = match c {
            c if c.is_whitespace() => {
                line += usize::from(c == '\n');
                i += 1;
                continue;
            }
            // A raw identifier `r#tenancy` names the same module as `tenancy`.
            'r' if chars.get(i + 1) == Some(&'#') && chars.get(i + 2).is_some_and(|c| is_ident_char(*c)) => {
                let end = ident_end(i + 2);
                (Kind::Ident(chars[i + 2..end].iter().collect()), end)
            }
            // Numbers become identifiers too: harmless, no path starts with one.
            c if is_ident_char(c) => {
                let end = ident_end(i);
                (Kind::Ident(chars[i..end].iter().collect()), end)
            }
            ':' if chars.get(i + 1) == Some(&':') => (Kind::PathSep, i + 2),
            '{' => (Kind::Open, i + 1),
            '}' => (Kind::Close, i + 1),
            ',' => (Kind::Comma, i + 1),
            '*' => (Kind::Star, i + 1),
            _ => (Kind::Other, i + 1),
        };
        tokens.push(Token { kind, line });
        i = end;
    }
    tokens
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Replaces comments, string and char literals by spaces, keeping newlines so line
/// numbers stay right: a path quoted in a doc comment or a message is not an import.
fn blank_comments_and_literals(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let end = if c == '/' && next == Some('/') {
            (i..chars.len()).find(|&j| chars[j] == '\n').unwrap_or(chars.len())
        } else if c == '/' && next == Some('*') {
            block_comment_end(&chars, i)
        } else if c == '"' {
            string_end(&chars, i + 1, '"')
        } else if let Some(end) = raw_string_end(&chars, i) {
            end
        } else if c == '\'' && next == Some('\\') {
            string_end(&chars, i + 2, '\'')
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i + 3
        } else {
            out.push(c);
            i += 1;
            continue;
        };
        let end = end.min(chars.len());
        out.extend(chars[i..end].iter().map(|c| blank(*c)));
        i = end;
    }
    out
}

/// End (exclusive) of a possibly nested block comment opening at `start`.
fn block_comment_end(chars: &[char], start: usize) -> usize {
    let (mut depth, mut i) = (0usize, start);
    while i + 1 < chars.len() {
        match (chars[i], chars[i + 1]) {
            ('/', '*') => depth += 1,
            ('*', '/') => depth -= 1,
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
        if depth == 0 {
            return i;
        }
    }
    chars.len()
}

/// End (exclusive) of a literal whose body starts at `from`, honouring `\` escapes.
fn string_end(chars: &[char], from: usize, quote: char) -> usize {
    let mut i = from;
    while let Some(&c) = chars.get(i) {
        if c == '\\' {
            i += 2;
        } else if c == quote {
            return i + 1;
        } else {
            i += 1;
        }
    }
    chars.len()
}

/// End (exclusive) of a raw string `r#".."#` or `br".."` starting at `start`, if any.
fn raw_string_end(chars: &[char], start: usize) -> Option<usize> {
    if start > 0 && is_ident_char(chars[start - 1]) {
        return None;
    }
    let mut i = start;
    if chars.get(i) == Some(&'b') {
        i += 1;
    }
    if chars.get(i) != Some(&'r') {
        return None;
    }
    i += 1;
    let hashes = chars[i..].iter().take_while(|c| **c == '#').count();
    i += hashes;
    if chars.get(i) != Some(&'"') {
        return None;
    }
    (i + 1..chars.len())
        .find(|&j| chars[j] == '"' && chars[j + 1..].iter().take(hashes).filter(|c| **c == '#').count() == hashes)
        .map(|j| j + 1 + hashes)
        .or(Some(chars.len()))
}
