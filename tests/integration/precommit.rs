//! The hooks of `.pre-commit-hooks.yaml`, run by pre-commit itself, in
//! both forms the project publishes: `language: rust` from this repository,
//! and `language: python` from the mirror repository that installs the wheel
//! (README, "pre-commit"), with no Rust toolchain.
//!
//! Rust: pre-commit installs this repository's committed HEAD the way a user's
//! `.pre-commit-config.yaml` would (`repo:` + `rev:`): it clones it into
//! its store and builds the hook with `cargo install --path .` (release).
//! The store lives in `<target>/pre-commit-cache`, so that build happens
//! once per commit of this repository, not once per hook run (`pre-commit
//! try-repo` would use a throw-away store and rebuild on every call).
//!
//! Needs `pre-commit` (on PATH or as `python3 -m pre_commit`) and the
//! crates.io index for the install; the python hooks need the wheel
//! (`CTXSIZE_WHEEL_DIR`, see packaging.rs). Without them a test prints why
//! and passes, except under `CI=true`, where it fails.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use crate::packaging::{self, bin_version, offline_index, without_rust};
use crate::util::{bin, run, Tree};

/// Held while a test installs hooks: the cargo build of the rust hooks
/// takes both cores for a minute, and the python hooks' install is timed.
static INSTALLING: Mutex<()> = Mutex::new(());

/// Skips the rust-hook test (prints why) or, under CI, fails it.
fn skip(reason: &str) {
    packaging::skip("precommit::hooks_warn_and_block_through_pre_commit", reason);
}

/// The command that runs pre-commit: its executable on PATH, else the
/// module of the `python3` on PATH.
fn find_pre_commit() -> Option<Vec<OsString>> {
    let candidates: [&[&str]; 2] = [&["pre-commit"], &["python3", "-m", "pre_commit"]];
    candidates.into_iter().find_map(|argv| {
        let ok = Command::new(argv[0])
            .args(&argv[1..])
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| argv.iter().map(OsString::from).collect())
    })
}

/// A stable cache beside the build: `<target>/pre-commit-cache`.
fn cache_dir() -> PathBuf {
    let exe = bin();
    // <target>/debug/ctxsize -> <target>
    let target = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("pre-commit-cache")
}

/// The environment every git and pre-commit call gets: a fixed identity,
/// no repository inherited from a calling hook, no colours.
fn isolate<'a>(cmd: &'a mut Command, cache: &Path) -> &'a mut Command {
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_PREFIX",
        "SKIP",
        "PRE_COMMIT_ALLOW_NO_CONFIG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("GIT_AUTHOR_NAME", "ctxsize test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "ctxsize test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .env("PRE_COMMIT_HOME", cache.join("home"))
        .env("PRE_COMMIT_COLOR", "never")
        // Where `cargo install` (run by pre-commit) builds: kept, so a new
        // commit of ctxsize rebuilds only ctxsize, not its dependencies.
        .env("CARGO_TARGET_DIR", cache.join("cargo-target"))
}

/// Runs git in `dir`: (exit code, stdout, stderr).
fn git_try(dir: &Path, cache: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(["-c", "commit.gpgsign=false"])
        .args(["-c", "core.hooksPath=.git/hooks"])
        .args(args);
    run(isolate(&mut cmd, cache))
}

/// Runs git in `dir`, asserting success; returns stdout.
fn git(dir: &Path, cache: &Path, args: &[&str]) -> String {
    let (code, out, err) = git_try(dir, cache, args);
    assert_eq!(code, 0, "git {args:?} in {}:\n{out}\n{err}", dir.display());
    out
}

/// One pre-commit invocation.
struct PreCommit<'a> {
    argv: &'a [OsString],
    cache: &'a Path,
    config: &'a Path,
    project: &'a Path,
    /// For the python hooks: pre-commit's store, and the folder pip installs
    /// from (no index), with no Rust toolchain on PATH.
    python: Option<(&'a Path, &'a Path)>,
}

