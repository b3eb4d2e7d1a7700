//! A build context as every verb sees it: the root directory, the
//! Dockerfile, the effective ignore file and its compiled rules.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ignorefile::{self, IgnoreFile};
use crate::pattern::{Matcher, PatternError};
use crate::scan::BuilderKind;

/// What the caller asked for.
#[derive(Clone, Debug, Default)]
pub struct ContextOptions {
    /// The context directory.
    pub dir: PathBuf,
    /// Dockerfiles (`-f`); empty means `DIR/Dockerfile`.
    pub dockerfiles: Vec<PathBuf>,
    /// `--ignore-file`.
    pub ignore_file: Option<PathBuf>,
    /// Which builder to reproduce.
    pub builder: BuilderKind,
    /// The stage to build (`--target`); the last stage when absent.
    pub target: Option<String>,
}

/// A resolved build context.
#[derive(Debug)]
pub struct Context {
    /// The context directory, as given.
    pub root: PathBuf,
    /// The Dockerfiles (existing or not) for this build.
    pub dockerfiles: Vec<PathBuf>,
    /// The builder reproduced.
    pub builder: BuilderKind,
    /// The stage built (`--target`); the last stage when absent.
    pub target: Option<String>,
    /// The ignore file in effect.
    pub ignore: Option<IgnoreFile>,
    /// Its rules.
    pub matcher: Matcher,
    /// Lines Docker refuses (the build would fail).
    pub pattern_errors: Vec<PatternError>,
}

impl Context {
    /// Resolves a context: checks the directory, finds the ignore file and
    /// compiles it. Invalid patterns are kept in `pattern_errors` for the
    /// caller to decide.
    pub fn open(opts: &ContextOptions) -> Result<Context> {
        let root = opts.dir.clone();
        let md = std::fs::metadata(&root).map_err(|e| Error::io(&root, e))?;
        if !md.is_dir() {
            return Err(Error::Context(format!(
                "{}: not a directory (the build context must be a directory)",
                root.display()
            )));
        }
        let dockerfiles = if opts.dockerfiles.is_empty() {
            vec![root.join("Dockerfile")]
        } else {
            opts.dockerfiles.clone()
        };
        let ignore = ignorefile::resolve(
            &root,
            dockerfiles.first().map(PathBuf::as_path),
            opts.ignore_file.as_deref(),
            opts.builder,
        )?;
        let display = ignore.as_ref().map(|f| display_path(&root, &f.path));
        let (matcher, pattern_errors) = ignorefile::compile(ignore.as_ref(), display);
        Ok(Context {
            root,
            dockerfiles,
            builder: opts.builder,
            target: opts.target.clone(),
            ignore,
            matcher,
            pattern_errors,
        })
    }

    /// Fails with every invalid line when Docker would refuse the file.
    pub fn require_valid(&self) -> Result<()> {
        if self.pattern_errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Patterns(self.pattern_errors.clone()))
        }
    }

    /// The ignore file's path for messages, relative to the context when
    /// inside it.
    pub fn ignore_display(&self) -> Option<String> {
        self.ignore
            .as_ref()
            .map(|f| display_path(&self.root, &f.path).display().to_string())
    }
}

/// `path` relative to `root` when it lies inside it, else as given.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}
