//! The one walk of a context, and what it gathers on the way: the totals
//! ([`Scan`]), the catalogue's hits (heavy and secret paths, with their
//! evidence read from the listing), the sent paths that a depth-limited
//! rule misses (for lint), and, when asked, the list of entries the walk
//! decided (for `init`'s in-memory plan).
//!
//! Nothing here judges: findings, advice and diagnostics are made from
//! this by the analyses.

use std::path::Path;
use std::sync::atomic::AtomicU64;

use crate::catalog;
use crate::error::{Error, Result};
use crate::facts::context::Context;
use crate::pattern::{Matcher, Strategy};
use crate::relpath::{as_path as os, basename, parent};
use crate::scan::tree::{measure, Classifier, Scan};
use crate::scan::{Entry, EntryKind, Status};

/// What to gather.
#[derive(Clone, Copy, Debug, Default)]
pub struct WalkWants {
    /// Also walk (and measure) the directories the builder skips whole.
    pub measure_excluded: bool,
}

/// What the walk knows beyond the tree: the files git tracks (sorted;
/// `None` outside a repository), so that tracked files are judged as the
/// project's choices and tracked secrets are said to be tracked.
#[derive(Clone, Debug, Default)]
pub struct Tracked(pub Option<std::sync::Arc<Vec<Vec<u8>>>>);

impl Tracked {
    /// From git's list of tracked files (any order; a file listed twice,
    /// as during a merge, counts once).
    pub fn new(files: Option<Vec<Vec<u8>>>) -> Tracked {
        Tracked(files.map(|mut v| {
            v.sort();
            v.dedup();
            std::sync::Arc::new(v)
        }))
    }

    /// The part of the list below `dir` (relative to this list's root),
    /// relative to `dir`.
    pub fn inside(&self, dir: &[u8]) -> Tracked {
        Tracked(self.0.as_ref().map(|v| {
            if dir.is_empty() {
                return std::sync::Arc::clone(v);
            }
            let mut prefix = dir.to_vec();
            prefix.push(b'/');
            let start = v.partition_point(|p| p.as_slice() < prefix.as_slice());
            std::sync::Arc::new(
                v[start..]
                    .iter()
                    .take_while(|p| p.starts_with(&prefix))
                    .map(|p| p[prefix.len()..].to_vec())
                    .collect(),
            )
        }))
    }

    /// Whether git tracks this file.
    pub fn file(&self, path: &[u8]) -> bool {
        self.0
            .as_ref()
            .is_some_and(|v| v.binary_search_by(|p| p.as_slice().cmp(path)).is_ok())
    }

    /// Whether git tracks a file below `dir` that `covered` accepts
    /// (given the path relative to `dir`).
    pub fn below(&self, dir: &[u8], covered: &dyn Fn(&str) -> bool) -> bool {
        let Some(v) = &self.0 else {
            return false;
        };
        let mut prefix = dir.to_vec();
        prefix.push(b'/');
        let start = v.partition_point(|p| p.as_slice() < prefix.as_slice());
        v[start..]
            .iter()
            .take_while(|p| p.starts_with(&prefix))
            .any(|p| std::str::from_utf8(&p[prefix.len()..]).is_ok_and(covered))
    }
}

/// What one walk of a context found.
pub struct Walk {
    /// Totals, per-directory sizes, largest files, errors.
    pub scan: Scan,
    /// Catalogue hits among the sent paths, sorted by path.
    pub hits: Vec<Hit>,
    /// Depth-limited rules and the sent paths they miss.
    pub depth: DepthMisses,
    /// The decided entries (what `init`'s plan replays).
    pub entries: Entries,
    /// Files that may declare builds (Dockerfiles, compose files, ...),
    /// excluded or not, for discovery.
    pub candidates: Vec<(std::path::PathBuf, crate::discover::FileKind)>,
    /// Directories the walk did not enter (skipped whole, not measured):
    /// discovery looks inside them itself.
    pub unwalked: Vec<std::path::PathBuf>,
}

