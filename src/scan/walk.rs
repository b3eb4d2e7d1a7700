//! The parallel walk of a build context (spec §5, §7.1, §8).
//!
//! Each directory is read by one worker thread, which decides every entry
//! with [`Matcher::decide`] from the parent's [`ParentState`] (Docker's
//! `MatchesUsingParentResults`, or Podman's rule for a Podman matcher) and
//! queues the sub-directories it must enter. Under BuildKit, when the rules
//! make it possible ([`Matcher::reads_can_differ`]), a second state is
//! carried down to find the files BuildKit sends with 0 bytes (§7.1).
//! Symlinks are never followed. Errors (unreadable directories, entries that
//! vanish) are handed to the visitor and the walk goes on; only a pattern
//! that the builder cannot compile stops it, as it stops the build.
//!
//! Why not `ignore::WalkParallel`: Docker's decision for a path depends on
//! its parent's per-rule results, and that walker has no way to hand state
//! from a directory to its children. The queue here is the same idea
//! (depth-first work stealing from a shared stack) with the state attached.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use super::dirent::{Dir, DirBuf};
use crate::pattern::{Decision, EvalError, Matcher, ParentState};

/// Which builder's walk to reproduce (the name this module has always
/// used for [`crate::pattern::Builder`]). Docker's builders share the
/// decision rule and differ in when an excluded directory is skipped whole
/// (spec §5.3, §5.5); Podman has its own rule for both (§8.4, §8.5).
pub use crate::pattern::Builder as BuilderKind;

/// The type of an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (never followed).
    Symlink,
    /// A named pipe (sent by Docker as a special file, never read).
    Fifo,
    /// A socket (skipped by Docker).
    Socket,
    /// A character device (sent as a special file, never read).
    CharDevice,
    /// A block device (sent as a special file, never read).
    BlockDevice,
}

impl EntryKind {
    /// One-letter code: `f`, `d`, `l`, `p`, `s`, `c`, `b`.
    pub fn code(self) -> char {
        match self {
            EntryKind::File => 'f',
            EntryKind::Dir => 'd',
            EntryKind::Symlink => 'l',
            EntryKind::Fifo => 'p',
            EntryKind::Socket => 's',
            EntryKind::CharDevice => 'c',
            EntryKind::BlockDevice => 'b',
        }
    }

    /// Whether this is one of the special kinds that are reported, not read.
    pub fn is_special(self) -> bool {
        matches!(
            self,
            EntryKind::Fifo | EntryKind::Socket | EntryKind::CharDevice | EntryKind::BlockDevice
        )
    }
}

/// Where an entry stands with respect to the context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Sent to the builder.
    Included,
    /// Excluded by the decision rule (and, for a directory, entered because
    /// an exception may reach inside it).
    Excluded,
    /// Below a directory Docker skips whole; seen only when the walk was
    /// asked to measure excluded directories.
    Pruned,
}

/// One entry seen by the walk.
#[derive(Debug)]
pub struct Entry<'a> {
    /// Path relative to the context root, `/`-separated.
    pub path: &'a [u8],
    /// Its type.
    pub kind: EntryKind,
    /// The bytes the builder sends: file length, symlink target length, 0
    /// otherwise, and 0 for a file that [`Entry::arrives_empty`].
    pub size: u64,
    /// The file's length on disk (equal to `size` except when the file
    /// arrives empty).
    pub disk_size: u64,
    /// A regular file BuildKit sends, under its name, with 0 bytes: its walk
    /// keeps the file but the check on reading excludes it (spec §7.1).
    /// Only ever set when walking for [`BuilderKind::BuildKit`].
    pub arrives_empty: bool,
    /// Whether it is sent.
    pub status: Status,
    /// The decision (absent for pruned entries, which are not decided).
    pub decision: Option<Decision>,
    /// `(device, inode)` when the file has more than one hard link.
    pub hardlink: Option<(u64, u64)>,
    /// For directories: Docker skips it whole (nothing below it is sent).
    pub pruned: bool,
}

/// A problem met during the walk that does not stop it.
#[derive(Debug)]
pub struct WalkError {
    /// Path relative to the context root.
    pub path: Vec<u8>,
    /// What failed.
    pub error: io::Error,
}

impl WalkError {
    /// The path for display.
    pub fn display_path(&self) -> String {
        String::from_utf8_lossy(&self.path).into_owned()
    }
}

/// Receives entries from one worker thread. A directory's entries arrive
/// together, between [`Visitor::enter_dir`] and [`Visitor::leave_dir`].
pub trait Visitor: Send {
    /// A directory is about to be listed (`b""` for the root).
    fn enter_dir(&mut self, _dir: &[u8], _status: Status) {}
    /// One entry of the current directory.
    fn visit(&mut self, entry: &Entry<'_>);
    /// The current directory is done.
    fn leave_dir(&mut self) {}
    /// A path could not be read.
    fn error(&mut self, error: WalkError);
}

/// Options of a walk.
#[derive(Clone, Debug)]
pub struct WalkOptions {
    /// Whose walk to reproduce.
    pub builder: BuilderKind,
    /// Also walk the directories Docker skips whole, to measure them.
    pub measure_pruned: bool,
    /// Worker threads (0: one per core, at most 8).
    pub threads: usize,
    /// Stat regular files for their size and links. Without it, entries
    /// carry size 0 (symlinks still carry their target length) and the
    /// walk reads directories only, like `find` without `-size`.
    pub sizes: bool,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            builder: BuilderKind::BuildKit,
            measure_pruned: false,
            threads: 0,
            sizes: true,
        }
    }
}

