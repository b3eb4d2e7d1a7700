//! `ctxsize init`: write a `.dockerignore` from what is on disk, or merge
//! the missing rules into the existing one without losing a byte.
//!
//! Every candidate rule is judged by its effect on this tree: it is added
//! only if it changes what is sent (or, for a new file, it is a safe stack
//! default), never if it would exclude something the build needs (a `COPY`
//! source, a lockfile, a packaging file) or undo one of the user's `!`
//! exceptions. The new content is computed in full, shown, and written
//! atomically only when it changed.

use std::io::Write;
use std::path::PathBuf;

use crate::analyze::{self, Needed};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::ignorefile::document::{append_block, check_text};
use crate::ignorefile::gitignore;
use crate::ignorefile::write::{write_if_changed, Written};
use crate::pattern::Matcher;
use crate::report::text::{group, human};
use crate::scan::tree::{measure, NoClassifier, Totals};
use crate::scan::{list_with, Select};

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

/// A rule ctxsize considered, and what became of it.
#[derive(Clone, Debug)]
pub struct Considered {
    /// The rule.
    pub rule: String,
    /// Group comment it belongs under.
    pub group: String,
    /// Added, or why not.
    pub outcome: Outcome,
}

/// What became of a candidate rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Added.
    Added,
    /// Changes nothing on this tree (already covered).
    NoEffect,
    /// Would exclude something the build needs.
    Needed(String),
    /// Would undo a `!` exception of the user's.
    UndoesException(String),
}

/// The plan: the new content and the reasoning.
#[derive(Debug)]
pub struct Plan {
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
    /// Context before.
    pub before: Totals,
    /// Context after.
    pub after: Totals,
    /// Notes (inexact gitignore translations, ...).
    pub notes: Vec<String>,
}

fn totals(ctx: &Context, m: &Matcher) -> Result<Totals> {
    let (scan, _) = measure(&ctx.root, m, ctx.builder, false, None, || NoClassifier)
        .map_err(|e| Error::Patterns(vec![m.eval_error(&e)]))?;
    Ok(scan.included)
}

fn with_rules(base: &[u8], rules: &[String]) -> Matcher {
    let mut data = base.to_vec();
    if !data.is_empty() && !data.ends_with(b"\n") {
        data.push(b'\n');
    }
    for r in rules {
        data.extend_from_slice(r.as_bytes());
        data.push(b'\n');
    }
    Matcher::from_bytes(&data, None).matcher
}

type Included = std::collections::BTreeMap<Vec<u8>, Option<usize>>;

fn included(ctx: &Context, m: &Matcher) -> Result<Included> {
    let l = list_with(&ctx.root, m, ctx.builder, Select::Included, false)
        .map_err(|e| Error::Patterns(vec![m.eval_error(&e)]))?;
    Ok(l.entries.into_iter().map(|e| (e.path, e.rule)).collect())
}

/// Computes what `init` would write.
pub fn plan(ctx: &Context, opts: &InitOptions) -> Result<Plan> {
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
        None => (ctx.root.join(".dockerignore"), Vec::new(), false),
    };
    let needed = analyze::needed_paths(ctx)?;
    let mut candidates: Vec<(String, String, bool)> = Vec::new(); // (group, rule, default)
    if !existing {
        for (g, r) in analyze::stack_rules(ctx) {
            candidates.push((g, r, true));
        }
    }
    let (_, scan_findings) = analyze::scan_findings(ctx)?;
    for f in &scan_findings {
        candidates.push((group_title(&f.kind), f.rule.clone(), false));
    }
    let mut notes = Vec::new();
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
                candidates.push(("From .gitignore".into(), t.rule.clone(), true));
            }
        }
    }
    // Judge each candidate by its effect, in order.
    let base = old.clone();
    let current = included(ctx, &ctx.matcher)?;
    let mut accepted: Vec<String> = Vec::new();
    let mut considered: Vec<Considered> = Vec::new();
    let mut state = current.clone();
    for (group, rule, default) in candidates {
        if accepted.contains(&rule) || considered.iter().any(|c| c.rule == rule) {
            continue;
        }
        let mut trial = accepted.clone();
        trial.push(rule.clone());
        let m = with_rules(&base, &trial);
        let after = included(ctx, &m)?;
        let removed: Vec<&Vec<u8>> = state.keys().filter(|p| !after.contains_key(*p)).collect();
        let outcome = if let Some(why) = blocks_needed(&needed, &removed) {
            Outcome::Needed(why)
        } else if let Some(line) = removed.iter().find_map(|p| user_exception(ctx, p)) {
            Outcome::UndoesException(line)
        } else if removed.is_empty() && (existing || !default) {
            Outcome::NoEffect
        } else {
            Outcome::Added
        };
        if outcome == Outcome::Added {
            accepted.push(rule.clone());
            state = after;
        }
        considered.push(Considered {
            rule,
            group,
            outcome,
        });
    }
    let before = totals(ctx, &ctx.matcher)?;
    let new = if existing {
        append_block(&old, &accepted)
    } else {
        generate(&considered)
    };
    let after = totals(ctx, &Matcher::from_bytes(&new, None).matcher)?;
    Ok(Plan {
        path,
        old,
        new,
        existing,
        considered,
        before,
        after,
        notes,
    })
}

