//! `ctxsize init`: write an ignore file from what is on disk, or merge the
//! missing rules into the existing one without losing a byte.
//!
//! The rules come from the run's plan ([`crate::analysis::plan`]), judged
//! in memory against the one walk of the context: a rule is added only if
//! it changes what is sent (or, for a new file, it is a safe stack
//! default), never if it would exclude something a build of the context
//! needs or undo one of the user's `!` exceptions. The new content is
//! computed in full, shown, and written atomically only when it changed.

use std::io::Write;
use std::path::PathBuf;

use crate::analysis::findings;
use crate::analysis::plan::{self, Candidate, Considered, Outcome};
use crate::error::{Error, Result};
use crate::facts::context::Context;
use crate::facts::walk::WalkWants;
use crate::facts::Facts;
use crate::ignorefile::document::{append_block, check_text};
use crate::ignorefile::gitignore;
use crate::ignorefile::write::{write_if_changed, Written};
use crate::report::text::{group, human};

/// Options of `init`.
#[derive(Clone, Debug, Default)]
pub struct InitOptions {
    /// Print a unified diff; write nothing.
    pub dry_run: bool,
    /// Exit 1 if the file would change; write nothing.
    pub check: bool,
    /// Print the resulting file; write nothing.
    pub stdout: bool,
    /// Also translate the repository's `.gitignore` files.
    pub from_gitignore: bool,
}

/// What `init` would write, and why.
#[derive(Debug)]
pub struct InitPlan {
    /// The ignore file to write.
    pub path: PathBuf,
    /// Current bytes (empty when there is no file).
    pub old: Vec<u8>,
    /// New bytes.
    pub new: Vec<u8>,
    /// Whether a file exists already.
    pub existing: bool,
    /// Every candidate and its outcome.
    pub considered: Vec<Considered>,
    /// Files and bytes sent before.
    pub before: (u64, u64),
    /// Files and bytes sent after.
    pub after: (u64, u64),
    /// Notes (inexact gitignore translations, ...).
    pub notes: Vec<String>,
}

/// Computes what `init` would write.
pub fn make_plan(facts: &Facts, ctx: &Context, opts: &InitOptions) -> Result<InitPlan> {
    ctx.require_valid()?;
    let (path, old, existing) = match &ctx.ignore {
        Some(f) => {
            check_text(&f.data).map_err(|why| {
                Error::Other(format!(
                    "{}: cannot merge into this file: {why}; nothing was written",
                    f.path.display()
                ))
            })?;
            (f.path.clone(), f.data.clone(), true)
        }
        // Podman and Buildah read either file; a project built from a
        // Containerfile keeps `.containerignore`.
        None if ctx.builder == crate::pattern::Builder::Podman
            && ctx.root.join("Containerfile").exists()
            && !ctx.root.join("Dockerfile").exists() =>
        {
            (ctx.root.join(".containerignore"), Vec::new(), false)
        }
        None => (ctx.root.join(".dockerignore"), Vec::new(), false),
    };
    let walk = facts.walk(
        ctx,
        WalkWants {
            measure_excluded: false,
        },
        None,
    )?;
    // After the walk: the builds (and so the needs) come from what it saw.
    let needs = facts.needs(ctx);
    let found = findings::group(&walk);
    let mut notes = Vec::new();
    let mut extra = Vec::new();
    if opts.from_gitignore {
        for (dir, text) in gitignore_files(ctx) {
            for t in gitignore::translate(&dir, &text) {
                if t.rule.is_empty() {
                    continue;
                }
                for why in &t.inexact {
                    notes.push(format!(
                        "{}.gitignore:{}: `{}` -> `{}`: {why}",
                        dir,
                        t.source_line,
                        t.original.trim(),
                        t.rule
                    ));
                }
                extra.push(Candidate::new(
                    "From .gitignore",
                    vec![t.rule.clone()],
                    true,
                ));
            }
        }
    }
    let entries = &walk.entries;
    let p = plan::for_context(ctx, entries, &needs, &found, extra);
    let new = if existing {
        append_block(&old, &p.added())
    } else {
        plan::render_new_file(&p)
    };
    Ok(InitPlan {
        path,
        old,
        new,
        existing,
        considered: p.considered,
        before: p.before,
        after: p.after,
        notes,
    })
}

