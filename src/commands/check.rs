//! `ctxsize check`: the fast, quiet check for pre-commit and CI.
//!
//! It walks like Docker (excluded directories are skipped, not measured),
//! and reports one line per problem: secrets and catalogue heavy paths in
//! the context, budgets exceeded, a missing ignore file, invalid patterns,
//! `COPY` sources the ignore file excludes, and staged files that would
//! land in the context. It warns by default; `--strict`/`--fail-on` turn
//! chosen categories into exit 1.

use std::io::Write;

use serde::Serialize;
use serde_json::json;

use crate::analyze;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::lint;
use crate::report::text::human;
use crate::scan::tree::measure;

/// The categories `--fail-on` accepts.
pub const CATEGORIES: &[&str] = &[
    "secrets",
    "heavy",
    "size",
    "invalid",
    "copy",
    "missing-ignore",
    "lint",
];

/// What `--strict` fails on.
pub const STRICT: &[&str] = &["secrets", "heavy", "size", "invalid", "copy"];

/// A SARIF/GitHub rule: stable id, category, short name, help text.
pub struct RuleInfo {
    /// Stable id (never reused).
    pub id: &'static str,
    /// The `--fail-on` category.
    pub category: &'static str,
    /// Short kebab-case name.
    pub name: &'static str,
    /// One-line description.
    pub help: &'static str,
}

/// Every rule `check` reports (documented in the README).
pub const RULES: &[RuleInfo] = &[
    RuleInfo { id: "CTX001", category: "secrets", name: "secret-in-context", help: "A secret file (credentials, private key, .env) is sent with the build context and may end up in an image layer." },
    RuleInfo { id: "CTX002", category: "heavy", name: "heavy-path-in-context", help: "A well-known heavy or generated path (VCS data, dependencies, caches, build output) is sent with the build context." },
    RuleInfo { id: "CTX003", category: "size", name: "context-size-over-budget", help: "The build context is larger than the configured size budget." },
    RuleInfo { id: "CTX004", category: "size", name: "context-files-over-budget", help: "The build context has more files than the configured budget." },
    RuleInfo { id: "CTX005", category: "missing-ignore", name: "no-ignore-file", help: "There is no .dockerignore: everything in the directory is sent." },
    RuleInfo { id: "CTX006", category: "invalid", name: "invalid-pattern", help: "A .dockerignore line that Docker rejects: the build fails." },
    RuleInfo { id: "CTX007", category: "copy", name: "copy-source-excluded", help: "A COPY/ADD source is excluded by the ignore file or missing: the build fails with 'not found'." },
    RuleInfo { id: "CTX008", category: "secrets", name: "staged-secret", help: "A file being committed looks like a secret and would be sent with the build context." },
    RuleInfo { id: "CTX009", category: "heavy", name: "staged-heavy-file", help: "A large file being committed would be sent with the build context." },
    RuleInfo { id: "CTX010", category: "lint", name: "ignore-rule-misleading", help: "A .dockerignore line that does not do what it seems to: a name that matches only at the root (or `*/name` only one level down) while same-named paths deeper are sent, a comment that is a pattern, a trailing `/` that also catches files, characters older Docker read as regexp. `ctxsize lint` explains more." },
];

fn rule_info(id: &str) -> &'static RuleInfo {
    RULES.iter().find(|r| r.id == id).unwrap_or(&RULES[0])
}

/// One problem.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    /// Rule id (`CTX001`...).
    pub rule_id: &'static str,
    /// `--fail-on` category.
    pub category: &'static str,
    /// What it is about, relative to the context (or the ignore file).
    pub path: String,
    /// A file to point at (relative to the current directory), with a line.
    pub file: Option<String>,
    /// 1-based line in `file`.
    pub line: Option<usize>,
    /// One sentence.
    pub message: String,
    /// The `.dockerignore` rule that fixes it, when there is one.
    pub fix: Option<String>,
    /// Whether this problem makes `check` fail.
    pub fails: bool,
}

impl Problem {
    /// The fix as an instruction: a rule to add, or (for a misleading
    /// line) what to change the line to.
    pub fn fix_text(&self) -> Option<String> {
        let f = self.fix.as_ref()?;
        Some(if self.rule_id == "CTX010" {
            format!("change the line to `{f}`")
        } else {
            format!("add `{f}` to the ignore file")
        })
    }
}

/// Output formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// `path: message [rule]` lines and a summary.
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
    pub fail_on: Option<Vec<String>>,
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
    /// Every problem found.
    pub problems: Vec<Problem>,
    /// Files sent.
    pub files: u64,
    /// Bytes sent.
    pub bytes: u64,
    /// Whether any problem fails the check.
    pub failed: bool,
}

