//! The facts of a run are gathered once: each context is walked once and
//! each Dockerfile read and parsed once per run, whatever the verb.
//! Counted in the library, through the run's facts.

use std::collections::HashMap;
use std::path::PathBuf;

use ctxsize::commands::{check, init, report};
use ctxsize::facts::{Facts, Request};

use crate::projects::project;

fn facts(dir: PathBuf) -> Facts {
    Facts::gather(Request {
        dir,
        ..Request::default()
    })
    .unwrap()
}

fn assert_once(what: &str, counts: &HashMap<PathBuf, usize>) {
    assert!(!counts.is_empty(), "no {what} counted");
    for (path, n) in counts {
        assert_eq!(*n, 1, "{what} {} happened {n} times", path.display());
    }
}

#[test]
fn report_walks_each_context_once_and_parses_each_dockerfile_once() {
    let t = project("compose-app");
    let f = facts(t.path().to_path_buf());
    let r = report::build(&f, &report::ReportOptions::default(), None).unwrap();
    // api (two builds, one context), web (its own ignore file), and the
    // root, which this report is about.
    assert!(r.contexts.len() >= 3, "{:?}", r.contexts);
    assert_once("walk of", &f.walk_counts());
    assert_once("read of", &f.dockerfiles.reads());
    assert!(!f.discovery_walked(), "discovery used the report's walk");
    assert!(
        f.walk_counts().len() >= 3,
        "every context is walked: {:?}",
        f.walk_counts()
    );
}

#[test]
fn check_and_init_walk_once() {
    let t = project("fastapi");
    let f = facts(t.path().to_path_buf());
    check::evaluate(&f, &check::CheckOptions::default()).unwrap();
    assert_once("walk of", &f.walk_counts());
    assert_once("read of", &f.dockerfiles.reads());
    assert!(!f.discovery_walked(), "discovery used check's walk");
    let f = facts(t.path().to_path_buf());
    let mut out = Vec::new();
    init::run(&f, &init::InitOptions::default(), &mut out).unwrap();
    assert_once("walk of", &f.walk_counts());
    assert!(!f.discovery_walked(), "discovery used init's walk");
    assert!(
        String::from_utf8_lossy(&out).contains("wrote .dockerignore")
            || String::from_utf8_lossy(&out).contains("wrote "),
        "{}",
        String::from_utf8_lossy(&out)
    );
}

/// The builds as a run finds them first thing (discovery's own walk).
fn builds_alone(dir: &std::path::Path) -> (Vec<ctxsize::facts::builds::Build>, Vec<String>) {
    let f = facts(dir.to_path_buf());
    (f.builds().to_vec(), f.notes().to_vec())
}

/// Discovery fed by the context walk finds exactly what its own walk
/// finds, whichever walk ran: the pruning one (`check`, `init`, `report
/// --prune`), the measuring one (`report`), or `lint`'s.
fn assert_walk_feeds_discovery(dir: &std::path::Path) {
    use ctxsize::facts::walk::WalkWants;
    let alone = builds_alone(dir);
    for measure_excluded in [false, true] {
        let f = facts(dir.to_path_buf());
        let ctx = f.main_context().unwrap();
        let wants = WalkWants { measure_excluded };
        if ctx.pattern_errors.is_empty() {
            f.walk(&ctx, wants, None).unwrap();
        }
        assert_eq!(
            (f.builds().to_vec(), f.notes().to_vec()),
            alone,
            "{} (measure_excluded {measure_excluded})",
            dir.display()
        );
    }
    let f = facts(dir.to_path_buf());
    let ctx = f.main_context().unwrap();
    if ctx.pattern_errors.is_empty() {
        f.walk_all(&ctx).unwrap();
    }
    assert_eq!(
        (f.builds().to_vec(), f.notes().to_vec()),
        alone,
        "{} (lint's walk)",
        dir.display()
    );
}

