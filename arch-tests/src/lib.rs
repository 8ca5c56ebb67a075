//! Architecture tests for Tenantry: the arrows of `ARCHITECTURE.md` section 1 written
//! down as data and checked on every `cargo test`, so that a dependency that breaks a
//! layer or a context boundary fails the build instead of a code review.
//!
//! Two checks, each a pure function so it can be proven on hand-made inputs:
//! - [`policy::check`] over a [`graph::DependencyGraph`] read from `cargo metadata`
//!   (ADR 0001, layers as crates);
//! - [`contexts::scan_source`] over the sources of the layer crates (ADR 0002, bounded
//!   contexts do not import each other's internals).

pub mod contexts;
pub mod graph;
pub mod policy;

use std::path::{Path, PathBuf};

pub use contexts::{scan_neutral, scan_neutral_files, scan_source, scan_workspace, ContextViolation};
pub use graph::{DepKind, Dependency, DependencyGraph};
pub use policy::{check, Allowed, Broken, Policy, Rule, Violation};

/// Why the real workspace could not be read; the checks themselves never fail.
#[derive(Debug, thiserror::Error)]
pub enum ArchError {
    #[error("`cargo metadata` failed for {manifest}")]
    Metadata {
        manifest: PathBuf,
        #[source]
        source: cargo_metadata::Error,
    },
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The workspace root, found from this crate's own location because the arch tests
/// must inspect the tree they were built from, whatever the current directory is.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}
