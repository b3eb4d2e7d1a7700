//! Which rules to add to an ignore file, judged in memory against the one
//! walk of the context: each candidate (a rule, maybe followed by
//! exceptions) is replayed over the decided entries as if appended to the
//! file, and it is added only if it changes what is sent (or, for a new
//! file, it is a safe stack default), never if it would exclude something
//! a build of the context needs or undo one of the user's `!` exceptions.
//!
//! `init` writes the result; `check` and `report` take their advice from
//! the same plan, so the three never disagree on a rule.

use crate::facts::context::Context;
use crate::facts::needs::Needs;
use crate::facts::walk::Entries;
use crate::pattern::{Matcher, Strategy};
use crate::scan::{BuilderKind, EntryKind};

/// A rule ctxsize may add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Group comment it belongs under.
    pub group: String,
    /// The lines: the rule, then exceptions that keep placeholders.
    pub lines: Vec<String>,
    /// A stack default: written into a new file even when it changes
    /// nothing today (defensive).
    pub default: bool,
    /// The finding (index) this candidate is a rule for.
    pub finding: Option<usize>,
    /// For a finding's general rule (`**/target`): the hit paths, when the
    /// rule's name alone does not prove the entry, so that it must not
    /// exclude anything outside them (a look-alike without the evidence).
    pub general: Option<Vec<String>>,
    /// For a finding's exact rule: which of its paths it is for. Judged
    /// only when the finding's general rule was not added.
    pub hit: Option<usize>,
    /// For a finding's rule: the paths it is about (what it saves is
    /// counted below them).
    pub paths: Vec<String>,
}

impl Candidate {
    /// A plain candidate: lines under a group.
    pub fn new(group: impl Into<String>, lines: Vec<String>, default: bool) -> Candidate {
        Candidate {
            group: group.into(),
            lines,
            default,
            finding: None,
            general: None,
            hit: None,
            paths: Vec::new(),
        }
    }
}

/// What became of a candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Added.
    Added,
    /// Changes nothing on this tree (already covered).
    NoEffect,
    /// Would exclude something a build needs: the sentence says what and
    /// why.
    Needed(String),
    /// Would undo a `!` exception of the user's (its location).
    UndoesException(String),
    /// A general rule that would also exclude this path, which is not one
    /// of the finding's (a look-alike without the evidence): the exact
    /// rules are used instead.
    LookAlike(String),
}

/// A candidate and its outcome.
#[derive(Clone, Debug)]
pub struct Considered {
    /// Group comment.
    pub group: String,
    /// The lines.
    pub lines: Vec<String>,
    /// What became of it.
    pub outcome: Outcome,
    /// The finding it is a rule for.
    pub finding: Option<usize>,
    /// A finding's general rule.
    pub general: bool,
    /// For a finding's exact rule: which of its paths.
    pub hit: Option<usize>,
    /// Files and bytes it takes out of the context (when added).
    pub removed: (u64, u64),
}

impl Considered {
    /// Why it was not added, as `init` and `check` say it; `None` when
    /// added or without effect.
    pub fn declined_because(&self) -> Option<String> {
        match &self.outcome {
            Outcome::Needed(why) => Some(why.clone()),
            Outcome::UndoesException(line) => Some(format!("it would undo your exception {line}")),
            Outcome::LookAlike(p) => Some(format!(
                "it would also exclude {p}, which is not one of them; using the exact paths instead"
            )),
            _ => None,
        }
    }
}

/// The plan.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Every candidate, in the order judged, with its outcome.
    pub considered: Vec<Considered>,
    /// Files and bytes sent before.
    pub before: (u64, u64),
    /// Files and bytes sent with the added rules.
    pub after: (u64, u64),
}

impl Plan {
    /// The added candidates' lines, in order.
    pub fn added(&self) -> Vec<String> {
        self.considered
            .iter()
            .filter(|c| c.outcome == Outcome::Added)
            .flat_map(|c| c.lines.iter().cloned())
            .collect()
    }
}

