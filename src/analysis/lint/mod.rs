//! `ctxsize lint`: ignore-file rules that do not do what their author
//! thinks. Each finding names the file, line and pattern, explains in one
//! sentence, and offers a fix where there is a safe one.
//!
//! [`quick`] is the part that rides on the walk `report` and `check` do
//! anyway; [`lint`] is the whole of it, which looks at every path of the
//! context, excluded directories included: a diagnostic, not the
//! pre-commit fast path.

pub mod builders;
pub mod depth;
pub mod lines;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::analysis::plan::is_defensive;
use crate::checks::{self, Check, Severity};
use crate::error::Result;
use crate::facts::context::Context;
use crate::facts::needs::Needs;
use crate::facts::walk::{DepthMisses, Entries, Seen, Walk, MAX_EXAMPLES};
use crate::pattern::{Matcher, ParentState, Strategy};
use crate::scan::{BuilderKind, EntryKind, Status};

/// One lint finding.
#[derive(Clone, Debug)]
pub struct LintFinding {
    /// The check (stable id and name).
    pub check: &'static Check,
    /// Its severity here (a defensive rule that matches nothing is
    /// information).
    pub severity: Severity,
    /// The ignore file (relative to the context when inside it).
    pub file: String,
    /// 1-based line (0: about the whole file).
    pub line: usize,
    /// The line as written.
    pub pattern: Option<String>,
    /// One sentence.
    pub message: String,
    /// Example paths (at most a few).
    pub examples: Vec<String>,
    /// The replacement line, when `--fix` can apply it.
    pub fix: Option<String>,
}

impl Serialize for LintFinding {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = ser.serialize_struct("LintFinding", 9)?;
        st.serialize_field("rule_id", self.check.id)?;
        st.serialize_field("code", self.check.name)?;
        st.serialize_field("severity", self.severity.as_str())?;
        st.serialize_field("file", &self.file)?;
        st.serialize_field("line", &self.line)?;
        st.serialize_field("pattern", &self.pattern)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("examples", &self.examples)?;
        st.serialize_field("fix", &self.fix)?;
        st.end()
    }
}

impl LintFinding {
    /// Whether the message already names the example paths.
    pub fn examples_in_message(&self) -> bool {
        self.examples
            .iter()
            .any(|e| self.message.contains(e.as_str()))
    }

    /// A finding of `check` at its default severity.
    pub fn new(
        check: &'static Check,
        file: &str,
        line: usize,
        pattern: String,
        message: String,
    ) -> Self {
        LintFinding {
            check,
            severity: check.severity,
            file: file.to_string(),
            line,
            pattern: Some(pattern),
            message,
            examples: Vec::new(),
            fix: None,
        }
    }
}

pub(crate) fn s(p: &[u8]) -> String {
    String::from_utf8_lossy(p).into_owned()
}

fn file_name(ctx: &Context) -> String {
    ctx.ignore_display()
        .unwrap_or_else(|| ".dockerignore".into())
}

/// The checks that ride on a walk done anyway (`report`, `check`): invalid
/// lines, comment-like lines, characters older Docker read differently,
/// depth mistakes and trailing-slash rules that catch files (from the
/// walk's observations). The rest (rules that match nothing, redundant
/// rules, exceptions in the wrong place, builder divergence) needs every
/// path: [`lint`].
pub fn quick(
    ctx: &Context,
    walk: &Walk,
    needs: &Needs,
    builder_is_default: bool,
) -> Vec<LintFinding> {
    let (entries, misses) = (&walk.entries, &walk.depth);
    let file = file_name(ctx);
    let mut out = lines::invalid(ctx, &file);
    out.extend(builders::ignore_choice(ctx, builder_is_default));
    if !ctx.pattern_errors.is_empty() || ctx.ignore.is_none() {
        return out;
    }
    let empty: Vec<Vec<u8>> = walk
        .scan
        .empty_on_read
        .iter()
        .map(|e| e.path.clone())
        .collect();
    out.extend(builders::arrives_empty(ctx, &empty, &file));
    for (i, r) in ctx.matcher.rules().iter().enumerate() {
        let mut files = misses
            .slash
            .iter()
            .find(|(j, _)| *j == i)
            .map(|(_, f)| f.iter().map(|p| s(p)).collect::<Vec<_>>());
        // A comment-like line that matches nothing is information, as in
        // the full lint, when this walk can tell.
        if files.is_none()
            && lines::is_comment_like(&s(&r.original))
            && matches_nothing(ctx, entries, r) == Some(true)
        {
            files = Some(Vec::new());
        }
        // A trailing `/` is worth a word here only when it catches files.
        let mut found = lines::line(&file, r, files.clone());
        if files.is_none_or(|f| f.is_empty()) {
            found.retain(|f| f.check.name != "trailing-slash");
        }
        out.extend(found);
    }
    out.extend(depth::findings(&ctx.matcher, misses, needs, &file));
    out.sort_by(|a, b| a.line.cmp(&b.line).then(a.check.id.cmp(b.check.id)));
    out
}

