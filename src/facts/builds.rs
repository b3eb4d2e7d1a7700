//! The builds of a repository: each a context directory, a Dockerfile, a
//! target stage and where ctxsize learned it. Found once per run, from the
//! command line (`-f`), compose files and the Dockerfiles in the tree.

use std::path::{Path, PathBuf};

use crate::compose;

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
    /// Where it was learned, for people (`compose.yaml: service api`).
    pub origin: String,
    /// Set when nothing declares the context and ctxsize inferred it.
    pub inferred: Option<Inference>,
    /// Given on the command line (or the default `DIR/Dockerfile`).
    pub requested: bool,
}

/// How an undeclared build's context was inferred.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inference {
    /// One sentence: what was inferred and from what.
    pub how: String,
    /// Whether some candidate context makes every `COPY` source resolve;
    /// only when none does may ctxsize say that the build fails.
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

/// The builds found under `dir`, and notes on what could not be read.
pub fn discover(dir: &Path) -> (Vec<Build>, Vec<String>) {
    let d = compose::discover(dir);
    let builds = d
        .targets
        .into_iter()
        .map(|t| {
            let found = t.origin.starts_with("Dockerfile found at");
            Build {
                context: t.context,
                dockerfile: t.dockerfile,
                target: t.target,
                inferred: found.then(|| Inference {
                    how: "no file declares this build; its own directory is assumed".into(),
                    resolves: true,
                }),
                origin: t.origin,
                requested: false,
            }
        })
        .collect();
    (builds, d.notes)
}

/// Lexical cleaning of a path (`.` and `..` resolved, never
/// canonicalised).
pub fn clean(p: &Path) -> PathBuf {
    compose::clean(p)
}
