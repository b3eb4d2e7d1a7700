//! The facts of one run, gathered once and shared by every analysis: the
//! builds of the repository ([`builds`]), the context each verb is about
//! with its ignore file and compiled rules ([`context`]), the Dockerfiles,
//! each read and parsed once ([`dockerfiles`]), what the builds of a
//! context need from it ([`needs`]), and the one walk of each context
//! ([`walk`]).
//!
//! Because `report`, `check`, `init`, `lint` and `why` all start here, they
//! agree on which builds send a context and what those builds need: `init`
//! never excludes it, `lint` never suggests excluding it, and `check`
//! never asks for a rule `init` would decline.

pub mod builds;
pub mod context;
pub mod dockerfiles;
pub mod git;
pub mod needs;
pub mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, OnceLock};

use crate::discover::FileKind;
use crate::error::Result;
use crate::scan::BuilderKind;
use builds::{clean, Build};
use context::{Context, ContextOptions};
use dockerfiles::Dockerfiles;
use needs::Needs;
use walk::{Walk, WalkWants};

/// What the user asked about.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The context directory.
    pub dir: PathBuf,
    /// Dockerfiles given with `-f` (empty: `DIR/Dockerfile`).
    pub dockerfiles: Vec<PathBuf>,
    /// `--ignore-file`.
    pub ignore_file: Option<PathBuf>,
    /// The builder reproduced.
    pub builder: BuilderKind,
    /// Why this builder: `--builder`, `CTXSIZE_BUILDER`, `.ctxsize.toml`,
    /// or the default.
    pub builder_source: String,
    /// `--target`.
    pub target: Option<String>,
}

/// Chooses the builder: the flag, else the `CTXSIZE_BUILDER` value the
/// caller read from the environment, else `builder` in `DIR/.ctxsize.toml`,
/// else BuildKit (Docker's default since v23). Returns it and why.
pub fn choose_builder(
    dir: &Path,
    flag: Option<BuilderKind>,
    env: Option<&str>,
) -> Result<(BuilderKind, String)> {
    if let Some(b) = flag {
        return Ok((b, "--builder".into()));
    }
    if let Some(v) = env.filter(|v| !v.trim().is_empty()) {
        let b = v
            .parse::<BuilderKind>()
            .map_err(|e| crate::error::Error::Usage(format!("CTXSIZE_BUILDER: {e}")))?;
        return Ok((b, "CTXSIZE_BUILDER".into()));
    }
    if let Some(b) = crate::config::Config::load(dir)?.builder {
        return Ok((b, format!("builder in {}", crate::config::FILE_NAME)));
    }
    Ok((
        BuilderKind::default(),
        "the default: Docker builds with BuildKit since v23".into(),
    ))
}

impl Request {
    /// Whether the builder is the default (nothing chose it).
    pub fn builder_is_default(&self) -> bool {
        self.builder_source.starts_with("the default")
    }

    /// The options that open the requested context.
    pub fn context_options(&self) -> ContextOptions {
        ContextOptions {
            dir: self.dir.clone(),
            dockerfiles: self.dockerfiles.clone(),
            ignore_file: self.ignore_file.clone(),
            builder: self.builder,
        }
    }
}

/// The facts of a run.
pub struct Facts {
    /// What was asked.
    pub request: Request,
    /// The Dockerfiles, each parsed once.
    pub dockerfiles: Dockerfiles,
    /// The builds and discovery's notes, found on first use.
    found: OnceLock<(Vec<Build>, Vec<String>)>,
    /// What the walk of the requested context saw for discovery, when it
    /// ran before the builds were first asked for: the candidate files and
    /// the directories it did not enter.
    seen: Mutex<Option<Seen>>,
    /// The ignore file each build's context and Dockerfile give, per
    /// builder (looked up once each).
    ignore_of: Mutex<HashMap<(PathBuf, PathBuf, BuilderKind), Option<PathBuf>>>,
    /// Set when discovery had to walk the tree itself.
    discovery_walked: std::sync::atomic::AtomicBool,
    walks: Mutex<HashMap<PathBuf, usize>>,
    /// What git tracks, per directory asked about (canonical path).
    tracked: Mutex<Vec<(PathBuf, walk::Tracked)>>,
}

