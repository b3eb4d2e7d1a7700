//! End to end against a real Buildah: for each context, what `buildah bud`
//! puts in an image (`FROM scratch` + `COPY . /ctx/`, written out with
//! `--output type=tar`) must be exactly what `ctxsize ls --builder podman
//! --dirs --json` lists: regular files with their sizes, symlinks with the
//! length of their target, and directories (what lands in the image, every
//! ancestor of a copied entry included). Builds whose ignore file Buildah
//! refuses must make ctxsize refuse it too, builds whose `COPY` source is
//! excluded must fail in Buildah, and `ctxsize check --builder podman` must
//! name the cause (CTX007, CTX006) beforehand.
//!
//! Buildah runs daemonless as root, with its storage (vfs) and run state in
//! a temporary directory of this test (`--root`, `--runroot`), chroot
//! isolation and no network, so that parallel runs never share anything.
//! Without `buildah` or root the test is skipped with a message; with
//! `CI=true` that is a failure instead. `.ci/install-docker.sh` installs it.
//!
//! Knobs (environment): `CTXSIZE_BUILDAH_VECTORS=all|N` (how many
//! conformance vectors to build; by default as many as fit the time
//! budget, hand-picked cases first), `CTXSIZE_BUILDAH_BUDGET=SECS` (that
//! budget, default 480), `CTXSIZE_BUILDAH_JOBS=N` (parallel builds,
//! default 2), `CTXSIZE_BUILDAH_ONLY=ID,ID` (only these vectors).

use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::docker::{
    b64_decode, diff, env_number, find_program, hand_contexts, in_ci, read_tar, unmount_under,
    vector_cases, vector_order, Ctx, Entry,
};

/// The Containerfile used for listings; it lives outside every context.
const COPY_ALL: &str = "FROM scratch\nCOPY . /ctx/\n";

fn ctxsize_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ctxsize"))
}

// ---------------------------------------------------------------------------
// The engine

/// Buildah with a private storage, removed on drop.
struct Buildah {
    dir: Option<tempfile::TempDir>,
    bin: PathBuf,
    /// "buildah version 1.28.2 (image-spec 1.1.0-rc2, runtime-spec 1.0.2-dev)".
    version: String,
    next: AtomicU32,
}

fn unavailable(reason: &str) -> Option<Buildah> {
    assert!(!in_ci(), "buildah e2e: CI=true and {reason}");
    eprintln!("buildah e2e: SKIPPED: {reason}");
    None
}

