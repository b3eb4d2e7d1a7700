//! The disk as discovery sees it: file texts read once, existence checks,
//! the vendored-directory test, and [`super::discover`]'s own walk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use walkdir::{DirEntry, WalkDir};

use super::names::{self, FileKind, NOT_OURS};
use crate::catalog;

/// The files one discovery reads, each at most once, and the notes it
/// makes.
pub(super) struct Files<'a> {
    root: &'a Path,
    texts: HashMap<PathBuf, Result<Rc<str>, String>>,
    /// Directory (relative) -> whether it is not the repository's own.
    vendored: HashMap<PathBuf, bool>,
    /// What was skipped or left unresolved.
    pub(super) notes: Vec<String>,
}

impl<'a> Files<'a> {
    pub(super) fn new(root: &'a Path) -> Self {
        Files {
            root,
            texts: HashMap::new(),
            vendored: HashMap::new(),
            notes: Vec::new(),
        }
    }

    /// `rel` joined onto the root.
    pub(super) fn abs(&self, rel: &Path) -> PathBuf {
        self.root.join(rel)
    }

    /// The text of the file at `rel` (relative to the root), read once;
    /// a file that cannot be read becomes a note (once) and `None`.
    pub(super) fn text(&mut self, rel: &Path) -> Option<Rc<str>> {
        match self.load(rel) {
            Ok(t) => Some(t),
            Err((why, first)) => {
                if first {
                    self.notes.push(format!(
                        "{}: could not be read ({why}); skipped.",
                        rel.display()
                    ));
                }
                None
            }
        }
    }

    /// The text of the file at `rel` when it exists and can be read; no
    /// note for a missing file.
    pub(super) fn text_if_any(&mut self, rel: &Path) -> Option<Rc<str>> {
        if !self.abs(rel).is_file() {
            return None;
        }
        self.text(rel)
    }

    /// The cached read: the text, or the error and whether this is the
    /// first time it is asked for.
    fn load(&mut self, rel: &Path) -> Result<Rc<str>, (String, bool)> {
        if let Some(t) = self.texts.get(rel) {
            return t.clone().map_err(|e| (e, false));
        }
        let read = std::fs::read(self.abs(rel))
            .map(|b| Rc::from(String::from_utf8_lossy(&b).as_ref()))
            .map_err(|e| e.to_string());
        self.texts.insert(rel.to_path_buf(), read.clone());
        read.map_err(|e| (e, true))
    }

    /// Whether a file exists at `rel` (following symbolic links).
    pub(super) fn is_file(&self, rel: &Path) -> bool {
        self.abs(rel).is_file()
    }

    /// Whether a directory exists at `rel` (following symbolic links).
    pub(super) fn is_dir(&self, rel: &Path) -> bool {
        self.abs(rel).is_dir()
    }

    /// Whether some directory above the file at `rel` holds what is not
    /// this repository's own build: other projects' code, version-control
    /// data, or anything the catalogue recognises with its evidence on
    /// disk.
    pub(super) fn under_vendored_dir(&mut self, rel: &Path) -> bool {
        let mut dir = PathBuf::new();
        let Some(parent) = rel.parent() else {
            return false;
        };
        for seg in parent.components() {
            dir.push(seg);
            if let Some(&v) = self.vendored.get(&dir) {
                if v {
                    return true;
                }
                continue;
            }
            let v = match (dir.to_str(), seg.as_os_str().to_str()) {
                (Some(rel), Some(name)) => not_ours(&self.root.join(&dir), rel, name),
                _ => false,
            };
            self.vendored.insert(dir.clone(), v);
            if v {
                return true;
            }
        }
        false
    }
}

/// Whether the directory at `abs` (`rel` from the root, last segment
/// `name`) holds what is not the repository's own builds.
fn not_ours(abs: &Path, rel: &str, name: &str) -> bool {
    NOT_OURS.contains(&name) || catalog::match_dir_at(abs, rel, name).is_some()
}

/// Walks the directories `dirs` (relative to `root`) for candidate files,
/// as [`walk`] does for the whole tree: for a caller whose own walk did not
/// enter them (a directory the ignore file excludes). A directory that is
/// not the repository's own is skipped whole.
pub(super) fn walk_under(
    root: &Path,
    dirs: &[PathBuf],
    notes: &mut Vec<String>,
) -> Vec<(PathBuf, FileKind)> {
    let mut found = Vec::new();
    for d in dirs {
        let (Some(rel), Some(name)) = (d.to_str(), d.file_name().and_then(|n| n.to_str())) else {
            continue;
        };
        if not_ours(&root.join(d), rel, name) {
            continue;
        }
        found.extend(walk_from(root, d, notes));
    }
    found
}

