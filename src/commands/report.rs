//! `ctxsize report`: how big the context is, what is heaviest, what is
//! dangerous, and what each suggested rule would save.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use crate::analyze;
use crate::context::Context;
use crate::context::{display_path, ContextOptions};
use crate::discover::{self, Build};
use crate::error::{Error, Result};
use crate::pattern::Matcher;
use crate::report::{self, text::TextStyle, Report, TreeOptions};
use crate::scan::tree::{measure, NoClassifier, Scan};
use crate::scan::{tar, BuilderKind};
use crate::scan::{Entry, EntryKind};

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
    let (scan, all) = measure(
        &ctx.root,
        &ctx.matcher,
        ctx.builder,
        !opts.prune,
        progress,
        || {
            (
                (
                    analyze::Classify::new(),
                    crate::lint::WalkLint::new(&ctx.matcher, &needed),
                ),
                DockerfilesSeen::default(),
            )
        },
    )
    .map_err(eval)?;
    let (pairs, seen): (Vec<_>, Vec<_>) = all.into_iter().unzip();
    let (classifiers, walk_lint): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
    // The repository's other builds, from the candidate files this walk saw
    // (under --prune, only those outside skipped directories: that run
    // reads nothing Docker does not).
    let found = seen.into_iter().flat_map(|s| s.0).collect();
    let discovery =
        discover::discover_from(&ctx.root, found, &mut discover::ParsedDockerfiles::new());
    let lint = crate::lint::quick(ctx, crate::lint::WalkLint::merge_all(walk_lint));
    let findings = analyze::findings_with(&scan, classifiers, &needed);
    let contexts = build_contexts(ctx, (&scan, &findings), discovery.builds, !opts.prune)?;
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
        contexts,
        discovery_notes: discovery.notes,
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

// Collects the files a walk sees that may define builds, for discovery.
#[derive(Default)]
struct DockerfilesSeen(Vec<(PathBuf, discover::FileKind)>);

impl crate::scan::tree::Classifier for DockerfilesSeen {
    fn visit(&mut self, _root: &Path, e: &Entry<'_>) {
        let name = crate::relpath::basename(e.path);
        if let Some(kind) = discover::candidate(e.path, name, e.kind == EntryKind::Dir) {
            self.0
                .push((crate::relpath::as_path(e.path).to_path_buf(), kind));
        }
    }
}

/// Each build context of the repository once, with its effective ignore
/// file: the discovered builds grouped by context directory and ignore file
/// (a Dockerfile-specific ignore file makes its own group). Empty when the
/// only build is the one this report is about.
fn build_contexts(
    main: &Context,
    (main_scan, main_findings): (&Scan, &[report::Finding]),
    targets: Vec<Build>,
    measure_others: bool,
) -> Result<Vec<report::BuildContext>> {
    let main_dir = discover::clean(&main.root);
    let main_df = main.dockerfiles.first().map(|p| discover::clean(p));
    let only_main = targets.iter().all(|t| {
        discover::clean(&t.context) == main_dir && Some(discover::clean(&t.dockerfile)) == main_df
    });
    if only_main {
        return Ok(Vec::new());
    }
    // Group: (context, ignore file) -> targets.
    let mut groups: Vec<(PathBuf, Option<PathBuf>, Vec<Build>)> = Vec::new();
    for t in targets {
        let ignore =
            crate::ignorefile::resolve(&t.context, Some(&t.dockerfile), None, main.builder)
                .ok()
                .flatten()
                .map(|f| f.path);
        let key = discover::clean(&t.context);
        match groups
            .iter_mut()
            .find(|(c, i, _)| *c == key && *i == ignore)
        {
            Some(g) => g.2.push(t),
            None => groups.push((key, ignore, vec![t])),
        }
    }
    let mut out = Vec::new();
    for (dir, _, targets) in groups {
        let shown = display_path(&main.root, &dir).display().to_string();
        let shown = if shown.is_empty() {
            ".".to_string()
        } else {
            shown
        };
        let dockerfiles: Vec<report::ContextDockerfile> = targets
            .iter()
            .map(|t| report::ContextDockerfile {
                path: display_path(&main.root, &t.dockerfile)
                    .display()
                    .to_string(),
                target: t.target.clone(),
                origin: t
                    .origins
                    .iter()
                    .map(discover::Origin::describe)
                    .collect::<Vec<_>>()
                    .join("; "),
                exists: t.dockerfile.is_file(),
            })
            .collect();
        let mut bc = report::BuildContext {
            context: shown,
            dockerfiles,
            ..report::BuildContext::default()
        };
        let inside = if main_dir == Path::new(".") {
            !dir.starts_with("..") && !dir.is_absolute()
        } else {
            dir.starts_with(&main_dir)
        };
        if !inside {
            bc.error = Some("outside the directory reported on; not measured".into());
            out.push(bc);
            continue;
        }
        if !dir.is_dir() {
            bc.error = Some("the context directory does not exist; the build fails".into());
            out.push(bc);
            continue;
        }
        let mut builds: Vec<(PathBuf, Option<String>)> = Vec::new();
        for t in &targets {
            let b = (t.dockerfile.clone(), t.target.clone());
            if !builds.contains(&b) {
                builds.push(b);
            }
        }
        let mut dockerfiles: Vec<PathBuf> = builds.iter().map(|b| b.0.clone()).collect();
        dockerfiles.dedup();
        let opened = Context::open(&ContextOptions {
            dir: dir.clone(),
            dockerfiles,
            ignore_file: None,
            builder: main.builder,
            target: None,
        });
        let ctx = match opened {
            Ok(c) => c,
            Err(e) => {
                bc.error = Some(e.to_string());
                out.push(bc);
                continue;
            }
        };
        bc.ignore_file = ctx.ignore.as_ref().map(|f| report::IgnoreInfo {
            path: display_path(&main.root, &f.path).display().to_string(),
            origin: f.origin.describe(),
        });
        if let Err(e) = ctx.require_valid() {
            bc.error = Some(e.to_string());
            out.push(bc);
            continue;
        }
        bc.this_report = dir == main_dir
            && ctx.ignore.as_ref().map(|f| &f.path) == main.ignore.as_ref().map(|f| &f.path);
        if !bc.this_report && !measure_others {
            bc.error = Some("not measured (--prune reads only this context)".into());
            out.push(bc);
            continue;
        }
        // The context of this report was measured already.
        let own;
        let scan = if bc.this_report {
            bc.findings = main_findings.to_vec();
            main_scan
        } else {
            let (scan, found) = analyze::scan_findings(&ctx)?;
            bc.findings = found;
            own = scan;
            &own
        };
        bc.files = scan.included.files;
        bc.bytes = scan.included.bytes;
        bc.transfers = crate::dockerfile_reads::transfers_for(&ctx, scan, &builds)
            .into_iter()
            .map(|mut d| {
                d.path = display_path(&main.root, &ctx.root.join(&d.path))
                    .display()
                    .to_string();
                d
            })
            .collect();
        bc.copy_problems = crate::dockerfile_reads::copy_problems(&ctx)?
            .into_iter()
            .map(|p| p.message)
            .collect();
        out.push(bc);
    }
    Ok(out)
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
