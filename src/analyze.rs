//! From a scan to findings: the catalogue applied to what is in the
//! context, with the rule that keeps each finding out and what it saves.

use std::path::Path;

use crate::context::Context;
use crate::report::Finding;
use crate::scan::tree::{Classifier, Scan};
use crate::scan::Entry;

/// The per-thread classifier run during the walk.
#[derive(Default)]
pub struct Classify {}

impl Classify {
    /// A fresh classifier.
    pub fn new() -> Classify {
        Classify::default()
    }
}

impl Classifier for Classify {
    fn visit(&mut self, _root: &Path, _entry: &Entry<'_>) {}
}

/// Merges the classifiers' hits into findings.
pub fn findings(_ctx: &Context, _scan: &Scan, _classifiers: Vec<Classify>) -> Vec<Finding> {
    Vec::new()
}

/// A staged file that would land in the context.
pub struct Staged {
    /// Path relative to the context.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Looks like a secret.
    pub secret: bool,
    /// Why (for secrets).
    pub reason: String,
    /// The rule that keeps it out.
    pub rule: String,
}

/// Staged files (git index) that would be sent and are heavy or secret.
pub fn staged(_ctx: &Context, _threshold: u64) -> crate::error::Result<Vec<Staged>> {
    Ok(Vec::new())
}

/// A COPY/ADD problem found by reading the Dockerfile.
pub struct CopyProblem {
    /// The source path.
    pub path: String,
    /// The Dockerfile (relative to the current directory).
    pub file: Option<String>,
    /// Its line.
    pub line: Option<usize>,
    /// One sentence.
    pub message: String,
}

/// COPY/ADD sources that the ignore file excludes or that do not exist.
pub fn copy_problems(_ctx: &Context) -> crate::error::Result<Vec<CopyProblem>> {
    Ok(Vec::new())
}

/// A path the build needs, so no suggested rule may exclude it.
#[derive(Clone, Debug)]
pub struct Needed {
    /// A Docker pattern (cleaned, relative to the context) naming the path
    /// or paths (e.g. `dist`, `package.json`, `*.lock`).
    pub pattern: String,
    /// Why it is needed, for messages (`COPY in Dockerfile:5`).
    pub why: String,
}

/// Everything the build needs from the context: `COPY`/`ADD`/bind-mount
/// sources of the Dockerfiles, lockfiles and manifests, packaging files a
/// `pyproject.toml` names, and `.git` when the version comes from git.
pub fn needed_paths(_ctx: &Context) -> crate::error::Result<Vec<Needed>> {
    Ok(Vec::new())
}

/// Default rules for the stacks found at the context root:
/// `(group comment, rule)` in a deterministic order.
pub fn stack_rules(_ctx: &Context) -> Vec<(String, String)> {
    Vec::new()
}