impl Buildah {
    fn start() -> Option<Buildah> {
        if !fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0) {
            return unavailable(
                "not running as root (rootless Buildah needs user namespaces set up)",
            );
        }
        let Some(bin) = find_program("buildah") else {
            return unavailable("buildah is not installed (see .ci/install-docker.sh)");
        };
        let dir = tempfile::Builder::new()
            .prefix("ctxsize-buildah.")
            .tempdir()
            .expect("tempdir");
        for sub in ["root", "runroot", "tmp", "out"] {
            fs::create_dir(dir.path().join(sub)).expect("mkdir");
        }
        fs::write(dir.path().join("Containerfile"), COPY_ALL).expect("write Containerfile");
        let mut engine = Buildah {
            dir: Some(dir),
            bin,
            version: String::new(),
            next: AtomicU32::new(0),
        };
        match engine.plain().arg("--version").output() {
            Ok(out) if out.status.success() => {
                engine.version = String::from_utf8_lossy(&out.stdout).trim().to_string();
                Some(engine)
            }
            Ok(out) => unavailable(&format!("buildah --version failed: {}", both(&out))),
            Err(e) => unavailable(&format!("{}: {e}", engine.bin.display())),
        }
    }

    fn path(&self) -> &Path {
        self.dir.as_ref().expect("engine directory").path()
    }

    fn outside_containerfile(&self) -> PathBuf {
        self.path().join("Containerfile")
    }

    /// `buildah` with a clean environment, no options.
    fn plain(&self) -> Command {
        let d = self.path();
        let mut cmd = Command::new(&self.bin);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", d)
            .env("TMPDIR", d.join("tmp"))
            .stdin(Stdio::null());
        cmd
    }

    /// `buildah bud` on this engine's private storage.
    fn bud(&self) -> Command {
        let d = self.path();
        let mut cmd = self.plain();
        cmd.arg("--root")
            .arg(d.join("root"))
            .arg("--runroot")
            .arg(d.join("runroot"))
            .args([
                "--storage-driver",
                "vfs",
                "bud",
                "--isolation",
                "chroot",
                "-q",
            ]);
        cmd
    }

    /// Builds `ctx` with `containerfile` (`-f`) and lists `/ctx` of the
    /// image: entries with directories, sorted by path. `Err` holds the
    /// build's output when it fails.
    fn build_and_list(&self, ctx: &Path, containerfile: &Path) -> Result<Vec<Entry>, String> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let tar = self.path().join(format!("out/{n}.tar"));
        let out = self
            .bud()
            .arg("-f")
            .arg(containerfile)
            .arg("--output")
            .arg(format!("type=tar,dest={}", tar.display()))
            .arg(ctx)
            .output()
            .expect("run buildah bud");
        if !out.status.success() {
            return Err(both(&out));
        }
        let file = fs::File::open(&tar).map_err(|e| format!("{}: {e}", tar.display()))?;
        let members = read_tar(std::io::BufReader::new(file))?;
        let _ = fs::remove_file(&tar);
        let mut sizes = std::collections::BTreeMap::new();
        let mut entries = Vec::new();
        for m in &members {
            let path = m.path.trim_start_matches("./").trim_start_matches('/');
            let path = path.trim_end_matches('/');
            let Some(rel) = path.strip_prefix("ctx/") else {
                continue;
            };
            match m.kind {
                b'0' | 0 | b'7' => {
                    sizes.insert(path.to_string(), m.size);
                    entries.push(('f', m.size, rel.to_string()));
                }
                b'1' => {
                    let target = m.link.trim_start_matches("./").trim_start_matches('/');
                    let size = sizes.get(target).copied().unwrap_or(0);
                    entries.push(('f', size, rel.to_string()));
                }
                b'2' => entries.push(('l', m.link.len() as u64, rel.to_string())),
                b'5' => entries.push(('d', 0, rel.to_string())),
                _ => entries.push(('?', m.size, rel.to_string())),
            }
        }
        entries.sort_by(|a, b| a.2.cmp(&b.2));
        Ok(entries)
    }

    /// Builds `ctx` with a Containerfile of the given text, written outside
    /// the context: whether the build failed, and its output.
    fn build_fails(&self, ctx: &Path, containerfile_text: &str) -> (bool, String) {
        let cf = self.write_containerfile(containerfile_text);
        let out = self
            .bud()
            .arg("-f")
            .arg(&cf)
            .arg("--output")
            .arg(format!(
                "type=tar,dest={}",
                cf.with_extension("tar").display()
            ))
            .arg(ctx)
            .output()
            .expect("run buildah bud");
        (!out.status.success(), both(&out))
    }

    fn write_containerfile(&self, text: &str) -> PathBuf {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let cf = self.path().join(format!("Containerfile.{n}"));
        fs::write(&cf, text).expect("write Containerfile");
        cf
    }
}

impl Drop for Buildah {
    fn drop(&mut self) {
        let Some(dir) = self.dir.take() else { return };
        // COPY mounts nothing, but a killed build could leave a mount behind.
        unmount_under(dir.path());
        let shown = dir.path().display().to_string();
        if let Err(e) = dir.close() {
            eprintln!("buildah e2e: could not remove {shown}: {e}");
        }
    }
}