fn to_cwd(ctx: &Context, rel: &str) -> String {
    let p = ctx.root.join(rel);
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Runs every check and returns the problems.
pub fn evaluate(ctx: &Context, opts: &CheckOptions) -> Result<Outcome> {
    let config = crate::config::Config::load(&ctx.root)?;
    let fail_on: Vec<String> = opts
        .fail_on
        .clone()
        .or(config.fail_on.clone())
        .unwrap_or_default();
    let max_size = opts.max_size.or(config.max_size);
    let max_files = opts.max_files.or(config.max_files);
    let allowed = |p: &str| {
        config
            .allow
            .iter()
            .any(|a| a == p || p.starts_with(&format!("{a}/")))
    };
    let mut problems = Vec::new();
    let mut push = |id: &'static str,
                    path: String,
                    file: Option<String>,
                    line: Option<usize>,
                    message: String,
                    fix: Option<String>| {
        let info = rule_info(id);
        problems.push(Problem {
            rule_id: id,
            category: info.category,
            fails: fail_on.iter().any(|c| c == info.category),
            path,
            file,
            line,
            message,
            fix,
        });
    };
    let ignore_cwd = ctx.ignore.as_ref().map(|f| f.path.display().to_string());
    if !ctx.pattern_errors.is_empty() {
        for e in &ctx.pattern_errors {
            let mut e2 = e.clone();
            e2.file = None;
            push(
                "CTX006",
                ctx.ignore_display().unwrap_or_default(),
                ignore_cwd.clone(),
                Some(e.line),
                format!("line {e2}; the build fails"),
                None,
            );
        }
        return Ok(finish(problems, 0, 0));
    }
    if ctx.ignore.is_none() {
        push(
            "CTX005",
            ".".into(),
            None,
            None,
            "no .dockerignore: everything in the directory is sent (create one with `ctxsize init`)"
                .into(),
            None,
        );
    }
    let needed = analyze::needed_paths(ctx)?;
    let (scan, pairs) = measure(&ctx.root, &ctx.matcher, ctx.builder, false, None, || {
        (
            analyze::Classify::new(),
            lint::WalkLint::new(&ctx.matcher, &needed),
        )
    })
    .map_err(|e| Error::Patterns(vec![ctx.matcher.eval_error(&e)]))?;
    let (classifiers, walk_lint): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
    for f in lint::quick(ctx, lint::WalkLint::merge_all(walk_lint)) {
        let id = if f.code == "invalid" {
            "CTX006"
        } else {
            "CTX010"
        };
        let fix = f.fix.clone();
        push(
            id,
            format!("{}:{}", f.file, f.line),
            ignore_cwd.clone(),
            Some(f.line),
            lint_message(&f),
            fix,
        );
    }
    let findings = analyze::findings_with(&scan, classifiers, &needed);
    for f in &findings {
        for p in f.paths.iter().filter(|p| !allowed(p)) {
            let (id, what) = if f.is_secret() {
                ("CTX001", "secret")
            } else {
                ("CTX002", f.kind.as_str())
            };
            push(
                id,
                p.clone(),
                Some(to_cwd(ctx, p)),
                None,
                format!(
                    "{what} in the build context: {}",
                    f.reason.trim_end_matches('.')
                ),
                Some(f.rule.clone()),
            );
        }
    }
    if let Some(max) = max_size {
        if scan.included.bytes > max {
            push(
                "CTX003",
                ".".into(),
                None,
                None,
                format!(
                    "build context is {}, over the {} budget",
                    human(scan.included.bytes),
                    human(max)
                ),
                None,
            );
        }
    }
    if let Some(max) = max_files {
        if scan.included.files > max {
            push(
                "CTX004",
                ".".into(),
                None,
                None,
                format!(
                    "build context has {} files, over the {} budget",
                    scan.included.files, max
                ),
                None,
            );
        }
    }
    if opts.staged {
        let threshold = opts
            .staged_max_size
            .or(config.staged_max_size)
            .unwrap_or(5_000_000);
        for s in analyze::staged(ctx, threshold)? {
            if allowed(&s.path) {
                continue;
            }
            let (id, msg) = if s.secret {
                ("CTX008", format!("staged file looks like a secret and would be sent in the build context ({})", s.reason))
            } else {
                (
                    "CTX009",
                    format!(
                        "staged file of {} would be sent in the build context",
                        human(s.size)
                    ),
                )
            };
            let cwd = to_cwd(ctx, &s.path);
            push(id, s.path, Some(cwd), None, msg, Some(s.rule));
        }
    }
    for p in analyze::copy_problems(ctx)? {
        push("CTX007", p.path, p.file, p.line, p.message, None);
    }
    Ok(finish(problems, scan.included.files, scan.included.bytes))
}

// A lint finding as one check line (its place is the `file:line` path): the
// sentence and, when there are, the paths it is about.
fn lint_message(f: &lint::LintFinding) -> String {
    let mut m = f.message.clone();
    if !f.examples.is_empty() && !f.examples_in_message() {
        m.push_str(&format!(" (e.g. {})", f.examples.join(", ")));
    }
    m
}

fn finish(mut problems: Vec<Problem>, files: u64, bytes: u64) -> Outcome {
    problems.sort_by(|a, b| {
        a.rule_id
            .cmp(b.rule_id)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.line.cmp(&b.line))
    });
    problems.dedup_by(|a, b| a.rule_id == b.rule_id && a.path == b.path && a.line == b.line);
    let failed = problems.iter().any(|p| p.fails);
    Outcome {
        problems,
        files,
        bytes,
        failed,
    }
}

