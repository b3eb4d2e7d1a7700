//! The one safe writer for ignore files: the new content is computed in
//! full first, written only if it differs, through a uniquely named
//! temporary file in the same directory, with the old file's permissions,
//! and renamed into place (atomic: readers see the old or the new file,
//! never a mix; concurrent writers never interleave, the last rename wins).
//! A symlinked ignore file is written through to its target.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What [`write_if_changed`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// The content was already the same: nothing was written.
    Unchanged,
    /// The file was created.
    Created,
    /// The file was replaced.
    Replaced,
}

/// Writes `content` to `path` atomically when it differs from what is there.
pub fn write_if_changed(path: &Path, content: &[u8]) -> Result<Written> {
    // Write through a symlink to its target, so the link survives.
    let target: PathBuf = match fs::symlink_metadata(path) {
        Ok(md) if md.file_type().is_symlink() => fs::canonicalize(path).map_err(|e| {
            Error::Other(format!(
                "{}: symlink to a missing file ({e}); not writing",
                path.display()
            ))
        })?,
        _ => path.to_path_buf(),
    };
    let existing = match fs::metadata(&target) {
        Ok(md) if md.is_dir() => {
            return Err(Error::Other(format!(
                "{}: is a directory, not an ignore file; not writing",
                target.display()
            )))
        }
        Ok(md) => Some(md),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&target, e)),
    };
    if existing.is_some() {
        let old = fs::read(&target).map_err(|e| Error::io(&target, e))?;
        if old == content {
            return Ok(Written::Unchanged);
        }
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".ctxsize-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| {
            Error::Other(format!(
                "{}: cannot create a temporary file in this directory ({e}); nothing was written",
                dir.display()
            ))
        })?;
    tmp.write_all(content)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(tmp.path(), e))?;
    let mode = existing.as_ref().map(|m| m.permissions());
    let perms = mode.unwrap_or_else(|| {
        use std::os::unix::fs::PermissionsExt;
        fs::Permissions::from_mode(0o644)
    });
    fs::set_permissions(tmp.path(), perms).map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(&target)
        .map_err(|e| Error::io(&target, e.error))?;
    Ok(if existing.is_some() {
        Written::Replaced
    } else {
        Written::Created
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn atomic_write_keeps_mode_and_skips_same_content() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(".dockerignore");
        assert_eq!(write_if_changed(&p, b"a\n").unwrap(), Written::Created);
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(write_if_changed(&p, b"a\n").unwrap(), Written::Unchanged);
        assert_eq!(write_if_changed(&p, b"b\n").unwrap(), Written::Replaced);
        assert_eq!(fs::read(&p).unwrap(), b"b\n");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let leftovers: Vec<_> = fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn concurrent_writers_never_mix() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(".dockerignore");
        let contents: Vec<Vec<u8>> = (0..8u8)
            .map(|i| vec![b'a' + i; 64 * 1024 + usize::from(i)])
            .collect();
        std::thread::scope(|s| {
            for c in &contents {
                let p = &p;
                s.spawn(move || {
                    for _ in 0..20 {
                        write_if_changed(p, c).unwrap();
                    }
                });
            }
        });
        let last = fs::read(&p).unwrap();
        assert!(contents.contains(&last), "the file is a mix of writers");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn writes_through_symlink() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join(".gitignore"), "x\n").unwrap();
        std::os::unix::fs::symlink(".gitignore", d.path().join(".dockerignore")).unwrap();
        write_if_changed(&d.path().join(".dockerignore"), b"x\ny\n").unwrap();
        assert!(fs::symlink_metadata(d.path().join(".dockerignore"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(d.path().join(".gitignore")).unwrap(), b"x\ny\n");
    }

    #[test]
    fn refuses_directory() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join(".dockerignore")).unwrap();
        assert!(write_if_changed(&d.path().join(".dockerignore"), b"x").is_err());
    }
}
