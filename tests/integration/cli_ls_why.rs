//! `ctxsize ls` and `ctxsize why` on real trees, through the binary.

use std::os::unix::fs::PermissionsExt;

use crate::util::{ctxsize, filter, is_root, run, Tree};

fn ls(t: &Tree, args: &[&str]) -> (i32, String, String) {
    run(ctxsize(t.path()).arg("ls").args(args))
}

fn python_tree() -> Tree {
    let t = Tree::new();
    t.write("app.py", "print()\n")
        .file("__pycache__/app.cpython-312.pyc", 10)
        .file("pkg/__pycache__/m.cpython-312.pyc", 10)
        .file("pkg/m.py", 3)
        .file("pkg/sub/__pycache__/n.cpython-312.pyc", 10)
        .file("x.pyc", 1)
        .file("pkg/y.pyc", 1);
    t
}

#[test]
fn bare_pycache_is_root_only() {
    let t = python_tree();
    t.write(".dockerignore", "__pycache__\n*.pyc\n");
    let (code, out, err) = ls(&t, &["."]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        ".dockerignore\napp.py\npkg/__pycache__/m.cpython-312.pyc\npkg/m.py\n\
         pkg/sub/__pycache__/n.cpython-312.pyc\npkg/y.pyc\n"
    );
}

#[test]
fn double_star_reaches_every_depth() {
    let t = python_tree();
    t.write(".dockerignore", "**/__pycache__\n**/*.pyc\n");
    let (code, out, _) = ls(&t, &[]);
    assert_eq!(code, 0);
    assert_eq!(out, ".dockerignore\napp.py\npkg/m.py\n");
}

#[test]
fn exceptions_inside_excluded_dirs_depend_on_builder() {
    let t = Tree::new();
    t.file("node_modules/a/package.json", 2)
        .file("node_modules/a/index.js", 2)
        .file("keep/package.json", 2)
        .write(".dockerignore", "node_modules\n!**/package.json\n");
    let (_, bk, _) = ls(&t, &["--builder", "buildkit"]);
    assert_eq!(
        bk,
        ".dockerignore\nkeep/package.json\nnode_modules/a/package.json\n"
    );
    let (_, classic, _) = ls(&t, &["--builder", "classic"]);
    assert_eq!(classic, ".dockerignore\nkeep/package.json\n");
    let (_, why, _) =
        run(ctxsize(t.path()).args(["why", "--builder", "classic", "node_modules/a/package.json"]));
    assert!(
        why.contains("excluded by .dockerignore:1:node_modules"),
        "{why}"
    );
    assert!(
        why.contains("skips excluded directory node_modules whole"),
        "{why}"
    );
    let (_, why, _) = run(ctxsize(t.path()).args(["why", "node_modules/a/package.json"]));
    assert!(
        why.contains("included re-included by .dockerignore:2:!**/package.json"),
        "{why}"
    );
}

#[test]
fn literal_exception_reaches_in_under_both() {
    let t = Tree::new();
    t.file("foo/keep.txt", 2)
        .file("foo/other", 2)
        .write(".dockerignore", "foo\n!foo/keep.txt\n");
    for b in ["buildkit", "classic"] {
        let (_, out, _) = ls(&t, &["--builder", b]);
        assert_eq!(out, ".dockerignore\nfoo/keep.txt\n", "{b}");
    }
    let (_, dirs, _) = ls(&t, &["--dirs", "--builder", "buildkit"]);
    assert_eq!(dirs, ".dockerignore\nfoo\nfoo/keep.txt\n");
    let (_, dirs, _) = ls(&t, &["--dirs", "--builder", "classic"]);
    assert_eq!(dirs, ".dockerignore\nfoo/keep.txt\n");
}