fn both(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

// ---------------------------------------------------------------------------
// ctxsize's answers

/// `ctxsize ls --builder podman --dirs --json`: type, size sent, path.
fn ctxsize_ls(ctx: &Path, containerfile: &Path) -> Result<Vec<Entry>, String> {
    let out = Command::new(ctxsize_bin())
        .args(["ls", "--builder", "podman", "--dirs", "--json", "-f"])
        .arg(containerfile)
        .arg(ctx)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run ctxsize");
    if !out.status.success() {
        return Err(format!(
            "ctxsize ls failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let rows: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    Ok(rows
        .as_array()
        .ok_or("not an array")?
        .iter()
        .map(|r| {
            let t = match r["type"].as_str() {
                Some("f") => 'f',
                Some("d") => 'd',
                Some("l") => 'l',
                _ => '?',
            };
            (
                t,
                r["size"].as_u64().unwrap_or(0),
                r["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect())
}

/// `ctxsize check --builder podman --format json`: the problems.
fn ctxsize_check(ctx: &Path, containerfile: &Path) -> Result<Vec<Value>, String> {
    let out = Command::new(ctxsize_bin())
        .args(["check", "--builder", "podman", "--format", "json", "-f"])
        .arg(containerfile)
        .arg(ctx)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("check output: {e}: {text}"))?;
    Ok(v["problems"].as_array().cloned().unwrap_or_default())
}

// ---------------------------------------------------------------------------
// Comparing

/// One context to build: where it is, which Containerfile, and (for
/// vectors) Buildah's recorded answer (`Some(None)`: the build fails).
struct Case {
    ctx: Ctx,
    /// `-f` inside the context (relative), else the Containerfile outside.
    build_file: Option<String>,
    expected: Option<Option<Vec<Entry>>>,
}

struct Outcome {
    name: String,
    problems: Vec<String>,
    notes: Vec<String>,
    time: Duration,
}

fn compare(engine: &Buildah, case: &Case) -> Outcome {
    let mut o = Outcome {
        name: case.ctx.name.clone(),
        problems: Vec::new(),
        notes: Vec::new(),
        time: Duration::ZERO,
    };
    let ctx = case.ctx.path();
    let cf = match &case.build_file {
        Some(rel) => ctx.join(rel),
        None => engine.outside_containerfile(),
    };
    let started = Instant::now();
    let buildah = engine.build_and_list(ctx, &cf);
    o.time = started.elapsed();
    let ours = ctxsize_ls(ctx, &cf);
    let listing = match (buildah, ours, &case.expected) {
        (Err(b), Err(c), None | Some(None)) => {
            let why = b.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
            o.notes.push(format!(
                "fails in both: buildah: {why}; ctxsize: {}",
                c.trim()
            ));
            return o;
        }
        (Err(b), Err(_), Some(Some(_))) => {
            o.problems.push(format!(
                "the vector says the build succeeds; both fail:\n{b}"
            ));
            return o;
        }
        (Err(b), Ok(_), _) => {
            o.problems
                .push(format!("buildah fails, ctxsize lists a context:\n{b}"));
            return o;
        }
        (Ok(_), Err(c), _) => {
            o.problems
                .push(format!("buildah builds, ctxsize fails: {c}"));
            return o;
        }
        (Ok(_), Ok(_), Some(None)) => {
            o.problems
                .push("the vector says the build fails; buildah and ctxsize both succeed".into());
            return o;
        }
        (Ok(b), Ok(c), _) => (b, c),
    };
    let (buildah, ours) = listing;
    if buildah != ours {
        o.problems.push(format!(
            "buildah and ctxsize differ:\n{}",
            diff("buildah", &buildah, "ctxsize", &ours)
        ));
    }
    if let Some(Some(expected)) = &case.expected {
        if &buildah != expected {
            o.problems.push(format!(
                "buildah and the vector differ:\n{}",
                diff("buildah", &buildah, "vector", expected)
            ));
        }
    }
    o
}

fn vector_case(case: &Value) -> Case {
    let id = case["id"].as_str().expect("id");
    let mut ctx = Ctx::new(&format!("vector {id}"));
    for e in case["tree"].as_array().expect("tree") {
        let path = e["path"].as_str().expect("path");
        ctx = match (e["type"].as_str().expect("type"), e.get("content_b64")) {
            ("f", Some(content)) => ctx.write(path, &b64_decode(content.as_str().expect("b64"))),
            ("f", None) => ctx.file(path, e["size"].as_u64().expect("size") as usize),
            ("d", _) => ctx.dir(path),
            ("l", _) => ctx.symlink(path, e["target"].as_str().expect("target")),
            (other, _) => panic!("{id}: unknown type {other}"),
        };
    }
    let ignore = b64_decode(case["dockerignore_b64"].as_str().expect("dockerignore_b64"));
    if !ignore.is_empty() {
        ctx = ctx.ignore_bytes(&ignore);
    }
    let podman = &case["podman"];
    let expected = if podman["error"].as_bool().expect("error") {
        None
    } else {
        Some(
            podman["entries"]
                .as_array()
                .expect("entries")
                .iter()
                .map(|e| {
                    (
                        e[0].as_str().unwrap().chars().next().unwrap(),
                        e[1].as_u64().unwrap(),
                        e[2].as_str().unwrap().to_string(),
                    )
                })
                .collect(),
        )
    };
    Case {
        ctx,
        build_file: case["build_file"].as_str().map(String::from),
        expected: Some(expected),
    }
}

/// What `ctxsize check --builder podman` must say about a build.
#[derive(Clone, Copy)]
enum Predict {
    /// It reports this rule id with a message containing the text (or, for
    /// `line N`, at that line of the ignore file).
    Fails(&'static str, &'static str),
    /// It reports neither CTX006 nor CTX007.
    Builds,
    /// Buildah's outcome is checked, not ctxsize's (the reason says why).
    NotChecked(&'static str),
}

/// Builds whose outcome `ctxsize check --builder podman` must predict:
/// (context, Containerfile, whether Buildah fails, what check says).
fn predicted_builds() -> Vec<(Ctx, &'static str, bool, Predict)> {
    vec![
        (
            Ctx::new("fail-copy-excluded")
                .file("app.txt", 5)
                .file("secret.txt", 6)
                .ignore("secret.txt"),
            "FROM scratch\nCOPY secret.txt /x/\n",
            true,
            Predict::Fails("CTX007", ".dockerignore:1:secret.txt"),
        ),
        (
            Ctx::new("fail-copy-dir-excluded")
                .file("secrets/a.key", 5)
                .file("app.txt", 5)
                .ignore("secrets"),
            "FROM scratch\nCOPY secrets /x/\n",
            true,
            Predict::Fails("CTX007", ".dockerignore:1:secrets"),
        ),
        (
            Ctx::new("fail-copy-glob-excluded")
                .file("a.txt", 5)
                .file("b.txt", 5)
                .file("c.md", 5)
                .ignore("*.txt"),
            "FROM scratch\nCOPY *.txt /x/\n",
            true,
            Predict::Fails("CTX007", "matches nothing"),
        ),
        // T1: `+` is an operator for Podman only: aab.txt is excluded.
        (
            Ctx::new("fail-podman-only-plus")
                .file("aab.txt", 5)
                .ignore("a+b.txt"),
            "FROM scratch\nCOPY aab.txt /x/\n",
            true,
            Predict::Fails("CTX007", ".dockerignore:1:a+b.txt"),
        ),
        // .containerignore replaces .dockerignore.
        (
            Ctx::new("fail-containerignore")
                .file("secret.txt", 6)
                .file("app.txt", 5)
                .write(".containerignore", b"secret.txt\n")
                .ignore("app.txt"),
            "FROM scratch\nCOPY secret.txt /x/\n",
            true,
            Predict::Fails("CTX007", ".containerignore:1:secret.txt"),
        ),
        // T5: a pattern that does not compile fails, used or not.
        (
            Ctx::new("fail-eager-regexp")
                .file("a.txt", 5)
                .ignore("nomatch")
                .ignore("![z-a]"),
            COPY_ALL,
            true,
            Predict::Fails("CTX006", "line 2"),
        ),
        // D: `!a` re-includes a/x.txt through its parent; Docker would fail.
        (
            Ctx::new("builds-any-ancestor")
                .file("a/x.txt", 5)
                .file("a/y.md", 5)
                .ignore("a/*.txt")
                .ignore("!a"),
            "FROM scratch\nCOPY a/x.txt /x/\n",
            false,
            Predict::Builds,
        ),
        // An exception inside an excluded directory: it builds (spec §8.7),
        // as with Docker.
        (
            Ctx::new("builds-exception-inside")
                .file("secrets/keep", 5)
                .file("secrets/other", 5)
                .ignore("secrets")
                .ignore("!secrets/keep"),
            "FROM scratch\nCOPY secrets /x/\n",
            false,
            Predict::NotChecked(
                "check's COPY checks report an excluded directory source even when an \
                 exception re-includes something inside it (every builder)",
            ),
        ),
    ]
}

fn check_predicts(engine: &Buildah, ctx: &Ctx, text: &str, want: Predict) -> Result<(), String> {
    let want = match want {
        Predict::NotChecked(_) => return Ok(()),
        Predict::Builds => None,
        Predict::Fails(id, needle) => Some((id, needle)),
    };
    let cf = engine.write_containerfile(text);
    let problems = ctxsize_check(ctx.path(), &cf)?;
    let fatal: Vec<&Value> = problems
        .iter()
        .filter(|p| matches!(p["rule_id"].as_str(), Some("CTX006" | "CTX007")))
        .collect();
    match want {
        None if fatal.is_empty() => Ok(()),
        None => Err(format!("ctxsize check predicts a failure: {fatal:?}")),
        Some((id, needle)) => {
            let named = fatal.iter().any(|p| {
                p["rule_id"] == id
                    && (p["message"].as_str().is_some_and(|m| m.contains(needle))
                        || needle.strip_prefix("line ").is_some_and(|n| {
                            p["line"].as_u64().map(|l| l.to_string()) == Some(n.into())
                        }))
            });
            if named {
                Ok(())
            } else {
                Err(format!(
                    "ctxsize check did not report {id} with {needle:?}: {problems:?}"
                ))
            }
        }
    }
}

type MakeCase<'a> = Box<dyn FnOnce() -> Case + Send + 'a>;

fn run_all(
    engine: &Buildah,
    make: Vec<MakeCase<'_>>,
    jobs: usize,
    deadline: Option<Instant>,
) -> (Vec<Outcome>, usize) {
    let queue = Mutex::new(make.into_iter().enumerate().collect::<VecDeque<_>>());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| loop {
                if deadline.is_some_and(|d| Instant::now() > d) {
                    break;
                }
                let next = queue.lock().unwrap().pop_front();
                let Some((i, make)) = next else { break };
                let case = make();
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    compare(engine, &case)
                }))
                .unwrap_or_else(|_| Outcome {
                    name: case.ctx.name.clone(),
                    problems: vec!["panicked (see above)".into()],
                    notes: Vec::new(),
                    time: Duration::ZERO,
                });
                results.lock().unwrap().push((i, outcome));
            });
        }
    });
    let left = queue.into_inner().unwrap().len();
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);
    (results.into_iter().map(|r| r.1).collect(), left)
}