/// Runs `check` and writes its output.
pub fn run(ctx: &Context, opts: &CheckOptions, out: &mut dyn Write) -> Result<super::ExitStatus> {
    let outcome = evaluate(ctx, opts)?;
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    if !opts.quiet {
        match opts.format {
            Format::Text => text(&outcome, ctx, out).map_err(io)?,
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, &outcome).map_err(Error::json)?;
                writeln!(out).map_err(io)?;
            }
            Format::Github => github(&outcome, out).map_err(io)?,
            Format::Sarif => {
                serde_json::to_writer_pretty(&mut *out, &sarif(&outcome)).map_err(Error::json)?;
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

fn text(o: &Outcome, ctx: &Context, out: &mut dyn Write) -> std::io::Result<()> {
    if o.problems.is_empty() {
        return Ok(());
    }
    for p in &o.problems {
        let level = if p.fails { "error" } else { "warning" };
        write!(out, "{}: {level}: {}", p.path, p.message)?;
        if let Some(f) = p.fix_text() {
            write!(out, " [{f}]")?;
        }
        writeln!(out)?;
    }
    let failing = o.problems.iter().filter(|p| p.fails).count();
    writeln!(
        out,
        "ctxsize check: {} problem{} in {} ({} files, {} sent){}",
        o.problems.len(),
        if o.problems.len() == 1 { "" } else { "s" },
        ctx.root.display(),
        o.files,
        human(o.bytes),
        if failing > 0 {
            format!("; {failing} fail the check")
        } else {
            String::new()
        }
    )
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_prop(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn github(o: &Outcome, out: &mut dyn Write) -> std::io::Result<()> {
    for p in &o.problems {
        let level = if p.fails { "error" } else { "warning" };
        let mut props = vec![format!(
            "title={}",
            escape_prop(&format!("ctxsize {}", p.rule_id))
        )];
        if let Some(f) = &p.file {
            props.push(format!("file={}", escape_prop(f)));
            if let Some(l) = p.line {
                props.push(format!("line={l}"));
            }
        }
        let mut msg = format!("{}: {}", p.path, p.message);
        if let Some(f) = p.fix_text() {
            msg.push_str(&format!(" [{f}]"));
        }
        writeln!(out, "::{level} {}::{}", props.join(","), escape_data(&msg))?;
    }
    Ok(())
}

/// The SARIF 2.1.0 log for an outcome.
pub fn sarif(o: &Outcome) -> serde_json::Value {
    let rules: Vec<_> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.help },
                "properties": { "category": r.category },
            })
        })
        .collect();
    let results: Vec<_> = o
        .problems
        .iter()
        .map(|p| {
            let uri = p.file.clone().unwrap_or_else(|| p.path.clone());
            let mut region = serde_json::Map::new();
            if let Some(l) = p.line {
                region.insert("startLine".into(), json!(l));
            }
            let mut location = json!({
                "physicalLocation": { "artifactLocation": { "uri": uri } }
            });
            if !region.is_empty() {
                location["physicalLocation"]["region"] = serde_json::Value::Object(region);
            }
            let mut text = p.message.clone();
            if let Some(f) = p.fix_text() {
                let mut c = f.chars();
                let f: String = c
                    .next()
                    .map(|c| c.to_ascii_uppercase())
                    .into_iter()
                    .chain(c)
                    .collect();
                text.push_str(&format!(" {f}."));
            }
            json!({
                "ruleId": p.rule_id,
                "ruleIndex": RULES.iter().position(|r| r.id == p.rule_id).unwrap_or(0),
                "level": if p.fails { "error" } else { "warning" },
                "message": { "text": text },
                "locations": [location],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ctxsize",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/ctxsize/ctxsize",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// Resolves the categories of `--fail-on`/`--strict`.
pub fn parse_fail_on(
    list: &[String],
    strict: bool,
) -> std::result::Result<Option<Vec<String>>, String> {
    if strict && list.is_empty() {
        return Ok(Some(STRICT.iter().map(|s| s.to_string()).collect()));
    }
    if list.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for item in list.iter().flat_map(|s| s.split(',')) {
        let item = item.trim();
        if item == "all" {
            out.extend(CATEGORIES.iter().map(|s| s.to_string()));
        } else if CATEGORIES.contains(&item) {
            out.push(item.to_string());
        } else {
            return Err(format!(
                "unknown --fail-on category {item:?} (known: {}, all)",
                CATEGORIES.join(", ")
            ));
        }
    }
    Ok(Some(out))
}
