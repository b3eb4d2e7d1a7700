//! `ctxsize lint`: ignore-file rules that do not do what their author
//! thinks. Each finding names the file, line and pattern, explains in one
//! sentence, and offers a fix where there is a safe one.
//!
//! Lint walks the whole tree, excluded directories included, and keeps every
//! path in memory: it is a diagnostic, not the pre-commit fast path.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::pattern::Strategy;
use crate::relpath::basename;
use crate::scan::{walk, BuilderKind, Entry, EntryKind, Status, Visitor, WalkError, WalkOptions};

/// One lint finding.
#[derive(Clone, Debug, Serialize)]
pub struct LintFinding {
    /// Stable code (`root-only`, `matches-nothing`, ...).
    pub code: &'static str,
    /// The ignore file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The line as written.
    pub pattern: String,
    /// One sentence.
    pub message: String,
    /// Example paths (at most a few).
    pub examples: Vec<String>,
    /// The replacement line, when `--fix` can apply it.
    pub fix: Option<String>,
}

struct Seen {
    path: Vec<u8>,
    kind: EntryKind,
    status: Status,
    rule: Option<usize>,
}

#[derive(Default)]
struct Collect {
    seen: Vec<Seen>,
    errors: Vec<WalkError>,
}

impl Visitor for Collect {
    fn visit(&mut self, e: &Entry<'_>) {
        self.seen.push(Seen {
            path: e.path.to_vec(),
            kind: e.kind,
            status: e.status,
            rule: e.decision.and_then(|d| d.rule),
        });
    }
    fn error(&mut self, error: WalkError) {
        self.errors.push(error);
    }
}

fn collect(ctx: &Context, builder: BuilderKind) -> Result<Vec<Seen>> {
    let opts = WalkOptions {
        builder,
        measure_pruned: true,
        sizes: false,
        threads: 0,
    };
    let vs = walk(&ctx.root, &ctx.matcher, &opts, None, Collect::default)
        .map_err(|e| Error::Patterns(vec![ctx.matcher.eval_error(&e)]))?;
    let mut seen: Vec<Seen> = vs.into_iter().flat_map(|v| v.seen).collect();
    seen.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(seen)
}

fn s(p: &[u8]) -> String {
    String::from_utf8_lossy(p).into_owned()
}

/// Whether a pattern is "bare" in the gitignore sense: no `/` inside, not
/// anchored with `**`: gitignore applies it at every depth, Docker only at
/// the root.
fn is_bare(pattern: &[u8]) -> bool {
    !pattern.contains(&b'/') && !pattern.starts_with(b"**") && pattern != b"." && pattern != b"*"
}

// Written anchored (`/x`, `./x`): the author meant the root.
fn anchored(original: &[u8]) -> bool {
    let t = crate::pattern::read::trim_space(original);
    let t = t
        .strip_prefix(b"!")
        .map(crate::pattern::read::trim_space)
        .unwrap_or(t);
    t.starts_with(b"/") || t.starts_with(b"./")
}

const MAX_EXAMPLES: usize = 3;

// Whether a path is a known per-directory artifact (the catalogue
// recognises its name: `__pycache__`, `node_modules`, `*.pyc`, `.DS_Store`).
fn is_artifact(e: &Seen) -> bool {
    let name = basename(&e.path);
    let (Ok(rel), Ok(name)) = (std::str::from_utf8(&e.path), std::str::from_utf8(name)) else {
        return false;
    };
    let yes = |_: &str| true;
    if e.kind == EntryKind::Dir {
        crate::catalog::match_dir(rel, name, &|_| false, &yes).is_some()
    } else {
        crate::catalog::match_file(rel, name, &yes).is_some()
    }
}

