//! What git knows about a context: the files staged for commit, and which
//! files it tracks. Outside a git repository (or without git) both are
//! empty; nothing here fails.

use std::path::Path;
use std::process::Command;

fn git_z(root: &Path, args: &[&str]) -> Option<Vec<Vec<u8>>> {
    if !may_be_in_repository(root) {
        return None;
    }
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

/// Whether git could find a repository for `dir`: a `.git` file, or a
/// `.git` directory whose `HEAD` git would accept, in `dir` or above it
/// (or `dir` itself a bare repository), or git told where to look through
/// its environment. When this says no, git would say "not a git
/// repository" too, and the process is not started (a few milliseconds
/// per run outside a repository). Anything unclear answers yes: git
/// decides.
pub fn may_be_in_repository(dir: &Path) -> bool {
    if std::env::var_os("GIT_DIR").is_some() || std::env::var_os("GIT_WORK_TREE").is_some() {
        return true;
    }
    let Ok(abs) = std::fs::canonicalize(dir) else {
        return true;
    };
    if is_git_dir(&abs) {
        return true;
    }
    abs.ancestors().any(|d| {
        let dot_git = d.join(".git");
        match std::fs::symlink_metadata(&dot_git) {
            Ok(md) if md.is_dir() || md.file_type().is_symlink() => is_git_dir(&dot_git),
            Ok(_) => true,
            Err(e) => e.kind() != std::io::ErrorKind::NotFound,
        }
    })
}

// git's own test (`is_git_directory`): a `HEAD` that is a symbolic link,
// a `ref:` line, or an object id. Only a readable `HEAD` that is none of
// those says no.
fn is_git_dir(dir: &Path) -> bool {
    use std::io::Read;
    let head = dir.join("HEAD");
    match std::fs::symlink_metadata(&head) {
        Ok(md) if md.file_type().is_symlink() => return true,
        Ok(md) if md.is_file() => {}
        Ok(_) => return false,
        Err(e) => return e.kind() != std::io::ErrorKind::NotFound,
    }
    let mut buf = [0u8; 80];
    let n = match std::fs::File::open(&head).and_then(|mut f| f.read(&mut buf)) {
        Ok(n) => n,
        Err(_) => return true,
    };
    let text = &buf[..n];
    if let Some(rest) = text.strip_prefix(b"ref:") {
        let rest = rest.trim_ascii_start();
        return rest.starts_with(b"refs/");
    }
    // An object id: 40 (SHA-1) or 64 (SHA-256) hex digits.
    let hex = text.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    hex >= 40
}

#[cfg(test)]
mod tests {
    use super::{is_git_dir, may_be_in_repository};
    use std::fs;

    #[test]
    fn head_decides_what_is_a_repository() {
        let t = std::env::temp_dir().join(format!("ctxsize-git-{}", std::process::id()));
        let _ = fs::remove_dir_all(&t);
        fs::create_dir_all(t.join("w/.git")).unwrap();
        let head = t.join("w/.git/HEAD");
        for (text, ok) in [
            (&b"ref: refs/heads/main\n"[..], true),
            (b"ref:refs/heads/x", true),
            (b"0123456789abcdef0123456789abcdef01234567\n", true),
            (b"x\0\0\0", false),
            (b"ref: HEAD", false),
            (b"0123", false),
        ] {
            fs::write(&head, text).unwrap();
            assert_eq!(is_git_dir(&t.join("w/.git")), ok, "{text:?}");
        }
        // A `.git` file (a worktree or submodule) counts whatever it says.
        fs::create_dir_all(t.join("m")).unwrap();
        fs::write(t.join("m/.git"), "gitdir: ../elsewhere").unwrap();
        assert!(may_be_in_repository(&t.join("m")));
        fs::remove_dir_all(&t).unwrap();
    }
}
