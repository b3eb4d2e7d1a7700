//! `ctxsize check`: the fast, quiet check for pre-commit and CI.
//!
//! It walks like Docker (excluded directories are skipped, not measured),
//! and reports one line per problem: secrets and catalogue heavy paths in
//! the context, budgets exceeded, a missing ignore file, invalid patterns,
//! `COPY` sources the ignore file excludes, misleading ignore-file lines,
//! and staged files that would land in the context. It warns by default;
//! `--strict`/`--fail-on` turn chosen categories into exit 1. Its advice
//! comes from the same plan `init` writes, so a rule it asks for is one
//! `init` adds.

use std::io::Write;

use serde::Serialize;

use crate::analysis::{copies, lint, plan, staged};
use crate::checks::{self, Category};
use crate::diag::{self, convert, Diagnostic};
use crate::error::{Error, Result};
use crate::facts::walk::WalkWants;
use crate::facts::{git, Facts};
use crate::report::text::human;

/// Output formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// `path: level: message [fix]` lines and a summary.
    #[default]
    Text,
    /// A JSON object.
    Json,
    /// GitHub Actions workflow commands.
    Github,
    /// SARIF 2.1.0.
    Sarif,
}

/// Options of `check`.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Categories that fail (from flags; `None` = config or nothing).
    pub fail_on: Option<Vec<Category>>,
    /// Size budget (flag).
    pub max_size: Option<u64>,
    /// File-count budget (flag).
    pub max_files: Option<u64>,
    /// Look at staged files too.
    pub staged: bool,
    /// Staged files above this size are reported (default 5 MB).
    pub staged_max_size: Option<u64>,
    /// Print nothing.
    pub quiet: bool,
    /// Output format.
    pub format: Format,
}

/// The outcome, for output and tests.
#[derive(Debug, Serialize)]
pub struct Outcome {
    /// The builder checked for, and why that one.
    pub builder: &'static str,
    /// Why this builder (`--builder`, `CTXSIZE_BUILDER`, `.ctxsize.toml`,
    /// the default).
    pub builder_reason: String,
    /// The ignore file each builder reads for this build.
    pub ignore_file_by_builder: Vec<crate::report::BuilderIgnore>,
    /// Every problem found.
    pub problems: Vec<Diagnostic>,
    /// Files sent.
    pub files: u64,
    /// Bytes sent.
    pub bytes: u64,
    /// Whether any problem fails the check.
    pub failed: bool,
}

