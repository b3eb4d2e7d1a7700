//! The builds of a repository: each a context directory, a Dockerfile, a
//! target stage and where ctxsize learned it. Found once per run by
//! [`crate::discover`] (compose files, workflows, bake files, Makefiles,
//! scripts, dev containers, and the Dockerfiles of the tree with their
//! context inferred), plus the one the command line asks about.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::discover::{self, DockerfileSource};
use crate::dockerfile::Dockerfile;
use crate::facts::dockerfiles::Dockerfiles;

/// One build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Build {
    /// The context directory (joined on the directory given, lexically
    /// cleaned).
    pub context: PathBuf,
    /// The Dockerfile (may not exist; the build then fails).
    pub dockerfile: PathBuf,
    /// The stage built; the last one when `None`.
    pub target: Option<String>,
    /// Where it was learned, for people
    /// (`docker/compose.yml:4: service api`).
    pub origin: String,
    /// Set when nothing declares the context and ctxsize inferred it.
    pub inferred: Option<Inference>,
    /// Given on the command line (or the default `DIR/Dockerfile`).
    pub requested: bool,
    /// Declared by a build pipeline (a CI workflow, a Makefile, a script, a
    /// Bake file, a `package.json` script), whose earlier steps may create
    /// files the build copies.
    pub pipeline: bool,
}

/// How an undeclared build's context was inferred.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inference {
    /// One sentence: what was inferred and from what.
    pub how: String,
    /// Whether the chosen context makes every `COPY` source resolve; only
    /// when no candidate does may ctxsize say that the build fails.
    pub resolves: bool,
}

impl Build {
    /// Whether ctxsize may say "the build fails" about a source this
    /// build cannot find: the context is declared, or no candidate context
    /// makes the sources resolve.
    pub fn context_is_certain(&self) -> bool {
        self.inferred.as_ref().is_none_or(|i| !i.resolves)
    }
}

// The run's Dockerfile cache, as discovery asks for it.
struct Shared<'a>(&'a Dockerfiles);

impl DockerfileSource for Shared<'_> {
    fn get(&mut self, path: &Path) -> Option<Arc<Dockerfile>> {
        self.0.get(path)
    }
}

/// The builds found under `dir`, and notes on what could not be read.
/// Dockerfiles are parsed through the run's cache.
pub fn discover(dir: &Path, dockerfiles: &Dockerfiles) -> (Vec<Build>, Vec<String>) {
    convert(dir, discover::discover_with(dir, &mut Shared(dockerfiles)))
}

/// [`discover`] from what a walk of `dir` already saw: the candidate
/// `files` (relative to `dir`) and the directories it did not enter.
pub fn discover_seen(
    dir: &Path,
    files: Vec<(PathBuf, discover::FileKind)>,
    unwalked: &[PathBuf],
    dockerfiles: &Dockerfiles,
) -> (Vec<Build>, Vec<String>) {
    convert(
        dir,
        discover::discover_seen(dir, files, unwalked, &mut Shared(dockerfiles)),
    )
}

fn convert(dir: &Path, d: discover::Discovery) -> (Vec<Build>, Vec<String>) {
    let builds = d
        .builds
        .into_iter()
        .map(|b| {
            let shown = crate::facts::shown(dir, &b.context);
            Build {
                origin: b
                    .origins
                    .iter()
                    .map(|o| o.describe())
                    .collect::<Vec<_>>()
                    .join("; "),
                inferred: b.inferred.as_ref().map(|i| Inference {
                    how: i.describe(Path::new(&shown)),
                    resolves: i.all_resolve,
                }),
                context: b.context,
                dockerfile: b.dockerfile,
                target: b.target,
                requested: false,
                pipeline: b.origins.iter().any(|o| {
                    use discover::SourceKind::*;
                    matches!(o.kind, Workflow | Bake | Makefile | Script | PackageJson)
                }),
            }
        })
        .collect();
    (builds, d.notes)
}

pub use discover::clean;