/// The candidate files a walk of the requested directory saw, and the
/// directories it did not enter.
type Seen = (Vec<(PathBuf, FileKind)>, Vec<PathBuf>);

impl Facts {
    /// Prepares the facts of a run. Nothing is read yet: the builds are
    /// found on first use, from the walk of the requested context when it
    /// ran first (one walk of the tree, not two).
    pub fn gather(request: Request) -> Result<Facts> {
        Ok(Facts {
            dockerfiles: Dockerfiles::new(),
            found: OnceLock::new(),
            seen: Mutex::new(None),
            discovery_walked: Default::default(),
            ignore_of: Mutex::new(HashMap::new()),
            walks: Mutex::new(HashMap::new()),
            tracked: Mutex::new(Vec::new()),
            request,
        })
    }

    /// Every build found under the requested directory, the requested one
    /// first; no two with the same context, Dockerfile and target.
    pub fn builds(&self) -> &[Build] {
        &self.found().0
    }

    /// What discovery skipped or could not resolve.
    pub fn notes(&self) -> &[String] {
        &self.found().1
    }

    fn found(&self) -> &(Vec<Build>, Vec<String>) {
        self.found.get_or_init(|| {
            let seen = self.seen.lock().expect("seen").take();
            let (found, notes) = match seen {
                Some((files, unwalked)) => {
                    builds::discover_seen(&self.request.dir, files, &unwalked, &self.dockerfiles)
                }
                None => {
                    self.discovery_walked
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                    builds::discover(&self.request.dir, &self.dockerfiles)
                }
            };
            (arrange(&self.request, found), notes)
        })
    }

    /// Whether discovery still wants what a walk of `ctx` sees: `ctx` is
    /// the requested directory and the builds are not known yet.
    fn wants_discovery(&self, ctx: &Context) -> bool {
        self.found.get().is_none() && clean(&ctx.root) == clean(&self.request.dir)
    }

    /// Keeps what a walk of `ctx` saw for discovery, when it is wanted.
    fn offer(&self, ctx: &Context, seen: impl FnOnce() -> Seen) {
        if self.wants_discovery(ctx) {
            *self.seen.lock().expect("seen") = Some(seen());
        }
    }

    /// Opens the requested context.
    pub fn main_context(&self) -> Result<Context> {
        Context::open(&self.request.context_options())
    }

    /// The builds that send `ctx` as it is opened (same directory, same
    /// ignore file in effect).
    pub fn builds_of(&self, ctx: &Context) -> Vec<&Build> {
        let dir = clean(&ctx.root);
        let ignore = ctx.ignore.as_ref().map(|f| clean(&f.path));
        self.builds()
            .iter()
            .filter(|b| clean(&b.context) == dir)
            .filter(|b| b.requested || self.ignore_file_of(b, ctx.builder) == ignore)
            .collect()
    }

    /// The ignore file `builder` reads for the build `b` (cleaned; `None`
    /// without one), looked up once per run.
    pub fn ignore_file_of(&self, b: &Build, builder: BuilderKind) -> Option<PathBuf> {
        let key = (b.context.clone(), b.dockerfile.clone(), builder);
        if let Some(found) = self.ignore_of.lock().expect("ignore files").get(&key) {
            return found.clone();
        }
        let found = crate::ignorefile::resolve(&b.context, Some(&b.dockerfile), None, builder)
            .ok()
            .flatten()
            .map(|f| clean(&f.path));
        self.ignore_of
            .lock()
            .expect("ignore files")
            .insert(key, found.clone());
        found
    }

