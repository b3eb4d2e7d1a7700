//! Which ignore file Docker uses for a build, and loading it with the
//! provenance of every rule.
//!
//! Resolution (spec, "Which ignore file"): an explicit `--ignore-file` wins;
//! otherwise BuildKit uses `<Dockerfile>.dockerignore` next to the
//! Dockerfile when it exists, and the context's `.dockerignore` else. The
//! classic builder reads only the context's `.dockerignore`.

pub mod document;
pub mod gitignore;
pub mod write;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::pattern::{Matcher, PatternError};
use crate::scan::BuilderKind;

/// Why this ignore file was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Given with `--ignore-file`.
    Explicit,
    /// `<Dockerfile>.dockerignore` next to the Dockerfile (BuildKit).
    DockerfileSpecific,
    /// `<context>/.dockerignore`.
    ContextRoot,
}

impl Origin {
    /// Short description for output.
    pub fn describe(self) -> &'static str {
        match self {
            Origin::Explicit => "given with --ignore-file",
            Origin::DockerfileSpecific => "Dockerfile-specific, replaces .dockerignore",
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
}

/// Finds the effective ignore file, or `None` when there is none.
pub fn resolve(
    root: &Path,
    dockerfile: Option<&Path>,
    explicit: Option<&Path>,
    builder: BuilderKind,
) -> Result<Option<IgnoreFile>> {
    if let Some(p) = explicit {
        return load(p, Origin::Explicit).map(Some);
    }
    if builder == BuilderKind::BuildKit {
        if let Some(df) = dockerfile {
            let mut name = df.file_name().unwrap_or_default().to_os_string();
            name.push(".dockerignore");
            let specific = df.with_file_name(name);
            if fs::symlink_metadata(&specific).is_ok() {
                return load(&specific, Origin::DockerfileSpecific).map(Some);
            }
        }
    }
    let root_file = root.join(".dockerignore");
    match fs::symlink_metadata(&root_file) {
        Ok(_) => load(&root_file, Origin::ContextRoot).map(Some),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(root_file, e)),
    }
}

/// Reads an ignore file (through a symlink, as Docker does). A directory
/// or an unreadable file is an error.
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
    })
}

/// Compiles an ignore file; `display` is the name used in messages.
pub fn compile(
    file: Option<&IgnoreFile>,
    display: Option<PathBuf>,
) -> (Matcher, Vec<PatternError>) {
    match file {
        None => (Matcher::default(), Vec::new()),
        Some(f) => {
            let c = Matcher::from_bytes(&f.data, display.or_else(|| Some(f.path.clone())));
            (c.matcher, c.errors)
        }
    }
}