/// Runs every lint over the context.
pub fn lint(ctx: &Context) -> Result<Vec<LintFinding>> {
    let mut out = Vec::new();
    let file = ctx
        .ignore_display()
        .unwrap_or_else(|| ".dockerignore".into());
    // Invalid lines first: they make the build fail.
    for e in &ctx.pattern_errors {
        let mut e2 = e.clone();
        e2.file = None;
        out.push(LintFinding {
            code: "invalid",
            file: file.clone(),
            line: e.line,
            pattern: s(&e.original),
            message: format!("Docker rejects this line and the build fails: {e2}"),
            examples: Vec::new(),
            fix: None,
        });
    }
    if !ctx.pattern_errors.is_empty() || ctx.ignore.is_none() {
        return Ok(out);
    }
    let m = &ctx.matcher;
    for e in m.lazy_errors() {
        out.push(LintFinding {
            code: "invalid",
            file: file.clone(),
            line: e.line,
            pattern: s(&e.original),
            message: "Docker accepts this line but fails the build as soon as a path reaches it: its expression cannot be compiled".into(),
            examples: Vec::new(),
            fix: None,
        });
    }
    let seen = collect(ctx, ctx.builder)?;
    let needed = crate::analyze::needed_paths(ctx)?;
    let rules = m.rules();
    let valid = |i: usize| !matches!(rules[i].strategy, Strategy::Invalid(_));
    // Direct matches of every rule on every path.
    let mut matches: Vec<Vec<usize>> = vec![Vec::new(); rules.len()];
    for (k, e) in seen.iter().enumerate() {
        for (i, r) in rules.iter().enumerate() {
            if valid(i) && r.strategy.matches(&e.path).unwrap_or(false) {
                matches[i].push(k);
            }
        }
    }
    let mut decides: Vec<usize> = vec![0; rules.len()];
    for e in &seen {
        if let Some(i) = e.rule {
            decides[i] += 1;
        }
    }
    let finding =
        |code, i: usize, message: String, examples: Vec<String>, fix: Option<String>| LintFinding {
            code,
            file: file.clone(),
            line: rules[i].line,
            pattern: s(&rules[i].original),
            message,
            examples,
            fix,
        };
    for (i, r) in rules.iter().enumerate() {
        let text = s(&r.original);
        let trimmed = text.trim();
        // Lines that look like comments or options but are patterns.
        if trimmed.starts_with('#') && !text.starts_with('#') {
            out.push(finding("comment-like", i, "this line is a pattern, not a comment: `#` starts a comment only in the first column".into(), Vec::new(), Some(trimmed.to_string())));
        } else if trimmed.starts_with("//") {
            out.push(finding("comment-like", i, "`//` does not start a comment in .dockerignore: this line is a pattern (use `#` in the first column)".into(), Vec::new(), None));
        } else if trimmed.contains(" #") {
            out.push(finding("comment-like", i, "`#` starts a comment only in the first column: the whole line, comment included, is the pattern".into(), Vec::new(), None));
        }
        // Trailing slash.
        let body = trimmed.trim_start_matches('!');
        if body.len() > 1 && body.ends_with('/') {
            let files: Vec<String> = matches[i]
                .iter()
                .filter(|&&k| seen[k].kind != EntryKind::Dir)
                .take(MAX_EXAMPLES)
                .map(|&k| s(&seen[k].path))
                .collect();
            let also = if files.is_empty() {
                String::new()
            } else {
                format!(" (here it matches the files {})", files.join(", "))
            };
            out.push(finding("trailing-slash", i, format!("a trailing `/` does not mean \"directories only\" in .dockerignore: `{}` also matches files of that name{also}", body.trim_end_matches('/')), files, None));
        }
        // Older Docker (20.10) read these characters as regexp syntax.
        if r.pattern.iter().any(|b| b"+(){}|".contains(b)) {
            out.push(finding("older-docker", i, "Docker 20.10 and older read `+ ( ) { } |` in patterns as regular-expression syntax, so this line matches different paths there".into(), Vec::new(), None));
        }
        if !valid(i) {
            continue;
        }
        // Root-only patterns with deeper same-named paths left in.
        let mut root_only = false;
        if !r.exception && is_bare(&r.pattern) && !anchored(&r.original) {
            let deeper: Vec<usize> = seen
                .iter()
                .enumerate()
                .filter(|(_, e)| {
                    e.status == Status::Included
                        && e.path.contains(&b'/')
                        && r.strategy.matches(basename(&e.path)).unwrap_or(false)
                        && !e.path.split(|&b| b == b'/').rev().skip(1).any(|seg| {
                            seg == b"node_modules" || seg == b".venv" || seg == b"site-packages"
                        })
                })
                .map(|(k, _)| k)
                .collect();
            if !deeper.is_empty() {
                let examples: Vec<String> = deeper
                    .iter()
                    .take(MAX_EXAMPLES)
                    .map(|&k| s(&seen[k].path))
                    .collect();
                root_only = true;
                let fixed = format!("**/{}", s(&r.pattern));
                // Only known per-directory artifacts get an automatic fix:
                // for `*.md` or `tests` root-only may be what was meant.
                // Every deeper match must be an artifact, and none may be a
                // path the build needs (a `COPY` source, a manifest).
                let artifact = deeper.iter().all(|&k| is_artifact(&seen[k]))
                    && !deeper.iter().any(|&k| {
                        needed
                            .iter()
                            .any(|n| crate::analyze::needs(n, &seen[k].path))
                    });
                out.push(finding(
                    "root-only",
                    i,
                    format!(
                        "`{}` matches only at the context root (this is not .gitignore); {} deeper {} in the context: use `{fixed}`",
                        s(&r.pattern),
                        deeper.len(),
                        if deeper.len() == 1 { "match stays" } else { "matches stay" },
                    ),
                    examples,
                    artifact.then_some(fixed),
                ));
            }
        }
        let comment_like = out
            .last()
            .is_some_and(|f: &LintFinding| f.code == "comment-like" && f.line == r.line);
        if matches[i].is_empty() {
            if root_only || comment_like {
                continue;
            }
            let what = if r.exception {
                "this exception matches no path in this tree, so it re-includes nothing"
            } else {
                "this rule matches no path in this tree"
            };
            out.push(finding("matches-nothing", i, what.into(), Vec::new(), None));
            continue;
        }
        if decides[i] == 0 {
            if r.exception {
                // Before the rule it was meant to undo?
                let later = (i + 1..rules.len()).find(|&j| {
                    !rules[j].exception
                        && matches[i].iter().any(|&k| {
                            matches[j].contains(&k) || seen[k].path.starts_with(&rules[j].pattern)
                        })
                });
                match later {
                    Some(j) => out.push(finding("exception-before-rule", i, format!("this exception comes before `{}` (line {}), which excludes the same paths again: the last matching line wins, so move the exception below it", s(&rules[j].original).trim(), rules[j].line), Vec::new(), None)),
                    None => out.push(finding("exception-no-effect", i, "this exception re-includes nothing: the paths it matches are not excluded, or sit in a directory the builder skips whole".into(), matches[i].iter().take(MAX_EXAMPLES).map(|&k| s(&seen[k].path)).collect(), None)),
                }
            } else {
                let earlier = (0..i).rev().find(|&j| {
                    !rules[j].exception
                        && matches[i].iter().all(|&k| {
                            matches[j].contains(&k)
                                || seen[k].path.starts_with(&rules[j].pattern)
                                    && seen[k].path.get(rules[j].pattern.len()) == Some(&b'/')
                        })
                });
                let msg = match earlier {
                    Some(j) => format!("redundant: everything it matches is already excluded by `{}` (line {})", s(&rules[j].original).trim(), rules[j].line),
                    None => "this rule never decides anything: a later line overrides every path it matches".into(),
                };
                out.push(finding("redundant", i, msg, Vec::new(), None));
            }
        }
    }
    // Wildcard exceptions make BuildKit walk every excluded directory.
    if m.exceptions_have_wildcards() {
        let classic = collect(ctx, BuilderKind::Classic)?;
        let mut divergent: BTreeMap<Vec<u8>, ()> = BTreeMap::new();
        let bk = if ctx.builder == BuilderKind::BuildKit {
            seen.iter()
                .map(|e| (&e.path, e.status == Status::Included))
                .collect::<Vec<_>>()
        } else {
            Vec::new()
        };
        let classic_in: std::collections::HashSet<&Vec<u8>> = classic
            .iter()
            .filter(|e| e.status == Status::Included)
            .map(|e| &e.path)
            .collect();
        for (p, inc) in &bk {
            if *inc != classic_in.contains(p) {
                divergent.insert((*p).clone(), ());
            }
        }
        let dirs: Vec<String> = classic
            .iter()
            .filter(|e| e.kind == EntryKind::Dir && e.status == Status::Excluded)
            .filter(|e| crate::scan::walk::prunes(m, BuilderKind::Classic, &e.path))
            .map(|e| s(&e.path))
            .filter(|p| !p.contains('/'))
            .collect();
        let extra = seen.iter().filter(|e| e.status != Status::Included).count();
        if let Some(i) = rules
            .iter()
            .position(|r| r.exception && r.has_wildcards_for_pruning())
        {
            out.push(finding(
                "wildcard-exception",
                i,
                format!(
                    "a wildcard exception makes BuildKit walk into every excluded directory ({}) instead of skipping it: {} excluded entries are visited; {}. A literal exception (e.g. `!dir/file`) keeps the walk fast",
                    if dirs.is_empty() { "none here".to_string() } else { dirs.iter().take(5).cloned().collect::<Vec<_>>().join(", ") },
                    extra,
                    if divergent.is_empty() {
                        "both builders send the same files here".to_string()
                    } else {
                        format!("{} paths are sent by BuildKit but not by the classic builder, e.g. {}", divergent.len(), divergent.keys().take(MAX_EXAMPLES).map(|p| s(p)).collect::<Vec<_>>().join(", "))
                    }
                ),
                divergent.keys().take(MAX_EXAMPLES).map(|p| s(p)).collect(),
                None,
            ));
        }
    }
    out.extend(shadowing(ctx));
    out.sort_by(|a, b| a.line.cmp(&b.line).then(a.code.cmp(b.code)));
    Ok(out)
}