/// Walks the context once. An invalid pattern the walk reaches fails it,
/// as it fails the build.
pub fn walk(
    ctx: &Context,
    wants: WalkWants,
    tracked: &Tracked,
    discovery: bool,
    progress: Option<&AtomicU64>,
) -> Result<Walk> {
    let (scan, parts) = measure(
        &ctx.root,
        &ctx.matcher,
        ctx.builder,
        wants.measure_excluded,
        progress,
        || {
            (
                (
                    Classify {
                        tracked: tracked.clone(),
                        ..Classify::default()
                    },
                    DepthMisses::new(&ctx.matcher),
                ),
                Recorder {
                    discovery,
                    measured: wants.measure_excluded,
                    entries: Entries::default(),
                    candidates: Vec::new(),
                    unwalked: Vec::new(),
                },
            )
        },
    )
    .map_err(|e| Error::Patterns(vec![ctx.matcher.eval_error(&e)]))?;
    let mut hits = Vec::new();
    let mut depth = DepthMisses::new(&ctx.matcher);
    let mut entries = Entries::default();
    let mut candidates = Vec::new();
    let mut unwalked = Vec::new();
    for ((c, d), r) in parts {
        hits.extend(c.hits);
        depth.merge(d);
        entries.absorb(r.entries);
        candidates.extend(r.candidates);
        unwalked.extend(r.unwalked);
    }
    candidates.sort();
    unwalked.sort();
    hits.sort_by(|a, b| a.path.cmp(&b.path));
    let entries = entries.finish();
    depth.drop_empty_dirs(&|d| entries.sends_content_below(d));
    Ok(Walk {
        scan,
        hits,
        depth,
        entries,
        candidates,
        unwalked,
    })
}

/// A catalogue hit: a sent path the catalogue recognises, with its
/// evidence checked.
#[derive(Clone, Debug)]
pub struct Hit {
    /// The catalogue entry.
    pub entry: &'static catalog::Entry,
    /// Path relative to the context.
    pub path: String,
    /// A directory (everything below it belongs to the hit).
    pub is_dir: bool,
    /// File size (0 for directories).
    pub size: u64,
    /// For a credential found by content: its line (never its value).
    pub line: Option<usize>,
    /// Git tracks the file (for a directory: a file below it that the
    /// entry's rule covers).
    pub tracked: bool,
}

/// The per-thread catalogue classifier: names each directory's children
/// into a small arena while it is listed, and classifies the directory and
/// its files when the listing ends (so sibling and child evidence is
/// complete).
#[derive(Default)]
struct Classify {
    dir: Vec<u8>,
    status: Option<Status>,
    names: Vec<u8>,
    spans: Vec<(u32, u32)>,
    files: Vec<(u32, u32, u64)>,
    hits: Vec<Hit>,
    tracked: Tracked,
}

impl Classify {
    fn name(&self, span: (u32, u32)) -> &[u8] {
        &self.names[span.0 as usize..span.1 as usize]
    }

    // The catalogue's evidence question: the listed directory from memory,
    // any other from disk.
    fn has(&self, root: &Path, dir: &str, glob: &str) -> bool {
        if dir.as_bytes() == self.dir.as_slice() && !glob.contains('/') {
            self.has_child(glob)
        } else {
            catalog::dir_has(&root.join(dir), glob)
        }
    }

    fn has_child(&self, glob: &str) -> bool {
        self.spans.iter().any(|&sp| {
            std::str::from_utf8(self.name(sp)).is_ok_and(|n| catalog::name_matches(glob, n))
        })
    }
}

fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = dir.to_vec();
    if !p.is_empty() {
        p.push(b'/');
    }
    p.extend_from_slice(name);
    p
}

impl Classifier for Classify {
    fn enter_dir(&mut self, dir: &[u8], status: Status) {
        self.dir.clear();
        self.dir.extend_from_slice(dir);
        self.status = Some(status);
        self.names.clear();
        self.spans.clear();
        self.files.clear();
    }