/// Whether `r` matches no path of the context, from the entries a walk
/// decided (what lies below a directory the builder skips whole is not
/// among them), when that is enough to tell: it matches one of them; it
/// has no wildcard (one look at the disk); or it can match only a name at
/// the root (no `/`, no `**`, no class that could take a `/`), and every
/// root entry is decided. `None` otherwise.
fn matches_nothing(ctx: &Context, entries: &Entries, r: &crate::pattern::Rule) -> Option<bool> {
    if matches!(r.strategy, Strategy::Invalid(_)) {
        return None;
    }
    let matched = entries
        .rows()
        .iter()
        .any(|row| r.strategy.matches(entries.path(row)).unwrap_or(false));
    if matched {
        return Some(false);
    }
    if let Strategy::Exact(path) = &r.strategy {
        let path = ctx.root.join(crate::relpath::as_path(path));
        return Some(std::fs::symlink_metadata(path).is_err());
    }
    let p = &r.pattern;
    let root_names_only =
        !p.contains(&b'/') && !p.contains(&b'[') && !p.windows(2).any(|w| w == b"**");
    root_names_only.then_some(true)
}

/// Runs every lint over the context, given every path the walk saw
/// (excluded directories included) and the context's needs.
pub fn lint(
    ctx: &Context,
    seen: &[Seen],
    needs: &Needs,
    builder_is_default: bool,
) -> Result<Vec<LintFinding>> {
    let file = file_name(ctx);
    let mut out = lines::invalid(ctx, &file);
    out.extend(builders::ignore_choice(ctx, builder_is_default));
    if !ctx.pattern_errors.is_empty() || ctx.ignore.is_none() {
        out.extend(shadowing(seen));
        return Ok(out);
    }
    let m = &ctx.matcher;
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
    for e in seen {
        if let Some(i) = e.rule {
            decides[i] += 1;
        }
    }
    let mut misses = DepthMisses::new(m);
    for e in seen {
        misses.observe(&ctx.root, &e.path, e.kind, e.status);
    }
    misses.drop_empty_dirs(&|d| crate::facts::walk::seen_sends_content_below(seen, d));
    let depth = depth::findings(m, &misses, needs, &file);
    out.extend(depth.iter().cloned());
    let finding = |check: &'static Check, i: usize, message: String| {
        LintFinding::new(check, &file, rules[i].line, s(&rules[i].original), message)
    };
    for (i, r) in rules.iter().enumerate() {
        let files: Vec<String> = matches[i]
            .iter()
            .filter(|&&k| seen[k].kind != EntryKind::Dir)
            .take(MAX_EXAMPLES)
            .map(|&k| s(&seen[k].path))
            .collect();
        out.extend(lines::line(&file, r, Some(files)));
        if !valid(i) {
            continue;
        }
        let root_only = depth.iter().any(|f| f.line == r.line);
        if root_only && matches[i].is_empty() {
            // Its own finding would be `matches-nothing`: say it there.
            if let Some(f) = out.iter_mut().find(|f| {
                f.line == r.line && (f.check.name == "root-only" || f.check.name == "one-level")
            }) {
                f.message
                    .push_str(" (as written it matches nothing in this tree)");
            }
        }
        let comment_like = out
            .iter()
            .any(|f| f.check.name == "comment-like" && f.line == r.line);
        // A rule the catalogue writes defensively (`.git`, `**/.pytest_cache`)
        // guards against what is not there yet: information, not a problem.
        let defensive = !r.exception && is_defensive(&s(&r.pattern));
        let calm = |mut f: LintFinding| {
            if defensive {
                f.severity = Severity::Info;
                f.message
                    .push_str(" (a defensive rule for well-known junk: fine to keep)");
            }
            f
        };
        if matches[i].is_empty() {
            if root_only || comment_like {
                continue;
            }
            let what = if r.exception {
                "this exception matches no path in this tree, so it re-includes nothing"
            } else {
                "this rule matches no path in this tree"
            };
            out.push(calm(finding(checks::MATCHES_NOTHING, i, what.into())));
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
                    Some(j) => out.push(finding(checks::EXCEPTION_BEFORE_RULE, i, format!("this exception comes before `{}` (line {}), which excludes the same paths again: the last matching line wins, so move the exception below it", s(&rules[j].original).trim(), rules[j].line))),
                    None => {
                        // Paths the builder skips (inside an excluded
                        // directory it never enters) are a real miss; paths
                        // sent anyway make the line merely redundant.
                        let skipped: Vec<String> = matches[i]
                            .iter()
                            .filter(|&&k| seen[k].status == Status::Pruned)
                            .take(MAX_EXAMPLES)
                            .map(|&k| s(&seen[k].path))
                            .collect();
                        let mut f = if skipped.is_empty() {
                            let mut f = finding(checks::EXCEPTION_NO_EFFECT, i, "this exception re-includes nothing: what it matches is sent anyway".into());
                            f.severity = Severity::Info;
                            f
                        } else {
                            finding(checks::EXCEPTION_NO_EFFECT, i, "this exception re-includes nothing: what it matches sits in an excluded directory the builder skips whole, so it is not sent; add an exception for the directory itself (e.g. `!dir`) before this line".into())
                        };
                        f.examples = if skipped.is_empty() {
                            matches[i].iter().take(MAX_EXAMPLES).map(|&k| s(&seen[k].path)).collect()
                        } else {
                            skipped
                        };
                        out.push(f);
                    }
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
                out.push(calm(finding(checks::REDUNDANT, i, msg)));
            }
        }
    }
    out.extend(divergence(ctx, seen, &file));
    out.extend(builders::divergence(ctx, seen, &file));
    // The walk marked them (only BuildKit's walk ever does).
    let empty: Vec<Vec<u8>> = seen
        .iter()
        .filter(|e| e.arrives_empty)
        .map(|e| e.path.clone())
        .collect();
    out.extend(builders::arrives_empty(ctx, &empty, &file));
    out.extend(shadowing(seen));
    out.sort_by(|a, b| a.line.cmp(&b.line).then(a.check.id.cmp(b.check.id)));
    Ok(out)
}

