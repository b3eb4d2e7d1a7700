//! Classifying one path of a walk by its name and the evidence around it.
//!
//! [`match_dir`] and [`match_file`] compare the name first (a hash look-up
//! and one pre-built glob set per side) and allocate nothing when nothing
//! matches, the common case. Only then do they ask the caller's evidence
//! callback `has(dir, glob)`: "does the directory `dir` (relative to the
//! context root, `""` for the root) hold an entry whose name matches
//! `glob`?". `glob` is in [`name_matches`] syntax and may name a path below
//! `dir` (`config/application.rb`, `cmd/api`). A walker that holds the
//! current directory's listing answers for it from memory and asks the
//! disk ([`dir_has`]) for the rest; [`match_dir_at`] and [`match_file_at`]
//! do the whole look-up on disk.
//!
//! Which directories are asked about:
//! - beside a path ([`Near`](super::Near)): its parent, or for
//!   [`Matcher::DirPath`] / [`Matcher::FilePath`] entries the directory
//!   holding the suffix's first segment (`""` for `storage/logs`);
//! - inside a directory (`requires_child`, markers): the directory itself.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::entries::ENTRIES;
use super::entry::{Entry, Kind, Matcher};
use super::envfile::is_env_template;
use super::glob::name_matches;
use super::protected::is_protected;

/// Pre-built look-ups for one side (directories or files) of [`ENTRIES`].
pub(crate) struct Side {
    /// Entry indices by exact name (the last segment for path matchers), in
    /// table order.
    names: HashMap<&'static str, Vec<u16>>,
    /// Each glob with its entry index, in table order. A handful per side,
    /// most of them `*` and a literal: tried one by one, which costs less
    /// than compiling a glob set at every start.
    globs: Vec<(NameGlob, u16)>,
    /// Each glob's entry index, in table order.
    pub(crate) glob_entries: Vec<u16>,
}

/// A catalogue glob over one name, in [`name_matches`] syntax.
pub(crate) enum NameGlob {
    /// `*` then a literal: the name ends with it.
    Suffix(&'static str),
    /// A literal then `*`: the name starts with it.
    Prefix(&'static str),
    /// Anything else.
    Other(&'static str),
}

impl NameGlob {
    pub(crate) fn new(glob: &'static str) -> NameGlob {
        let literal = |s: &str| !s.contains(['*', '?', '[', '\\']);
        match (glob.strip_prefix('*'), glob.strip_suffix('*')) {
            (Some(rest), _) if literal(rest) => NameGlob::Suffix(rest),
            (_, Some(rest)) if literal(rest) => NameGlob::Prefix(rest),
            _ => NameGlob::Other(glob),
        }
    }

    pub(crate) fn matches(&self, name: &str) -> bool {
        match self {
            NameGlob::Suffix(s) => name.ends_with(s),
            NameGlob::Prefix(p) => name.starts_with(p),
            NameGlob::Other(g) => name_matches(g, name),
        }
    }
}

impl Side {
    fn new() -> Side {
        Side {
            names: HashMap::new(),
            globs: Vec::new(),
            glob_entries: Vec::new(),
        }
    }

    /// The first entry in table order whose name or glob matches `name` and
    /// that `accept` takes. Allocates nothing.
    fn first(
        &self,
        name: &str,
        mut accept: impl FnMut(&'static Entry) -> bool,
    ) -> Option<&'static Entry> {
        let named: &[u16] = self.names.get(name).map_or(&[], Vec::as_slice);
        let mut globs = self
            .globs
            .iter()
            .filter(|(g, _)| g.matches(name))
            .map(|&(_, i)| i)
            .peekable();
        let mut named = named.iter().copied().peekable();
        loop {
            // Merge the two ascending index lists, keeping table order.
            let next = match (named.peek(), globs.peek()) {
                (Some(&a), Some(&b)) if a <= b => named.next(),
                (Some(_), Some(_)) | (None, Some(_)) => globs.next(),
                (Some(_), None) => named.next(),
                (None, None) => return None,
            };
            let entry = &ENTRIES[usize::from(next?)];
            if accept(entry) {
                return Some(entry);
            }
        }
    }
}

/// Pre-built look-up structures over [`ENTRIES`].
pub(crate) struct Index {
    dirs: Side,
    pub(crate) files: Side,
    dir_holding: Vec<u16>,
    markers: Vec<&'static str>,
}

pub(crate) fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build_index)
}

#[cfg(test)]
pub(crate) fn compile_glob(pattern: &str) -> globset::Glob {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .expect("catalogue globs are valid (checked by the tests)")
}

fn build_index() -> Index {
    let mut dirs = Side::new();
    let mut files = Side::new();
    let mut dir_holding = Vec::new();
    let mut markers = Vec::new();
    let wild = |s: &str| s.contains(['*', '?', '[']);
    for (i, e) in ENTRIES.iter().enumerate() {
        let i = u16::try_from(i).expect("fewer than 65536 entries");
        let last = |p: &'static str| p.rsplit('/').next().unwrap_or(p);
        let (side, name) = match e.matcher {
            Matcher::DirName(n) | Matcher::DirGlob(n) => (&mut dirs, n),
            Matcher::DirPath(p) => (&mut dirs, last(p)),
            Matcher::FileName(n) | Matcher::FileGlob(n) => (&mut files, n),
            Matcher::FilePath(p) => (&mut files, last(p)),
            Matcher::DirHolding(m) => {
                dir_holding.push(i);
                markers.push(m);
                continue;
            }
            Matcher::GoBinary | Matcher::Content => continue,
        };
        if wild(name) {
            side.glob_entries.push(i);
            side.globs.push((NameGlob::new(name), i));
        } else {
            side.names.entry(name).or_default().push(i);
        }
    }
    Index {
        dirs,
        files,
        dir_holding,
        markers,
    }
}

/// Classifies a directory of the walk.
///
/// - `rel_path`: its path relative to the context root (`web/node_modules`);
/// - `name`: its last segment (`node_modules`);
/// - `has(dir, glob)`: the evidence callback (module docs). It is asked
///   about `rel_path` itself only for the marker names in [`dir_markers`]
///   and the `requires_child` globs of entries whose name already matched,
///   and about other directories only for entries whose name matched.
///
/// Returns the first entry, in table order, that recognises the directory
/// and whose conditions hold; name-based entries are tried before
/// marker-based ones. Nothing is allocated when no name matches. The caller
/// should not report paths inside a matched directory again.
pub fn match_dir(
    rel_path: &str,
    name: &str,
    has: &dyn Fn(&str, &str) -> bool,
) -> Option<&'static Entry> {
    let ix = index();
    let named = ix.dirs.first(name, |e| {
        e.path_fits(rel_path, name).is_some_and(|base| {
            e.near.holds(&|g| has(base, g))
                && (e.requires_child.is_empty()
                    || e.requires_child.iter().any(|g| has(rel_path, g)))
        })
    });
    if named.is_some() {
        return named;
    }
    ix.dir_holding
        .iter()
        .map(|&i| &ENTRIES[usize::from(i)])
        .find(|e| has(rel_path, e.matcher.text()))
}