    fn visit(&mut self, _root: &Path, e: &Entry<'_>) {
        // Only a sent directory is classified (see `leave_dir`).
        if self.status != Some(Status::Included) {
            return;
        }
        let name = basename(e.path);
        let start = self.names.len() as u32;
        self.names.extend_from_slice(name);
        let span = (start, self.names.len() as u32);
        self.spans.push(span);
        if e.kind == EntryKind::File && e.status == Status::Included {
            self.files.push((span.0, span.1, e.size));
        }
    }

    fn leave_dir(&mut self, root: &Path) {
        if self.status != Some(Status::Included) {
            return;
        }
        let dir = self.dir.clone();
        if !dir.is_empty() {
            if let (Ok(rel), Ok(name)) = (
                std::str::from_utf8(&dir),
                std::str::from_utf8(basename(&dir)),
            ) {
                let has = |d: &str, g: &str| self.has(root, d, g);
                if let Some(entry) = catalog::match_dir(rel, name, &has) {
                    let tracked = self
                        .tracked
                        .below(&dir, &|inside| entry.covers_inside(inside));
                    self.hits.push(Hit {
                        entry,
                        path: rel.to_string(),
                        is_dir: true,
                        size: 0,
                        line: None,
                        tracked,
                    });
                }
            }
        }
        let files = std::mem::take(&mut self.files);
        // Go binaries are named after the module of the go.mod beside them.
        let go = if self.has_child("go.mod") {
            read_head(&root.join(os(&dir)).join("go.mod"))
                .ok()
                .map(|head| {
                    let m = catalog::GoModule::from_go_mod(&head);
                    // The directory's own name (the checkout's, at the root).
                    let abs = root.join(os(&dir));
                    let name = std::fs::canonicalize(&abs)
                        .ok()
                        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
                    match name {
                        Some(d) if !d.is_empty() => m.with_dir_name(&d),
                        _ => m,
                    }
                })
        } else {
            None
        };
        for &(a, b, size) in &files {
            let name = self.name((a, b));
            let Ok(name_s) = std::str::from_utf8(name) else {
                continue;
            };
            let path = join(&dir, name);
            let Ok(rel) = std::str::from_utf8(&path) else {
                continue;
            };
            let tracked = self.tracked.file(&path);
            let has = |d: &str, g: &str| self.has(root, d, g);
            let mut entry = catalog::match_file(rel, name_s, &has);
            if entry.is_none() {
                if let Some(m) = &go {
                    let cmd = |n: &str| catalog::dir_has(&root.join(os(&dir)).join("cmd"), n);
                    entry = m.candidate(name_s, &cmd);
                }
            }
            // The file's head, read at most once for a name match's
            // confirmation and the content scan (both read the same span).
            const _: () = assert!(catalog::SNIFF_BYTES == catalog::SCAN_BYTES);
            let mut head: Option<std::io::Result<Vec<u8>>> = None;
            if let Some(e) = entry {
                // Service-account keys are small and named like keys; do
                // not read every JSON file of the tree.
                if e.id == "gcp-service-account" && (size > 16 * 1024 || !key_like_json(name_s)) {
                    entry = None;
                } else if catalog::needs_head(e, tracked) {
                    let read = head.insert(read_head(&root.join(os(&path))));
                    if !read.as_ref().is_ok_and(|h| catalog::confirm(e, h, tracked)) {
                        entry = None;
                    }
                }
            }
            match entry {
                Some(e) => self.hits.push(Hit {
                    entry: e,
                    path: rel.to_string(),
                    is_dir: false,
                    size,
                    line: None,
                    tracked,
                }),
                None if worth_reading(name_s, size, &self.tracked, tracked) => {
                    let read = head
                        .unwrap_or_else(|| read_prefix(&root.join(os(&path)), catalog::SCAN_BYTES));
                    let Ok(head) = read else {
                        continue;
                    };
                    // One finding per kind of credential in the file, at
                    // its first line.
                    let mut seen: Vec<&'static str> = Vec::new();
                    for h in catalog::scan_content(&head) {
                        if seen.contains(&h.entry.id) {
                            continue;
                        }
                        seen.push(h.entry.id);
                        self.hits.push(Hit {
                            entry: h.entry,
                            path: rel.to_string(),
                            is_dir: false,
                            size,
                            line: Some(h.line),
                            tracked,
                        });
                    }
                }
                None => {}
            }
        }
        self.files = files;
        self.files.clear();
    }
}

