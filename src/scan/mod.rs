//! Scanning a build context: the walk ([`walk`]) and collectors built on it.

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
}

impl Visitor for ListVisitor {
    fn visit(&mut self, e: &Entry<'_>) {
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
    let mut listing = Listing::default();
    for v in visitors {
        listing.entries.extend(v.entries);
        listing.errors.extend(v.errors);
    }
    if select == Select::Included && builder == BuilderKind::BuildKit {
        add_entered_parents(&mut listing.entries);
    }
    listing.entries.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    listing.errors.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(listing)
}

// BuildKit sends the excluded directories it entered when something below
// them is kept: every ancestor of a kept entry is a directory entry.
fn add_entered_parents(entries: &mut Vec<Listed>) {
    let mut present: std::collections::HashSet<Vec<u8>> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Dir)
        .map(|e| e.path.clone())
        .collect();
    let mut extra = Vec::new();
    for e in entries.iter() {
        let mut p = &e.path[..];
        while let Some(i) = p.iter().rposition(|&b| b == b'/') {
            p = &p[..i];
            if !present.insert(p.to_vec()) {
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
    entries.extend(extra);
}