/// Judges `candidates` in order. `existing` says whether the ignore file
/// exists: then a rule that changes nothing is not added even if it is a
/// stack default.
pub fn plan(
    ctx: &Context,
    entries: &Entries,
    needs: &Needs,
    candidates: Vec<Candidate>,
    existing: bool,
) -> Plan {
    let rows = entries.rows();
    let mut excluded: Vec<bool> = rows.iter().map(|r| r.excluded).collect();
    let sent = |ex: &[bool]| {
        rows.iter()
            .zip(ex)
            .filter(|(r, e)| !**e && r.kind != EntryKind::Dir)
            .fold((0u64, 0u64), |(f, b), (r, _)| (f + 1, b + r.size))
    };
    let before = sent(&excluded);
    let original = excluded.clone();
    // BuildKit checks each file again when it reads it, with "the path or
    // any parent matches" (spec §7.1): a rule appended below an exception
    // can leave a file its walk sends arriving empty. Track that second
    // decision too.
    // Without an exception anywhere (the file's or a candidate's), nothing
    // below an excluded directory is sent, and the two decisions agree.
    let reads_again = ctx.builder == BuilderKind::BuildKit
        && (ctx.matcher.has_exceptions()
            || candidates
                .iter()
                .any(|c| c.lines.iter().any(|l| l.trim_start().starts_with('!'))));
    let mut read_excluded = if reads_again {
        apply(true, entries, vec![false; rows.len()], ctx.matcher.rules())
    } else {
        Vec::new()
    };
    let any_ancestor = builder_uses_any_ancestor(ctx.builder);
    let mut considered: Vec<Considered> = Vec::new();
    for c in candidates {
        if c.finding.is_none() && considered.iter().any(|k| k.lines == c.lines) {
            continue;
        }
        // An exact rule only when its finding's general rule was declined
        // (not when it was added, nor when an earlier rule covers it).
        if c.hit.is_some()
            && considered.iter().any(|k| {
                k.general
                    && k.finding == c.finding
                    && matches!(k.outcome, Outcome::Added | Outcome::NoEffect)
            })
        {
            continue;
        }
        // Compiled once for the three replays below.
        let compiled = Matcher::from_patterns(&c.lines).matcher;
        let trial = apply(any_ancestor, entries, excluded.clone(), compiled.rules());
        let read_trial =
            reads_again.then(|| apply(true, entries, read_excluded.clone(), compiled.rules()));
        // Files still sent, but that would arrive empty.
        let emptied: Vec<usize> = match &read_trial {
            Some(rt) => (0..rows.len())
                .filter(|&i| !trial[i] && !read_excluded[i] && rt[i])
                .filter(|&i| rows[i].kind == EntryKind::File)
                .collect(),
            None => Vec::new(),
        };
        let removed: Vec<usize> = (0..rows.len())
            .filter(|&i| !excluded[i] && trial[i])
            .chain(emptied.iter().copied())
            .collect();
        // Whether a path is one of `hits` or below one: its ancestors
        // looked up in a set (a group may have thousands of paths).
        let under = |p: &[u8], hits: &std::collections::HashSet<&[u8]>| {
            crate::relpath::ancestors(p).any(|a| hits.contains(a))
        };
        let general_hits = c.general.as_deref().map(byte_set);
        let own_paths = byte_set(&c.paths);
        let look_alike = general_hits.as_ref().and_then(|hits| {
            removed
                .iter()
                .map(|&i| entries.path(&rows[i]))
                .find(|p| !under(p, hits))
                .map(|p| String::from_utf8_lossy(p).into_owned())
        });
        let outcome = if let Some(why) = removed.iter().find_map(|&i| {
            let p = entries.path(&rows[i]);
            needs.taken_by(p).map(|n| {
                format!(
                    "it would exclude {} ({})",
                    String::from_utf8_lossy(p),
                    n.why
                )
            })
        }) {
            Outcome::Needed(why)
        } else if let Some(line) = removed
            .iter()
            .find_map(|&i| user_exception(ctx, entries.path(&rows[i])))
        {
            Outcome::UndoesException(line)
        } else if let Some(&i) = emptied.first() {
            // Only an exception keeps a file sent below a directory a
            // rule excludes.
            let p = entries.path(&rows[i]);
            let line = crate::relpath::ancestors(p)
                .find_map(|a| user_exception(ctx, a))
                .unwrap_or_else(|| "re-including it".into());
            Outcome::UndoesException(line)
        } else if let Some(p) = look_alike {
            Outcome::LookAlike(p)
        } else if removed.is_empty() && (existing || !c.default) {
            Outcome::NoEffect
        } else {
            Outcome::Added
        };
        // What the rule saves on its own, against the file as it is (for
        // findings; the plan's order does not change it).
        let taken = if c.finding.is_some() {
            let alone = apply(any_ancestor, entries, original.clone(), compiled.rules());
            (0..rows.len())
                .filter(|&i| !original[i] && alone[i] && rows[i].kind != EntryKind::Dir)
                .filter(|&i| under(entries.path(&rows[i]), &own_paths))
                .fold((0u64, 0u64), |(f, b), i| (f + 1, b + rows[i].size))
        } else {
            (0, 0)
        };
        if outcome == Outcome::Added {
            excluded = trial;
            if let Some(rt) = read_trial {
                read_excluded = rt;
            }
        }
        considered.push(Considered {
            group: c.group,
            lines: c.lines,
            outcome,
            finding: c.finding,
            general: c.general.is_some() || (c.finding.is_some() && c.hit.is_none()),
            hit: c.hit,
            removed: taken,
        });
    }
    let after = sent(&excluded);
    Plan {
        considered,
        before,
        after,
    }
}