// Names a downloaded service-account key usually has: `key.json`,
// `*credentials*.json`, `service-account*.json`, gcloud's
// `PROJECT-1a2b3c4d5e6f.json`.
fn key_like_json(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".json").unwrap_or(&lower);
    let hex_tail = stem
        .rsplit_once('-')
        .is_some_and(|(_, t)| t.len() == 12 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    hex_tail
        || [
            "key", "cred", "service", "account", "secret", "gcp", "google", "sa-", "sa_", "token",
        ]
        .iter()
        .any(|k| stem.contains(k))
}

/// Source code and documentation: read for credentials only when its name
/// says it configures something, or when git does not track it (tracked
/// source is what pre-commit secret scanners already read; what git never
/// sees but the context sends is where ctxsize adds most). Everything
/// else the catalogue deems worth reading is read.
const SOURCE: &[&str] = &[
    "py", "pyi", "ts", "tsx", "js", "jsx", "mjs", "cjs", "rs", "go", "java", "kt", "scala", "rb",
    "php", "c", "h", "cc", "cpp", "hpp", "cs", "swift", "m", "vue", "svelte", "css", "scss",
    "less", "html", "htm", "md", "rst", "adoc", "ex", "exs", "erl", "hs", "lua", "dart", "r", "jl",
    "sql", "graphql", "proto",
];

/// Words in a file name that say it configures something.
const CONFIG_WORDS: &[&str] = &[
    "config",
    "conf",
    "setting",
    "secret",
    "credential",
    "key",
    "token",
    "auth",
    "env",
    "prod",
    "deploy",
    "local",
    "private",
    "password",
    "cert",
];

fn worth_reading(name: &str, size: u64, git: &Tracked, tracked: bool) -> bool {
    if !catalog::worth_scanning(name, size) {
        return false;
    }
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return true;
    };
    let ext = ext.to_ascii_lowercase();
    if !SOURCE.contains(&ext.as_str()) {
        return true;
    }
    let stem = stem.to_ascii_lowercase();
    CONFIG_WORDS.iter().any(|w| stem.contains(w)) || (git.0.is_some() && !tracked)
}

/// At most [`catalog::SNIFF_BYTES`] of a regular file, opened without
/// following a symlink swapped in since the walk saw a file.
pub fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    read_prefix(path, catalog::SNIFF_BYTES)
}

/// At most `max` bytes from the start of a regular file (nothing for
/// anything else). The file is opened without following a symbolic link
/// and without blocking (a FIFO swapped in is never waited on), checked
/// through its descriptor, and read into a buffer of its size: one `read`
/// for most files.
pub fn read_prefix(path: &Path, max: usize) -> std::io::Result<Vec<u8>> {
    use rustix::fs::OFlags;
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let flags = (OFlags::NOFOLLOW | OFlags::NONBLOCK).bits();
    let mut f = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags as i32)
        .open(path)
    {
        Ok(f) => f,
        // A symbolic link (ELOOP): not a regular file.
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Ok(Vec::new())
        }
        Err(e) => return Err(e),
    };
    let md = f.metadata()?;
    if !md.is_file() {
        return Ok(Vec::new());
    }
    let want = max.min(usize::try_from(md.len()).unwrap_or(usize::MAX));
    let mut head = vec![0u8; want];
    let mut got = 0;
    while got < want {
        match f.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(got);
    Ok(head)
}

/// How far down a depth-limited rule reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// `name`: only at the root.
    RootOnly,
    /// `*/name`: only one directory below the root.
    OneLevel,
}

