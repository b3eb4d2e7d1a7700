//! Test helpers: temporary trees and running the real binary.

#![allow(dead_code)]

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary directory tree that tests build up.
pub struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    pub fn new() -> Tree {
        Tree {
            dir: tempfile::Builder::new()
                .prefix("ctxsize-test")
                .tempdir()
                .expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (creating parents) with the given content.
    pub fn write(&self, rel: impl AsRef<Path>, content: impl AsRef<[u8]>) -> &Tree {
        let p = self.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(&p, content).expect("write");
        self
    }

    /// Writes a file of `size` bytes.
    pub fn file(&self, rel: impl AsRef<Path>, size: usize) -> &Tree {
        self.write(rel, vec![b'x'; size])
    }

    pub fn mkdir(&self, rel: impl AsRef<Path>) -> &Tree {
        fs::create_dir_all(self.join(rel)).expect("mkdir");
        self
    }

    pub fn symlink(&self, rel: impl AsRef<Path>, target: impl AsRef<Path>) -> &Tree {
        let p = self.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        std::os::unix::fs::symlink(target, p).expect("symlink");
        self
    }

    /// Writes a file whose name is given as raw bytes.
    pub fn write_raw(&self, rel: &[u8], content: &[u8]) -> &Tree {
        let p = self.path().join(std::ffi::OsStr::from_bytes(rel));
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(p, content).expect("write");
        self
    }
}

/// The built binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ctxsize"))
}

/// A command for the binary with a clean environment.
pub fn ctxsize(dir: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env("TERM", "dumb");
    cmd
}

/// Runs and returns (status code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run ctxsize");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Replaces the tree's path with `[TMP]` in output.
pub fn filter(s: &str, tree: &Tree) -> String {
    s.replace(&tree.path().display().to_string(), "[TMP]")
}

/// The project's fixtures directory.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Whether we run as root (permission bits do not stop root).
pub fn is_root() -> bool {
    // SAFETY-free check: root can read a mode-000 file.
    let t = Tree::new();
    t.write("probe", "x");
    let p = t.join("probe");
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
    fs::read(&p).is_ok()
}