fn byte_set(v: &[String]) -> std::collections::HashSet<&[u8]> {
    v.iter().map(|h| h.as_bytes()).collect()
}

/// The exclusion state after appending the compiled `rules` to those
/// whose state is `state`: each rule is replayed over the entries, parents
/// before children, with the builder's decision rule (a pattern applies to
/// a path when it matches it or applied to its parent; under Docker's
/// parent-results rule a plain pattern is tried only on paths not yet
/// excluded, an exception only on excluded ones); with
/// `any_ancestor`, every rule is tried on every path ("the path or any
/// parent matches").
fn apply(
    any_ancestor: bool,
    entries: &Entries,
    mut state: Vec<bool>,
    rules: &[crate::pattern::Rule],
) -> Vec<bool> {
    let rows = entries.rows();
    let mut applied = vec![false; rows.len()];
    for rule in rules {
        if matches!(rule.strategy, Strategy::Invalid(_)) {
            continue;
        }
        for (i, r) in rows.iter().enumerate() {
            let from_parent = r.parent != u32::MAX && applied[r.parent as usize];
            let a = from_parent || {
                let eligible = any_ancestor || (rule.exception == state[i]);
                eligible && rule.strategy.matches(entries.path(r)).unwrap_or(false)
            };
            applied[i] = a;
            if a {
                state[i] = !rule.exception;
            }
        }
    }
    state
}

// Podman decides with "any ancestor matches" (spec §8.4): every pattern is
// tried on every path.
fn builder_uses_any_ancestor(builder: BuilderKind) -> bool {
    builder.as_str() == "podman"
}

// A `!` exception of the user's that names `path` itself: the user wants it
// sent, whether or not the exception decides it today. (An exception that
// re-includes a whole directory, `!app`, does not forbid excluding junk
// inside it.)
fn user_exception(ctx: &Context, path: &[u8]) -> Option<String> {
    ctx.matcher.rules().iter().find_map(|r| {
        let hit = r.exception && r.strategy.matches(path).unwrap_or(false);
        hit.then(|| r.location())
    })
}

/// The candidates for the findings: each one's general rule (when it has
/// one), then one exact rule per path, judged only if the general rule is
/// not added.
pub fn finding_candidates(findings: &[crate::analysis::findings::Finding]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let group = crate::analysis::findings::group_title(&f.kind).to_string();
        if let Some((rule, proof)) = &f.general {
            out.push(Candidate {
                group: group.clone(),
                lines: vec![rule.clone()],
                default: false,
                finding: Some(i),
                general: (!*proof).then(|| f.paths.clone()),
                hit: None,
                paths: f.paths.clone(),
            });
        }
        for (k, r) in f.rules.iter().enumerate() {
            out.push(Candidate {
                group: group.clone(),
                lines: vec![r.clone()],
                default: false,
                finding: Some(i),
                general: None,
                hit: Some(k),
                paths: f.paths.get(k).cloned().into_iter().collect(),
            });
        }
    }
    out
}

/// Build definitions: the builder reads them on its own, at any depth
/// (a sub-directory's own build files are not inputs either).
const BUILD_DEFINITIONS: [&str; 6] = [
    "**/.dockerignore",
    "**/.containerignore",
    "**/Dockerfile*",
    "**/*.Dockerfile",
    "**/docker-compose*.y*ml",
    "**/compose*.y*ml",
];