/// The sent paths one depth-limited rule misses.
#[derive(Clone, Debug, Default)]
pub struct Missed {
    /// Index of the rule in the matcher.
    pub rule: usize,
    /// How far it reaches.
    pub depth: Option<Depth>,
    /// Every missed path (directories stand for everything below them).
    pub paths: Vec<Vec<u8>>,
    /// The missed paths that are directories.
    pub dirs: Vec<Vec<u8>>,
    /// Some missed path is a directory.
    pub any_dir: bool,
    /// Every missed path is a catalogue artifact with its evidence on disk.
    pub all_artifacts: bool,
}

/// The lint observations that ride on the walk: for each bare rule
/// (`name`, matching only at the root) and each `*/name` rule (one level
/// only), the sent paths of the same name at other depths; and the files a
/// rule written with a trailing `/` matches.
#[derive(Clone, Debug, Default)]
pub struct DepthMisses {
    /// One per depth-limited rule, in rule order.
    pub rules: Vec<Missed>,
    /// Rules written `x/`, and the files each matches (first few).
    pub slash: Vec<(usize, Vec<Vec<u8>>)>,
    matcher: Option<Matcher>,
    scratch: Vec<u8>,
}

/// How many example files a trailing-slash rule keeps.
pub const MAX_EXAMPLES: usize = 3;

/// Whether a pattern is "bare" in the gitignore sense: no `/` inside, not
/// anchored with `**`: gitignore applies it at every depth, Docker only at
/// the root.
pub fn is_bare(pattern: &[u8]) -> bool {
    !pattern.contains(&b'/') && !pattern.starts_with(b"**") && pattern != b"." && pattern != b"*"
}

/// Written anchored (`/x`, `./x`): the author meant the root.
pub fn anchored(original: &[u8]) -> bool {
    let t = crate::pattern::read::trim_space(original);
    let t = t
        .strip_prefix(b"!")
        .map(crate::pattern::read::trim_space)
        .unwrap_or(t);
    t.starts_with(b"/") || t.starts_with(b"./")
}

