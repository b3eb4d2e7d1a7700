//! The measuring walk behind `report` and `check`: per-directory totals
//! (never a list of every file), the largest files, hard links counted once
//! per inode, the classic builder's tar-stream size, the files BuildKit
//! sends with 0 bytes, and the hooks through which the catalogue classifies
//! paths. Totals count the bytes the builder sends.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use crate::pattern::{EvalError, Matcher};
use crate::scan::tar;
use crate::scan::walk::{
    walk, BuilderKind, Entry, EntryKind, Status, Visitor, WalkError, WalkOptions,
};

/// How many of the largest files each scan keeps.
pub const TOP_FILES: usize = 64;

/// Counts of files and bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    /// Non-directory entries.
    pub files: u64,
    /// Apparent bytes (hard links counted once per inode).
    pub bytes: u64,
}

impl Totals {
    fn add(&mut self, other: Totals) {
        self.files += other.files;
        self.bytes += other.bytes;
    }
}

/// One directory's totals.
#[derive(Clone, Debug)]
pub struct DirStat {
    /// Path relative to the root (`b""` for the root).
    pub path: Vec<u8>,
    /// How the walk saw it.
    pub status: Status,
    /// Files directly inside, sent.
    pub direct_in: Totals,
    /// Files directly inside, kept out.
    pub direct_out: Totals,
    /// Everything below, sent (filled by [`Scan::rollup`]).
    pub total_in: Totals,
    /// Everything below, kept out (filled by [`Scan::rollup`]).
    pub total_out: Totals,
    /// Directory that Docker skips whole.
    pub pruned: bool,
}

/// A file among the largest.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BigFile {
    /// Size in bytes.
    pub size: u64,
    /// Path relative to the root.
    pub path: Vec<u8>,
}

/// A file BuildKit sends under its name but with 0 bytes (spec §7.1): the
/// build works and the file is empty in the image.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EmptyOnRead {
    /// Path relative to the root.
    pub path: Vec<u8>,
    /// Its length on disk (what the image should have held).
    pub disk_size: u64,
}

/// A classification hook called for every entry of the walk, per thread.
pub trait Classifier: Send {
    /// The current directory is being listed.
    fn enter_dir(&mut self, _dir: &[u8], _status: Status) {}
    /// One entry; `root` is the context root, for content checks.
    fn visit(&mut self, root: &Path, entry: &Entry<'_>);
    /// The current directory is done.
    fn leave_dir(&mut self, _root: &Path) {}
}

/// Two classifiers fed by one walk.
impl<A: Classifier, B: Classifier> Classifier for (A, B) {
    fn enter_dir(&mut self, dir: &[u8], status: Status) {
        self.0.enter_dir(dir, status);
        self.1.enter_dir(dir, status);
    }
    fn visit(&mut self, root: &Path, entry: &Entry<'_>) {
        self.0.visit(root, entry);
        self.1.visit(root, entry);
    }
    fn leave_dir(&mut self, root: &Path) {
        self.0.leave_dir(root);
        self.1.leave_dir(root);
    }
}

/// A classifier that does nothing.
#[derive(Default)]
pub struct NoClassifier;

impl Classifier for NoClassifier {
    fn visit(&mut self, _root: &Path, _entry: &Entry<'_>) {}
}

/// What a measuring walk found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Sent.
    pub included: Totals,
    /// Kept out (only what was walked: pruned directories count only when
    /// measured).
    pub excluded: Totals,
    /// Directories sent.
    pub dirs_in: u64,
    /// Symlinks sent.
    pub symlinks_in: u64,
    /// Special files (FIFOs, devices, sockets) seen in the context.
    pub special: Vec<(Vec<u8>, EntryKind)>,
    /// Files with several links in the context, and the bytes not counted
    /// again.
    pub hardlinks: Totals,
    /// The classic builder's tar stream for the included entries (without
    /// the Dockerfile/.dockerignore it forces in; see `report`).
    pub tar_bytes: u64,
    /// Per-directory totals, sorted by path.
    pub dirs: Vec<DirStat>,
    /// The largest files sent, largest first.
    pub top_files: Vec<BigFile>,
    /// Files sent with 0 bytes although they are larger on disk, or empty
    /// anyway (BuildKit only, spec §7.1), sorted by path. Their sent size, 0,
    /// is what the totals count.
    pub empty_on_read: Vec<EmptyOnRead>,
    /// Paths that could not be read.
    pub errors: Vec<WalkError>,
    /// Whether excluded directories were measured.
    pub measured_pruned: bool,
}

struct SizeVisitor<C> {
    root: PathBuf,
    classifier: C,
    stack: Vec<DirStat>,
    dirs: Vec<DirStat>,
    included: Totals,
    excluded: Totals,
    dirs_in: u64,
    symlinks_in: u64,
    special: Vec<(Vec<u8>, EntryKind)>,
    links: Vec<Link>,
    tar_bytes: u64,
    top: BinaryHeap<Reverse<BigFile>>,
    empty_on_read: Vec<EmptyOnRead>,
    errors: Vec<WalkError>,
}

// One path of a file with several hard links.
struct Link {
    dev: u64,
    ino: u64,
    // Bytes sent, and on disk (the classic tar stream carries those).
    size: u64,
    disk_size: u64,
    path: Vec<u8>,
    status: Status,
}

impl<C: Classifier> Visitor for SizeVisitor<C> {
    fn enter_dir(&mut self, dir: &[u8], status: Status) {
        self.stack.push(DirStat {
            path: dir.to_vec(),
            status,
            direct_in: Totals::default(),
            direct_out: Totals::default(),
            total_in: Totals::default(),
            total_out: Totals::default(),
            pruned: false,
        });
        self.classifier.enter_dir(dir, status);
    }