    /// What the builds of `ctx` need from it.
    pub fn needs(&self, ctx: &Context) -> Needs {
        let mut sources = Vec::new();
        for b in self.builds_of(ctx) {
            let Some(df) = self.dockerfiles.get(&b.dockerfile) else {
                continue;
            };
            let shown = context::display_path(&ctx.root, &b.dockerfile)
                .display()
                .to_string();
            for r in df.context_reads(b.target.as_deref()).unwrap_or_default() {
                for s in &r.sources {
                    if s.path == "." || s.unresolved.is_some() {
                        continue;
                    }
                    sources.push((
                        s.path.clone(),
                        format!("{} in {}:{}", r.kind.as_str(), shown, r.line),
                    ));
                }
            }
        }
        Needs::gather(&ctx.root, sources)
    }

    /// Walks a context (counted: one walk per context per run).
    pub fn walk(
        &self,
        ctx: &Context,
        wants: WalkWants,
        progress: Option<&AtomicU64>,
    ) -> Result<Walk> {
        *self
            .walks
            .lock()
            .expect("walk counter")
            .entry(clean(&ctx.root))
            .or_default() += 1;
        let tracked = self.tracked(&ctx.root);
        let mut w = walk::walk(ctx, wants, &tracked, self.wants_discovery(ctx), progress)?;
        self.offer(ctx, || {
            (
                std::mem::take(&mut w.candidates),
                std::mem::take(&mut w.unwalked),
            )
        });
        Ok(w)
    }

    /// The files git tracks below `dir`: one `git ls-files` per
    /// repository and run. A directory inside one already listed, in the
    /// same repository (no `.git` between them), takes its part of that
    /// list.
    pub fn tracked(&self, dir: &Path) -> walk::Tracked {
        let Ok(abs) = std::fs::canonicalize(dir) else {
            return walk::Tracked::new(git::tracked(dir));
        };
        let mut known = self.tracked.lock().expect("tracked");
        if let Some((_, t)) = known.iter().find(|(d, _)| *d == abs) {
            return t.clone();
        }
        let outer = known.iter().find(|(d, t)| {
            t.0.is_some()
                && abs.starts_with(d)
                && abs
                    .ancestors()
                    .take_while(|a| a != d)
                    .all(|a| std::fs::symlink_metadata(a.join(".git")).is_err())
        });
        let t = match outer {
            Some((d, t)) => {
                let rel = abs.strip_prefix(d).unwrap_or(&abs);
                t.inside(rel.as_os_str().as_encoded_bytes())
            }
            None => walk::Tracked::new(git::tracked(&abs)),
        };
        known.push((abs, t.clone()));
        t
    }

    /// Walks every path of a context (for `lint`; counted like
    /// [`Facts::walk`]).
    pub fn walk_all(&self, ctx: &Context) -> Result<Vec<walk::Seen>> {
        *self
            .walks
            .lock()
            .expect("walk counter")
            .entry(clean(&ctx.root))
            .or_default() += 1;
        let seen = walk::walk_all(ctx)?;
        self.offer(ctx, || {
            let files = seen
                .iter()
                .filter_map(|e| {
                    let name = crate::relpath::basename(&e.path);
                    crate::discover::candidate(&e.path, name, e.kind == crate::scan::EntryKind::Dir)
                        .map(|k| (crate::relpath::as_path(&e.path).to_path_buf(), k))
                })
                .collect();
            (files, Vec::new())
        });
        Ok(seen)
    }