#[test]
fn symlinks_are_entries_never_followed() {
    let t = Tree::new();
    t.file("real/file", 5)
        .symlink("dangling", "does/not/exist")
        .symlink("root", "/")
        .symlink("dirlink", "real")
        .symlink("loop1", "loop2")
        .symlink("loop2", "loop1")
        .write(".dockerignore", "dirlink/*\n");
    let (code, out, err) = ls(&t, &["--long"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "f\t          10\t.dockerignore\nl\t          14\tdangling\nl\t           4\tdirlink\n\
         l\t           5\tloop1\nl\t           5\tloop2\nf\t           5\treal/file\nl\t           1\troot\n"
    );
}

#[test]
fn crlf_and_bom_ignore_files() {
    let t = Tree::new();
    t.file("a.log", 1)
        .file("b.txt", 1)
        .write(".dockerignore", "\u{feff}*.log\r\n*.txt\r\n!b.txt\r\n");
    let (_, out, _) = ls(&t, &[]);
    assert_eq!(out, ".dockerignore\nb.txt\n");
}

#[test]
fn dockerfile_specific_ignore_file_wins_under_buildkit() {
    let t = Tree::new();
    t.file("a.txt", 1)
        .file("b.txt", 1)
        .write("docker/api.Dockerfile", "FROM scratch\n")
        .write("docker/api.Dockerfile.dockerignore", "a.txt\n")
        .write(".dockerignore", "b.txt\n");
    let (_, out, _) = ls(&t, &["-f", "docker/api.Dockerfile"]);
    assert_eq!(
        out,
        ".dockerignore\nb.txt\ndocker/api.Dockerfile\ndocker/api.Dockerfile.dockerignore\n"
    );
    let (_, out, _) = ls(&t, &["-f", "docker/api.Dockerfile", "--builder", "classic"]);
    assert_eq!(
        out,
        ".dockerignore\na.txt\ndocker/api.Dockerfile\ndocker/api.Dockerfile.dockerignore\n"
    );
    let (_, out, _) = run(ctxsize(t.path()).args(["why", "-f", "docker/api.Dockerfile", "a.txt"]));
    assert_eq!(
        out,
        "a.txt: excluded by docker/api.Dockerfile.dockerignore:1:a.txt\n"
    );
}

#[test]
fn invalid_patterns_name_every_line() {
    let t = Tree::new();
    t.file("a", 1)
        .write(".dockerignore", "ok\n[\n!\nfine\nfoo\\\n");
    let (code, out, err) = ls(&t, &[]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    let err = filter(&err, &t);
    assert!(
        err.contains(".dockerignore:2: \"[\": syntax error in pattern"),
        "{err}"
    );
    assert!(
        err.contains(".dockerignore:3: \"!\": illegal exclusion pattern"),
        "{err}"
    );
    assert!(
        err.contains(".dockerignore:5: \"foo\\\\\": syntax error"),
        "{err}"
    );
}

#[test]
fn lazy_regexp_error_only_when_evaluated() {
    let t = Tree::new();
    t.file("a", 1).write(".dockerignore", "x\n![z-a]\n");
    let (code, _, _) = ls(&t, &[]);
    assert_eq!(code, 0, "no path matches x, so ![z-a] is never evaluated");
    t.file("x", 1);
    let (code, out, err) = ls(&t, &[]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(
        err.contains(":2: \"![z-a]\": syntax error in pattern"),
        "{err}"
    );
}

#[test]
fn why_names_parent_directory_and_missing_paths() {
    let t = Tree::new();
    t.file("build/out/x.o", 1)
        .write(".dockerignore", "# c\nbuild\n");
    let (code, out, _) = run(ctxsize(t.path()).args(["why", "build/out/x.o", "ghost/y", "build"]));
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "build/out/x.o: excluded by .dockerignore:2:build (matched parent directory build); \
         the buildkit builder skips excluded directory build whole (no exception starts with build/)\n\
         ghost/y: included (no rule matched) [does not exist]\n\
         build: excluded by .dockerignore:2:build\n"
    );
    let (code, _, err) = run(ctxsize(t.path()).args(["why", "/etc/passwd"]));
    assert_eq!(code, 2);
    assert!(err.contains("outside the build context"), "{err}");
}

#[test]
fn ls_formats() {
    let t = Tree::new();
    t.file("a b", 1).file("c", 2);
    let (_, out, _) = ls(&t, &["-0"]);
    assert_eq!(out, "a b\0c\0");
    let (_, out, _) = ls(&t, &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[1]["path"], "c");
    assert_eq!(v[1]["size"], 2);
    assert_eq!(v[1]["type"], "f");
}

#[test]
fn non_utf8_names_survive() {
    let t = Tree::new();
    t.write_raw(b"caf\xe9.txt", b"x");
    let out = ctxsize(t.path()).arg("ls").output().unwrap();
    assert_eq!(out.stdout, b"caf\xe9.txt\n");
}

#[test]
fn unreadable_directory_is_reported_not_fatal() {
    let t = Tree::new();
    t.file("ok.txt", 1).file("secret/inner.txt", 1);
    let dir = t.join("secret");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut cmd = ctxsize(t.path());
    if is_root() {
        // Root reads through permission bits; drop to nobody so the
        // unreadable-directory path of the walk is really exercised.
        if std::process::Command::new("setpriv")
            .arg("--help")
            .output()
            .is_err()
        {
            println!("skipped: running as root without setpriv to drop privileges");
            return;
        }
        std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let bin = crate::util::bin();
        cmd = std::process::Command::new("setpriv");
        cmd.current_dir(t.path())
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin)
            .env("NO_COLOR", "1");
    }
    let (code, out, err) = run(cmd.args(["ls", "."]));
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "ok.txt\n");
    assert!(err.contains("secret: Permission denied"), "{err}");
}