/// What `builder` sends of the paths a walk saw, decided in memory: each
/// path from its parent's state, and nothing below a directory the builder
/// skips whole. `seen` is sorted by path (parents first).
pub fn replay_builder(m: &Matcher, builder: BuilderKind, seen: &[Seen]) -> Result<Vec<bool>> {
    Ok(replay_decisions(m, builder, seen)?
        .into_iter()
        .map(|(sent, _)| sent)
        .collect())
}

/// [`replay_builder`], with the deciding rule of each path.
pub fn replay_decisions(
    m: &Matcher,
    builder: BuilderKind,
    seen: &[Seen],
) -> Result<Vec<(bool, Option<usize>)>> {
    let mut states: HashMap<&[u8], (ParentState, bool)> = HashMap::new();
    let mut sent = Vec::with_capacity(seen.len());
    let root = ParentState::root();
    for e in seen {
        let parent = crate::relpath::parent(&e.path);
        let (state, skipped) = if parent.is_empty() {
            (&root, false)
        } else {
            match states.get(parent) {
                Some((st, skip)) => (st, *skip),
                None => (&root, true),
            }
        };
        if skipped {
            sent.push((false, None));
            if e.kind == EntryKind::Dir {
                states.insert(&e.path, (ParentState::root(), true));
            }
            continue;
        }
        let mut own = ParentState::root();
        let is_dir = e.kind == EntryKind::Dir;
        let d = m
            .decide(&e.path, state, if is_dir { Some(&mut own) } else { None })
            .map_err(|err| crate::error::Error::Patterns(vec![m.eval_error(&err)]))?;
        sent.push((!d.excluded, d.rule));
        if is_dir {
            let skip = d.excluded && crate::scan::walk::prunes(m, builder, &e.path);
            states.insert(&e.path, (own, skip));
        }
    }
    Ok(sent)
}

