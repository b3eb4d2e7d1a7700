//! Scanning a build context: the walk ([`walk`]) and collectors built on it.

mod dirent;
pub mod tar;
pub mod tree;
pub mod walk;

pub use walk::{walk, BuilderKind, Entry, EntryKind, Status, Visitor, WalkError, WalkOptions};

use std::path::Path;

use crate::pattern::{EvalError, Matcher};

/// One entry of the context as `ls` lists it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listed {
    /// Path relative to the root.
    pub path: Vec<u8>,
    /// Type.
    pub kind: EntryKind,
    /// Apparent size.
    pub size: u64,
    /// Index of the deciding rule, if any.
    pub rule: Option<usize>,
}

/// What [`list`] returns.
#[derive(Debug, Default)]
pub struct Listing {
    /// Entries, sorted bytewise by path.
    pub entries: Vec<Listed>,
    /// Paths that could not be read.
    pub errors: Vec<WalkError>,
}

/// Which entries [`list`] collects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    /// The entries sent to the builder.
    Included,
    /// The entries the ignore file keeps out (pruned directories are listed
    /// as one entry; their contents are not walked).
    Excluded,
}

#[derive(Default)]
struct ListVisitor {
    select: Option<Select>,
    entries: Vec<Listed>,
    errors: Vec<WalkError>,
    // An excluded directory was entered (an exception may reach inside).
    entered_excluded: bool,
}

impl Visitor for ListVisitor {
    fn visit(&mut self, e: &Entry<'_>) {
        if e.kind == EntryKind::Dir && e.status == Status::Excluded && !e.pruned {
            self.entered_excluded = true;
        }
        let keep = match self.select {
            Some(Select::Included) => e.status == Status::Included,
            Some(Select::Excluded) => e.status != Status::Included,
            None => false,
        };
        if keep {
            self.entries.push(Listed {
                path: e.path.to_vec(),
                kind: e.kind,
                size: e.size,
                rule: e.decision.and_then(|d| d.rule),
            });
        }
    }

    fn error(&mut self, error: WalkError) {
        self.errors.push(error);
    }
}

/// Lists the context (or what it leaves out), sorted bytewise by path.
///
/// For [`Select::Included`] the directory entries follow the builder:
/// BuildKit also sends an excluded directory it entered when something below
/// it is kept; the classic builder never sends it (spec §5.4).
pub fn list(
    root: &Path,
    matcher: &Matcher,
    builder: BuilderKind,
    select: Select,
) -> Result<Listing, EvalError> {
    list_with(root, matcher, builder, select, true)
}

/// [`list`], optionally without file sizes (no `stat` per file: the walk
/// then reads directories only).
pub fn list_with(
    root: &Path,
    matcher: &Matcher,
    builder: BuilderKind,
    select: Select,
    sizes: bool,
) -> Result<Listing, EvalError> {
    let options = WalkOptions {
        builder,
        // Listing what is kept out means looking inside skipped directories.
        measure_pruned: select == Select::Excluded,
        threads: 0,
        sizes,
    };
    let visitors = walk(root, matcher, &options, None, || ListVisitor {
        select: Some(select),
        ..ListVisitor::default()
    })?;
    let entered_excluded = visitors.iter().any(|v| v.entered_excluded);
    let mut listing = Listing::default();
    let mut runs = Vec::with_capacity(visitors.len());
    for v in visitors {
        runs.push(v.entries);
        listing.errors.extend(v.errors);
    }
    if select == Select::Included && builder == BuilderKind::BuildKit && entered_excluded {
        let extra = entered_parents(&runs);
        runs.push(extra);
    }
    listing.entries = sort_runs(runs);
    listing.errors.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(listing)
}

// Sorts each worker's entries on its own thread, then merges them: on large
// listings the sort is most of the user time.
fn sort_runs(mut runs: Vec<Vec<Listed>>) -> Vec<Listed> {
    std::thread::scope(|s| {
        for run in runs.iter_mut().filter(|r| r.len() > 1) {
            s.spawn(move || run.sort_unstable_by(|a, b| a.path.cmp(&b.path)));
        }
    });
    while runs.len() > 1 {
        let a = runs.pop().unwrap_or_default();
        let b = runs.pop().unwrap_or_default();
        runs.push(merge(a, b));
    }
    runs.pop().unwrap_or_default()
}

fn merge(a: Vec<Listed>, b: Vec<Listed>) -> Vec<Listed> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut a = a.into_iter().peekable();
    let mut b = b.into_iter().peekable();
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.path <= y.path,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        out.extend(if take_a { a.next() } else { b.next() });
    }
}

// BuildKit sends the excluded directories it entered when something below
// them is kept: every ancestor of a kept entry is a directory entry. Returns
// the ones missing from `runs`.
fn entered_parents(runs: &[Vec<Listed>]) -> Vec<Listed> {
    let entries = || runs.iter().flatten();
    let mut present: std::collections::HashSet<Vec<u8>> = entries()
        .filter(|e| e.kind == EntryKind::Dir)
        .map(|e| e.path.clone())
        .collect();
    let mut extra = Vec::new();
    for e in entries() {
        let mut p = &e.path[..];
        while let Some(i) = p.iter().rposition(|&b| b == b'/') {
            p = &p[..i];
            if present.contains(p) || !present.insert(p.to_vec()) {
                break;
            }
            extra.push(Listed {
                path: p.to_vec(),
                kind: EntryKind::Dir,
                size: 0,
                rule: None,
            });
        }
    }
    extra
}