impl PreCommit<'_> {
    /// `pre-commit ARGS` in the project, isolated.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.argv[0]);
        cmd.args(&self.argv[1..])
            .args(args)
            .current_dir(self.project);
        isolate(&mut cmd, self.cache);
        if let Some((home, links)) = self.python {
            offline_index(without_rust(&mut cmd), links).env("PRE_COMMIT_HOME", home);
        }
        cmd
    }

    /// `pre-commit run --config CFG HOOK --verbose --all-files`:
    /// (exit code, stdout + stderr, seconds).
    fn run_hook(&self, hook: &str) -> (i32, String, f64) {
        let config = self.config.to_str().expect("UTF-8 temp path");
        let mut cmd = self.command(&[
            "run",
            "--config",
            config,
            hook,
            "--verbose",
            "--all-files",
            "--color",
            "never",
        ]);
        let start = Instant::now();
        let (code, out, err) = run(&mut cmd);
        let secs = start.elapsed().as_secs_f64();
        eprintln!("--- pre-commit run {hook} (exit {code}, {secs:.1}s)\n{out}{err}");
        (code, format!("{out}{err}"), secs)
    }

    /// `git commit` with pre-commit installed as the git hook.
    fn commit(&self, message: &str) -> (i32, String) {
        let (code, out, err) = git_try(self.project, self.cache, &["commit", "-q", "-m", message]);
        eprintln!("--- git commit -m {message:?} (exit {code})\n{out}{err}");
        (code, format!("{out}{err}"))
    }
}

/// ctxsize's own finding lines (`path: warning: ...`), not pre-commit's.
fn finding_lines(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.contains(": warning: ") || l.contains(": error: "))
        .collect()
}

fn has_finding(out: &str, path: &str, level: &str) -> bool {
    finding_lines(out)
        .iter()
        .any(|l| l.starts_with(&format!("{path}: {level}: ")))
}

