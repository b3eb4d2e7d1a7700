//! Hostile trees and hostile ignore files (see the README's reliability
//! table): every case ends with a definite answer, errors listed, and the
//! documented exit code; nothing hangs, panics or writes.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::{bin, ctxsize, is_root, run, Tree};

/// Runs the binary with a hard deadline so a hang fails the test instead of
/// stalling the suite.
fn run_bounded(cmd: &mut Command, limit: Duration) -> (i32, String, String) {
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id().to_string();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watchdog = {
        let done = done.clone();
        std::thread::spawn(move || {
            let start = Instant::now();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if start.elapsed() > limit {
                    let _ = Command::new("kill").arg("-9").arg(&pid).status();
                    return true;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            false
        })
    };
    let out = child.wait_with_output().expect("output");
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(
        !watchdog.join().unwrap(),
        "ctxsize did not finish within {limit:?}: {cmd:?}"
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn special_files_are_listed_never_opened() {
    let t = Tree::new();
    t.file("a.txt", 1);
    assert!(Command::new("mkfifo")
        .arg(t.join("pipe"))
        .status()
        .unwrap()
        .success());
    let _sock = std::os::unix::net::UnixListener::bind(t.join("sock")).unwrap();
    // A FIFO named like a secret: reading it would block forever.
    assert!(Command::new("mkfifo")
        .arg(t.join(".env"))
        .status()
        .unwrap()
        .success());
    let limit = Duration::from_secs(20);
    let (code, out, err) = run_bounded(ctxsize(t.path()).args(["ls", "--long"]), limit);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "p\t           0\t.env\nf\t           1\ta.txt\np\t           0\tpipe\n"
    );
    assert!(err.contains("sock: socket, not sent by Docker"), "{err}");
    for verb in [
        &["report"][..],
        &["report", "--json"],
        &["check"],
        &["lint"],
        &["init", "--dry-run"],
    ] {
        let (code, _, err) = run_bounded(ctxsize(t.path()).args(verb), limit);
        assert_eq!(code, 0, "{verb:?}: {err}");
    }
}

#[test]
fn device_files_when_root() {
    if !is_root() {
        println!("skipped: creating a device node needs root");
        return;
    }
    let t = Tree::new();
    if !Command::new("mknod")
        .arg(t.join("null"))
        .args(["c", "1", "3"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
    {
        println!("skipped: mknod is not permitted here");
        return;
    }
    let (code, out, _) = run_bounded(
        ctxsize(t.path()).args(["ls", "--long"]),
        Duration::from_secs(20),
    );
    assert_eq!(code, 0);
    assert_eq!(out, "c\t           0\tnull\n");
}

#[test]
fn hundred_thousand_entries_in_one_directory() {
    let t = Tree::new();
    let dir = t.join("many");
    fs::create_dir(&dir).unwrap();
    for i in 0..100_000 {
        fs::File::create(dir.join(format!("f{i:06}"))).unwrap();
    }
    let (code, out, err) = run_bounded(ctxsize(t.path()).args(["ls"]), Duration::from_secs(120));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 100_000);
    assert_eq!(out.lines().next(), Some("many/f000000"));
    let (code, out, _) = run_bounded(
        ctxsize(t.path()).args(["report", "--json"]),
        Duration::from_secs(120),
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["context"]["files"], 100_000);
}

#[test]
fn deep_nesting_and_paths_over_path_max() {
    let t = Tree::new();
    // Built with relative names so no single call sees the whole path.
    let script = "for i in $(seq 500); do mkdir dddddddddddd && cd dddddddddddd || exit 1; done; echo x > deep.txt";
    assert!(Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(t.path())
        .status()
        .unwrap()
        .success());
    t.file("top.txt", 1);
    let (code, out, err) = run_bounded(ctxsize(t.path()).args(["ls"]), Duration::from_secs(60));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("top.txt\n") || out.contains("top.txt\n"),
        "{out}"
    );
    // Past PATH_MAX the kernel refuses the path (Docker's walk fails there
    // too): the directory is reported, the rest of the answer stands.
    assert!(err.contains("File name too long"), "{err}");
    let (code, out, _) = run_bounded(
        ctxsize(t.path()).args(["report", "--json"]),
        Duration::from_secs(60),
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!v["errors"].as_array().unwrap().is_empty());
}

#[test]
fn odd_names_survive_nul_separated() {
    let t = Tree::new();
    for name in [
        "new\nline",
        "tab\there",
        "back\\slash",
        "-rf",
        "--help",
        " space ",
    ] {
        t.file(name, 1);
    }
    t.write_raw(b"bad\xff\xfeutf8", b"x");
    let out = ctxsize(t.path()).args(["ls", "-0"]).output().unwrap();
    assert!(out.status.success());
    let mut names: Vec<&[u8]> = out
        .stdout
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .collect();
    names.sort();
    let mut want: Vec<&[u8]> = vec![
        b" space ",
        b"--help",
        b"-rf",
        b"back\\slash",
        b"bad\xff\xfeutf8",
        b"new\nline",
        b"tab\there",
    ];
    want.sort();
    assert_eq!(names, want);
    let (code, out, _) = run(ctxsize(t.path()).args(["ls", "--json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let bad = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e.get("path_hex").is_some())
        .unwrap();
    assert_eq!(bad["path_hex"], "626164fffe75746638");
    let (code, _, _) = run(ctxsize(t.path()).args(["why", "--", "-rf"]));
    assert_eq!(code, 0);
}

#[test]
fn hard_links_count_once_and_sparse_files_count_apparent_size() {
    let t = Tree::new();
    t.file("a.bin", 1000);
    fs::hard_link(t.join("a.bin"), t.join("b.bin")).unwrap();
    let f = fs::File::create(t.join("sparse.img")).unwrap();
    f.set_len(1 << 30).unwrap();
    let (code, out, _) = run(ctxsize(t.path()).args(["report", "--json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["context"]["files"], 3);
    assert_eq!(v["context"]["bytes"], 1000 + (1u64 << 30));
    assert_eq!(v["hardlinks"]["files"], 1);
    assert_eq!(v["hardlinks"]["bytes"], 1000);
    // tar: a.bin 512+1024, b.bin header only, sparse.img 512+1 GiB, trailer.
    assert_eq!(
        v["context"]["tar_bytes"],
        512 + 1024 + 512 + 512 + (1u64 << 30) + 1024
    );
    let (_, text, _) = run(ctxsize(t.path()).args(["report"]));
    assert!(text.contains("hard-linked paths share data"), "{text}");
}

#[test]
fn files_vanishing_during_the_walk() {
    use ctxsize::pattern::Matcher;
    use ctxsize::scan::{list, BuilderKind, Select};
    let t = Tree::new();
    for d in 0..20 {
        for f in 0..50 {
            t.file(format!("d{d}/f{f}"), 10);
        }
    }
    let root = t.path().to_path_buf();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let stop = stop.clone();
        let root = root.clone();
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let d = root.join(format!("d{}", i % 20));
                let _ = fs::remove_dir_all(&d);
                let _ = fs::create_dir_all(&d);
                for f in 0..5 {
                    let _ = fs::write(d.join(format!("f{f}")), "x".repeat((i % 7) as usize));
                }
                i += 1;
            }
        })
    };
    let m = Matcher::from_patterns(&["d1*", "!d1/f1"]).matcher;
    for _ in 0..30 {
        let listing = list(&root, &m, BuilderKind::BuildKit, Select::Included).unwrap();
        for e in &listing.errors {
            assert_eq!(e.error.kind(), std::io::ErrorKind::NotFound, "{e:?}");
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    churn.join().unwrap();
}

#[test]
fn hostile_ignore_files() {
    let limit = Duration::from_secs(60);
    // A directory.
    let t = Tree::new();
    t.file("a", 1).mkdir(".dockerignore");
    let (code, out, err) = run(ctxsize(t.path()).arg("ls"));
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("is a directory"), "{err}");
    // A symlink: read through, as Docker does.
    let t = Tree::new();
    t.file("a.log", 1)
        .file("b", 1)
        .write(".gitignore", "*.log\n")
        .symlink(".dockerignore", ".gitignore");
    let (_, out, _) = run(ctxsize(t.path()).arg("ls"));
    assert_eq!(out, ".dockerignore\n.gitignore\nb\n");
    // Empty, binary, not UTF-8.
    for data in [&b""[..], b"\x00\x01\x02\xff\n\x7f", b"caf\xe9\n*.t\xfft\n"] {
        let t = Tree::new();
        t.file("a", 1).write(".dockerignore", data);
        let (code, _, err) = run_bounded(ctxsize(t.path()).arg("ls"), limit);
        assert_eq!(code, 0, "{data:?}: {err}");
    }
    // A 1 MB line: Docker fails; ctxsize names the line.
    let t = Tree::new();
    t.file("a", 1)
        .write(".dockerignore", format!("ok\n{}\n", "x".repeat(1 << 20)));
    let (code, out, err) = run_bounded(ctxsize(t.path()).arg("ls"), limit);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains(".dockerignore:2: line is 1048576 bytes long"),
        "{err}"
    );
    // 100k patterns.
    let t = Tree::new();
    t.file("keep", 1)
        .file("f99999.txt", 1)
        .file("sub/g5.log", 1);
    let mut text = String::new();
    for i in 0..100_000 {
        text.push_str(&match i % 3 {
            0 => format!("f{i}.txt\n"),
            1 => format!("sub/g{i}*.log\n"),
            _ => format!("**/h{i}\n"),
        });
    }
    t.write(".dockerignore", text);
    // The classic builder takes them; BuildKit cannot send a list this
    // large (spec §7.3) and ctxsize says so.
    let (code, out, err) = run_bounded(
        ctxsize(t.path()).args(["ls", "--builder", "classic"]),
        Duration::from_secs(120),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, ".dockerignore\nkeep\nsub/g5.log\n");
    let (code, _, err) = run_bounded(ctxsize(t.path()).arg("ls"), Duration::from_secs(120));
    assert_eq!(code, 2);
    assert!(err.contains("crosses BuildKit's limit"), "{err}");
    // Patterns built to backtrack: linear-time matching keeps them quick.
    let t = Tree::new();
    let deep = (0..60)
        .map(|i| format!("d{i}"))
        .collect::<Vec<_>>()
        .join("/");
    t.file(format!("{deep}/x.txt"), 1);
    let evil = format!(
        "{}nomatch\n[a-zA-Z0-9_][a-zA-Z0-9_][a-zA-Z0-9_]*[a-zA-Z0-9_]*[a-zA-Z0-9_]*x\n{}\n",
        "**/".repeat(200),
        "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"
    );
    t.write(".dockerignore", evil);
    let (code, out, err) = run_bounded(ctxsize(t.path()).arg("ls"), limit);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("x.txt"));
}

#[test]
fn read_only_verbs_never_write() {
    let t = Tree::new();
    t.file("app.py", 5)
        .file("__pycache__/app.pyc", 5)
        .write(".env", "TOKEN=CTXSIZE-CANARY-ro\n")
        .write(".dockerignore", "__pycache__\n");
    fn snapshot(dir: &std::path::Path) -> Vec<(String, u64, Vec<u8>)> {
        let mut v: Vec<_> = walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .map(|e| {
                let md = e.metadata().unwrap();
                let content = if md.is_file() {
                    fs::read(e.path()).unwrap()
                } else {
                    Vec::new()
                };
                (e.path().display().to_string(), md.len(), content)
            })
            .collect();
        v.sort();
        v
    }
    let before = snapshot(t.path());
    // Read-only for everyone but root: run as nobody when we are root.
    let as_nobody = is_root();
    for e in walkdir::WalkDir::new(t.path()).into_iter().flatten() {
        let mode = if e.file_type().is_dir() { 0o555 } else { 0o444 };
        fs::set_permissions(e.path(), fs::Permissions::from_mode(mode)).unwrap();
    }
    let verbs: &[&[&str]] = &[
        &["ls"],
        &["ls", "--excluded"],
        &["why", "app.py"],
        &["report"],
        &["report", "--json"],
        &["check"],
        &["check", "--format", "sarif"],
        &["lint"],
        &["init", "--dry-run"],
        &["init", "--check"],
    ];
    for verb in verbs {
        let mut cmd = if as_nobody {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(bin());
            c.current_dir(t.path());
            c
        } else {
            ctxsize(t.path())
        };
        let (code, _, err) = run(cmd.args(*verb));
        assert!(code == 0 || code == 1, "{verb:?}: {code} {err}");
    }
    for e in walkdir::WalkDir::new(t.path()).into_iter().flatten() {
        fs::set_permissions(e.path(), fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert_eq!(snapshot(t.path()), before);
    // init on a read-only directory refuses clearly and leaves nothing.
    if as_nobody {
        fs::set_permissions(t.path(), fs::Permissions::from_mode(0o555)).unwrap();
        fs::set_permissions(t.join(".dockerignore"), fs::Permissions::from_mode(0o444)).unwrap();
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin())
            .current_dir(t.path());
        let (code, _, err) = run(c.arg("init"));
        fs::set_permissions(t.path(), fs::Permissions::from_mode(0o755)).unwrap();
        assert!(code == 2 || code == 0, "{err}");
        if code == 2 {
            assert!(err.contains("cannot create a temporary file"), "{err}");
        }
        assert_eq!(snapshot(t.path()), before);
    }
    let _ = bin();
}

// Each directory is opened relative to its parent, whose descriptor stays
// open while sub-directories wait their turn: a tree both deep and wide
// must not run the process out of descriptors (600 levels, two
// sub-directories each, one worker, under a limit of 64 open files).
#[test]
fn deep_and_wide_tree_under_a_small_descriptor_limit() {
    let t = Tree::new();
    // Names change with the level, so that the listing order (a hash on
    // ext4) puts the deep branch first at about half the levels.
    let script = "for i in $(seq 600); do mkdir d$i s$i && touch s$i/f && cd d$i || exit 1; done; touch last";
    assert!(Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(t.path())
        .status()
        .unwrap()
        .success());
    let cmd = format!(
        "ulimit -n 64 && CTXSIZE_THREADS=1 exec '{}' ls .",
        bin().display()
    );
    let (code, out, err) = run_bounded(
        Command::new("bash")
            .arg("-c")
            .arg(cmd)
            .current_dir(t.path()),
        Duration::from_secs(60),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    // 600 `s*/f` files and `last`.
    assert_eq!(out.lines().count(), 601, "{err}");
}
