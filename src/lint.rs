//! `ctxsize lint`: ignore-file rules that do not do what their author
//! thinks. Each finding names the file, line and pattern, explains in one
//! sentence, and offers a fix where there is a safe one.
//!
//! Lint walks the whole tree, excluded directories included, and keeps every
//! path in memory: it is a diagnostic, not the pre-commit fast path.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::analyze::Needed;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::pattern::{Matcher, Rule, Strategy};
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

impl LintFinding {
    /// Whether the message already names the example paths.
    pub fn examples_in_message(&self) -> bool {
        matches!(self.code, "trailing-slash" | "wildcard-exception")
    }
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

// Whether a path is a known per-directory artifact: the catalogue
// recognises it (`__pycache__`, `node_modules`, `*.pyc`, `.DS_Store`) with
// its evidence checked on disk (a `vendor` needs its manifest beside it),
// and it is not a secret whose name alone proves nothing.
fn is_artifact(root: &Path, path: &[u8], kind: EntryKind) -> bool {
    use crate::catalog::{match_dir_at, match_file_at, Kind};
    let name = basename(path);
    let (Ok(rel), Ok(name)) = (std::str::from_utf8(path), std::str::from_utf8(name)) else {
        return false;
    };
    let abs = root.join(rel);
    let entry = if kind == EntryKind::Dir {
        match_dir_at(&abs, rel, name)
    } else {
        match_file_at(&abs, rel, name)
    };
    entry.is_some_and(|e| e.kind != Kind::Secret && e.content.is_none())
}

/// Runs every lint over the context.
pub fn lint(ctx: &Context) -> Result<Vec<LintFinding>> {
    let mut out = Vec::new();
    let file = ctx
        .ignore_display()
        .unwrap_or_else(|| ".dockerignore".into());
    out.extend(invalid_findings(ctx, &file));
    if !ctx.pattern_errors.is_empty() || ctx.ignore.is_none() {
        return Ok(out);
    }
    let m = &ctx.matcher;
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
    let mut misses = WalkLint::new(m, &needed);
    for e in &seen {
        misses.observe(&ctx.root, &e.path, e.kind, e.status);
    }
    let depth = misses.findings(&file);
    out.extend(depth.iter().cloned());
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
        let files: Vec<String> = matches[i]
            .iter()
            .filter(|&&k| seen[k].kind != EntryKind::Dir)
            .take(MAX_EXAMPLES)
            .map(|&k| s(&seen[k].path))
            .collect();
        out.extend(line_findings(&file, r, Some(files)));
        if !valid(i) {
            continue;
        }
        let root_only = depth.iter().any(|f| f.line == r.line);
        if root_only && matches[i].is_empty() {
            // Its own finding would be `matches-nothing`: say it there.
            if let Some(f) = out
                .iter_mut()
                .find(|f| f.line == r.line && (f.code == "root-only" || f.code == "one-level"))
            {
                f.message
                    .push_str(" (as written it matches nothing in this tree)");
            }
        }
        let comment_like = out
            .iter()
            .any(|f| f.code == "comment-like" && f.line == r.line);
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

// Lines Docker rejects (the build fails), and expressions it accepts but
// cannot compile (the build fails when a path reaches them).
fn invalid_findings(ctx: &Context, file: &str) -> Vec<LintFinding> {
    let mut out = Vec::new();
    for e in &ctx.pattern_errors {
        let mut e2 = e.clone();
        e2.file = None;
        out.push(LintFinding {
            code: "invalid",
            file: file.to_string(),
            line: e.line,
            pattern: s(&e.original),
            message: format!("Docker rejects this line and the build fails: {e2}"),
            examples: Vec::new(),
            fix: None,
        });
    }
    if !ctx.pattern_errors.is_empty() {
        return out;
    }
    for e in ctx.matcher.lazy_errors() {
        out.push(LintFinding {
            code: "invalid",
            file: file.to_string(),
            line: e.line,
            pattern: s(&e.original),
            message: "Docker accepts this line but fails the build as soon as a path reaches it: its expression cannot be compiled".into(),
            examples: Vec::new(),
            fix: None,
        });
    }
    out
}

// What one line says by itself: comment-like patterns, a trailing `/`,
// characters older Docker read differently. `files` are the files a
// trailing-slash rule matches, when the tree was looked at.
fn line_findings(file: &str, r: &Rule, files: Option<Vec<String>>) -> Vec<LintFinding> {
    let mut out = Vec::new();
    let text = s(&r.original);
    let trimmed = text.trim();
    let mut finding = |code, message: String, examples: Vec<String>, fix: Option<String>| {
        out.push(LintFinding {
            code,
            file: file.to_string(),
            line: r.line,
            pattern: text.clone(),
            message,
            examples,
            fix,
        })
    };
    if trimmed.starts_with('#') && !text.starts_with('#') {
        finding(
            "comment-like",
            "this line is a pattern, not a comment: `#` starts a comment only in the first column"
                .into(),
            Vec::new(),
            Some(trimmed.to_string()),
        );
    } else if trimmed.starts_with("//") {
        finding("comment-like", "`//` does not start a comment in .dockerignore: this line is a pattern (use `#` in the first column)".into(), Vec::new(), None);
    } else if trimmed.contains(" #") {
        finding("comment-like", "`#` starts a comment only in the first column: the whole line, comment included, is the pattern".into(), Vec::new(), None);
    }
    let body = trimmed.trim_start_matches('!');
    if body.len() > 1 && body.ends_with('/') {
        let files = files.unwrap_or_default();
        let also = if files.is_empty() {
            String::new()
        } else {
            format!(" (here it matches the files {})", files.join(", "))
        };
        finding("trailing-slash", format!("a trailing `/` does not mean \"directories only\" in .dockerignore: `{}` also matches files of that name{also}", body.trim_end_matches('/')), files, None);
    }
    if r.pattern.iter().any(|b| b"+(){}|".contains(b)) {
        finding("older-docker", "Docker 20.10 and older read `+ ( ) { } |` in patterns as regular-expression syntax, so this line matches different paths there".into(), Vec::new(), None);
    }
    out
}

/// The checks that need no walk of their own, for `report` and `check`:
/// invalid lines, comment-like lines, characters older Docker read
/// differently, and what `misses` collected during their walk (depth
/// mistakes; trailing-slash rules that catch files). The rest (rules that match nothing, redundant rules,
/// exceptions in the wrong place) needs every path: `ctxsize lint`.
pub fn quick(ctx: &Context, misses: Option<WalkLint<'_>>) -> Vec<LintFinding> {
    let file = ctx
        .ignore_display()
        .unwrap_or_else(|| ".dockerignore".into());
    let mut out = invalid_findings(ctx, &file);
    if !ctx.pattern_errors.is_empty() || ctx.ignore.is_none() {
        return out;
    }
    let Some(misses) = misses else {
        return out;
    };
    for (i, r) in ctx.matcher.rules().iter().enumerate() {
        let files = misses
            .slash
            .iter()
            .find(|(j, _)| *j == i)
            .map(|(_, f)| f.iter().map(|p| s(p)).collect::<Vec<_>>());
        // A trailing `/` is worth a word here only when it catches files.
        let mut found = line_findings(&file, r, files.clone());
        if files.is_none_or(|f| f.is_empty()) {
            found.retain(|f| f.code != "trailing-slash");
        }
        out.extend(found);
    }
    out.extend(misses.findings(&file));
    out.sort_by(|a, b| a.line.cmp(&b.line).then(a.code.cmp(b.code)));
    out
}

// A rule whose reach depends on depth in a way `.gitignore` habits do not
// expect.
#[derive(Clone, Copy)]
enum Depth {
    // `name`: only at the root.
    RootOnly,
    // `*/name`: only one directory below the root.
    OneLevel,
}

#[derive(Default)]
struct Missed {
    count: usize,
    any_dir: bool,
    examples: Vec<Vec<u8>>,
    all_artifacts: bool,
    any_needed: bool,
}

/// The lint checks that ride on a walk done anyway (`report`, `check`):
/// the sent paths that a root-only rule (`name`) or a one-level rule
/// (`*/name`) leaves in at other depths, and the files a rule written with
/// a trailing `/` matches. Make one per walker thread with
/// [`WalkLint::new`] and [`WalkLint::merge`] them.
pub struct WalkLint<'a> {
    matcher: &'a Matcher,
    needed: &'a [Needed],
    rules: Vec<(usize, Depth)>,
    missed: Vec<Missed>,
    // Rules written `x/`, and the files each matches (first few).
    slash: Vec<(usize, Vec<Vec<u8>>)>,
    scratch: Vec<u8>,
}

impl<'a> WalkLint<'a> {
    /// For the rules of `matcher`; `needed` are the paths the build needs
    /// (a fix that would exclude one is not offered).
    pub fn new(matcher: &'a Matcher, needed: &'a [Needed]) -> WalkLint<'a> {
        let rules: Vec<(usize, Depth)> = matcher
            .rules()
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.exception && !matches!(r.strategy, Strategy::Invalid(_)))
            .filter(|(_, r)| !anchored(&r.original))
            .filter_map(|(i, r)| {
                if is_bare(&r.pattern) {
                    Some((i, Depth::RootOnly))
                } else {
                    let rest = r.pattern.strip_prefix(b"*/")?;
                    is_bare(rest).then_some((i, Depth::OneLevel))
                }
            })
            .collect();
        let missed = rules
            .iter()
            .map(|_| Missed {
                all_artifacts: true,
                ..Missed::default()
            })
            .collect();
        let slash = matcher
            .rules()
            .iter()
            .enumerate()
            .filter(|(_, r)| !matches!(r.strategy, Strategy::Invalid(_)))
            .filter(|(_, r)| {
                let t = crate::pattern::read::trim_space(&r.original);
                t.len() > 1 && t.ends_with(b"/")
            })
            .map(|(i, _)| (i, Vec::new()))
            .collect();
        WalkLint {
            matcher,
            needed,
            rules,
            missed,
            slash,
            scratch: Vec::new(),
        }
    }

    /// Looks at one entry of the walk of the context at `root`.
    pub fn observe(&mut self, root: &Path, path: &[u8], kind: EntryKind, status: Status) {
        if kind != EntryKind::Dir && status != Status::Pruned {
            for (i, files) in &mut self.slash {
                if files.len() < MAX_EXAMPLES
                    && self.matcher.rules()[*i]
                        .strategy
                        .matches(path)
                        .unwrap_or(false)
                {
                    files.push(path.to_vec());
                }
            }
        }
        if status != Status::Included || self.rules.is_empty() {
            return;
        }
        let depth = path.iter().filter(|&&b| b == b'/').count() + 1;
        let name = basename(path);
        // The name one level down, as `*/name` sees it.
        self.scratch.clear();
        self.scratch.extend_from_slice(b"_/");
        self.scratch.extend_from_slice(name);
        let rules = self.matcher.rules();
        for (k, &(i, how)) in self.rules.iter().enumerate() {
            let hit = match how {
                Depth::RootOnly => depth > 1 && rules[i].strategy.matches(name).unwrap_or(false),
                Depth::OneLevel => {
                    depth != 2 && rules[i].strategy.matches(&self.scratch).unwrap_or(false)
                }
            };
            if !hit {
                continue;
            }
            // Inside installed packages, same-named paths are the
            // packages' own business (looked at only on a hit: every sent
            // entry comes through here).
            let mut above = path.split(|&b| b == b'/').rev().skip(1);
            if above.any(|seg| seg == b"node_modules" || seg == b".venv" || seg == b"site-packages")
            {
                return;
            }
            let m = &mut self.missed[k];
            m.count += 1;
            m.all_artifacts = m.all_artifacts && is_artifact(root, path, kind);
            m.any_dir |= kind == EntryKind::Dir;
            m.any_needed |= self.needed.iter().any(|n| crate::analyze::needs(n, path));
            // Keep the first few in path order, whatever order threads see.
            let at = m.examples.partition_point(|e| e.as_slice() < path);
            if at < MAX_EXAMPLES {
                m.examples.insert(at, path.to_vec());
                m.examples.truncate(MAX_EXAMPLES);
            }
        }
    }

    /// Merges the per-thread collectors of one walk.
    pub fn merge_all(all: Vec<WalkLint<'a>>) -> Option<WalkLint<'a>> {
        let mut it = all.into_iter();
        let mut first = it.next()?;
        for other in it {
            first.merge(other);
        }
        Some(first)
    }

    /// Adds another thread's observations.
    pub fn merge(&mut self, other: WalkLint<'_>) {
        for ((_, files), (_, o)) in self.slash.iter_mut().zip(other.slash) {
            files.extend(o);
            files.sort();
            files.truncate(MAX_EXAMPLES);
        }
        for (m, o) in self.missed.iter_mut().zip(other.missed) {
            m.count += o.count;
            m.all_artifacts &= o.all_artifacts;
            m.any_dir |= o.any_dir;
            m.any_needed |= o.any_needed;
            m.examples.extend(o.examples);
            m.examples.sort();
            m.examples.dedup();
            m.examples.truncate(MAX_EXAMPLES);
        }
    }

    /// One `root-only` or `one-level` finding per rule with misses.
    pub fn findings(&self, file: &str) -> Vec<LintFinding> {
        let rules = self.matcher.rules();
        let mut out = Vec::new();
        for (&(i, how), m) in self.rules.iter().zip(&self.missed) {
            if m.count == 0 {
                continue;
            }
            let r = &rules[i];
            let name = match how {
                Depth::RootOnly => &r.pattern[..],
                Depth::OneLevel => &r.pattern[2..],
            };
            let fixed = format!("**/{}", s(name));
            let stay = if m.count == 1 {
                "match stays"
            } else {
                "matches stay"
            };
            // A directory that stays brings everything below it.
            let below = if m.any_dir {
                ", with everything below"
            } else {
                ""
            };
            let (code, message) = match how {
                Depth::RootOnly => ("root-only", format!(
                    "`{}` matches only at the context root (this is not .gitignore); {} deeper {stay} in the context{below}: use `{fixed}`",
                    s(&r.pattern), m.count,
                )),
                Depth::OneLevel => ("one-level", format!(
                    "`{}` matches only one directory below the root (`*` never crosses a `/`); {} {stay} in the context at other depths{below}: use `{fixed}`",
                    s(&r.pattern), m.count,
                )),
            };
            // Only known per-directory artifacts get an automatic fix: for
            // `*.md` or `tests` root-only may be what was meant. Every
            // deeper match must be an artifact, and none may be a path the
            // build needs (a `COPY` source, a manifest).
            let fix = (m.all_artifacts && !m.any_needed).then_some(fixed);
            out.push(LintFinding {
                code,
                file: file.to_string(),
                line: r.line,
                pattern: s(&r.original),
                message,
                examples: m.examples.iter().map(|p| s(p)).collect(),
                fix,
            });
        }
        out
    }
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

impl crate::scan::tree::Classifier for WalkLint<'_> {
    fn visit(&mut self, root: &Path, e: &Entry<'_>) {
        self.observe(root, e.path, e.kind, e.status);
    }
}