/// Default rules for the stacks found at the context root, in a
/// deterministic order: common defaults, build definitions, then each
/// stack's.
pub fn stack_candidates(ctx: &Context) -> Vec<Candidate> {
    use crate::catalog;
    let names: Vec<String> = std::fs::read_dir(&ctx.root)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut out: Vec<Candidate> = catalog::common_defaults()
        .iter()
        .map(|d| Candidate::new(d.group, vec![d.rule.to_string()], true))
        .collect();
    // BuildKit reads the Dockerfile and the ignore file on its own; in the
    // context they only bust the cache of `COPY . .` (the classic builder
    // sends them anyway). A `COPY` that names them keeps them (needed).
    let build_files = "Build definitions (the builder reads them on its own)";
    for rule in BUILD_DEFINITIONS {
        out.push(Candidate::new(build_files, vec![rule.to_string()], true));
    }
    for eco in catalog::detect_ecosystems(&refs) {
        for d in catalog::stack_defaults(eco) {
            out.push(Candidate::new(d.group, vec![d.rule.to_string()], true));
        }
    }
    out
}

/// Whether `pattern` is a rule the catalogue writes defensively (a stack or
/// common default, or the `**/` or root form of a catalogue entry's
/// rule): such a rule matching nothing yet is not a problem.
pub fn is_defensive(pattern: &str) -> bool {
    use crate::catalog;
    let p = pattern.trim();
    let bare = p.strip_prefix("**/").unwrap_or(p);
    let defaults = catalog::common_defaults().iter().chain(
        catalog::Ecosystem::ALL
            .iter()
            .flat_map(|e| catalog::stack_defaults(*e).iter()),
    );
    for d in defaults {
        let r = d.rule.strip_prefix("**/").unwrap_or(d.rule);
        if d.rule == p || r == bare {
            return true;
        }
    }
    if BUILD_DEFINITIONS
        .iter()
        .any(|r| *r == p || r.strip_prefix("**/") == Some(bare))
    {
        return true;
    }
    catalog::ENTRIES
        .iter()
        .any(|e| e.root_rule() == Some(bare) || e.rule == Some(p))
}

/// The comment a generated file starts with.
pub const GENERATED_HEADER: &str =
    "# Generated by ctxsize init from what is on disk; edit freely (ctxsize init merges new rules below your lines).";

/// A new ignore file with the added candidates, grouped under comments.
pub fn render_new_file(plan: &Plan) -> Vec<u8> {
    let mut out = String::from(GENERATED_HEADER);
    out.push('\n');
    let added: Vec<&Considered> = plan
        .considered
        .iter()
        .filter(|c| c.outcome == Outcome::Added)
        .collect();
    let mut groups: Vec<&str> = Vec::new();
    for c in &added {
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
    }
    for g in groups {
        out.push_str(&format!("\n# {g}\n"));
        for c in added.iter().filter(|c| c.group == g) {
            for l in &c.lines {
                out.push_str(l);
                out.push('\n');
            }
        }
    }
    out.into_bytes()
}

/// The findings of one walked context, each with the plan's advice (the
/// rule `init` would write for it, or why it declines one): what `check`,
/// `report` and `init` all say.
pub fn advised(
    ctx: &Context,
    walk: &crate::facts::walk::Walk,
    needs: &Needs,
) -> Vec<crate::analysis::findings::Finding> {
    let mut found = crate::analysis::findings::group(walk);
    let p = for_context(ctx, &walk.entries, needs, &found, Vec::new());
    crate::analysis::findings::advise(&mut found, &p);
    found
}

/// The plan for a context as `init` makes it and `check`/`report` take
/// their advice from: for a new file, the stack defaults first; then the
/// findings' rules; then `extra` (rules translated from `.gitignore`).
pub fn for_context(
    ctx: &Context,
    entries: &Entries,
    needs: &Needs,
    findings: &[crate::analysis::findings::Finding],
    extra: Vec<Candidate>,
) -> Plan {
    let existing = ctx.ignore.is_some();
    let mut candidates = if existing {
        Vec::new()
    } else {
        stack_candidates(ctx)
    };
    candidates.extend(finding_candidates(findings));
    candidates.extend(extra);
    plan(ctx, entries, needs, candidates, existing)
}