struct Job {
    /// The parent directory, open (absent for the root).
    parent: Option<Dir>,
    rel: Vec<u8>,
    state: Arc<ParentState>,
    /// BuildKit's read-check state (only when the rules can make it differ).
    read: Option<Arc<ParentState>>,
    status: Status,
}

struct Queue {
    // (pending jobs, busy workers, idle workers waiting)
    jobs: Mutex<(Vec<Job>, usize, usize)>,
    cond: Condvar,
    stop: AtomicBool,
    failure: Mutex<Option<EvalError>>,
}

impl Queue {
    // Adds a directory's sub-directories in one go; wakes a waiting
    // worker only when one is idle (no futex traffic otherwise).
    fn push_all(&self, jobs: &mut Vec<Job>) {
        if jobs.is_empty() {
            return;
        }
        let mut q = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        // Reverse so that the first listed is taken first (depth-first,
        // roughly in listing order).
        q.0.extend(jobs.drain(..).rev());
        let idle = q.2;
        drop(q);
        if idle > 0 {
            self.cond.notify_all();
        }
    }

    // Takes a job, marking the worker busy; None when the walk is over.
    fn pop(&self) -> Option<Job> {
        let mut q = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return None;
            }
            if let Some(job) = q.0.pop() {
                q.1 += 1;
                return Some(job);
            }
            if q.1 == 0 {
                self.cond.notify_all();
                return None;
            }
            q.2 += 1;
            q = self.cond.wait(q).unwrap_or_else(|e| e.into_inner());
            q.2 -= 1;
        }
    }

    fn done(&self) {
        let mut q = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        q.1 -= 1;
        let finished = q.1 == 0 && q.0.is_empty() && q.2 > 0;
        drop(q);
        if finished {
            self.cond.notify_all();
        }
    }
}

/// Worker threads by default: `CTXSIZE_THREADS` when set, else one per
/// core (at most 8). More threads than cores (diskus uses three per core)
/// measured no better on the 2-core benchmark machine.
pub fn default_threads() -> usize {
    if let Some(n) = std::env::var("CTXSIZE_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return std::cmp::max(n, 1);
    }
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8)
}

/// Walks the context at `root`, handing entries to one visitor per thread
/// (made by `make`). Returns the visitors for the caller to merge, or the
/// pattern Docker would fail on.
pub fn walk<V: Visitor>(
    root: &Path,
    matcher: &Matcher,
    options: &WalkOptions,
    progress: Option<&AtomicU64>,
    make: impl Fn() -> V,
) -> Result<Vec<V>, EvalError> {
    let threads = match options.threads {
        0 => default_threads(),
        n => n,
    };
    let queue = Queue {
        jobs: Mutex::new((Vec::new(), 0, 0)),
        cond: Condvar::new(),
        stop: AtomicBool::new(false),
        failure: Mutex::new(None),
    };
    let read_check = options.builder == BuilderKind::BuildKit && matcher.reads_can_differ();
    queue.push_all(&mut vec![Job {
        parent: None,
        rel: Vec::new(),
        state: Arc::new(ParentState::root()),
        read: read_check.then(|| Arc::new(ParentState::root())),
        status: Status::Included,
    }]);
    let mut visitors: Vec<V> = (0..threads).map(|_| make()).collect();
    let walker = &Walker {
        root,
        matcher,
        options,
        progress,
    };
    std::thread::scope(|s| {
        for v in visitors.iter_mut() {
            let queue = &queue;
            s.spawn(move || {
                let mut children = Vec::new();
                let mut buf = DirBuf::default();
                while let Some(job) = queue.pop() {
                    let r = read_dir(walker, job, v, &mut children, &mut buf);
                    queue.push_all(&mut children);
                    if let Err(e) = r {
                        let mut f = queue.failure.lock().unwrap_or_else(|e| e.into_inner());
                        f.get_or_insert(e);
                        queue.stop.store(true, Ordering::Relaxed);
                        queue.cond.notify_all();
                    }
                    queue.done();
                }
            });
        }
    });
    let failure = queue
        .failure
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    match failure {
        Some(e) => Err(e),
        None => Ok(visitors),
    }
}

/// What every directory of one walk is read with.
struct Walker<'a> {
    root: &'a Path,
    matcher: &'a Matcher,
    options: &'a WalkOptions,
    progress: Option<&'a AtomicU64>,
}