#[test]
fn buildah_agrees_with_ctxsize_podman() {
    let Some(engine) = Buildah::start() else {
        return;
    };
    let total = Instant::now();
    let jobs = env_number("CTXSIZE_BUILDAH_JOBS").unwrap_or(2);
    let mut report = String::new();
    let _ = writeln!(report, "buildah e2e: {}", engine.version);
    let mut problems = Vec::new();

    // Builds whose outcome check must predict.
    for (ctx, text, fails, want) in predicted_builds() {
        if let Err(why) = check_predicts(&engine, &ctx, text, want) {
            problems.push(format!("{}: {why}", ctx.name));
        }
        let (failed, output) = engine.build_fails(ctx.path(), text);
        if failed != fails {
            problems.push(format!(
                "{}: expected buildah to {}; it did not:\n{output}",
                ctx.name,
                if fails { "fail" } else { "build" }
            ));
        } else if failed {
            let line = output.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
            let line: String = line.chars().take(160).collect();
            let _ = writeln!(report, "  {}: fails as predicted: {line}", ctx.name);
        }
        if let Predict::NotChecked(why) = want {
            let _ = writeln!(report, "  {}: ctxsize check not compared: {why}", ctx.name);
        }
    }

    // The hand-written contexts of the Docker test, with the Containerfile
    // outside the context.
    let hand: Vec<MakeCase> = hand_contexts()
        .into_iter()
        .map(|ctx| {
            Box::new(move || Case {
                ctx,
                build_file: None,
                expected: None,
            }) as MakeCase
        })
        .collect();
    let (mut outcomes, _) = run_all(&engine, hand, jobs, None);

    // The conformance vectors, as many as fit.
    let vectors = vector_cases();
    let available = vectors.len();
    let mut chosen = vector_order(vectors);
    if let Ok(only) = std::env::var("CTXSIZE_BUILDAH_ONLY") {
        chosen.retain(|c| {
            c["id"]
                .as_str()
                .is_some_and(|id| only.split(',').any(|o| o == id))
        });
    }
    let budget = Duration::from_secs(env_number("CTXSIZE_BUILDAH_BUDGET").unwrap_or(480));
    let deadline = match std::env::var("CTXSIZE_BUILDAH_VECTORS").as_deref() {
        Ok("all") => None,
        Ok(n) => {
            chosen.truncate(n.parse().expect("CTXSIZE_BUILDAH_VECTORS: all or a number"));
            None
        }
        Err(_) => Some(Instant::now() + budget),
    };
    let make: Vec<MakeCase> = chosen
        .into_iter()
        .map(|c| Box::new(move || vector_case(&c)) as MakeCase)
        .collect();
    let started = Instant::now();
    let (done, left) = run_all(&engine, make, jobs, deadline);
    let _ = writeln!(
        report,
        "vectors: {} of {available} built in {:.0} s{}",
        done.len(),
        started.elapsed().as_secs_f64(),
        if left > 0 {
            format!(
                "; the {} s budget ran out before the other {left} (CTXSIZE_BUILDAH_VECTORS=all runs every one)",
                budget.as_secs()
            )
        } else {
            String::new()
        }
    );
    outcomes.extend(done);

    let times: Vec<f64> = outcomes.iter().map(|o| o.time.as_secs_f64()).collect();
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    let failing: BTreeSet<&str> = outcomes
        .iter()
        .filter(|o| o.notes.iter().any(|n| n.starts_with("fails in both")))
        .map(|o| o.name.as_str())
        .collect();
    let _ = writeln!(
        report,
        "buildah e2e: build+read {mean:.2} s on average, {jobs} at a time; {} contexts fail in both; \
         whole test {:.0} s",
        failing.len(),
        total.elapsed().as_secs_f64()
    );
    for o in &outcomes {
        for p in &o.problems {
            problems.push(format!("{}: {p}", o.name));
        }
    }
    eprint!("{report}");
    if problems.is_empty() {
        eprintln!(
            "buildah e2e: {} contexts compared, all agree",
            outcomes.len()
        );
    } else {
        for p in &problems {
            eprintln!("buildah e2e: DIFFERS: {p}");
        }
        panic!(
            "buildah e2e: {} problems in {} contexts (listed above)",
            problems.len(),
            outcomes.len()
        );
    }
}