impl DepthMisses {
    /// For the rules of `matcher`.
    pub fn new(matcher: &Matcher) -> DepthMisses {
        let rules = matcher
            .rules()
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.exception && !matches!(r.strategy, Strategy::Invalid(_)))
            .filter(|(_, r)| !anchored(&r.original))
            .filter_map(|(i, r)| {
                let depth = if is_bare(&r.pattern) {
                    Depth::RootOnly
                } else {
                    let rest = r.pattern.strip_prefix(b"*/")?;
                    if !is_bare(rest) {
                        return None;
                    }
                    Depth::OneLevel
                };
                Some(Missed {
                    rule: i,
                    depth: Some(depth),
                    all_artifacts: true,
                    ..Missed::default()
                })
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
        DepthMisses {
            rules,
            slash,
            matcher: Some(matcher.clone()),
            scratch: Vec::new(),
        }
    }

    /// Looks at one entry of the walk of the context at `root`.
    pub fn observe(&mut self, root: &Path, path: &[u8], kind: EntryKind, status: Status) {
        let Some(matcher) = &self.matcher else {
            return;
        };
        if kind != EntryKind::Dir && status != Status::Pruned {
            // The first files in path order, whichever thread meets them
            // (the same examples every run, and the ones `lint` gives).
            for (i, files) in &mut self.slash {
                let full = files.len() >= MAX_EXAMPLES;
                if full && files.last().is_some_and(|last| path >= last.as_slice()) {
                    continue;
                }
                if matcher.rules()[*i].strategy.matches(path).unwrap_or(false) {
                    let at = files.partition_point(|f| f.as_slice() < path);
                    files.insert(at, path.to_vec());
                    files.truncate(MAX_EXAMPLES);
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
        let rules = matcher.rules();
        for m in &mut self.rules {
            let strategy = &rules[m.rule].strategy;
            let hit = match m.depth {
                Some(Depth::RootOnly) => depth > 1 && strategy.matches(name).unwrap_or(false),
                Some(Depth::OneLevel) => {
                    depth != 2 && strategy.matches(&self.scratch).unwrap_or(false)
                }
                None => false,
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
            m.all_artifacts = m.all_artifacts && is_artifact(root, path, kind);
            m.any_dir |= kind == EntryKind::Dir;
            if kind == EntryKind::Dir {
                m.dirs.push(path.to_vec());
            }
            m.paths.push(path.to_vec());
        }
    }

    /// Adds another thread's observations.
    pub fn merge(&mut self, other: DepthMisses) {
        for ((_, files), (_, o)) in self.slash.iter_mut().zip(other.slash) {
            files.extend(o);
            files.sort();
            files.truncate(MAX_EXAMPLES);
        }
        for (m, o) in self.rules.iter_mut().zip(other.rules) {
            m.all_artifacts &= o.all_artifacts;
            m.any_dir |= o.any_dir;
            m.paths.extend(o.paths);
            m.paths.sort();
            m.dirs.extend(o.dirs);
            m.dirs.sort();
        }
    }
}

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

impl DepthMisses {
    /// Drops the missed directories that send nothing but placeholders
    /// (`storage/logs` holding only its `.gitignore`, its logs excluded by
    /// another line): leaving them in harms nothing.
    pub fn drop_empty_dirs(&mut self, sends_content: &dyn Fn(&[u8]) -> bool) {
        for m in &mut self.rules {
            let empty: Vec<Vec<u8>> = m
                .dirs
                .iter()
                .filter(|d| !sends_content(d))
                .cloned()
                .collect();
            if empty.is_empty() {
                continue;
            }
            m.paths.retain(|p| !empty.contains(p));
            m.dirs.retain(|p| !empty.contains(p));
            m.any_dir = !m.dirs.is_empty();
        }
    }
}

impl Classifier for DepthMisses {
    fn visit(&mut self, root: &Path, e: &Entry<'_>) {
        self.observe(root, e.path, e.kind, e.status);
    }
}

/// Orders paths as a depth-first walk lists them: `/` sorts before every
/// other byte, so a directory's descendants come right after it.
pub fn tree_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let key = |c: u8| if c == b'/' { 0 } else { u16::from(c) + 1 };
    // Only the first byte that differs matters: find it, then rank it.
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => key(a[i]).cmp(&key(b[i])),
        None => a.len().cmp(&b.len()),
    }
}

/// The entries a walk decided (everything but what lies below a directory
/// the builder skips whole), in tree order ([`tree_order`]), parents before
/// children: enough to replay the effect of a new rule in memory.
#[derive(Debug, Default)]
pub struct Entries {
    names: Vec<u8>,
    rows: Vec<Row>,
}

/// One decided entry.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    start: u32,
    len: u32,
    /// Index of the parent directory's row (`u32::MAX` at the root).
    pub parent: u32,
    /// Its type.
    pub kind: EntryKind,
    /// Sent bytes (files), as the walk measured them.
    pub size: u64,
    /// Excluded by the ignore file as it is.
    pub excluded: bool,
}

impl Entries {
    fn push(&mut self, path: &[u8], kind: EntryKind, size: u64, excluded: bool) {
        let start = self.names.len() as u32;
        self.names.extend_from_slice(path);
        self.rows.push(Row {
            start,
            len: path.len() as u32,
            parent: u32::MAX,
            kind,
            size,
            excluded,
        });
    }

    fn absorb(&mut self, other: Entries) {
        let base = self.names.len() as u32;
        self.names.extend_from_slice(&other.names);
        self.rows.extend(other.rows.into_iter().map(|mut r| {
            r.start += base;
            r
        }));
    }

    fn finish(mut self) -> Entries {
        // Tree order is byte order once each `/` ranks first: with every
        // `/` written as NUL (no path holds one), plain slice comparison
        // sorts in tree order.
        let mut names = std::mem::take(&mut self.names);
        for b in &mut names {
            if *b == b'/' {
                *b = 0;
            }
        }
        let key = |r: &Row| &names[r.start as usize..(r.start + r.len) as usize];
        self.rows.sort_unstable_by(|a, b| key(a).cmp(key(b)));
        let names: Vec<u8> = names
            .into_iter()
            .map(|b| if b == 0 { b'/' } else { b })
            .collect();
        let key = |r: &Row| &names[r.start as usize..(r.start + r.len) as usize];
        // Rebuild the names in order and link each row to its parent. In
        // tree order a directory's descendants follow it directly, so the
        // open directories form a stack.
        let mut out = Entries::default();
        out.names.reserve(names.len());
        out.rows.reserve(self.rows.len());
        let mut open: Vec<u32> = Vec::new();
        for r in &self.rows {
            let path = key(r);
            let p = parent(path);
            while let Some(&top) = open.last() {
                let t = out.path(&out.rows[top as usize]);
                if p.starts_with(t) && (p.len() == t.len() || p[t.len()] == b'/') {
                    break;
                }
                open.pop();
            }
            let parent_row = match open.last() {
                Some(&top) if out.path(&out.rows[top as usize]) == p => top,
                _ => u32::MAX,
            };
            let at = out.rows.len() as u32;
            out.push(path, r.kind, r.size, r.excluded);
            out.rows[at as usize].parent = parent_row;
            if r.kind == EntryKind::Dir {
                open.push(at);
            }
        }
        out
    }

    /// The rows below the directory `dir`, with each one's path inside it
    /// (a contiguous run in tree order: found by binary search).
    fn below<'a>(&'a self, dir: &[u8]) -> impl Iterator<Item = (&'a Row, &'a [u8])> + 'a {
        let mut prefix = dir.to_vec();
        prefix.push(b'/');
        let start = self
            .rows
            .partition_point(|r| tree_order(self.path(r), &prefix).is_lt());
        let skip = prefix.len();
        self.rows[start..]
            .iter()
            .map(move |r| (r, self.path(r)))
            .take_while(move |(_, p)| p.starts_with(&prefix))
            .map(move |(r, p)| (r, &p[skip..]))
    }

