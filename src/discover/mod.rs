//! The builds of a repository, found once: which (context directory,
//! Dockerfile, target stage) triples the repository defines, and where each
//! was learned.
//!
//! # Sources
//!
//! Each reader turns one kind of file into builds, resolving paths the way
//! the tool that runs the file does:
//!
//! | Source | Files | Paths relative to |
//! |---|---|---|
//! | [`SourceKind::Compose`] | `compose.yaml`, `docker-compose.yml`, `compose.<x>.yaml`, ... anywhere | `context:` to the compose file's directory, `dockerfile:` to the context |
//! | [`SourceKind::Workflow`] | `.github/workflows/*.yml` (`docker/build-push-action`, `docker/bake-action`, `run:` lines) | the repository root (or `working-directory`) |
//! | [`SourceKind::Bake`] | `docker-bake.hcl`, `docker-bake.json`, their overrides | `context` to where bake runs, `dockerfile` to the context |
//! | [`SourceKind::Makefile`] | `Makefile`, `GNUmakefile`, `*.mk`, `Makefile.*` | the Makefile's directory |
//! | [`SourceKind::Script`] | `*.sh`, `*.bash` | the repository root, or the script's directory when the script `cd`s there |
//! | [`SourceKind::PackageJson`] | `package.json` `scripts` | the `package.json`'s directory |
//! | [`SourceKind::Devcontainer`] | `.devcontainer/devcontainer.json`, `.devcontainer.json`, `.devcontainer/*/devcontainer.json` | the `devcontainer.json`'s directory |
//!
//! Command lines (`docker build`, `docker buildx build`, `podman build`,
//! `buildah bud`, and `docker buildx bake` for Bake files) are read where
//! their arguments are literal: `-f`/`--file`, `--target` and the context
//! argument, after a `cd DIR &&` in the same line. An argument holding a
//! variable or a `${{ ... }}` expression that cannot be resolved from the
//! same file makes a note, not a build.
//!
//! Every Dockerfile of the tree that no source declares gets an
//! [`SourceKind::Inferred`] build: its context is the directory from which
//! its `COPY`/`ADD` sources resolve (see [`Inference`]).
//!
//! Vendored trees are not the repository's own builds: nothing under
//! `vendor/`, `third_party/`, `node_modules/`, version-control data or a
//! directory the catalogue recognises ([`crate::catalog::match_dir_at`],
//! with its evidence on disk) is read.
//!
//! # Use
//!
//! One walk per run: the caller's walk asks [`candidate`] about every entry
//! (a byte test on the name), keeps the hits, and hands them to
//! [`discover_from`] with a [`DockerfileSource`] through which every
//! Dockerfile is parsed once per run, so the parses can be shared with the
//! rest of the run. [`discover`] does its own walk, for tests and library
//! users.
//!
//! Results are reproducible from the files alone: the process environment
//! is never read (Compose variables come from `.env`, Bake variables from
//! their defaults). Nothing here fails: whatever cannot be read or resolved
//! becomes one sentence in [`Discovery::notes`] naming the file and, where
//! known, the line. Paths are joined onto the root and cleaned lexically
//! ([`clean`]), never canonicalised; a Dockerfile that does not exist is
//! still returned, for the caller to report.
//!
//! This module does not build, measure or decide what a build sends, does
//! not read `.dockerignore` files, and does not follow Compose `extends:` or
//! `include:`.

mod bake;
mod command;
mod compose;
mod devcontainer;
mod dotenv;
mod files;
mod hcl;
mod infer;
mod names;
mod script;
mod workflow;
mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::dockerfile::Dockerfile;

pub use infer::Inference;
pub use names::{candidate, is_dockerfile_name, FileKind};

use files::Files;

/// Where a build was learned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    /// A Compose file's `services.<name>.build`.
    Compose,
    /// A GitHub Actions workflow step.
    Workflow,
    /// A Bake file's target.
    Bake,
    /// A `docker build` line in a Makefile.
    Makefile,
    /// A `docker build` line in a shell script.
    Script,
    /// A `docker build` line in a `package.json` script.
    PackageJson,
    /// A Dev Container's `build` section.
    Devcontainer,
    /// Nothing declares the build: the Dockerfile was found in the tree and
    /// its context inferred from its sources.
    Inferred,
}

impl SourceKind {
    /// Stable lowercase name, for JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Compose => "compose",
            SourceKind::Workflow => "workflow",
            SourceKind::Bake => "bake",
            SourceKind::Makefile => "makefile",
            SourceKind::Script => "script",
            SourceKind::PackageJson => "package.json",
            SourceKind::Devcontainer => "devcontainer",
            SourceKind::Inferred => "inferred",
        }
    }
}