/// `.gitignore` files of the tree, shallowest first, as (dir prefix with
/// trailing `/` or empty, text). Directories the gitignores exclude are
/// not entered (the `ignore` crate's walker applies them).
fn gitignore_files(ctx: &Context) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(&ctx.root)
        .hidden(false)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for e in walker.flatten() {
        if e.file_name() != ".gitignore" || !e.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = crate::facts::context::display_path(&ctx.root, e.path());
        let dir = rel
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let dir = if dir.is_empty() {
            dir
        } else {
            format!("{dir}/")
        };
        if let Ok(text) = std::fs::read_to_string(e.path()) {
            out.push((dir, text));
        }
    }
    out.sort_by_key(|(d, _)| d.matches('/').count());
    out
}

/// Runs `init`.
pub fn run(facts: &Facts, opts: &InitOptions, out: &mut dyn Write) -> Result<super::ExitStatus> {
    let ctx = &facts.main_context()?;
    let plan = make_plan(facts, ctx, opts)?;
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    let changed = plan.new != plan.old;
    if opts.stdout {
        out.write_all(&plan.new).map_err(io)?;
        return Ok(super::ExitStatus::Success);
    }
    let shown = crate::facts::context::display_path(&ctx.root, &plan.path);
    let added: Vec<&Considered> = plan
        .considered
        .iter()
        .filter(|c| c.outcome == Outcome::Added)
        .collect();
    if !changed {
        writeln!(
            out,
            "{}: up to date (no rule would change what this tree sends)",
            shown.display()
        )
        .map_err(io)?;
    } else {
        writeln!(
            out,
            "{} {}: {} rule{}",
            if plan.existing {
                "Merging into"
            } else {
                "Writing"
            },
            shown.display(),
            added.len(),
            if added.len() == 1 { "" } else { "s" }
        )
        .map_err(io)?;
        for c in &added {
            for l in &c.lines {
                writeln!(out, "  + {l}").map_err(io)?;
            }
        }
    }
    for c in &plan.considered {
        if let Some(why) = c.declined_because() {
            writeln!(out, "  not adding `{}`: {why}", c.lines.join("` + `")).map_err(io)?;
        }
    }
    for n in &plan.notes {
        writeln!(out, "  note: {n}").map_err(io)?;
    }
    if changed {
        writeln!(
            out,
            "  context: {} files, {} -> {} files, {} (saves {})",
            group(plan.before.0),
            human(plan.before.1),
            group(plan.after.0),
            human(plan.after.1),
            human(plan.before.1.saturating_sub(plan.after.1))
        )
        .map_err(io)?;
    }
    if opts.dry_run {
        if changed {
            let old = String::from_utf8_lossy(&plan.old);
            let new = String::from_utf8_lossy(&plan.new);
            let name = shown.display().to_string();
            let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
            write!(
                out,
                "{}",
                diff.unified_diff()
                    .header(&format!("a/{name}"), &format!("b/{name}"))
            )
            .map_err(io)?;
        }
        return Ok(super::ExitStatus::Success);
    }
    if opts.check {
        return Ok(if changed {
            super::ExitStatus::Failure
        } else {
            super::ExitStatus::Success
        });
    }
    if changed {
        match write_if_changed(&plan.path, &plan.new)? {
            Written::Unchanged => {}
            Written::Created => writeln!(out, "wrote {}", shown.display()).map_err(io)?,
            Written::Replaced => writeln!(out, "updated {}", shown.display()).map_err(io)?,
        }
    }
    Ok(super::ExitStatus::Success)
}