    /// Whether something other than a placeholder (`.gitkeep`,
    /// `.gitignore`, `.keep`) is sent below the directory `dir`.
    pub fn sends_content_below(&self, dir: &[u8]) -> bool {
        self.below(dir)
            .any(|(r, _)| r.kind != EntryKind::Dir && !r.excluded && !is_placeholder(self.path(r)))
    }

    /// Files and bytes sent below the directory `dir` whose path inside it
    /// `covered` accepts.
    pub fn sent_below(&self, dir: &[u8], covered: &dyn Fn(&str) -> bool) -> (u64, u64) {
        self.below(dir)
            .filter(|(r, _)| r.kind != EntryKind::Dir && !r.excluded)
            .filter(|(_, inside)| std::str::from_utf8(inside).is_ok_and(covered))
            .fold((0, 0), |(f, b), (r, _)| (f + 1, b + r.size))
    }

    /// Whether anything is sent below the directory `dir`.
    pub fn sends_below(&self, dir: &[u8]) -> bool {
        self.below(dir).any(|(r, _)| !r.excluded)
    }

    /// The rows, parents before children.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The path of a row.
    pub fn path(&self, r: &Row) -> &[u8] {
        &self.names[r.start as usize..(r.start + r.len) as usize]
    }
}

/// A file kept only so that its directory exists (`.gitkeep`,
/// `.gitignore`, `.keep`).
pub fn is_placeholder(path: &[u8]) -> bool {
    matches!(
        basename(path),
        b".gitkeep" | b".gitignore" | b".keep" | b".placeholder"
    )
}

/// Whether something other than a placeholder is sent below `dir`, among
/// the sorted paths of a complete walk.
pub fn seen_sends_content_below(seen: &[Seen], dir: &[u8]) -> bool {
    let mut prefix = dir.to_vec();
    prefix.push(b'/');
    let start = seen.partition_point(|e| e.path.as_slice() < prefix.as_slice());
    seen[start..]
        .iter()
        .take_while(|e| e.path.starts_with(&prefix))
        .any(|e| {
            e.kind != EntryKind::Dir && e.status == Status::Included && !is_placeholder(&e.path)
        })
}

