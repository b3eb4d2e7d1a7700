//! What git knows about a context: the files staged for commit, and which
//! files it tracks. Outside a git repository (or without git) both are
//! empty; nothing here fails.

use std::path::Path;
use std::process::Command;

fn git_z(root: &Path, args: &[&str]) -> Option<Vec<Vec<u8>>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(
        out.stdout
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(<[u8]>::to_vec)
            .collect(),
    )
}

/// Files staged for commit (added, copied, modified, renamed), relative to
/// `root`.
pub fn staged(root: &Path) -> Vec<Vec<u8>> {
    git_z(
        root,
        &[
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--diff-filter=ACMR",
            "--relative",
        ],
    )
    .unwrap_or_default()
}

/// The files git tracks below `root`, relative to it; `None` outside a
/// repository. (Run in `root`, `ls-files` names paths relative to it.)
pub fn tracked(root: &Path) -> Option<Vec<Vec<u8>>> {
    git_z(root, &["ls-files", "-z", "--", "."])
}