/// Dockerfile-specific ignore files next to Dockerfiles in the context:
/// say which file is in effect for which Dockerfile.
fn shadowing(ctx: &Context) -> Vec<LintFinding> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(&ctx.root)
        .hidden(false)
        .git_ignore(true)
        .max_depth(Some(6))
        .filter_entry(|e| {
            !matches!(
                e.file_name().to_str(),
                Some("node_modules" | ".git" | "target" | ".venv")
            )
        })
        .build();
    for entry in walker.flatten() {
        let name = entry.file_name().to_string_lossy();
        if let Some(df) = name.strip_suffix(".dockerignore") {
            if df.is_empty() || !entry.path().with_file_name(df).exists() {
                continue;
            }
            let rel = crate::context::display_path(&ctx.root, entry.path());
            let df_rel = rel.with_file_name(df);
            out.push(LintFinding {
                code: "dockerfile-specific",
                file: rel.display().to_string(),
                line: 0,
                pattern: String::new(),
                message: format!(
                    "BuildKit uses this file instead of .dockerignore when building with `-f {}` (they are not merged); the classic builder ignores it",
                    df_rel.display()
                ),
                examples: Vec::new(),
                fix: None,
            });
        }
    }
    out
}

/// Applies the findings' fixes to the ignore file's bytes: each fixed line
/// is replaced in place (same position, same line ending); every other
/// byte is kept.
pub fn apply_fixes(data: &[u8], findings: &[LintFinding]) -> Vec<u8> {
    let fixes: BTreeMap<usize, &str> = findings
        .iter()
        .filter_map(|f| f.fix.as_deref().map(|x| (f.line, x)))
        .collect();
    let mut out = Vec::with_capacity(data.len() + 16);
    for (i, line) in data.split_inclusive(|&b| b == b'\n').enumerate() {
        match fixes.get(&(i + 1)) {
            Some(new) => {
                let ending: &[u8] = if line.ends_with(b"\r\n") {
                    b"\r\n"
                } else if line.ends_with(b"\n") {
                    b"\n"
                } else {
                    b""
                };
                if i == 0 && line.starts_with(b"\xEF\xBB\xBF") {
                    out.extend_from_slice(b"\xEF\xBB\xBF");
                }
                out.extend_from_slice(new.as_bytes());
                out.extend_from_slice(ending);
            }
            None => out.extend_from_slice(line),
        }
    }
    out
}
