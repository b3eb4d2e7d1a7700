//! A build context as every verb sees it: the root directory, the
//! Dockerfile, the effective ignore file and its compiled rules.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ignorefile::{self, IgnoreFile};
use crate::pattern::{Decision, ParentState};
use crate::pattern::{Matcher, PatternError};
use crate::relpath::as_path as os;
use crate::scan::walk::prunes;
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

/// The answer for one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The path relative to the context root.
    pub path: Vec<u8>,
    /// Whether it exists on disk.
    pub exists: bool,
    /// Whether it is sent.
    pub included: bool,
    /// The deciding rule (index), if any.
    pub rule: Option<usize>,
    /// The deciding rule matched this ancestor rather than the path.
    pub via_parent: Option<Vec<u8>>,
    /// An excluded ancestor that the builder skips whole.
    pub pruned_by: Option<Vec<u8>>,
    /// Sent, but with 0 bytes: BuildKit's check on reading excludes it.
    pub arrives_empty: bool,
}

impl Context {
    /// Decides one context-relative path the way the walk reaches it: its
    /// parent chain is replayed from the root, and an excluded ancestor
    /// that the builder skips whole decides everything below it, whatever
    /// the patterns say about the path itself (spec §5.3). This is the one
    /// answer to "is this path sent?" that every verb uses.
    pub fn decide(&self, rel: &[u8], is_dir: bool) -> Result<Verdict> {
        let ctx = self;
        let m = &ctx.matcher;
        let mut state = ParentState::root();
        let mut next = ParentState::root();
        // (decision, path) of each ancestor, to name the one a parent match came from.
        let mut chain: Vec<(Decision, usize)> = Vec::new();
        let eval = |e| Error::Patterns(vec![m.eval_error(&e)]);
        let exists = std::fs::symlink_metadata(ctx.root.join(os(rel))).is_ok();
        for (i, &b) in rel.iter().enumerate() {
            if b != b'/' {
                continue;
            }
            let dir = &rel[..i];
            let d = m.decide(dir, &state, Some(&mut next)).map_err(eval)?;
            std::mem::swap(&mut state, &mut next);
            chain.push((d, i));
            if d.excluded && prunes(m, ctx.builder, dir) {
                return Ok(Verdict {
                    path: rel.to_vec(),
                    exists,
                    included: false,
                    rule: d.rule,
                    via_parent: origin(&chain, rel).or_else(|| Some(dir.to_vec())),
                    pruned_by: Some(dir.to_vec()),
                    arrives_empty: false,
                });
            }
        }
        let mut own = ParentState::root();
        let d = m
            .decide(rel, &state, if is_dir { Some(&mut own) } else { None })
            .map_err(eval)?;
        chain.push((d, rel.len()));
        Ok(Verdict {
            path: rel.to_vec(),
            exists,
            included: !d.excluded,
            rule: d.rule,
            via_parent: origin(&chain, rel),
            pruned_by: None,
            arrives_empty: ctx.builder == crate::scan::BuilderKind::BuildKit
                && !d.excluded
                && !is_dir
                && m.arrives_empty(rel),
        })
    }
}

// When the last decision applied through a parent, the shallowest ancestor
// where that rule started to apply.
fn origin(chain: &[(Decision, usize)], rel: &[u8]) -> Option<Vec<u8>> {
    let (last, _) = chain.last()?;
    if !last.via_parent {
        return None;
    }
    let rule = last.rule?;
    chain
        .iter()
        .find(|(d, _)| d.rule == Some(rule) && !d.via_parent)
        .map(|(_, end)| rel[..*end].to_vec())
}