/// Classifies a file (or any non-directory) of the walk.
///
/// `rel_path`, `name` and `has` as for [`match_dir`]. Protected names
/// ([`is_protected`]) never match, and env-file templates
/// ([`is_env_template`]) never match a
/// secret entry. Nothing is allocated when no name matches.
///
/// When the returned entry [`needs_content_check`](super::needs_content_check),
/// it is only a candidate until [`confirm`](super::confirm) agrees. Go
/// binaries have no fixed name and come from [`GoModule`](super::GoModule)
/// instead.
pub fn match_file(
    rel_path: &str,
    name: &str,
    has: &dyn Fn(&str, &str) -> bool,
) -> Option<&'static Entry> {
    let mut protected = None;
    let mut template = None;
    index().files.first(name, |e| {
        // Each asked at most once, and only when some name or glob matched.
        let excluded = *protected.get_or_insert_with(|| is_protected(name))
            || (e.kind == Kind::Secret && *template.get_or_insert_with(|| is_env_template(name)));
        !excluded
            && e.path_fits(rel_path, name)
                .is_some_and(|base| e.near.holds(&|g| has(base, g)))
    })
}

/// The names [`match_dir`] may ask about inside a directory no name
/// claimed (`pyvenv.cfg`, `conda-meta`, `CACHEDIR.TAG`), so a walker can
/// note them while it lists the directory.
pub fn dir_markers() -> &'static [&'static str] {
    &index().markers
}

/// The context root of a path `abs` whose relative path is `rel`.
fn context_root(abs: &Path, rel: &str) -> PathBuf {
    let mut root = abs.to_path_buf();
    for _ in rel.split('/') {
        root.pop();
    }
    root
}

/// [`match_dir`] for the directory at `abs` (its path relative to the
/// context is `rel`), with the evidence looked up on disk.
pub fn match_dir_at(abs: &Path, rel: &str, name: &str) -> Option<&'static Entry> {
    let root = context_root(abs, rel);
    match_dir(rel, name, &|d, g| dir_has(&root.join(d), g))
}

/// [`match_file`] for the file at `abs`, with the evidence looked up on disk.
pub fn match_file_at(abs: &Path, rel: &str, name: &str) -> Option<&'static Entry> {
    let root = context_root(abs, rel);
    match_file(rel, name, &|d, g| dir_has(&root.join(d), g))
}

/// Does `dir` hold an entry whose name matches `glob` (catalogue glob
/// syntax; a `/` names a path below `dir`, wildcards only in its last
/// segment)? The on-disk answer to the evidence callback: a literal name
/// costs one `lstat`; a glob lists one directory.
pub fn dir_has(dir: &Path, glob: &str) -> bool {
    let (dir, glob) = match glob.rsplit_once('/') {
        Some((sub, last)) => (dir.join(sub), last),
        None => (dir.to_path_buf(), glob),
    };
    if !glob.contains(['*', '?', '[']) {
        return std::fs::symlink_metadata(dir.join(glob)).is_ok();
    }
    std::fs::read_dir(&dir).is_ok_and(|rd| {
        rd.flatten().any(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| name_matches(glob, n))
        })
    })
}