/// Runs every check and returns the problems.
pub fn evaluate(facts: &Facts, opts: &CheckOptions) -> Result<Outcome> {
    let ctx = facts.main_context()?;
    let config = crate::config::Config::load(&ctx.root)?;
    let fail_on: Vec<Category> = opts
        .fail_on
        .clone()
        .or(config.fail_on.clone())
        .unwrap_or_default();
    let max_size = opts.max_size.or(config.max_size);
    let max_files = opts.max_files.or(config.max_files);
    let mut problems: Vec<Diagnostic> = Vec::new();
    let ignore_cwd = ctx.ignore.as_ref().map(|f| f.path.display().to_string());
    let finish = |mut problems: Vec<Diagnostic>, files, bytes| {
        problems.retain(|d| {
            !config
                .allow
                .iter()
                .any(|a| *a == d.subject || d.subject.starts_with(&format!("{a}/")))
        });
        diag::sort(&mut problems);
        diag::mark_failing(&mut problems, &fail_on);
        let failed = problems.iter().any(|p| p.fails);
        Outcome {
            builder: ctx.builder.as_str(),
            builder_reason: facts.request.builder_source.clone(),
            ignore_file_by_builder: crate::report::ignore_files_by_builder(
                &ctx,
                facts.request.ignore_file.as_deref(),
            ),
            problems,
            files,
            bytes,
            failed,
        }
    };
    if !ctx.pattern_errors.is_empty() {
        let file = ctx.ignore_display().unwrap_or_default();
        for l in lint::lines::invalid(&ctx, &file) {
            problems.push(convert::lint(&l, ignore_cwd.as_deref()));
        }
        return Ok(finish(problems, 0, 0));
    }
    if ctx.ignore.is_none() {
        problems.push(Diagnostic::new(
            checks::NO_IGNORE,
            ".",
            "no .dockerignore: everything in the directory is sent (create one with `ctxsize init`)",
        ));
    }
    let walk = facts.walk(
        &ctx,
        WalkWants {
            measure_excluded: false,
        },
        None,
    )?;
    // After the walk: the builds (and so the needs) come from what it saw.
    let needs = facts.needs(&ctx);
    for l in lint::quick(&ctx, &walk, &needs, facts.request.builder_is_default()) {
        problems.push(convert::lint(&l, ignore_cwd.as_deref()));
    }
    for f in &plan::advised(&ctx, &walk, &needs) {
        problems.push(convert::finding(&ctx, f));
    }
    let sent = walk.scan.included;
    if let Some(max) = max_size.filter(|&m| sent.bytes > m) {
        problems.push(Diagnostic::new(
            checks::SIZE_BUDGET,
            ".",
            format!(
                "build context is {}, over the {} budget",
                human(sent.bytes),
                human(max)
            ),
        ));
    }
    if let Some(max) = max_files.filter(|&m| sent.files > m) {
        problems.push(Diagnostic::new(
            checks::FILES_BUDGET,
            ".",
            format!(
                "build context has {} files, over the {} budget",
                sent.files, max
            ),
        ));
    }
    if opts.staged {
        let threshold = opts
            .staged_max_size
            .or(config.staged_max_size)
            .unwrap_or(5_000_000);
        for s in staged::judge(&ctx, &git::staged(&ctx.root), threshold)? {
            problems.push(convert::staged(&ctx, &s));
        }
    }
    let builds = facts.builds_of(&ctx);
    for p in copies::copy_problems(&ctx, &builds, &facts.dockerfiles, &walk.entries)? {
        problems.push(convert::copy(&p));
    }
    Ok(finish(problems, sent.files, sent.bytes))
}

/// Runs `check` and writes its output.
pub fn run(facts: &Facts, opts: &CheckOptions, out: &mut dyn Write) -> Result<super::ExitStatus> {
    let outcome = evaluate(facts, opts)?;
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    if !opts.quiet {
        match opts.format {
            Format::Text => text(&outcome, facts, out).map_err(io)?,
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, &outcome).map_err(Error::json)?;
                writeln!(out).map_err(io)?;
            }
            Format::Github => diag::github::render(&outcome.problems, out).map_err(io)?,
            Format::Sarif => {
                serde_json::to_writer_pretty(&mut *out, &diag::sarif::log(&outcome.problems))
                    .map_err(Error::json)?;
                writeln!(out).map_err(io)?;
            }
        }
    }
    Ok(if outcome.failed {
        super::ExitStatus::Failure
    } else {
        super::ExitStatus::Success
    })
}

fn text(o: &Outcome, facts: &Facts, out: &mut dyn Write) -> std::io::Result<()> {
    if o.problems.is_empty() {
        return Ok(());
    }
    for p in &o.problems {
        diag::text::problem_line(p, out)?;
    }
    let failing = o.problems.iter().filter(|p| p.fails).count();
    writeln!(
        out,
        "ctxsize check: {} problem{} in {} ({} files, {} sent){}",
        o.problems.len(),
        if o.problems.len() == 1 { "" } else { "s" },
        facts.request.dir.display(),
        o.files,
        human(o.bytes),
        if failing > 0 {
            format!("; {failing} fail the check")
        } else {
            String::new()
        }
    )
}

/// Resolves the categories of `--fail-on`/`--strict`.
pub fn parse_fail_on(
    list: &[String],
    strict: bool,
) -> std::result::Result<Option<Vec<Category>>, String> {
    if strict && list.is_empty() {
        return Ok(Some(Category::STRICT.to_vec()));
    }
    if list.is_empty() {
        return Ok(None);
    }
    Category::parse_list(list)
        .map(Some)
        .map_err(|e| e.replace("unknown category", "unknown --fail-on category"))
}