    fn visit(&mut self, e: &Entry<'_>) {
        self.classifier.visit(&self.root, e);
        let Some(cur) = self.stack.last_mut() else {
            return;
        };
        if e.kind == EntryKind::Dir {
            if e.status == Status::Included {
                self.dirs_in += 1;
                self.tar_bytes += tar::entry_bytes(e.path, true, 0, None);
            } else if e.pruned {
                // Recorded so that unmeasured pruned directories still show.
                self.dirs.push(DirStat {
                    path: e.path.to_vec(),
                    status: Status::Pruned,
                    direct_in: Totals::default(),
                    direct_out: Totals::default(),
                    total_in: Totals::default(),
                    total_out: Totals::default(),
                    pruned: true,
                });
            }
            return;
        }
        if e.kind.is_special() {
            if e.status == Status::Included {
                self.special.push((e.path.to_vec(), e.kind));
                if e.kind != EntryKind::Socket {
                    self.tar_bytes += tar::entry_bytes(e.path, false, 0, None);
                }
            }
            return;
        }
        let t = Totals {
            files: 1,
            bytes: e.size,
        };
        if let Some((dev, ino)) = e.hardlink {
            self.links.push(Link {
                dev,
                ino,
                size: e.size,
                disk_size: e.disk_size,
                path: e.path.to_vec(),
                status: e.status,
            });
        }
        if e.arrives_empty {
            self.empty_on_read.push(EmptyOnRead {
                path: e.path.to_vec(),
                disk_size: e.disk_size,
            });
        }
        if e.status == Status::Included {
            cur.direct_in.add(t);
            self.included.add(t);
            if e.kind == EntryKind::Symlink {
                self.symlinks_in += 1;
                let target =
                    std::fs::read_link(self.root.join(crate::relpath::as_path(e.path))).ok();
                let target = target.as_ref().map(|t| {
                    use std::os::unix::ffi::OsStrExt;
                    t.as_os_str().as_bytes().to_vec()
                });
                self.tar_bytes += tar::entry_bytes(e.path, false, 0, target.as_deref());
            } else {
                // The tar stream is the classic builder's, which reads files
                // whole: the size on disk.
                self.tar_bytes += tar::entry_bytes(e.path, false, e.disk_size, None);
                // A path is copied only for a file that makes the top list.
                let big = || {
                    Reverse(BigFile {
                        size: e.size,
                        path: e.path.to_vec(),
                    })
                };
                if self.top.len() < TOP_FILES {
                    self.top.push(big());
                } else if self
                    .top
                    .peek()
                    .is_some_and(|Reverse(min)| min.size < e.size)
                {
                    self.top.pop();
                    self.top.push(big());
                }
            }
        } else {
            cur.direct_out.add(t);
            self.excluded.add(t);
        }
    }

    fn leave_dir(&mut self) {
        self.classifier.leave_dir(&self.root);
        if let Some(d) = self.stack.pop() {
            self.dirs.push(d);
        }
    }

