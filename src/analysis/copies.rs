//! `COPY`/`ADD` sources the builds of a context will not find: excluded by
//! the ignore file (naming the deciding line), missing, or matching
//! nothing; sources whose variables cannot be resolved; a `--target` that
//! names no stage. For a build whose context ctxsize only inferred, a
//! missing source is reported only when no candidate context makes the
//! sources resolve.

use crate::checks::Severity;
use crate::error::Result;
use crate::facts::builds::Build;
use crate::facts::context::{display_path, Context};
use crate::facts::dockerfiles::Dockerfiles;
use crate::facts::walk::Entries;
use crate::pattern::gomatch;

/// A COPY/ADD problem found by reading a Dockerfile.
#[derive(Clone, Debug)]
pub struct CopyProblem {
    /// The source path.
    pub path: String,
    /// The Dockerfile (relative to the current directory).
    pub file: Option<String>,
    /// Its line.
    pub line: Option<usize>,
    /// One sentence.
    pub message: String,
    /// How sure ctxsize is: an error when the build fails as things stand,
    /// a warning when it would fail from a context ctxsize inferred,
    /// information when it cannot tell (a build argument decides, or the
    /// source is made by an earlier build step).
    pub severity: Severity,
}

fn sure(certain: bool) -> Severity {
    if certain {
        Severity::Error
    } else {
        Severity::Warning
    }
}

/// Sources the builds will not find: excluded by the ignore file (naming
/// the deciding line), missing, or matching nothing; sources whose
/// variables cannot be resolved; a target stage that does not exist; a
/// declared Dockerfile that does not exist.
pub fn copy_problems(
    ctx: &Context,
    builds: &[&Build],
    dockerfiles: &Dockerfiles,
    entries: &Entries,
) -> Result<Vec<CopyProblem>> {
    let mut out = Vec::new();
    let mut seen: Vec<(&std::path::Path, &Option<String>)> = Vec::new();
    for b in builds {
        if seen.contains(&(b.dockerfile.as_path(), &b.target)) {
            continue;
        }
        seen.push((b.dockerfile.as_path(), &b.target));
        let display = display_path(&ctx.root, &b.dockerfile).display().to_string();
        let shown = b.dockerfile.display().to_string();
        let file = Some(shown.strip_prefix("./").unwrap_or(&shown).to_string());
        let certain = b.context_is_certain();
        // For an inferred context, say on what the verdict rests.
        let unless = match &b.inferred {
            Some(i) if i.resolves => format!(
                " if it is built from {} ({})",
                crate::facts::shown(std::path::Path::new("."), &ctx.root),
                i.how
            ),
            _ => String::new(),
        };
        let fails = |s: &str| {
            if certain {
                format!(": the build fails{s}")
            } else {
                format!(": the build would fail{s}{unless}")
            }
        };
        let Some(df) = dockerfiles.get(&b.dockerfile) else {
            if !b.requested || b.dockerfile.exists() {
                let (message, severity) = if b.pipeline && !b.dockerfile.exists() {
                    (
                        format!(
                            "{display} (from {}) is not in this checkout: the build fails unless an earlier step of that pipeline creates it",
                            b.origin
                        ),
                        Severity::Info,
                    )
                } else {
                    (
                        format!("{display} (from {}) cannot be read{}", b.origin, fails("")),
                        sure(certain),
                    )
                };
                out.push(CopyProblem {
                    path: display.clone(),
                    file: None,
                    line: None,
                    message,
                    severity,
                });
            }
            continue;
        };
        let reads = match df.context_reads(b.target.as_deref()) {
            Ok(r) => r,
            Err(e) => {
                if b.target.is_some() {
                    out.push(CopyProblem {
                        path: display.clone(),
                        file: file.clone(),
                        line: None,
                        message: format!("{display}: {e} (target from {}){}", b.origin, fails("")),
                        severity: sure(certain),
                    });
                }
                Vec::new()
            }
        };
        for r in reads {
            for s in &r.sources {
                let what = format!(
                    "{} source `{}` ({}:{})",
                    r.kind.as_str(),
                    s.original,
                    display,
                    r.line
                );
                let mut push = |message: String, severity: Severity| {
                    out.push(CopyProblem {
                        path: s.path.clone(),
                        file: file.clone(),
                        line: Some(r.line),
                        message,
                        severity,
                    })
                };
                if let Some(var) = &s.unresolved {
                    push(
                        format!(
                            "{what} uses ${var}, whose value is not known here; it cannot be checked"
                        ),
                        Severity::Info,
                    );
                    continue;
                }
                if s.path == "." {
                    continue;
                }
                if s.has_wildcard {
                    let mut any = false;
                    for (m, is_dir) in
                        crate::analysis::transfers::expand_wildcard(&ctx.root, &s.path)
                    {
                        if gomatch::matches(s.path.as_bytes(), m.as_bytes())
                            && ctx.decide(m.as_bytes(), is_dir)?.included
                        {
                            any = true;
                            break;
                        }
                    }
                    if !any {
                        push(
                            format!("{what} matches nothing in the context{}", fails("")),
                            sure(certain),
                        );
                    }
                    continue;
                }
                let abs = ctx.root.join(&s.path);
                let Ok(md) = std::fs::symlink_metadata(&abs) else {
                    // A source under a directory that is not there at all
                    // (`.build/…`, `dist/…`), or named through build
                    // arguments, is usually made by a step before `docker
                    // build` (a `make` target, a release tool).
                    let top_missing = s
                        .path
                        .split_once('/')
                        .is_some_and(|(top, _)| !ctx.root.join(top).exists());
                    // A directory (`COPY bin/ …`) that is not there at all,
                    // a build whose pipeline may create it first, or a
                    // context ctxsize only inferred: it cannot tell.
                    let dir_missing = s.original.ends_with('/');
                    if top_missing
                        || dir_missing
                        || s.original.contains('$')
                        || b.pipeline
                        || b.inferred.is_some()
                    {
                        push(
                            format!(
                                "{what} is not in this checkout: the build fails unless a step before `docker build` creates it{}{}",
                                if s.original.contains('$') {
                                    " (the path depends on build arguments; their defaults were used)"
                                } else {
                                    ""
                                },
                                match &b.inferred {
                                    Some(i) => format!(" ({})", i.how),
                                    None => String::new(),
                                }
                            ),
                            Severity::Info,
                        );
                    } else {
                        push(
                            format!("{what} does not exist{}", fails(" with \"not found\"")),
                            sure(certain),
                        );
                    }
                    continue;
                };
                let v = ctx.decide(s.path.as_bytes(), md.is_dir())?;
                // A directory whose own entry is excluded still arrives as
                // the parent of what an exception re-includes below it.
                let sent_below = md.is_dir() && entries.sends_below(s.path.as_bytes());
                if !v.included && !sent_below {
                    let by = v
                        .rule
                        .map(|i| ctx.matcher.rules()[i].location())
                        .unwrap_or_else(|| "the ignore file".into());
                    push(
                        format!("{what} is excluded by {by}{}", fails(" with \"not found\"")),
                        sure(certain),
                    );
                }
            }
        }
    }
    Ok(out)
}
