//! The crate graph reduced to what the layer rules need: each workspace package and
//! the crates it declares. Kept apart from `cargo_metadata` so that the checker can be
//! fed hand-made graphs that prove it rejects what it should.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use cargo_metadata::{DependencyKind, Metadata, MetadataCommand};

use crate::ArchError;

/// How a dependency is used. Build dependencies run code in the crate's own build, so
/// the rules treat them like normal ones; dev-dependencies only reach the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DepKind {
    Normal,
    Dev,
    Build,
}

impl fmt::Display for DepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Normal => "normal",
            Self::Dev => "dev",
            Self::Build => "build",
        })
    }
}

/// One declared dependency, by package name (a `package = ".."` rename cannot hide it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    pub kind: DepKind,
}

/// Workspace package -> its declared dependencies. A dependency whose name is itself
/// a key of the graph is a workspace dependency; any other is external.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DependencyGraph {
    packages: BTreeMap<String, Vec<Dependency>>,
}

impl DependencyGraph {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a package with its dependencies; builder style for hand-made graphs.
    pub fn with_package(mut self, package: &str, dependencies: &[(&str, DepKind)]) -> Self {
        self.packages.entry(package.to_owned()).or_default();
        for (name, kind) in dependencies {
            self.add_dependency(package, name, *kind);
        }
        self
    }

    pub fn add_dependency(&mut self, package: &str, name: &str, kind: DepKind) {
        self.packages.entry(package.to_owned()).or_default().push(Dependency { name: name.to_owned(), kind });
    }

    pub fn contains(&self, package: &str) -> bool {
        self.packages.contains_key(package)
    }

    pub fn packages(&self) -> impl Iterator<Item = (&str, &[Dependency])> {
        self.packages.iter().map(|(name, deps)| (name.as_str(), deps.as_slice()))
    }

    /// The graph of the workspace members as declared in their manifests.
    pub fn from_metadata(metadata: &Metadata) -> Self {
        metadata.workspace_packages().into_iter().fold(Self::new(), |mut graph, package| {
            graph.packages.entry(package.name.clone()).or_default();
            for dependency in &package.dependencies {
                let kind = match dependency.kind {
                    DependencyKind::Development => DepKind::Dev,
                    DependencyKind::Build => DepKind::Build,
                    // An unknown future kind is checked as strictly as a normal one.
                    _ => DepKind::Normal,
                };
                graph.add_dependency(&package.name, &dependency.name, kind);
            }
            graph
        })
    }

    /// Reads the workspace at `workspace_root`. `--no-deps` is enough because the rules
    /// are about what each crate declares, and it needs neither network nor resolution.
    ///
    /// # Errors
    /// [`ArchError::Metadata`] when `cargo metadata` cannot run or parse the manifests.
    pub fn load(workspace_root: &Path) -> Result<Self, ArchError> {
        let manifest = workspace_root.join("Cargo.toml");
        let metadata = MetadataCommand::new()
            .manifest_path(&manifest)
            .no_deps()
            .exec()
            .map_err(|source| ArchError::Metadata { manifest, source })?;
        Ok(Self::from_metadata(&metadata))
    }
}
