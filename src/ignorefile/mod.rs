//! Which ignore file a builder uses for a build, and loading it with the
//! provenance of every rule.
//!
//! Resolution (spec, "Which ignore file", §8.1): an explicit
//! `--ignore-file` wins; otherwise
//! - BuildKit uses `<Dockerfile>.dockerignore` next to the Dockerfile when
//!   it exists, and the context's `.dockerignore` else;
//! - the classic builder reads only the context's `.dockerignore`;
//! - Podman and Buildah use `<Containerfile>.dockerignore`, else
//!   `<Containerfile>.containerignore`, else the context's
//!   `.containerignore` (even empty), else its `.dockerignore`.

pub mod document;
pub mod gitignore;
pub mod write;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::pattern::{Builder, Matcher, PatternError};

/// Why this ignore file was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Given with `--ignore-file`.
    Explicit,
    /// `<Dockerfile>.dockerignore` next to the Dockerfile (BuildKit, and
    /// Podman for `<Containerfile>.dockerignore`).
    DockerfileSpecific,
    /// `<Containerfile>.containerignore` next to the Containerfile (Podman).
    ContainerfileSpecific,
    /// `<context>/.containerignore` (Podman; Docker never reads it).
    ContainerIgnore,
    /// `<context>/.dockerignore`.
    ContextRoot,
}

impl Origin {
    /// Short description for output.
    pub fn describe(self) -> &'static str {
        match self {
            Origin::Explicit => "given with --ignore-file",
            Origin::DockerfileSpecific => "Dockerfile-specific, replaces .dockerignore",
            Origin::ContainerfileSpecific => {
                "Containerfile-specific, replaces .containerignore and .dockerignore"
            }
            Origin::ContainerIgnore => "context root .containerignore, replaces .dockerignore",
            Origin::ContextRoot => "context root",
        }
    }
}

/// The ignore file in effect.
#[derive(Clone, Debug)]
pub struct IgnoreFile {
    /// Its path.
    pub path: PathBuf,
    /// Why it applies.
    pub origin: Origin,
    /// Its bytes.
    pub data: Vec<u8>,
    /// The builder that reads it: Podman reads the same bytes differently
    /// (spec §8.2). [`compile`] uses it.
    pub builder: Builder,
}

/// Finds the ignore file `builder` uses, or `None` when there is none.
///
/// `dockerfile` is the file named with `-f`, as given (`None`: no `-f`).
/// Docker takes a relative `-f` from the working directory; Podman takes it
/// from the context directory (§8.1). Without `-f` (or with exactly
/// `<root>/Dockerfile`, which callers pass by default) Podman counts the
/// Containerfile it discovers: `<root>/Containerfile`, else
/// `<root>/Dockerfile`.
pub fn resolve(
    root: &Path,
    dockerfile: Option<&Path>,
    explicit: Option<&Path>,
    builder: Builder,
) -> Result<Option<IgnoreFile>> {
    if let Some(p) = explicit {
        return load_for(p, Origin::Explicit, builder).map(Some);
    }
    let beside = |df: &Path, suffix: &str| {
        let mut name = df.file_name().unwrap_or_default().to_os_string();
        name.push(suffix);
        let p = df.with_file_name(name);
        fs::symlink_metadata(&p).is_ok().then_some(p)
    };
    match builder {
        Builder::Classic => {}
        Builder::BuildKit => {
            if let Some(specific) = dockerfile.and_then(|df| beside(df, ".dockerignore")) {
                return load_for(&specific, Origin::DockerfileSpecific, builder).map(Some);
            }
        }
        Builder::Podman => {
            if let Some(cf) = podman_containerfile(root, dockerfile) {
                if let Some(p) = beside(&cf, ".dockerignore") {
                    return load_for(&p, Origin::DockerfileSpecific, builder).map(Some);
                }
                if let Some(p) = beside(&cf, ".containerignore") {
                    return load_for(&p, Origin::ContainerfileSpecific, builder).map(Some);
                }
            }
            let ci = root.join(".containerignore");
            match fs::symlink_metadata(&ci) {
                Ok(_) => return load_for(&ci, Origin::ContainerIgnore, builder).map(Some),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(ci, e)),
            }
        }
    }
    let root_file = root.join(".dockerignore");
    match fs::symlink_metadata(&root_file) {
        Ok(_) => load_for(&root_file, Origin::ContextRoot, builder).map(Some),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(root_file, e)),
    }
}

/// The Containerfile whose per-file ignore files Podman looks for (§8.1).
fn podman_containerfile(root: &Path, dockerfile: Option<&Path>) -> Option<PathBuf> {
    let default = root.join("Dockerfile");
    match dockerfile {
        Some(df) if df != default => Some(if df.is_relative() {
            root.join(df)
        } else {
            df.to_path_buf()
        }),
        _ => ["Containerfile", "Dockerfile"]
            .iter()
            .map(|n| root.join(n))
            .find(|p| fs::symlink_metadata(p).is_ok()),
    }
}

/// [`load`] for the builder that reads the file.
pub fn load_for(path: &Path, origin: Origin, builder: Builder) -> Result<IgnoreFile> {
    let mut f = load(path, origin)?;
    f.builder = builder;
    Ok(f)
}

/// Reads an ignore file (through a symlink, as Docker does) for Docker's
/// builders (use [`load_for`] for Podman). A directory or an unreadable
/// file is an error.
pub fn load(path: &Path, origin: Origin) -> Result<IgnoreFile> {
    let md = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if md.is_dir() {
        return Err(Error::Other(format!(
            "{}: is a directory, not an ignore file (Docker fails the build: \
             'read .dockerignore: is a directory')",
            path.display()
        )));
    }
    let data = fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(IgnoreFile {
        path: path.to_path_buf(),
        origin,
        data,
        builder: Builder::default(),
    })
}

/// Compiles an ignore file for the builder that reads it
/// ([`IgnoreFile::builder`]); `display` is the name used in messages. The
/// errors include what fails that builder's build: BuildKit's patterns it
/// cannot send, Podman's patterns that do not compile.
pub fn compile(
    file: Option<&IgnoreFile>,
    display: Option<PathBuf>,
) -> (Matcher, Vec<PatternError>) {
    match file {
        None => (Matcher::default(), Vec::new()),
        Some(f) => compile_for(f.builder, Some(f), display),
    }
}

/// Compiles an ignore file (or none) as `builder` reads it.
pub fn compile_for(
    builder: Builder,
    file: Option<&IgnoreFile>,
    display: Option<PathBuf>,
) -> (Matcher, Vec<PatternError>) {
    let (data, name) = match file {
        Some(f) => (&f.data[..], display.or_else(|| Some(f.path.clone()))),
        None => (&[][..], None),
    };
    let c = Matcher::for_builder(builder, data, name);
    (c.matcher, c.errors)
}
