//! Build script: the version string `ctxsize --version` prints, with the git
//! commit ctxsize was built from (`CTXSIZE_VERSION`, e.g.
//! `0.1.0 (c0364b156329 2026-11-29)`).
//!
//! The commit comes from `.cargo_vcs_info.json` when present (`cargo
//! package` writes it into a published crate, so `cargo install ctxsize`
//! names its commit), else from git when the package is a tracked part of a
//! checkout (a clone, a worktree, pre-commit's copy of the repository).
//! Without either (a tarball, no git), the version is the bare package
//! version. This script generates no code and links nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let version = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    println!("cargo:rerun-if-changed=build.rs");

    let origin = vcs_info(&manifest_dir).or_else(|| git(&manifest_dir));
    let full = match origin {
        Some(Origin { commit, date }) => {
            let short = &commit[..commit.len().min(12)];
            match date {
                Some(date) => format!("{version} ({short} {date})"),
                None => format!("{version} ({short})"),
            }
        }
        None => version,
    };
    println!("cargo:rustc-env=CTXSIZE_VERSION={full}");
}

/// Where the sources came from.
struct Origin {
    /// The full commit hash.
    commit: String,
    /// The commit date, `YYYY-MM-DD`, when known.
    date: Option<String>,
}

/// The commit `cargo package` recorded: `{"git": {"sha1": "..."}, ...}`.
fn vcs_info(dir: &Path) -> Option<Origin> {
    let path = dir.join(".cargo_vcs_info.json");
    let text = std::fs::read_to_string(&path).ok()?;
    println!("cargo:rerun-if-changed={}", path.display());
    // A flat look-up is enough for this fixed, cargo-written file; no JSON
    // parser in the build graph for one field.
    let rest = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let start = rest.find('"')? + 1;
    let len = rest[start..].find('"')?;
    let commit = &rest[start..start + len];
    is_hash(commit).then(|| Origin {
        commit: commit.to_string(),
        date: None,
    })
}

/// The checked-out commit, when `dir` is a tracked part of a git checkout.
fn git(dir: &Path) -> Option<Origin> {
    // Cargo.toml must be tracked: a crate unpacked inside some unrelated
    // repository (a vendor directory, a home directory under git) must not
    // report that repository's commit.
    git_out(dir, &["ls-files", "--error-unmatch", "--", "Cargo.toml"])?;
    let line = git_out(dir, &["log", "-1", "--format=%H %cs"])?;
    let (commit, date) = line.trim().split_once(' ')?;
    if !is_hash(commit) {
        return None;
    }
    // Rebuild when HEAD moves: HEAD names the branch, the branch's ref file
    // and HEAD's reflog change on commit, checkout and reset (in a worktree
    // these live in its own git directory).
    let mut watch = vec!["HEAD".to_string(), "logs/HEAD".to_string()];
    if let Some(branch) = git_out(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch.push(branch.trim().to_string());
    }
    for name in watch {
        if let Some(path) = git_out(
            dir,
            &["rev-parse", "--path-format=absolute", "--git-path", &name],
        ) {
            let path = PathBuf::from(path.trim());
            // A path that does not exist would rerun this script on every
            // build; a packed branch ref is covered by the reflog.
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    Some(Origin {
        commit: commit.to_string(),
        date: Some(date.to_string()),
    })
}

/// Runs git in `dir`; its stdout on success.
fn git_out(dir: &Path, args: &[&str]) -> Option<String> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    // A build run from a git hook (pre-commit installing ctxsize) inherits
    // variables that point at the calling repository, not this one.
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_COMMON_DIR",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_PREFIX",
    ] {
        cmd.env_remove(var);
    }
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
}

fn is_hash(s: &str) -> bool {
    s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit())
}