    fn error(&mut self, error: WalkError) {
        self.errors.push(error);
    }
}

/// Measures the context. With `measure_pruned`, directories Docker skips
/// whole are walked too, so that what the ignore file saves is known.
/// Returns the scan and the per-thread classifiers for the caller to merge.
pub fn measure<C: Classifier>(
    root: &Path,
    matcher: &Matcher,
    builder: BuilderKind,
    measure_pruned: bool,
    progress: Option<&AtomicU64>,
    make: impl Fn() -> C,
) -> Result<(Scan, Vec<C>), EvalError> {
    let options = WalkOptions {
        builder,
        measure_pruned,
        threads: 0,
        sizes: true,
    };
    let visitors = walk(root, matcher, &options, progress, || SizeVisitor {
        root: root.to_path_buf(),
        classifier: make(),
        stack: Vec::new(),
        dirs: Vec::new(),
        included: Totals::default(),
        excluded: Totals::default(),
        dirs_in: 0,
        symlinks_in: 0,
        special: Vec::new(),
        links: Vec::new(),
        tar_bytes: 0,
        top: BinaryHeap::new(),
        empty_on_read: Vec::new(),
        errors: Vec::new(),
    })?;
    let mut scan = Scan {
        measured_pruned: measure_pruned,
        ..Scan::default()
    };
    let mut classifiers = Vec::new();
    let mut links = Vec::new();
    let mut top = Vec::new();
    for v in visitors {
        scan.included.add(v.included);
        scan.excluded.add(v.excluded);
        scan.dirs_in += v.dirs_in;
        scan.symlinks_in += v.symlinks_in;
        scan.tar_bytes += v.tar_bytes;
        scan.special.extend(v.special);
        scan.empty_on_read.extend(v.empty_on_read);
        scan.dirs.extend(v.dirs);
        scan.errors.extend(v.errors);
        links.extend(v.links);
        top.extend(v.top.into_iter().map(|Reverse(b)| b));
        classifiers.push(v.classifier);
    }
    scan.tar_bytes += tar::TRAILER;
    dedupe_hardlinks(&mut scan, links);
    top.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
    top.truncate(TOP_FILES);
    scan.top_files = top;
    scan.special.sort();
    scan.empty_on_read.sort();
    scan.errors.sort_by(|a, b| a.path.cmp(&b.path));
    scan.rollup();
    Ok((scan, classifiers))
}

// Every path of an inode after the first (in walk order) adds no bytes:
// not to the totals, and only a header to the tar stream.
fn dedupe_hardlinks(scan: &mut Scan, mut links: Vec<Link>) {
    links.sort_by(|a, b| (a.dev, a.ino, &a.path).cmp(&(b.dev, b.ino, &b.path)));
    if !links
        .windows(2)
        .any(|w| w[0].dev == w[1].dev && w[0].ino == w[1].ino)
    {
        // Every inode seen once: nothing to take back.
        return;
    }
    let mut dir_index: HashMap<Vec<u8>, usize> = HashMap::new();
    for (i, d) in scan.dirs.iter().enumerate() {
        dir_index.insert(d.path.clone(), i);
    }
    let mut i = 0;
    while i < links.len() {
        let mut j = i + 1;
        while j < links.len() && links[j].dev == links[i].dev && links[j].ino == links[i].ino {
            j += 1;
        }
        // links[i..j] share an inode; they are sorted by path.
        let mut seen_in = false;
        let mut seen_out = false;
        for l in &links[i..j] {
            let included = l.status == Status::Included;
            let seen = if included {
                &mut seen_in
            } else {
                &mut seen_out
            };
            if !*seen {
                *seen = true;
                continue;
            }
            let parent = crate::relpath::parent(&l.path);
            let d = dir_index.get(parent).map(|&k| &mut scan.dirs[k]);
            if included {
                scan.included.bytes -= l.size;
                scan.hardlinks.files += 1;
                scan.hardlinks.bytes += l.size;
                scan.tar_bytes -= l.disk_size.div_ceil(512) * 512;
                if let Some(d) = d {
                    d.direct_in.bytes -= l.size;
                }
            } else {
                scan.excluded.bytes -= l.size;
                if let Some(d) = d {
                    d.direct_out.bytes -= l.size;
                }
            }
        }
        i = j;
    }
}

impl Scan {
    /// Sums every directory's totals into its ancestors.
    fn rollup(&mut self) {
        self.dirs.sort_by(|a, b| a.path.cmp(&b.path));
        self.dirs.dedup_by(|b, a| {
            if a.path == b.path {
                // A pruned placeholder and a measured record: keep the
                // measured one with the pruned flag.
                let pruned = a.pruned || b.pruned;
                if a.status == Status::Pruned && b.status != Status::Pruned {
                    std::mem::swap(a, b);
                }
                a.pruned = pruned;
                a.direct_in.add(b.direct_in);
                a.direct_out.add(b.direct_out);
                true
            } else {
                false
            }
        });
        // Each directory's parent, found in the sorted records (no copies
        // of the paths, no hashing).
        let parents: Vec<Option<usize>> = self
            .dirs
            .iter()
            .map(|d| {
                if d.path.is_empty() {
                    return None;
                }
                let up = crate::relpath::parent(&d.path);
                self.dir_index(up)
            })
            .collect();
        for d in &mut self.dirs {
            d.total_in = d.direct_in;
            d.total_out = d.direct_out;
        }
        // Sorted by path, a directory's descendants come after it: from the
        // last, each directory is complete before it is added to its parent.
        for i in (0..self.dirs.len()).rev() {
            if let Some(p) = parents[i] {
                let (tin, tout) = (self.dirs[i].total_in, self.dirs[i].total_out);
                self.dirs[p].total_in.add(tin);
                self.dirs[p].total_out.add(tout);
            }
        }
    }

    /// The record of a directory.
    pub fn dir(&self, path: &[u8]) -> Option<&DirStat> {
        self.dir_index(path).map(|i| &self.dirs[i])
    }

    fn dir_index(&self, path: &[u8]) -> Option<usize> {
        self.dirs
            .binary_search_by(|d| d.path.as_slice().cmp(path))
            .ok()
    }
}
