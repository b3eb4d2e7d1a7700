//! Reading one directory: names, types and (when asked) sizes.
//!
//! The walk spends nearly all its time in the kernel (`getdents64` and one
//! `statx` per file), so the system calls per directory are what this
//! module is about. On Linux it opens the directory once, reads it with
//! `getdents64` into a buffer the worker reuses, and stats each file
//! relative to the directory's descriptor: no `fstat` per directory (glibc's
//! `opendir` makes one), no allocation per entry. Elsewhere it uses
//! `std::fs::read_dir`, which does the same work with a few more calls.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::walk::EntryKind;

/// What a `stat` of an entry says.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Meta {
    /// Apparent size.
    pub size: u64,
    /// Type (for entries whose directory listing gave none).
    pub kind: EntryKind,
    /// Number of hard links.
    pub nlink: u64,
    /// `(device, inode)`.
    pub id: (u64, u64),
}

/// The callback of [`Dir::entries`]: `(name, kind, stat)`.
pub(crate) type Each<'a> = dyn FnMut(&[u8], Option<EntryKind>, &dyn Fn() -> io::Result<Meta>) + 'a;

/// A reusable buffer for [`read`], one per worker thread.
#[derive(Default)]
pub(crate) struct DirBuf {
    #[cfg(target_os = "linux")]
    buf: Vec<u8>,
}

/// An open directory, shared by the jobs of its sub-directories (each
/// opened relative to it: the kernel then looks up one name, not the
/// whole path).
#[derive(Clone)]
pub(crate) struct Dir(std::sync::Arc<Open>);

/// The handle, counted in [`OPEN`] while it lives.
struct Open(imp::Handle);

