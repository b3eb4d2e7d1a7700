//! `ctxsize report`: how big the context is, what is heaviest, what is
//! dangerous, and what each suggested rule would save.

use std::io::Write;
use std::sync::atomic::AtomicU64;

use crate::analyze;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::pattern::Matcher;
use crate::report::{self, text::TextStyle, Report, TreeOptions};
use crate::scan::tree::{measure, NoClassifier, Scan};
use crate::scan::{tar, BuilderKind};

/// Options of `report`.
#[derive(Clone, Debug, Default)]
pub struct ReportOptions {
    /// The heaviest-paths tree.
    pub tree: TreeOptions,
    /// JSON instead of text.
    pub json: bool,
    /// Do not walk excluded directories (fast; what they save is unknown).
    pub prune: bool,
    /// Text style.
    pub style: TextStyle,
}

/// Scans the context and builds the report model.
pub fn build(ctx: &Context, opts: &ReportOptions, progress: Option<&AtomicU64>) -> Result<Report> {
    ctx.require_valid()?;
    let eval = |e| Error::Patterns(vec![ctx.matcher.eval_error(&e)]);
    let needed = analyze::needed_paths(ctx)?;
    let (scan, pairs) = measure(
        &ctx.root,
        &ctx.matcher,
        ctx.builder,
        !opts.prune,
        progress,
        || {
            (
                analyze::Classify::new(),
                crate::lint::WalkLint::new(&ctx.matcher, &needed),
            )
        },
    )
    .map_err(eval)?;
    let (classifiers, walk_lint): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
    let lint = crate::lint::quick(ctx, crate::lint::WalkLint::merge_all(walk_lint));
    let findings = analyze::findings(ctx, &scan, classifiers);
    let tar_bytes = classic_tar_bytes(ctx, &scan)?;
    Ok(Report {
        schema_version: report::SCHEMA_VERSION,
        root: ctx.root.display().to_string(),
        builder: ctx.builder.as_str(),
        ignore_file: ctx.ignore.as_ref().map(|f| report::IgnoreInfo {
            path: ctx.ignore_display().unwrap_or_default(),
            origin: f.origin.describe(),
        }),
        context: report::ContextTotals {
            files: scan.included.files,
            bytes: scan.included.bytes,
            tar_bytes,
            sending: tar::docker_human_size(tar_bytes),
            dirs: scan.dirs_in,
            symlinks: scan.symlinks_in,
        },
        excluded: report::ExcludedTotals {
            files: scan.excluded.files,
            bytes: scan.excluded.bytes,
            measured: !opts.prune,
        },
        hardlinks: scan.hardlinks,
        heaviest: report::heaviest(&scan, opts.tree),
        findings,
        dockerfiles: crate::dockerfile_reads::transfers(ctx, &scan),
        copy_problems: crate::dockerfile_reads::copy_problems(ctx)?
            .into_iter()
            .map(|p| p.message)
            .collect(),
        lint,
        special_files: scan
            .special
            .iter()
            .map(|(p, k)| format!("{} ({})", String::from_utf8_lossy(p), k.code()))
            .collect(),
        errors: scan
            .errors
            .iter()
            .map(|e| report::ScanErrorItem {
                path: e.display_path(),
                error: e.error.to_string(),
            })
            .collect(),
    })
}

/// The classic builder's tar stream: its own walk when it differs from the
/// one done (wildcard exceptions under BuildKit), plus `.dockerignore` and
/// the Dockerfile, which the classic CLI always sends (spec §6).
fn classic_tar_bytes(ctx: &Context, scan: &Scan) -> Result<u64> {
    let root = &ctx.root;
    let classic_matcher = if ctx.builder == BuilderKind::Classic {
        None
    } else {
        // The classic builder reads only the context's .dockerignore.
        let data = std::fs::read(root.join(".dockerignore")).ok();
        let m = Matcher::from_bytes(data.as_deref().unwrap_or_default(), None);
        Some(m.matcher)
    };
    let mut base = scan.tar_bytes;
    let matcher = classic_matcher.as_ref().unwrap_or(&ctx.matcher);
    let differs = classic_matcher.is_some()
        && (matcher.exceptions_have_wildcards()
            || ctx
                .ignore
                .as_ref()
                .is_some_and(|f| f.origin != crate::ignorefile::Origin::ContextRoot));
    if differs {
        let (s, _) = measure(root, matcher, BuilderKind::Classic, false, None, || {
            NoClassifier
        })
        .map_err(|e| Error::Patterns(vec![matcher.eval_error(&e)]))?;
        base = s.tar_bytes;
    }
    // Forced entries: .dockerignore, and the Dockerfile when inside the
    // context, if the patterns exclude them.
    let mut forced = 0;
    let mut names = vec![b".dockerignore".to_vec()];
    if let Some(df) = ctx.dockerfiles.first() {
        if let Ok(rel) = df.strip_prefix(root) {
            names.push(rel.as_os_str().as_bytes().to_vec());
        }
    }
    use std::os::unix::ffi::OsStrExt;
    for name in names {
        let p = root.join(std::ffi::OsStr::from_bytes(&name));
        let Ok(md) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if !md.is_file() {
            continue;
        }
        let d = matcher.decide_path(&name, false);
        let excluded = d.map(|d| d.excluded).unwrap_or(true) || parent_pruned(matcher, &name);
        if excluded {
            forced += tar::entry_bytes(&name, false, md.len(), None);
        }
    }
    Ok(base + forced)
}

// Whether an ancestor of `path` is an excluded directory the classic
// builder skips whole.
fn parent_pruned(m: &Matcher, path: &[u8]) -> bool {
    path.iter().enumerate().any(|(i, &b)| {
        b == b'/'
            && m.decide_path(&path[..i], true).is_ok_and(|d| d.excluded)
            && crate::scan::walk::prunes(m, BuilderKind::Classic, &path[..i])
    })
}

/// Runs `report`.
pub fn run(
    ctx: &Context,
    opts: &ReportOptions,
    progress: Option<&AtomicU64>,
    out: &mut dyn Write,
) -> Result<super::ExitStatus> {
    let r = build(ctx, opts, progress)?;
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    if opts.json {
        report::json::render(&r, out).map_err(io)?;
    } else {
        report::text::render(&r, &opts.style, out).map_err(io)?;
    }
    Ok(super::ExitStatus::Success)
}
