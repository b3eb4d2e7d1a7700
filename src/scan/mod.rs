//! Scanning a build context: the walk ([`walk`]) and collectors built on it.

mod dirent;
pub mod list;
pub mod tar;
pub mod tree;
pub mod walk;

pub use crate::pattern::Builder;
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
    /// The bytes sent (0 for a file that arrives empty under BuildKit).
    pub size: u64,
    /// Index of the deciding rule, if any.
    pub rule: Option<usize>,
    /// A file BuildKit sends with 0 bytes (spec §7.1).
    pub arrives_empty: bool,
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

/// Lists the context (or what it leaves out), sorted bytewise by path.
///
/// For [`Select::Included`] the directory entries follow the builder:
/// BuildKit and Podman also list an excluded directory they entered when
/// something below it is kept; the classic builder never sends it (spec
/// §5.4). Sizes are the bytes sent (§7.1).
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
    let mut entries = Vec::new();
    let errors = list::for_each(root, matcher, builder, select, sizes, &mut |e| {
        entries.push(Listed {
            path: e.path.to_vec(),
            kind: e.kind,
            size: e.size,
            rule: e.rule,
            arrives_empty: e.arrives_empty,
        })
    })?;
    Ok(Listing { entries, errors })
}