// Builders that send different files: today BuildKit and the classic
// builder differ only where a wildcard exception stops BuildKit from
// skipping excluded directories.
fn divergence(ctx: &Context, seen: &[Seen], file: &str) -> Vec<LintFinding> {
    let m = &ctx.matcher;
    let mut out = Vec::new();
    if !m.exceptions_have_wildcards() {
        return out;
    }
    let (Ok(bk), Ok(classic)) = (
        replay_builder(m, BuilderKind::BuildKit, seen),
        replay_builder(m, BuilderKind::Classic, seen),
    ) else {
        return out;
    };
    let divergent: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(k, e)| e.kind != EntryKind::Dir && bk[*k] != classic[*k])
        .map(|(_, e)| s(&e.path))
        .collect();
    let dirs: Vec<String> = seen
        .iter()
        .filter(|e| e.kind == EntryKind::Dir && e.status != Status::Included)
        .filter(|e| !e.path.contains(&b'/'))
        .filter(|e| crate::scan::walk::prunes(m, BuilderKind::Classic, &e.path))
        .map(|e| s(&e.path))
        .collect();
    let extra = seen.iter().filter(|e| e.status != Status::Included).count();
    let rules = m.rules();
    if let Some(i) = rules
        .iter()
        .position(|r| r.exception && r.has_wildcards_for_pruning())
    {
        let mut f = LintFinding::new(
            checks::WILDCARD_EXCEPTION,
            file,
            rules[i].line,
            s(&rules[i].original),
            format!(
                "a wildcard exception makes BuildKit walk into every excluded directory ({}) instead of skipping it: {} excluded entries are visited; {}. A literal exception (e.g. `!dir/file`) keeps the walk fast",
                if dirs.is_empty() { "none here".to_string() } else { dirs.iter().take(5).cloned().collect::<Vec<_>>().join(", ") },
                extra,
                if divergent.is_empty() {
                    "both builders send the same files here".to_string()
                } else {
                    format!("{} paths are sent by BuildKit but not by the classic builder, e.g. {}", divergent.len(), divergent.iter().take(MAX_EXAMPLES).cloned().collect::<Vec<_>>().join(", "))
                }
            ),
        );
        f.examples = divergent.iter().take(MAX_EXAMPLES).cloned().collect();
        out.push(f);
    }
    out
}

/// Dockerfile-specific ignore files next to Dockerfiles in the context
/// (among the paths the walk saw): say which file is in effect for which
/// Dockerfile.
fn shadowing(seen: &[Seen]) -> Vec<LintFinding> {
    let mut out = Vec::new();
    for e in seen.iter().filter(|e| e.kind != EntryKind::Dir) {
        let Some(df) = e.path.strip_suffix(b".dockerignore") else {
            continue;
        };
        if df.is_empty() || df.ends_with(b"/") || !seen.iter().any(|o| o.path == df) {
            continue;
        }
        let rel = s(&e.path);
        let mut f = LintFinding::new(
            checks::DOCKERFILE_SPECIFIC,
            &rel,
            0,
            String::new(),
            format!(
                "BuildKit uses this file instead of .dockerignore when building with `-f {}` (they are not merged); the classic builder ignores it",
                s(df)
            ),
        );
        f.pattern = None;
        out.push(f);
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