/// One place a build was learned from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// What kind of file said so.
    pub kind: SourceKind,
    /// That file, relative to the root (for [`SourceKind::Inferred`]: the
    /// Dockerfile).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What in the file: `service api`, `job build step 'Build'
    /// docker/build-push-action`, `target "binary"`, `docker build -f
    /// docker/Dockerfile .`, or for an inferred context what it was
    /// inferred from.
    pub detail: String,
}

impl Origin {
    /// One line for people: `docker/docker-compose.yml:4: service app`.
    pub fn describe(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}: {}", self.file.display(), self.detail),
            None => format!("{}: {}", self.file.display(), self.detail),
        }
    }
}

/// One build the repository defines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Build {
    /// The build context directory: joined onto the root, lexically
    /// cleaned, not canonicalised. It may not exist.
    pub context: PathBuf,
    /// The Dockerfile, joined and cleaned the same way. It may not exist.
    pub dockerfile: PathBuf,
    /// The stage to build (`--target`), if any.
    pub target: Option<String>,
    /// Every place that defines this same build, in discovery order (never
    /// empty).
    pub origins: Vec<Origin>,
    /// Set when no source declares the build and the context was inferred
    /// from the Dockerfile's sources.
    pub inferred: Option<Inference>,
}

/// What [`discover`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    /// The builds, no two with the same context, Dockerfile and target:
    /// declared ones first, grouped by [`SourceKind`] in its order (files
    /// in path order; Bake runs named by a workflow, Makefile or script
    /// before Bake files read on their own), then the inferred ones by
    /// Dockerfile path.
    pub builds: Vec<Build>,
    /// What was skipped or left unresolved, one sentence each, naming the
    /// file (and the line, when known).
    pub notes: Vec<String>,
}

/// Gives parsed Dockerfiles, each read and parsed at most once per run.
pub trait DockerfileSource {
    /// The Dockerfile at `path` (joined onto the root, cleaned), parsed
    /// without build arguments; `None` when it cannot be read.
    fn get(&mut self, path: &Path) -> Option<Arc<Dockerfile>>;
}

/// A [`DockerfileSource`] that reads and parses each Dockerfile on first
/// use and keeps the result.
#[derive(Debug, Default)]
pub struct ParsedDockerfiles {
    parsed: HashMap<PathBuf, Option<Arc<Dockerfile>>>,
    reads: usize,
}

impl ParsedDockerfiles {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many files were read and parsed.
    pub fn reads(&self) -> usize {
        self.reads
    }
}

impl DockerfileSource for ParsedDockerfiles {
    fn get(&mut self, path: &Path) -> Option<Arc<Dockerfile>> {
        if let Some(p) = self.parsed.get(path) {
            return p.clone();
        }
        self.reads += 1;
        let parsed = std::fs::read(path).ok().map(|bytes| {
            let text = String::from_utf8_lossy(&bytes);
            Arc::new(crate::dockerfile::parse(&text, &[]))
        });
        self.parsed.insert(path.to_path_buf(), parsed.clone());
        parsed
    }
}

/// Finds the builds of the repository at `root` with its own walk (see the
/// module documentation). Never fails: problems become
/// [`Discovery::notes`].
pub fn discover(root: &Path) -> Discovery {
    discover_with(root, &mut ParsedDockerfiles::new())
}

/// [`discover_from`] for a caller whose walk saw the candidate `files` but
/// did not enter the directories `unwalked` (relative to `root`): those
/// are walked here for candidates, names only.
pub fn discover_seen(
    root: &Path,
    mut files: Vec<(PathBuf, FileKind)>,
    unwalked: &[PathBuf],
    dockerfiles: &mut dyn DockerfileSource,
) -> Discovery {
    let mut notes = Vec::new();
    files.extend(files::walk_under(root, unwalked, &mut notes));
    let mut d = discover_from(root, files, dockerfiles);
    notes.append(&mut d.notes);
    d.notes = notes;
    d
}

/// [`discover`], parsing Dockerfiles through the run's `dockerfiles`.
pub fn discover_with(root: &Path, dockerfiles: &mut dyn DockerfileSource) -> Discovery {
    let mut walk_notes = Vec::new();
    let found = files::walk(root, &mut walk_notes);
    let mut d = discover_from(root, found, dockerfiles);
    walk_notes.append(&mut d.notes);
    d.notes = walk_notes;
    d
}