#[test]
fn hooks_warn_and_block_through_pre_commit() {
    let Some(pre_commit) = find_pre_commit() else {
        skip("pre-commit not found (install it with `python3 -m pip install pre-commit`)");
        return;
    };
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cache = cache_dir();
    fs::create_dir_all(&cache).expect("create pre-commit cache");

    // The repository pre-commit installs from: this one, at its HEAD.
    let (code, head, err) = git_try(manifest_dir, &cache, &["rev-parse", "--verify", "HEAD"]);
    if code != 0 {
        skip(&format!(
            "{} is not a git checkout with a commit: {}",
            manifest_dir.display(),
            err.trim()
        ));
        return;
    }
    let head = head.trim().to_string();
    let in_head = format!("{head}:.pre-commit-hooks.yaml");
    let (code, _, _) = git_try(manifest_dir, &cache, &["cat-file", "-e", &in_head]);
    if code != 0 {
        skip(".pre-commit-hooks.yaml is not committed yet (pre-commit installs hooks from HEAD)");
        return;
    }
    let status = ["status", "--porcelain", "--untracked-files=no"];
    let (_, dirty, _) = git_try(manifest_dir, &cache, &status);
    if !dirty.trim().is_empty() {
        eprintln!(
            "note: uncommitted changes in {} are not part of the hooks under test (HEAD {head})",
            manifest_dir.display()
        );
    }

    // A temporary repository with a small, clean project; the pre-commit
    // config lives beside it, not in it (it would be part of the context).
    let tree = Tree::new();
    let project = tree.join("project");
    tree.write(
        "project/Dockerfile",
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n",
    );
    tree.write("project/app.py", "print('hello')\n");
    tree.write("project/.dockerignore", ".git\n**/__pycache__\n**/*.pyc\n");
    let config = tree.join("pre-commit-config.yaml");
    fs::write(
        &config,
        format!(
            "repos:\n  - repo: {}\n    rev: {head}\n    hooks:\n      - id: ctxsize-warn\n      - id: ctxsize-check\n",
            manifest_dir.display()
        ),
    )
    .unwrap();
    git(&project, &cache, &["init", "-q", "-b", "main"]);
    git(&project, &cache, &["add", "-A"]);

    let pc = PreCommit {
        argv: &pre_commit,
        cache: &cache,
        config: &config,
        project: &project,
        python: None,
    };

    // Clean project: both hooks pass and ctxsize prints nothing. The first
    // run may clone and `cargo install` ctxsize (release build).
    let installing = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
    let (code, out, secs) = pc.run_hook("ctxsize-warn");
    drop(installing);
    eprintln!("first hook run (includes any install): {secs:.1}s");
    assert_eq!(code, 0, "ctxsize-warn on a clean project:\n{out}");
    assert!(out.contains("Passed"), "{out}");
    assert!(
        finding_lines(&out).is_empty(),
        "clean project warned:\n{out}"
    );
    assert!(!out.contains("ctxsize check:"), "{out}");

    let (code, out, _) = pc.run_hook("ctxsize-check");
    assert_eq!(code, 0, "ctxsize-check on a clean project:\n{out}");
    assert!(
        finding_lines(&out).is_empty(),
        "clean project warned:\n{out}"
    );

    // The same through git: the hooks let a clean commit through.
    let (code, out, err) = run(isolate(&mut Command::new(&pre_commit[0]), &cache)
        .args(&pre_commit[1..])
        .arg("install")
        .arg("--config")
        .arg(&config)
        .current_dir(&project));
    assert_eq!(code, 0, "pre-commit install:\n{out}\n{err}");
    let (code, out) = pc.commit("clean project");
    assert_eq!(code, 0, "clean commit blocked:\n{out}");
    let clean_head = git(&project, &cache, &["rev-parse", "HEAD"]);

    // Now a secret and a 30 MB log, staged.
    tree.write(
        "project/.env",
        "DATABASE_URL=postgres://app:not-a-real-password@db/app\nAPI_KEY=fake-0000000000000000\n",
    );
    tree.mkdir("project/logs");
    let log = fs::File::create(tree.join("project/logs/app.log")).unwrap();
    log.set_len(30 * 1024 * 1024).unwrap(); // sparse
    drop(log);
    git(&project, &cache, &["add", ".env", "logs/app.log"]);

    // Warn hook: passes, and its verbose output carries the warnings.
    let (code, out, _) = pc.run_hook("ctxsize-warn");
    assert_eq!(code, 0, "ctxsize-warn must never block:\n{out}");
    assert!(out.contains("Passed"), "{out}");
    assert!(
        has_finding(&out, ".env", "warning"),
        "no warning for .env:\n{out}"
    );
    assert!(
        has_finding(&out, "logs/app.log", "warning"),
        "no warning for logs/app.log:\n{out}"
    );

    // Check hook: fails with errors for both.
    let (code, out, _) = pc.run_hook("ctxsize-check");
    assert_eq!(code, 1, "ctxsize-check must block:\n{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(
        has_finding(&out, ".env", "error"),
        "no error for .env:\n{out}"
    );
    assert!(
        has_finding(&out, "logs/app.log", "error"),
        "no error for logs/app.log:\n{out}"
    );

    // And through git: the commit is refused, HEAD does not move.
    let (code, out) = pc.commit("add secret and log");
    assert_ne!(code, 0, "commit with a secret went through:\n{out}");
    assert!(has_finding(&out, ".env", "error"), "{out}");
    assert_eq!(git(&project, &cache, &["rev-parse", "HEAD"]), clean_head);

    // Drop installs of older commits from the cache (their configs are
    // gone); this run's config still exists, so its install stays.
    let (code, out, err) = run(isolate(&mut Command::new(&pre_commit[0]), &cache)
        .args(&pre_commit[1..])
        .arg("gc"));
    eprintln!("--- pre-commit gc (exit {code})\n{out}{err}");
}

/// The mirror repository's `pyproject.toml`, as the README documents it
/// (the ```toml block naming `ctxsize-pre-commit`).
fn mirror_pyproject() -> String {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let block = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|b| b.contains("name = \"ctxsize-pre-commit\""))
        .expect("README documents the mirror's pyproject.toml");
    let pin = format!("\"ctxsize=={}\"", env!("CARGO_PKG_VERSION"));
    assert!(block.contains(&pin), "the mirror must pin {pin}:\n{block}");
    block.to_string()
}

