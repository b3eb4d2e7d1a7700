//! From the walk's catalogue hits to findings: hits inside another hit are
//! dropped, hits of one entry are grouped under the rule that keeps them
//! out, and each finding carries what is sent below it. What becomes of
//! each finding's rule (suggested, or declined because a build needs the
//! path) is [`plan`](super::plan)'s decision, recorded with [`advise`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::plan::{Outcome, Plan};
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
    /// Files below them that are sent.
    pub files: u64,
    /// Bytes below them that are sent.
    pub bytes: u64,
    /// The rule that keeps them out, in Docker syntax (the first line of
    /// `rules`).
    pub rule: String,
    /// Every line to add: the rule, then any exceptions that keep
    /// placeholders.
    pub rules: Vec<String>,
    /// Bytes the rule would take out of the context.
    pub saves_bytes: u64,
    /// Files the rule would take out of the context.
    pub saves_files: u64,
    /// Why the rule is not suggested: a path a build needs (a `COPY`
    /// source, a lockfile, a packaging file) that it would exclude, or an
    /// exception of the user's it would undo. The same sentence `init`
    /// prints when it declines the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed: Option<String>,
}

impl Finding {
    /// Whether this is a secret.
    pub fn is_secret(&self) -> bool {
        self.kind == "secret"
    }
}

/// Groups the walk's hits into findings with their candidate rules.
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
        by_entry.entry(h.entry.id).or_default().push(h);
    }
    let mut out = Vec::new();
    for (_, hits) in by_entry {
        let entry = hits[0].entry;
        let all: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
        let rules = entry.rules_for(&all);
        let groups: Vec<(String, Vec<&Hit>)> = if rules.len() == 1 {
            vec![(rules[0].clone(), hits.clone())]
        } else {
            hits.iter()
                .map(|h| {
                    let r = entry.rules_for(&[h.path.as_str()]);
                    (
                        r.into_iter()
                            .next()
                            .unwrap_or_else(|| catalog::literal_rule(&h.path)),
                        vec![*h],
                    )
                })
                .collect()
        };
        for (rule, hs) in groups {
            let mut t = Totals::default();
            for h in &hs {
                if h.is_dir {
                    if let Some(d) = walk.scan.dir(h.path.as_bytes()) {
                        t.files += d.total_in.files;
                        t.bytes += d.total_in.bytes;
                    }
                } else {
                    t.files += 1;
                    t.bytes += h.size;
                }
            }
            if t.files == 0 && entry.kind != catalog::Kind::Secret {
                continue;
            }
            out.push(Finding {
                id: entry.id.to_string(),
                kind: entry.kind.as_str().to_string(),
                reason: entry.reason.to_string(),
                paths: hs.iter().map(|h| h.path.clone()).collect(),
                files: t.files,
                bytes: t.bytes,
                rules: vec![rule.clone()],
                rule,
                saves_bytes: t.bytes,
                saves_files: t.files,
                needed: None,
            });
        }
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

/// Records the plan's decision on each finding's rule: declined rules get
/// the reason the plan gave.
pub fn advise(findings: &mut [Finding], plan: &Plan) {
    for f in findings {
        let decided = plan.considered.iter().find(|c| c.lines == f.rules);
        f.needed = match decided.map(|c| &c.outcome) {
            Some(Outcome::Needed(why)) => Some(why.clone()),
            Some(Outcome::UndoesException(line)) => {
                Some(format!("it would undo your exception {line}"))
            }
            _ => None,
        };
    }
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