    /// Whether discovery walked the tree itself, because nothing had
    /// walked the requested directory when the builds were first asked for.
    pub fn discovery_walked(&self) -> bool {
        self.discovery_walked
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many times each context was walked so far.
    pub fn walk_counts(&self) -> HashMap<PathBuf, usize> {
        self.walks.lock().expect("walk counter").clone()
    }
}

/// `path` (not below `root` as written) relative to `root`, with `..` as
/// needed: both made absolute against the working directory and cleaned
/// lexically (no link is resolved: a Dockerfile that is a symlink keeps
/// its own name). The absolute path when they share only `/`.
fn relative_outside(root: &Path, path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let abs = |p: &Path| clean(&cwd.join(p));
    let (root, path) = (abs(root), abs(path));
    let mut up = PathBuf::new();
    let mut base = root.as_path();
    loop {
        if let Ok(rest) = path.strip_prefix(base) {
            return if base.parent().is_none() && !up.as_os_str().is_empty() {
                path.clone()
            } else {
                up.join(rest)
            };
        }
        match base.parent() {
            Some(b) => {
                up.push("..");
                base = b;
            }
            None => return path,
        }
    }
}

/// The requested build first (`-f` files, or `DIR/Dockerfile`), then
/// every build discovery `found` that is not the same one.
fn arrange(request: &Request, found: Vec<Build>) -> Vec<Build> {
    let mut builds: Vec<Build> = Vec::new();
    let dir = clean(&request.dir);
    let default = request.dockerfiles.is_empty();
    let requested: Vec<PathBuf> = if default {
        vec![request.dir.join("Dockerfile")]
    } else {
        request.dockerfiles.clone()
    };
    for df in requested {
        let df = clean(&df);
        let declared = found.iter().any(|b| {
            clean(&b.context) == dir && clean(&b.dockerfile) == df && b.inferred.is_none()
        });
        if default && !df.is_file() && !declared {
            continue;
        }
        // The default Dockerfile that the repository builds from another
        // context only (compose `context: ..`): not a build of DIR.
        let elsewhere = found
            .iter()
            .filter(|b| clean(&b.dockerfile) == df)
            .all(|b| clean(&b.context) != dir);
        let declared_elsewhere = found
            .iter()
            .any(|b| clean(&b.dockerfile) == df && b.inferred.is_none());
        if default && elsewhere && declared_elsewhere {
            continue;
        }
        // ... or whose sources resolve only from another directory.
        let inferred = found
            .iter()
            .find(|b| clean(&b.dockerfile) == df && b.inferred.is_some())
            .filter(|b| default && clean(&b.context) != dir)
            .and_then(|b| b.inferred.clone())
            .map(|i| builds::Inference {
                how: format!("docker build's default Dockerfile, but {}", i.how),
                resolves: i.resolves,
            });
        builds.push(Build {
            context: dir.clone(),
            dockerfile: df.clone(),
            target: request.target.clone(),
            origin: if default {
                "docker build's default Dockerfile".into()
            } else {
                "-f on the command line".into()
            },
            inferred,
            requested: true,
            pipeline: false,
        });
    }
    for b in found {
        let same = builds.iter().any(|r| {
            clean(&r.context) == clean(&b.context)
                && clean(&r.dockerfile) == clean(&b.dockerfile)
                && (r.target == b.target || (r.requested && b.inferred.is_some()))
        });
        if !same {
            builds.push(b);
        }
    }
    builds
}

/// `path` relative to `root` for messages, `.` for the root itself.
pub fn shown(root: &Path, path: &Path) -> String {
    let s = match path.strip_prefix(root) {
        Ok(rest) => rest.display().to_string(),
        Err(_) => relative_outside(root, path).display().to_string(),
    };
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

#[cfg(test)]
mod shown_tests {
    use super::shown;
    use std::path::Path;

    #[test]
    fn paths_are_shown_relative_to_the_directory_reported_on() {
        let s = |root: &str, path: &str| shown(Path::new(root), Path::new(path));
        assert_eq!(s("proj", "proj"), ".");
        assert_eq!(s("proj", "proj/api"), "api");
        // Lexically: a name is never replaced by what a link points to.
        assert_eq!(s(".", "Dockerfile"), "Dockerfile");
        assert_eq!(s(".", "./docker/Dockerfile"), "docker/Dockerfile");
        assert_eq!(s("proj", "outside"), "../outside");
        assert_eq!(s("a/b", "a/c/Dockerfile"), "../c/Dockerfile");
        assert_eq!(s("/srv/app", "/srv/other"), "../other");
        assert_eq!(s("/srv/app", "/opt/x"), "/opt/x");
    }
}
