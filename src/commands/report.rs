//! `ctxsize report`: how big the context is, what is heaviest, what is
//! dangerous, what each suggested rule would save, and every other build
//! context of the repository.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicU64;

use crate::analysis::{copies, findings, lint, plan, transfers};
use crate::error::{Error, Result};
use crate::facts::builds::clean;
use crate::facts::context::{display_path, Context, ContextOptions};
use crate::facts::walk::{Walk, WalkWants};
use crate::facts::{shown, Facts};
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
pub fn build(facts: &Facts, opts: &ReportOptions, progress: Option<&AtomicU64>) -> Result<Report> {
    let ctx = facts.main_context()?;
    ctx.require_valid()?;
    let walk = facts.walk(
        &ctx,
        WalkWants {
            measure_excluded: !opts.prune,
        },
        progress,
    )?;
    // After the walk: the builds (and so the needs) come from what it saw.
    let needs = facts.needs(&ctx);
    let lint = lint::quick(&ctx, &walk, &needs, facts.request.builder_is_default());
    let found = plan::advised(&ctx, &walk, &needs);
    let builds = facts.builds_of(&ctx);
    let contexts = build_contexts(facts, &ctx, (&walk, &found), !opts.prune)?;
    let tar_bytes = classic_tar_bytes(&ctx, &walk.scan)?;
    let scan = &walk.scan;
    Ok(Report {
        schema_version: report::SCHEMA_VERSION,
        root: ctx.root.display().to_string(),
        builder: ctx.builder.as_str(),
        builder_reason: facts.request.builder_source.clone(),
        ignore_file_by_builder: report::ignore_files_by_builder(
            &ctx,
            facts.request.ignore_file.as_deref(),
        ),
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
        heaviest: report::heaviest(scan, opts.tree),
        dockerfiles: transfers::transfers(&ctx, scan, &builds, &facts.dockerfiles),
        copy_problems: copies::copy_problems(&ctx, &builds, &facts.dockerfiles, &walk.entries)?
            .into_iter()
            .map(|p| p.message)
            .collect(),
        findings: found,
        lint,
        builds: facts
            .builds()
            .iter()
            .map(|b| report::BuildInfo::new(&ctx.root, b))
            .collect(),
        contexts,
        discovery_notes: facts.notes().to_vec(),
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

/// Each build context of the repository once, with its effective ignore
/// file: the builds grouped by context directory and ignore file (a
/// Dockerfile-specific ignore file makes its own group), each group walked
/// once. Empty when the only build is the one this report is about.
fn build_contexts(
    facts: &Facts,
    main: &Context,
    (main_walk, main_findings): (&Walk, &[findings::Finding]),
    measure_others: bool,
) -> Result<Vec<report::BuildContext>> {
    let main_dir = clean(&main.root);
    let main_ignore = main.ignore.as_ref().map(|f| clean(&f.path));
    let resolve = |b: &crate::facts::builds::Build| facts.ignore_file_of(b, main.builder);
    let only_main = facts
        .builds()
        .iter()
        .all(|b| clean(&b.context) == main_dir && (b.requested || resolve(b) == main_ignore));
    if only_main {
        return Ok(Vec::new());
    }
    // Group: (context, ignore file) -> builds.
    let mut groups: Vec<(
        std::path::PathBuf,
        Option<std::path::PathBuf>,
        Vec<&crate::facts::builds::Build>,
    )> = Vec::new();
    for b in facts.builds() {
        let ignore = if b.requested {
            main_ignore.clone()
        } else {
            resolve(b)
        };
        let key = clean(&b.context);
        match groups
            .iter_mut()
            .find(|(c, i, _)| *c == key && *i == ignore)
        {
            Some(g) => g.2.push(b),
            None => groups.push((key, ignore, vec![b])),
        }
    }
    let mut out = Vec::new();
    for (dir, ignore, builds) in groups {
        let mut bc = report::BuildContext {
            context: shown(&main.root, &dir),
            dockerfiles: builds
                .iter()
                .map(|b| report::ContextDockerfile {
                    path: shown(&main.root, &b.dockerfile),
                    target: b.target.clone(),
                    origin: b.origin.clone(),
                    inferred: b.inferred.as_ref().map(|i| i.how.clone()),
                    exists: b.dockerfile.is_file(),
                })
                .collect(),
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
        let this = dir == main_dir && ignore == main_ignore;
        let opened;
        let ctx = if this {
            main
        } else {
            let first = builds[0];
            opened = Context::open(&ContextOptions {
                dir: dir.clone(),
                dockerfiles: vec![first.dockerfile.clone()],
                ignore_file: None,
                builder: main.builder,
            });
            match &opened {
                Ok(c) => c,
                Err(e) => {
                    bc.error = Some(e.to_string());
                    out.push(bc);
                    continue;
                }
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
        bc.this_report = this;
        if !this && !measure_others {
            bc.error = Some("not measured (--prune reads only this context)".into());
            out.push(bc);
            continue;
        }
        // The context of this report was walked already.
        let own;
        let walk = if this {
            bc.findings = main_findings.to_vec();
            main_walk
        } else {
            own = facts.walk(
                ctx,
                WalkWants {
                    measure_excluded: false,
                },
                None,
            )?;
            bc.findings = plan::advised(ctx, &own, &facts.needs(ctx));
            &own
        };
        let scan = &walk.scan;
        bc.files = scan.included.files;
        bc.bytes = scan.included.bytes;
        bc.transfers = transfers::transfers(ctx, scan, &builds, &facts.dockerfiles)
            .into_iter()
            .map(|mut d| {
                d.path = display_path(&main.root, &d.file).display().to_string();
                d
            })
            .collect();
        bc.copy_problems = copies::copy_problems(ctx, &builds, &facts.dockerfiles, &walk.entries)?
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
    facts: &Facts,
    opts: &ReportOptions,
    progress: Option<&AtomicU64>,
    out: &mut dyn Write,
) -> Result<super::ExitStatus> {
    let r = build(facts, opts, progress)?;
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    if opts.json {
        report::json::render(&r, out).map_err(io)?;
    } else {
        report::text::render(&r, &opts.style, out).map_err(io)?;
    }
    Ok(super::ExitStatus::Success)
}