/// Walks `root` for [`super::discover`]: every candidate file, relative to
/// the root, skipping the directories [`Files::under_vendored_dir`] would
/// reject. Symbolic links are listed when their name fits but never
/// followed into; unreadable directories become notes.
pub(super) fn walk(root: &Path, notes: &mut Vec<String>) -> Vec<(PathBuf, FileKind)> {
    walk_from(root, Path::new(""), notes)
}

/// [`walk`] of the directory `sub` (relative to `root`; empty for the
/// root itself), its files named relative to `root`.
fn walk_from(root: &Path, sub: &Path, notes: &mut Vec<String>) -> Vec<(PathBuf, FileKind)> {
    let mut found = Vec::new();
    let skip = |e: &DirEntry| {
        if e.depth() == 0 || !e.file_type().is_dir() {
            return false;
        }
        let (Ok(rel), Some(name)) = (e.path().strip_prefix(root), e.file_name().to_str()) else {
            return false;
        };
        rel.to_str()
            .is_some_and(|rel| not_ours(e.path(), rel, name))
    };
    let start = if sub.as_os_str().is_empty() {
        root.to_path_buf()
    } else {
        root.join(sub)
    };
    let walk = WalkDir::new(start)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| !skip(e));
    for item in walk {
        match item {
            Ok(e) => {
                if e.file_type().is_dir() {
                    continue;
                }
                let Ok(rel) = e.path().strip_prefix(root) else {
                    continue;
                };
                use std::os::unix::ffi::OsStrExt;
                let bytes = rel.as_os_str().as_bytes();
                let name = e.file_name().as_bytes();
                if let Some(kind) = names::candidate(bytes, name, false) {
                    found.push((rel.to_path_buf(), kind));
                }
            }
            Err(err) => {
                let path = err.path().unwrap_or(root);
                let shown = match path.strip_prefix(root) {
                    Ok(rel) if !rel.as_os_str().is_empty() => rel,
                    _ => path,
                };
                let why = err
                    .io_error()
                    .map_or_else(|| err.to_string(), ToString::to_string);
                notes.push(format!(
                    "{}: could not be read ({why}); builds under it are not listed.",
                    shown.display()
                ));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::tests::repo;
    use super::*;

    #[test]
    fn each_file_is_read_once_and_a_failure_noted_once() {
        let d = repo(&[("a.sh", "one\n"), ("sub/.env", "A=1\n")]);
        let mut files = Files::new(d.path());
        assert_eq!(files.text(Path::new("a.sh")).as_deref(), Some("one\n"));
        std::fs::write(d.path().join("a.sh"), "two\n").unwrap();
        // The second ask is answered from the first read.
        assert_eq!(files.text(Path::new("a.sh")).as_deref(), Some("one\n"));
        assert_eq!(files.text_if_any(Path::new("nope/.env")), None);
        assert!(files.notes.is_empty());
        assert_eq!(files.text(Path::new("sub")), None);
        assert_eq!(files.text(Path::new("sub")), None);
        assert_eq!(files.notes.len(), 1, "{:?}", files.notes);
        assert!(
            files.notes[0].starts_with("sub: could not be read ("),
            "{:?}",
            files.notes
        );
    }

    #[test]
    fn vendored_directories() {
        let d = repo(&[
            ("vendor/x/Dockerfile", ""),
            ("web/node_modules/y/Dockerfile", ""),
            ("py/.venv/pyvenv.cfg", ""),
            ("py/.venv/lib/Dockerfile", ""),
            ("build/Dockerfile", ""),
            ("app/Dockerfile", ""),
        ]);
        let mut files = Files::new(d.path());
        for (rel, want) in [
            ("vendor/x/Dockerfile", true),
            ("web/node_modules/y/Dockerfile", true),
            ("py/.venv/lib/Dockerfile", true),
            ("build/Dockerfile", false),
            ("app/Dockerfile", false),
            ("Dockerfile", false),
        ] {
            assert_eq!(files.under_vendored_dir(Path::new(rel)), want, "{rel}");
        }
    }
}