struct Recorder {
    /// Collect discovery's candidates and the directories not entered.
    discovery: bool,
    measured: bool,
    entries: Entries,
    candidates: Vec<(std::path::PathBuf, crate::discover::FileKind)>,
    unwalked: Vec<std::path::PathBuf>,
}

impl Classifier for Recorder {
    fn visit(&mut self, _root: &Path, e: &Entry<'_>) {
        if e.status != Status::Pruned {
            self.entries
                .push(e.path, e.kind, e.size, e.status != Status::Included);
        }
        if !self.discovery {
            return;
        }
        let is_dir = e.kind == EntryKind::Dir;
        if let Some(k) = crate::discover::candidate(e.path, basename(e.path), is_dir) {
            self.candidates.push((os(e.path).to_path_buf(), k));
        }
        if is_dir && e.pruned && !self.measured && e.status != Status::Pruned {
            self.unwalked.push(os(e.path).to_path_buf());
        }
    }
}

/// One path of a complete walk, as `lint` needs it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// Path relative to the context.
    pub path: Vec<u8>,
    /// Its type.
    pub kind: EntryKind,
    /// How the walk saw it.
    pub status: Status,
    /// The deciding rule, if any.
    pub rule: Option<usize>,
    /// Sent by BuildKit with 0 bytes (see [`Entry::arrives_empty`]).
    pub arrives_empty: bool,
}

#[derive(Default)]
struct Collect {
    seen: Vec<Seen>,
}

impl crate::scan::Visitor for Collect {
    fn visit(&mut self, e: &Entry<'_>) {
        self.seen.push(Seen {
            path: e.path.to_vec(),
            kind: e.kind,
            status: e.status,
            rule: e.decision.and_then(|d| d.rule),
            arrives_empty: e.arrives_empty,
        });
    }
    fn error(&mut self, _error: crate::scan::WalkError) {}
}

/// Every path of the context, excluded directories included, sorted by
/// path (for `lint`, which looks at what every rule matches).
pub fn walk_all(ctx: &Context) -> Result<Vec<Seen>> {
    let opts = crate::scan::WalkOptions {
        builder: ctx.builder,
        measure_pruned: true,
        sizes: false,
        threads: 0,
    };
    let vs = crate::scan::walk(&ctx.root, &ctx.matcher, &opts, None, Collect::default)
        .map_err(|e| Error::Patterns(vec![ctx.matcher.eval_error(&e)]))?;
    let mut seen: Vec<Seen> = vs.into_iter().flat_map(|v| v.seen).collect();
    seen.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::tree_order;
    use std::cmp::Ordering;

    // The definition: every byte ranked, `/` first.
    fn by_definition(a: &[u8], b: &[u8]) -> Ordering {
        let key = |c: u8| if c == b'/' { 0 } else { u16::from(c) + 1 };
        a.iter().map(|&c| key(c)).cmp(b.iter().map(|&c| key(c)))
    }

    #[test]
    fn tree_order_ranks_the_first_difference_with_slash_first() {
        let alphabet = [b'a', b'/', b'-', b'.', b'0', b'~', 0x01, 0xff];
        // Every path of up to three bytes from the alphabet, both ways.
        let mut paths: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..3 {
            let more: Vec<Vec<u8>> = paths
                .iter()
                .flat_map(|p| {
                    alphabet.iter().map(move |&c| {
                        let mut q = p.clone();
                        q.push(c);
                        q
                    })
                })
                .collect();
            paths.extend(more);
            paths.sort();
            paths.dedup();
        }
        for a in &paths {
            for b in &paths {
                assert_eq!(tree_order(a, b), by_definition(a, b), "{a:?} {b:?}");
            }
        }
        let mut v = vec![&b"a-b"[..], b"a/b", b"a", b"a.b/c", b"a/b/c"];
        v.sort_by(|a, b| tree_order(a, b));
        assert_eq!(v, [&b"a"[..], b"a/b", b"a/b/c", b"a-b", b"a.b/c"]);
    }
}
