//! What git knows about a context: the files staged for commit, and which
//! files it tracks. Outside a git repository (or without git) both are
//! empty; nothing here fails.

use std::collections::HashSet;
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
/// repository.
pub fn tracked(root: &Path) -> Option<HashSet<Vec<u8>>> {
    git_z(root, &["ls-files", "-z", "--full-name", "--", "."]).map(|files| {
        // `--full-name` gives paths from the top of the work tree; make
        // them relative to `root`.
        let prefix = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["rev-parse", "--show-prefix"])
            .output()
            .ok()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .trim()
                    .as_bytes()
                    .to_vec()
            })
            .unwrap_or_default();
        files
            .into_iter()
            .filter_map(|f| f.strip_prefix(prefix.as_slice()).map(<[u8]>::to_vec))
            .collect()
    })
}
