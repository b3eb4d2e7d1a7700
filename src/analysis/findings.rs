//! From the walk's catalogue hits to findings: hits inside another hit are
//! dropped, hits of one entry are grouped under the rule that keeps them
//! out, and each finding carries what is sent below it. What becomes of
//! each finding's rule (suggested, or declined because a build needs the
//! path) is [`plan`](super::plan)'s decision, recorded with [`advise`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::plan::{Considered, Outcome, Plan};
use crate::catalog;
use crate::facts::walk::{Hit, Walk};
use crate::scan::tree::Totals;

/// A catalogue entry found in the context.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Stable id of the catalogue entry.
    pub id: String,
    /// Kind (`vcs`, `dependencies`, `secret`, ...).
    pub kind: String,
    /// Why it matters, one sentence.
    pub reason: String,
    /// The matched paths (directories or files), sorted.
    pub paths: Vec<String>,
    /// For a credential found by its content: the line of the first one
    /// (never its value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Git tracks (some of) these paths: a tracked secret must also be
    /// rotated, since it is in the history.
    pub tracked: bool,
    /// Files below them that are sent.
    pub files: u64,
    /// Bytes below them that are sent.
    pub bytes: u64,
    /// The rule that keeps them out, in Docker syntax (the first line of
    /// `rules`).
    pub rule: String,
    /// Every line to add.
    pub rules: Vec<String>,
    /// Bytes the rules would take out of the context.
    pub saves_bytes: u64,
    /// Files the rules would take out of the context.
    pub saves_files: u64,
    /// Why no rule is suggested: a path a build needs (a `COPY` source, a
    /// lockfile, a packaging file) that it would exclude, or an exception
    /// of the user's it would undo. The same sentence `init` prints when it
    /// declines the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed: Option<String>,
    /// The rule that stays true as the project grows (`**/target`), when
    /// the hits allow one; the plan falls back to `rules` (one per path)
    /// when it would catch a look-alike or something a build needs.
    #[serde(skip)]
    pub general: Option<(String, bool)>,
}

impl Finding {
    /// Whether this is a secret.
    pub fn is_secret(&self) -> bool {
        self.kind == "secret"
    }
}

/// Groups the walk's hits into findings with their candidate rules: one
/// finding per catalogue entry, with the general rule and one exact rule
/// per path. Non-secret hits on files git tracks are the project's choice
/// and are left out.
pub fn group(walk: &Walk) -> Vec<Finding> {
    let mut kept: Vec<&Hit> = Vec::new();
    for h in &walk.hits {
        let inside = kept.iter().rev().any(|k| {
            k.is_dir
                && h.path.len() > k.path.len()
                && h.path.starts_with(&k.path)
                && h.path.as_bytes()[k.path.len()] == b'/'
        });
        if !inside {
            kept.push(h);
        }
    }
    let mut by_entry: BTreeMap<&'static str, Vec<&Hit>> = BTreeMap::new();
    for h in kept {
        // A tracked path is the project's choice (a shared `.vscode`, a
        // test's `.log` fixture) unless it is a secret or plainly
        // generated (bytecode caches, virtualenvs, coverage output).
        let generated = matches!(
            h.entry.kind,
            catalog::Kind::Secret
                | catalog::Kind::Cache
                | catalog::Kind::Virtualenv
                | catalog::Kind::Coverage
        );
        if h.tracked && !generated {
            continue;
        }
        by_entry.entry(h.entry.id).or_default().push(h);
    }
    let mut out = Vec::new();
    for (_, hits) in by_entry {
        let entry = hits[0].entry;
        let mut t = Totals::default();
        for h in &hits {
            if h.is_dir {
                // Only what the entry's rule covers: `storage/logs/[^.]*`
                // leaves the directory's placeholder.
                let (f, b) = walk
                    .entries
                    .sent_below(h.path.as_bytes(), &|inside| entry.covers_inside(inside));
                t.files += f;
                t.bytes += b;
            } else {
                t.files += 1;
                t.bytes += h.size;
            }
        }
        if t.files == 0 && entry.kind != catalog::Kind::Secret {
            continue;
        }
        let all: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
        let r = entry.rules(&all);
        let exact: Vec<String> = hits.iter().map(|h| entry.exact_rule(&h.path)).collect();
        out.push(Finding {
            id: entry.id.to_string(),
            kind: entry.kind.as_str().to_string(),
            reason: entry.reason.to_string(),
            paths: all.iter().map(|p| p.to_string()).collect(),
            line: hits.iter().find_map(|h| h.line),
            tracked: hits.iter().any(|h| h.tracked),
            files: t.files,
            bytes: t.bytes,
            rule: r.general.clone().unwrap_or_else(|| exact[0].clone()),
            rules: exact,
            saves_bytes: t.bytes,
            saves_files: t.files,
            needed: None,
            general: r.general.map(|g| (g, r.proof)),
        });
    }
    // Secrets first, then by what each rule saves.
    out.sort_by(|a, b| {
        b.is_secret()
            .cmp(&a.is_secret())
            .then(b.saves_bytes.cmp(&a.saves_bytes))
            .then_with(|| a.paths.cmp(&b.paths))
    });
    out
}

/// Records the plan's decisions on the findings: the rule chosen (the
/// general one, or the exact ones it fell back to), what it saves, and for
/// declined rules the reason. A finding whose exact rules were partly
/// declined is split in two.
pub fn advise(findings: &mut Vec<Finding>, plan: &Plan) {
    let mut out = Vec::new();
    for (i, f) in findings.drain(..).enumerate() {
        let mine: Vec<&Considered> = plan
            .considered
            .iter()
            .filter(|c| c.finding == Some(i))
            .collect();
        if let Some(g) = mine
            .iter()
            .find(|c| c.general && matches!(c.outcome, Outcome::Added | Outcome::NoEffect))
        {
            out.push(Finding {
                rule: g.lines[0].clone(),
                rules: g.lines.clone(),
                saves_files: g.removed.0,
                saves_bytes: g.removed.1,
                ..f
            });
            continue;
        }
        let exact: Vec<&&Considered> = mine.iter().filter(|c| !c.general).collect();
        if exact.is_empty() {
            out.push(f);
            continue;
        }
        let mut added = f.clone();
        let mut declined = f.clone();
        added.paths.clear();
        added.rules.clear();
        added.saves_files = 0;
        added.saves_bytes = 0;
        declined.paths.clear();
        declined.rules.clear();
        for (k, c) in exact.iter().enumerate() {
            let path = f.paths.get(c.hit.unwrap_or(k)).cloned().unwrap_or_default();
            match c.declined_because() {
                None => {
                    added.paths.push(path);
                    added.rules.extend(c.lines.iter().cloned());
                    added.saves_files += c.removed.0;
                    added.saves_bytes += c.removed.1;
                }
                Some(why) => {
                    declined.paths.push(path);
                    declined.rules.extend(c.lines.iter().cloned());
                    declined.needed.get_or_insert(why);
                }
            }
        }
        for mut part in [added, declined] {
            if part.paths.is_empty() {
                continue;
            }
            part.rule = part.rules.first().cloned().unwrap_or_default();
            if part.needed.is_some() {
                part.saves_files = 0;
                part.saves_bytes = 0;
            }
            out.push(part);
        }
    }
    *findings = out;
}

/// Group title under which `init` writes a finding's rule.
pub fn group_title(kind: &str) -> &'static str {
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
}