#[test]
fn the_context_walk_feeds_discovery_on_every_fixture() {
    for e in std::fs::read_dir(crate::util::fixtures()).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name == "vectors" {
            continue;
        }
        let t = project(&name);
        assert_walk_feeds_discovery(t.path());
    }
}

#[test]
fn the_context_walk_feeds_discovery_under_excluded_and_vendored_dirs() {
    let t = crate::util::Tree::new();
    // A compose file inside a directory the ignore file excludes (the walk
    // does not enter it), a Dockerfile under an excluded directory that an
    // exception re-enters, and Dockerfiles in other projects' code.
    t.write(".dockerignore", "deploy\nsvc\n!svc/keep\n.github/*\n");
    // A workflow under an excluded directory: its kind comes from its
    // whole path, not from where the walk resumed.
    t.write(
        ".github/workflows/image.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: svc\n",
    );
    t.write(
        "deploy/compose.yaml",
        "services:\n  api:\n    build:\n      context: ../api\n",
    );
    t.write("api/Dockerfile", "FROM scratch\nCOPY main.py /\n");
    t.write("api/main.py", "print(1)\n");
    t.write("svc/Dockerfile", "FROM scratch\nCOPY keep /\n");
    t.write("svc/keep/x", "x");
    t.write("package.json", "{}\n");
    t.write("node_modules/pkg/package.json", "{}\n");
    t.write("node_modules/pkg/Dockerfile", "FROM scratch\n");
    t.write("deploy/node_modules/pkg/Dockerfile", "FROM scratch\n");
    t.write(".git/HEAD", "ref: refs/heads/main\n");
    t.write(".git/Dockerfile", "FROM scratch\n");
    let (builds, _) = builds_alone(t.path());
    assert!(
        builds
            .iter()
            .any(|b| b.dockerfile.ends_with("api/Dockerfile") && b.origin.contains("compose.yaml")),
        "{builds:#?}"
    );
    assert!(
        !builds
            .iter()
            .any(|b| b.dockerfile.to_string_lossy().contains("node_modules")),
        "{builds:#?}"
    );
    assert_walk_feeds_discovery(t.path());
}

// `git ls-files` runs once per repository and run: a context inside one
// already listed takes its part of the list, unless a repository of its
// own (a submodule, a nested clone) lies between them.
#[test]
fn tracked_files_of_a_sub_context_are_git_s_own_answer() {
    use std::process::Command;
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let git = |dir: &std::path::Path, args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        out.stdout
    };
    for f in [
        "a.txt",
        "sub/b.txt",
        "sub/deep/c.txt",
        "subway/d.txt",
        "sub/inner/e.txt",
    ] {
        let p = root.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "x").unwrap();
    }
    git(&root.join("sub/inner"), &["init", "-q"]);
    git(&root.join("sub/inner"), &["add", "."]);
    git(&root.join("sub/inner"), &["commit", "-qm", "inner"]);
    git(root, &["init", "-q"]);
    git(
        root,
        &[
            "add",
            "a.txt",
            "sub/b.txt",
            "sub/deep/c.txt",
            "subway/d.txt",
        ],
    );
    let listed = |dir: &std::path::Path| {
        let mut v: Vec<Vec<u8>> = git(dir, &["ls-files", "-z", "--", "."])
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        v.sort();
        v
    };
    let f = facts(root.to_path_buf());
    // The root first, so that the others can take their part of it.
    for dir in ["", "sub", "sub/deep", "sub/inner", "subway"] {
        let d = root.join(dir);
        let ours = f.tracked(&d).0.map(|v| v.to_vec()).unwrap_or_default();
        assert_eq!(ours, listed(&d), "{dir}");
    }
    // Outside any repository: nothing, and no git process needed.
    let bare = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(bare.path().join(".git")).unwrap();
    std::fs::write(bare.path().join(".git/HEAD"), "not a ref").unwrap();
    assert!(!ctxsize::facts::git::may_be_in_repository(bare.path()));
    assert!(facts(bare.path().to_path_buf())
        .tracked(bare.path())
        .0
        .is_none());
}