impl Drop for Open {
    fn drop(&mut self) {
        OPEN.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Directories open in this process, in every walk.
static OPEN: AtomicUsize = AtomicUsize::new(0);

impl Dir {
    /// Whether a directory read now may stay open for its
    /// sub-directories. A tree both deep and wide would otherwise keep one
    /// descriptor per level waiting: past a quarter of the process's limit
    /// (at most 512), sub-directories are opened by their whole path.
    pub(crate) fn may_stay_open() -> bool {
        OPEN.load(Ordering::Relaxed) < imp::budget()
    }

    /// Opens the directory `rel` below `root` (`name` being its last
    /// component): relative to `parent` when given, else by its whole
    /// path.
    pub(crate) fn open(
        parent: Option<&Dir>,
        name: &[u8],
        root: &Path,
        rel: &[u8],
    ) -> io::Result<Dir> {
        let abs = || {
            use std::os::unix::ffi::OsStrExt;
            if rel.is_empty() {
                root.to_path_buf()
            } else {
                root.join(std::ffi::OsStr::from_bytes(rel))
            }
        };
        // The length of `abs()`, without building it.
        let root_len = root.as_os_str().len();
        let abs_len = if rel.is_empty() {
            root_len
        } else {
            // `join` adds a `/` unless the root ends with one.
            let slash = !root.as_os_str().as_encoded_bytes().ends_with(b"/");
            root_len + usize::from(slash) + rel.len()
        };
        let handle = imp::open(parent.map(|p| &p.0 .0), name, abs_len, abs)?;
        OPEN.fetch_add(1, Ordering::Relaxed);
        Ok(Dir(std::sync::Arc::new(Open(handle))))
    }

    /// Lists it. For each entry other than `.` and `..`, calls
    /// `each(name, kind, stat)`: `kind` is `None` when the file system does
    /// not report types in listings, and `stat` looks the entry up (without
    /// following a symlink). A read error ends the listing and is returned;
    /// the entries read before it have been handed out.
    pub(crate) fn entries(&self, buf: &mut DirBuf, each: &mut Each<'_>) -> io::Result<()> {
        imp::entries(&self.0 .0, buf, each)
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use std::io;
    use std::os::fd::OwnedFd;

    use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawDir, StatxFlags};

    use super::{DirBuf, Each, EntryKind, Meta};

    // Linux's limit on a path given to a system call, with its NUL.
    const PATH_MAX: usize = 4096;

    // Large enough to read most directories in one call.
    const BUF: usize = 32 * 1024;

    fn kind(ft: FileType) -> Option<EntryKind> {
        Some(match ft {
            FileType::RegularFile => EntryKind::File,
            FileType::Directory => EntryKind::Dir,
            FileType::Symlink => EntryKind::Symlink,
            FileType::Fifo => EntryKind::Fifo,
            FileType::Socket => EntryKind::Socket,
            FileType::CharacterDevice => EntryKind::CharDevice,
            FileType::BlockDevice => EntryKind::BlockDevice,
            FileType::Unknown => return None,
        })
    }

    pub(super) type Handle = OwnedFd;

    pub(super) fn open(
        parent: Option<&OwnedFd>,
        name: &[u8],
        abs_len: usize,
        abs: impl FnOnce() -> std::path::PathBuf,
    ) -> io::Result<OwnedFd> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        // The kernel refuses a whole path of PATH_MAX bytes or more, and so
        // does Docker's walk, which opens whole paths: so does this one,
        // although the name alone would be accepted.
        if abs_len >= PATH_MAX {
            return Err(rustix::io::Errno::NAMETOOLONG.into());
        }
        match parent {
            // A directory swapped for a symlink since it was listed is
            // not followed.
            Some(parent) => Ok(rustix::fs::openat(
                parent,
                name,
                flags | OFlags::NOFOLLOW,
                Mode::empty(),
            )?),
            None => Ok(rustix::fs::open(abs(), flags, Mode::empty())?),
        }
    }

    pub(super) fn budget() -> usize {
        static BUDGET: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        *BUDGET.get_or_init(|| {
            let soft = rustix::process::getrlimit(rustix::process::Resource::Nofile)
                .current
                .unwrap_or(u64::MAX);
            usize::try_from(soft / 4)
                .unwrap_or(usize::MAX)
                .clamp(4, 512)
        })
    }

    pub(super) fn entries(fd: &OwnedFd, buf: &mut DirBuf, each: &mut Each<'_>) -> io::Result<()> {
        if buf.buf.capacity() < BUF {
            buf.buf.reserve(BUF);
        }
        let mut dir = RawDir::new(fd, buf.buf.spare_capacity_mut());
        while let Some(entry) = dir.next() {
            let entry = entry?;
            let name = entry.file_name();
            let bytes = name.to_bytes();
            if bytes == b"." || bytes == b".." {
                continue;
            }
            let stat = || -> io::Result<Meta> {
                let st = rustix::fs::statx(
                    fd,
                    name,
                    AtFlags::SYMLINK_NOFOLLOW,
                    StatxFlags::TYPE | StatxFlags::SIZE | StatxFlags::NLINK | StatxFlags::INO,
                )?;
                let ft = FileType::from_raw_mode(u32::from(st.stx_mode));
                Ok(Meta {
                    size: st.stx_size,
                    kind: kind(ft).unwrap_or(EntryKind::File),
                    nlink: u64::from(st.stx_nlink),
                    id: (
                        (u64::from(st.stx_dev_major) << 32) | u64::from(st.stx_dev_minor),
                        st.stx_ino,
                    ),
                })
            };
            each(bytes, kind(entry.file_type()), &stat);
        }
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::fs;
    use std::io;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    use std::path::PathBuf;

    use super::{DirBuf, Each, EntryKind, Meta};

    fn kind(ft: fs::FileType) -> EntryKind {
        if ft.is_dir() {
            EntryKind::Dir
        } else if ft.is_symlink() {
            EntryKind::Symlink
        } else if ft.is_fifo() {
            EntryKind::Fifo
        } else if ft.is_socket() {
            EntryKind::Socket
        } else if ft.is_char_device() {
            EntryKind::CharDevice
        } else if ft.is_block_device() {
            EntryKind::BlockDevice
        } else {
            EntryKind::File
        }
    }

    pub(super) type Handle = PathBuf;

    // No descriptor is held between listings here.
    pub(super) fn budget() -> usize {
        usize::MAX
    }

    pub(super) fn open(
        _parent: Option<&PathBuf>,
        _name: &[u8],
        _abs_len: usize,
        abs: impl FnOnce() -> PathBuf,
    ) -> io::Result<PathBuf> {
        let abs = abs();
        fs::metadata(&abs)?;
        Ok(abs)
    }

    pub(super) fn entries(
        path: &PathBuf,
        _buf: &mut DirBuf,
        each: &mut Each<'_>,
    ) -> io::Result<()> {
        for dent in fs::read_dir(path)? {
            let dent = dent?;
            let stat = || -> io::Result<Meta> {
                let md = dent.metadata()?;
                Ok(Meta {
                    size: md.len(),
                    kind: kind(md.file_type()),
                    nlink: md.nlink(),
                    id: (md.dev(), md.ino()),
                })
            };
            let ft = dent.file_type().ok().map(kind);
            each(dent.file_name().as_bytes(), ft, &stat);
        }
        Ok(())
    }
}