#[test]
fn buildkit_sends_some_kept_files_empty() {
    // spec §7.1: the walk keeps x/f, the check on reading excludes it.
    let t = Tree::new();
    t.file("x/f", 6)
        .file("x/g", 2)
        .write(".dockerignore", "x\n!x/f\nx\n");
    let (code, out, err) = ls(&t, &["--long"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "f\t           9\t.dockerignore\nf\t           0\tx/f\n"
    );
    let (_, out, _) = ls(&t, &["--long", "--builder", "classic"]);
    assert_eq!(
        out,
        "f\t           9\t.dockerignore\nf\t           6\tx/f\n"
    );
    let (_, out, _) = ls(&t, &["--long", "--builder", "podman"]);
    assert_eq!(out, "f\t           9\t.dockerignore\n");
    let (_, json, _) = ls(&t, &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[1]["path"], "x/f");
    assert_eq!(v[1]["size"], 0);
    // The report's totals count what is sent.
    let (code, out, err) = run(ctxsize(t.path()).args(["report", "--json"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["context"]["files"], 2);
    assert_eq!(v["context"]["bytes"], 9);
    let (_, out, _) = run(ctxsize(t.path()).args(["why", "x/f"]));
    assert_eq!(
        out,
        "x/f: included re-included by .dockerignore:2:!x/f; BuildKit sends it with 0 bytes \
         (a later rule excludes a parent directory when the file is read)\n"
    );
    let (_, out, _) = run(ctxsize(t.path()).args(["why", "--builder", "classic", "x/f"]));
    assert_eq!(out, "x/f: included re-included by .dockerignore:2:!x/f\n");
}

#[test]
fn podman_reads_containerignore_first() {
    // spec §8.1: .containerignore (even empty) replaces .dockerignore.
    let t = Tree::new();
    t.file("a.txt", 1)
        .file("b.txt", 1)
        .write(".containerignore", "a.txt\n")
        .write(".dockerignore", "b.txt\n");
    let (_, out, _) = ls(&t, &["--builder", "podman"]);
    assert_eq!(out, ".containerignore\n.dockerignore\nb.txt\n");
    let (_, out, _) = ls(&t, &["--builder", "buildah"]);
    assert_eq!(out, ".containerignore\n.dockerignore\nb.txt\n");
    let (_, out, _) = ls(&t, &[]);
    assert_eq!(out, ".containerignore\n.dockerignore\na.txt\n");
    t.write(".containerignore", "");
    let (_, out, _) = ls(&t, &["--builder", "podman"]);
    assert_eq!(out, ".containerignore\n.dockerignore\na.txt\nb.txt\n");
    // A Containerfile's own files come first; `<name>.dockerignore` wins.
    t.write("Containerfile", "FROM scratch\n")
        .write("Containerfile.containerignore", "Container*\n");
    let (_, out, _) = ls(&t, &["--builder", "podman"]);
    assert_eq!(out, ".containerignore\n.dockerignore\na.txt\nb.txt\n");
    t.write("Containerfile.dockerignore", "*.txt\n");
    let (_, out, _) = ls(&t, &["--builder", "podman", "-f", "Containerfile"]);
    assert_eq!(
        out,
        ".containerignore\n.dockerignore\nContainerfile\nContainerfile.containerignore\n\
         Containerfile.dockerignore\n"
    );
    let (_, out, _) = run(ctxsize(t.path()).args(["why", "--builder", "podman", "a.txt"]));
    assert_eq!(
        out,
        "a.txt: excluded by Containerfile.dockerignore:1:*.txt\n"
    );
}

#[test]
fn podman_rules_differ_from_docker() {
    let t = Tree::new();
    t.file("a/x.txt", 1)
        .file("a/y.md", 1)
        .file("aab.txt", 1)
        .file("a+b.txt", 1)
        .write(".dockerignore", "a/*.txt\n!a\na+b.txt\n");
    // D: `!a` matches a/x.txt through its parent; T1: `+` is an operator.
    let (_, out, _) = ls(&t, &["--builder", "podman"]);
    assert_eq!(out, ".dockerignore\na+b.txt\na/x.txt\na/y.md\n");
    let (_, out, _) = ls(&t, &["--builder", "classic"]);
    assert_eq!(out, ".dockerignore\na/y.md\naab.txt\n");
    let (_, out, _) = run(ctxsize(t.path()).args(["why", "--builder", "podman", "a/x.txt"]));
    assert_eq!(
        out,
        "a/x.txt: included re-included by .dockerignore:2:!a (matched parent directory a)\n"
    );
}

#[test]
fn builder_specific_invalid_patterns() {
    // Podman compiles every pattern (T5); BuildKit cannot send a tab (§7.2).
    let t = Tree::new();
    t.file("a.txt", 1)
        .write(".dockerignore", "nomatch\n![z-a]\n");
    let (code, _, _) = ls(&t, &["--builder", "classic"]);
    assert_eq!(code, 0);
    let (code, out, err) = ls(&t, &["--builder", "podman"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(
        err.contains(":2: \"![z-a]\": syntax error in pattern"),
        "{err}"
    );
    assert!(
        err.contains("Podman and Buildah compile every pattern"),
        "{err}"
    );

    t.write(".dockerignore", "ok\na\tb\n");
    let (code, _, err) = ls(&t, &[]);
    assert_eq!(code, 2);
    assert!(err.contains(":2: \"a\\tb\": BuildKit cannot send"), "{err}");
    for builder in ["classic", "podman"] {
        let (code, _, err) = ls(&t, &["--builder", builder]);
        assert_eq!(code, 0, "{builder}: {err}");
    }
    // With a non-ASCII pattern BuildKit encodes the list and builds.
    t.write(".dockerignore", "ok\na\tb\nü\n");
    let (code, _, err) = ls(&t, &[]);
    assert_eq!(code, 0, "{err}");
}