/// Finds the builds of the repository at `root` from the candidate files
/// another walk collected: `files` are paths relative to `root` with the
/// kind [`candidate`] gave them. Files under directories the catalogue
/// recognises are dropped here; each file is read once, and each Dockerfile
/// whose context must be inferred is parsed through `dockerfiles`.
pub fn discover_from(
    root: &Path,
    mut files: Vec<(PathBuf, FileKind)>,
    dockerfiles: &mut dyn DockerfileSource,
) -> Discovery {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup();
    let mut disk = Files::new(root);
    files.retain(|(rel, _)| !disk.under_vendored_dir(rel));
    let of = |k: FileKind| -> Vec<PathBuf> {
        files
            .iter()
            .filter(|(_, kind)| *kind == k)
            .map(|(p, _)| p.clone())
            .collect()
    };

    let mut calls = Vec::new();
    let compose = compose::read_all(&mut disk, &of(FileKind::Compose));
    let workflows = workflow::read_all(&mut disk, &of(FileKind::Workflow), &mut calls);
    let makefiles = script::read_makefiles(&mut disk, &of(FileKind::Makefile), &mut calls);
    let scripts = script::read_scripts(&mut disk, &of(FileKind::Script), &mut calls);
    let npm = script::read_package_jsons(&mut disk, &of(FileKind::PackageJson), &mut calls);
    let bakes = bake::read_all(&mut disk, &of(FileKind::Bake), calls);
    let devcontainers = devcontainer::read_all(&mut disk, &of(FileKind::Devcontainer));
    for t in of(FileKind::DockerfileTemplate) {
        disk.notes.push(format!(
            "{}: a Dockerfile template, not built as it is; skipped.",
            t.display()
        ));
    }

    let mut declared: Vec<Declared> = Vec::new();
    for mut part in [
        compose,
        workflows,
        bakes,
        makefiles,
        scripts,
        npm,
        devcontainers,
    ] {
        declared.append(&mut part);
    }
    let mut builds: Vec<Build> = Vec::with_capacity(declared.len());
    let mut claimed: Vec<PathBuf> = Vec::new();
    for d in declared {
        if d.claims {
            claimed.push(d.dockerfile.clone());
        }
        push_unique(
            &mut builds,
            Build {
                context: clean(&root.join(&d.context)),
                dockerfile: clean(&root.join(&d.dockerfile)),
                target: d.target,
                origins: vec![d.origin],
                inferred: None,
            },
        );
    }
    claimed.sort();
    claimed.dedup();
    for rel in of(FileKind::Dockerfile) {
        if claimed.binary_search(&rel).is_ok() {
            continue;
        }
        let (context, inference) = infer::infer(&mut disk, &rel, dockerfiles);
        let origin = Origin {
            kind: SourceKind::Inferred,
            file: rel.clone(),
            line: None,
            detail: inference.describe(&context),
        };
        push_unique(
            &mut builds,
            Build {
                context: clean(&root.join(&context)),
                dockerfile: clean(&root.join(&rel)),
                target: None,
                origins: vec![origin],
                inferred: Some(inference),
            },
        );
    }
    Discovery {
        builds,
        notes: disk.notes,
    }
}

/// A build as a reader found it, paths relative to the root and cleaned
/// (absolute when the file said so).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Declared {
    context: PathBuf,
    dockerfile: PathBuf,
    target: Option<String>,
    origin: Origin,
    /// Whether the build uses the Dockerfile at `dockerfile` (a Compose
    /// inline Dockerfile does not): a claimed Dockerfile gets no inferred
    /// build of its own.
    claims: bool,
}

/// A `docker buildx bake` run found in a workflow, Makefile or script.
#[derive(Clone, Debug)]
struct BakeCall {
    /// The Bake files named (`-f`, `files:`), relative to the root; empty
    /// for Bake's default files in `cwd`.
    files: Vec<PathBuf>,
    /// Where bake runs, relative to the root.
    cwd: PathBuf,
    /// The targets or groups named; empty for the `default` group; `None`
    /// when they could not be resolved (every target is then listed).
    targets: Option<Vec<String>>,
    /// The step or line that runs it.
    origin: Origin,
}

/// Adds `b`, or merges its origins into an earlier build with the same
/// context, Dockerfile and stage.
fn push_unique(builds: &mut Vec<Build>, b: Build) {
    let same = builds
        .iter_mut()
        .find(|o| o.context == b.context && o.dockerfile == b.dockerfile && o.target == b.target);
    match same {
        Some(o) => {
            for origin in b.origins {
                if !o.origins.contains(&origin) {
                    o.origins.push(origin);
                }
            }
        }
        None => builds.push(b),
    }
}

/// Removes `.` and resolves `..` against the components before it, without
/// touching the file system (Go's `filepath.Clean`, [`go_clean`]). An
/// empty result is `.`; `..` above a root stays at the root; leading `..`
/// of a relative path are kept.
///
/// [`go_clean`]: crate::pattern::read::go_clean
pub fn clean(path: &Path) -> PathBuf {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let cleaned = crate::pattern::read::go_clean(path.as_os_str().as_bytes());
    PathBuf::from(std::ffi::OsString::from_vec(cleaned))
}

/// `base` joined with `p` and cleaned: `p` relative to `base`, or absolute.
fn join(base: &Path, p: &str) -> PathBuf {
    clean(&base.join(p))
}

/// The directory of a root-relative file path (`.` at the root).
fn dir_of(rel: &Path) -> PathBuf {
    match rel.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests;