/// The mirror repository's `.pre-commit-hooks.yaml`: this repository's
/// hooks, each with `language: python` instead of `language: rust`.
fn mirror_hooks() -> String {
    let ours =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"))
            .unwrap();
    let hooks = ours.lines().filter(|l| l.starts_with("- id: ")).count();
    let rust = ours.lines().filter(|l| *l == "  language: rust").count();
    assert!(
        hooks > 0 && rust == hooks,
        "every hook is `language: rust` here"
    );
    ours.replace("\n  language: rust\n", "\n  language: python\n")
}

/// The setuptools wheels virtualenv carries (pre-commit depends on it): pip
/// builds the mirror package with setuptools, and there is no index here.
fn setuptools_wheels() -> Vec<PathBuf> {
    let script = "import glob, os, virtualenv.seed.wheels.embed as e\n\
                  print('\\n'.join(glob.glob(os.path.join(e.BUNDLE_FOLDER, 'setuptools-*.whl'))))";
    let Ok(out) = Command::new("python3").args(["-c", script]).output() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .collect()
}

#[test]
fn python_hooks_install_the_wheel_without_rust() {
    let test = "precommit::python_hooks_install_the_wheel_without_rust";
    let wheels = match packaging::wheel_dir() {
        Ok(d) => d,
        Err(why) => return packaging::skip(test, &why),
    };
    // pre-commit as python3's module: that python's virtualenv has the
    // setuptools wheel the offline build of the mirror package needs.
    let pre_commit: Vec<OsString> = ["python3", "-m", "pre_commit"].map(OsString::from).into();
    let ok = Command::new("python3")
        .args(["-m", "pre_commit", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        return packaging::skip(
            test,
            "python3 -m pre_commit does not run (python3 -m pip install pre-commit)",
        );
    }
    let setuptools = setuptools_wheels();
    if setuptools.is_empty() {
        return packaging::skip(test, "no setuptools wheel in virtualenv's bundle");
    }
    let version = env!("CARGO_PKG_VERSION");

    // A local index: the wheel under test and setuptools, nothing else.
    let tree = Tree::new();
    let cache = tree.join("cache");
    let links = tree.join("wheelhouse");
    fs::create_dir_all(&links).unwrap();
    for entry in fs::read_dir(&wheels).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "whl") {
            fs::copy(&path, links.join(path.file_name().unwrap())).unwrap();
        }
    }
    for wheel in &setuptools {
        fs::copy(wheel, links.join(wheel.file_name().unwrap())).unwrap();
    }

    // The mirror repository, tagged like a release.
    let mirror = tree.join("mirror");
    tree.write("mirror/.pre-commit-hooks.yaml", mirror_hooks());
    tree.write("mirror/pyproject.toml", mirror_pyproject());
    git(&mirror, &cache, &["init", "-q", "-b", "main"]);
    git(&mirror, &cache, &["add", "-A"]);
    git(&mirror, &cache, &["commit", "-q", "-m", "ctxsize hooks"]);
    git(&mirror, &cache, &["tag", &format!("v{version}")]);

    let project = tree.join("project");
    tree.write(
        "project/Dockerfile",
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n",
    );
    tree.write("project/app.py", "print('hello')\n");
    tree.write("project/.dockerignore", ".git\n**/__pycache__\n");
    let config = tree.join("pre-commit-config.yaml");
    fs::write(
        &config,
        format!(
            "repos:\n  - repo: {}\n    rev: v{version}\n    hooks:\n      - id: ctxsize-warn\n      - id: ctxsize-check\n",
            mirror.display()
        ),
    )
    .unwrap();
    git(&project, &cache, &["init", "-q", "-b", "main"]);
    tree.write(
        "project/.env",
        "DATABASE_URL=postgres://app:not-a-real-password@db/app\n",
    );
    tree.mkdir("project/logs");
    let log = fs::File::create(tree.join("project/logs/app.log")).unwrap();
    log.set_len(30 * 1024 * 1024).unwrap(); // sparse
    drop(log);
    git(&project, &cache, &["add", "-A"]);

    let home = tree.join("pre-commit-home");
    let pc = PreCommit {
        argv: &pre_commit,
        cache: &cache,
        config: &config,
        project: &project,
        python: Some((&home, &links)),
    };

    // The install a user's first commit pays: clone the mirror, create the
    // virtualenv, pip-install the mirror package and the wheel. Timed by
    // the clock and, through bash's `times`, by the CPU its processes use,
    // which the other tests running beside it do not inflate.
    let installing = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
    let cmd = pc.command(&[]);
    let mut timed = Command::new("bash");
    timed
        .args(["-c", "\"$@\"; s=$?; times >&2; exit $s", "timed"])
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .args(["install-hooks", "--config", config.to_str().unwrap()])
        .current_dir(&project);
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => timed.env(key, v),
            None => timed.env_remove(key),
        };
    }
    let start = Instant::now();
    let (code, out, err) = run(&mut timed);
    let secs = start.elapsed().as_secs_f64();
    drop(installing);
    eprintln!("--- pre-commit install-hooks (exit {code})\n{out}{err}");
    assert_eq!(code, 0, "pre-commit install-hooks:\n{out}{err}");
    let cpu = children_cpu_seconds(&err).expect("bash `times` output");
    eprintln!(
        "python hook install (wheel already built, no Rust on PATH): {secs:.1}s, {cpu:.1}s of CPU"
    );
    // The goal: under 10 s on this machine, where the cargo-built hooks
    // take more than a minute. CPU time is what an idle machine's clock
    // would show (pip and virtualenv run one process at a time); the clock
    // bound only catches hangs, such as pip waiting on a network.
    assert!(
        cpu < 10.0,
        "installing the python hooks used {cpu:.1}s of CPU"
    );
    assert!(secs < 90.0, "installing the python hooks took {secs:.1}s");

    // The hook's ctxsize is this build's wheel.
    let installed: Vec<PathBuf> = fs::read_dir(&home)
        .unwrap()
        .filter_map(|e| e.ok())
        .flat_map(|repo| fs::read_dir(repo.path()).into_iter().flatten().flatten())
        .filter(|env| env.file_name().to_string_lossy().starts_with("py_env-"))
        .map(|env| env.path().join("bin/ctxsize"))
        .filter(|p| p.exists())
        .collect();
    assert_eq!(
        installed.len(),
        1,
        "one ctxsize in the store: {installed:?}"
    );
    let (_, version_line, _) = run(Command::new(&installed[0]).arg("--version"));
    assert_eq!(version_line, bin_version());

    let (code, out, _) = pc.run_hook("ctxsize-warn");
    assert_eq!(code, 0, "ctxsize-warn must never block:\n{out}");
    assert!(
        has_finding(&out, ".env", "warning"),
        "no warning for .env:\n{out}"
    );
    assert!(
        has_finding(&out, "logs/app.log", "warning"),
        "no warning for logs/app.log:\n{out}"
    );
    let (code, out, _) = pc.run_hook("ctxsize-check");
    assert_eq!(code, 1, "ctxsize-check must block:\n{out}");
    assert!(
        has_finding(&out, ".env", "error"),
        "no error for .env:\n{out}"
    );
}

/// User + system seconds of the children, from bash's `times` (its last
/// line: `0m5.290s 0m0.780s`).
fn children_cpu_seconds(stderr: &str) -> Option<f64> {
    let line = stderr.lines().rev().find(|l| !l.trim().is_empty())?;
    let seconds = |field: &str| -> Option<f64> {
        let (min, sec) = field.strip_suffix('s')?.split_once('m')?;
        Some(min.parse::<f64>().ok()? * 60.0 + sec.parse::<f64>().ok()?)
    };
    let mut fields = line.split_whitespace();
    Some(seconds(fields.next()?)? + seconds(fields.next()?)?)
}