// A `!` exception of the user's that names `path` or one of its parent
// directories: the user wants it sent, whether or not the exception
// decides it today.
fn user_exception(ctx: &Context, path: &[u8]) -> Option<String> {
    ctx.matcher.rules().iter().find_map(|r| {
        let hit = r.exception
            && (r.strategy.matches(path).unwrap_or(false)
                || path
                    .iter()
                    .enumerate()
                    .any(|(i, &b)| b == b'/' && r.strategy.matches(&path[..i]).unwrap_or(false)));
        hit.then(|| r.location())
    })
}

fn group_title(kind: &str) -> String {
    match kind {
        "vcs" => "Version control",
        "secret" => "Secrets: never send credentials to the builder",
        "dependencies" => "Dependencies (installed inside the image)",
        "virtualenv" => "Virtual environments",
        "cache" => "Caches",
        "build" => "Build output",
        "logs" => "Logs",
        "coverage" => "Coverage and test reports",
        "editor" => "Editor and OS files",
        "infra" => "Infrastructure state",
        _ => "Other",
    }
    .to_string()
}

/// The comment a generated file starts with.
pub const GENERATED_HEADER: &str =
    "# Generated by ctxsize init from what is on disk; edit freely (ctxsize init merges new rules below your lines).";

fn generate(considered: &[Considered]) -> Vec<u8> {
    let mut out = String::from(GENERATED_HEADER);
    out.push('\n');
    let mut groups: Vec<&str> = Vec::new();
    for c in considered.iter().filter(|c| c.outcome == Outcome::Added) {
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
    }
    for g in groups {
        out.push_str(&format!("\n# {g}\n"));
        for c in considered
            .iter()
            .filter(|c| c.outcome == Outcome::Added && c.group == g)
        {
            out.push_str(&c.rule);
            out.push('\n');
        }
    }
    out.into_bytes()
}

// Whether a needed path is among those a rule just removed.
fn blocks_needed(needed: &[Needed], removed: &[&Vec<u8>]) -> Option<String> {
    for n in needed {
        if let Some(p) = removed.iter().find(|p| analyze::needs(n, p)) {
            return Some(format!(
                "it would exclude {} ({})",
                String::from_utf8_lossy(p),
                n.why
            ));
        }
    }
    None
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
        let rel = crate::context::display_path(&ctx.root, e.path());
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
pub fn run(ctx: &Context, opts: &InitOptions, out: &mut dyn Write) -> Result<super::ExitStatus> {
    let plan = plan(ctx, opts)?;
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    let changed = plan.new != plan.old;
    if opts.stdout {
        out.write_all(&plan.new).map_err(io)?;
        return Ok(super::ExitStatus::Success);
    }
    let shown = crate::context::display_path(&ctx.root, &plan.path);
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
            writeln!(out, "  + {}", c.rule).map_err(io)?;
        }
    }
    for c in &plan.considered {
        match &c.outcome {
            Outcome::Needed(why) => {
                writeln!(out, "  not adding `{}`: {why}", c.rule).map_err(io)?
            }
            Outcome::UndoesException(line) => writeln!(
                out,
                "  not adding `{}`: it would undo your exception {line}",
                c.rule
            )
            .map_err(io)?,
            _ => {}
        }
    }
    for n in &plan.notes {
        writeln!(out, "  note: {n}").map_err(io)?;
    }
    if changed {
        writeln!(
            out,
            "  context: {} files, {} -> {} files, {} (saves {})",
            group(plan.before.files),
            human(plan.before.bytes),
            group(plan.after.files),
            human(plan.after.bytes),
            human(plan.before.bytes.saturating_sub(plan.after.bytes))
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