fn read_dir<V: Visitor>(
    w: &Walker<'_>,
    job: Job,
    v: &mut V,
    children: &mut Vec<Job>,
    buf: &mut DirBuf,
) -> Result<(), EvalError> {
    let (matcher, options, progress) = (w.matcher, w.options, w.progress);
    let name = crate::relpath::basename(&job.rel);
    let dir = match Dir::open(job.parent.as_ref(), name, w.root, &job.rel) {
        Ok(d) => d,
        Err(error) => {
            v.error(WalkError {
                path: job.rel,
                error,
            });
            return Ok(());
        }
    };
    v.enter_dir(&job.rel, job.status);
    let mut path = job.rel.clone();
    if !path.is_empty() {
        path.push(b'/');
    }
    let base = path.len();
    let mut child_state = ParentState::root();
    let mut count = 0u64;
    let mut failure = None;
    let listed = dir.entries(buf, &mut |name, listed_kind, stat| {
        if failure.is_some() {
            return;
        }
        count += 1;
        path.truncate(base);
        path.extend_from_slice(name);
        // The listing usually gives the type; when it does not, or when the
        // size is needed, look the entry up once.
        let wants_meta = match listed_kind {
            None => true,
            Some(EntryKind::Dir) => false,
            Some(EntryKind::Symlink) => true,
            Some(_) => options.sizes,
        };
        let meta = if wants_meta {
            match stat() {
                Ok(m) => Some(m),
                Err(error) => {
                    v.error(WalkError {
                        path: path.clone(),
                        error,
                    });
                    return;
                }
            }
        } else {
            None
        };
        let kind = match (listed_kind, meta) {
            (Some(k), _) => k,
            (None, Some(m)) => m.kind,
            (None, None) => EntryKind::File,
        };
        let is_dir = kind == EntryKind::Dir;
        // Decide first: a pruned parent means no decision at all.
        let (status, decision) = if job.status == Status::Pruned {
            (Status::Pruned, None)
        } else {
            let d = match matcher.decide(
                &path,
                &job.state,
                if is_dir { Some(&mut child_state) } else { None },
            ) {
                Ok(d) => d,
                Err(e) => {
                    failure = Some(e);
                    return;
                }
            };
            let status = if d.excluded {
                Status::Excluded
            } else {
                Status::Included
            };
            (status, Some(d))
        };
        let (disk_size, hardlink) = match meta {
            Some(m) if kind == EntryKind::File => (m.size, (m.nlink > 1).then_some(m.id)),
            Some(m) if kind == EntryKind::Symlink => (m.size, None),
            _ => (0, None),
        };
        // BuildKit's second check, on reading the file (§7.1).
        let arrives_empty = match (&job.read, decision) {
            (Some(read), Some(d)) if kind == EntryKind::File && status == Status::Included => {
                matcher.read_excludes(&path, &d, read)
            }
            _ => false,
        };
        let pruned =
            is_dir && status == Status::Excluded && prunes(matcher, options.builder, &path);
        v.visit(&Entry {
            path: &path,
            kind,
            size: if arrives_empty { 0 } else { disk_size },
            disk_size,
            arrives_empty,
            status,
            decision,
            hardlink,
            pruned,
        });
        if is_dir {
            let child_status = match status {
                Status::Excluded if pruned => Status::Pruned,
                s => s,
            };
            if child_status != Status::Pruned || options.measure_pruned {
                let read = match &job.read {
                    Some(parent_read) if child_status != Status::Pruned => {
                        let mut out = ParentState::root();
                        matcher.read_state(&path, parent_read, &child_state, &mut out);
                        // Usually nothing applies: share one empty state.
                        Some(if out.is_empty() && parent_read.is_empty() {
                            Arc::clone(parent_read)
                        } else {
                            Arc::new(out)
                        })
                    }
                    _ => None,
                };
                children.push(Job {
                    parent: Dir::may_stay_open().then(|| dir.clone()),
                    rel: path.clone(),
                    // Nothing below a pruned directory is decided: its
                    // children share the (unread) state.
                    state: if child_status == Status::Pruned {
                        Arc::clone(&job.state)
                    } else {
                        Arc::new(std::mem::take(&mut child_state))
                    },
                    read,
                    status: child_status,
                });
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    if let Err(error) = listed {
        v.error(WalkError {
            path: job.rel.clone(),
            error,
        });
    }
    v.leave_dir();
    if let Some(p) = progress {
        p.fetch_add(count, Ordering::Relaxed);
    }
    Ok(())
}

/// Whether `builder` skips the excluded directory `dir` whole. `matcher`
/// should be compiled for the same builder (Podman's exceptions are cleaned
/// differently).
///
/// - classic (§5.3): unless an exception's text starts with `dir/`;
/// - BuildKit (§5.5): the same, but never when an exception has a wildcard;
/// - Podman (§8.5, W): unless an exception's text with `/` appended starts
///   with `dir` (no `/` after it), so `!fo*/keep` enters `fo`.
pub fn prunes(matcher: &Matcher, builder: BuilderKind, dir: &[u8]) -> bool {
    if !matcher.has_exceptions() {
        return true;
    }
    match builder {
        BuilderKind::Classic => !matcher.exception_reaches_into(dir),
        BuilderKind::BuildKit => {
            !matcher.exceptions_have_wildcards() && !matcher.exception_reaches_into(dir)
        }
        BuilderKind::Podman => !matcher.exception_text_starts_with(dir),
    }
}
